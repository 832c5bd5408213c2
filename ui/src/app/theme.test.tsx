import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { COLOR_SCHEME_KEY } from './theme';
import { renderWithProviders } from '@/test/render';
import { ColorSchemeToggle } from '@/components/ColorSchemeToggle';

const scheme = () => document.documentElement.getAttribute('data-mantine-color-scheme');

describe('ColorSchemeToggle', () => {
  it('switches light to dark and back, and remembers the choice', async () => {
    const user = userEvent.setup();
    renderWithProviders(<ColorSchemeToggle />);
    expect(scheme()).toBe('light');

    await user.click(screen.getByRole('button', { name: 'Switch to dark theme' }));
    expect(scheme()).toBe('dark');
    expect(window.localStorage.getItem(COLOR_SCHEME_KEY)).toBe('dark');

    await user.click(screen.getByRole('button', { name: 'Switch to light theme' }));
    expect(scheme()).toBe('light');
    expect(window.localStorage.getItem(COLOR_SCHEME_KEY)).toBe('light');
  });

  it('follows the system preference when nothing was chosen', () => {
    window.__prefersDark = true;
    renderWithProviders(<ColorSchemeToggle />);
    expect(scheme()).toBe('dark');
    expect(screen.getByRole('button', { name: 'Switch to light theme' })).toBeInTheDocument();
  });

  it('prefers the remembered choice over the system preference', () => {
    window.__prefersDark = true;
    window.localStorage.setItem(COLOR_SCHEME_KEY, 'light');
    renderWithProviders(<ColorSchemeToggle />);
    expect(scheme()).toBe('light');
  });
});

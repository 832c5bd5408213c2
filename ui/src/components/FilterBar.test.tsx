import { TextInput } from '@mantine/core';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PHONE_QUERY } from '@/lib/phone';
import { renderInRouter } from '@/test/render';
import { FilterBar } from './FilterBar';

type F = { q?: string; state?: string };

function Harness({ initial }: { initial: F }) {
  const [value, setValue] = useState<F>(initial);
  return (
    <>
      <FilterBar<F> label="Test filters" value={value} onApply={setValue}>
        {(d, set) => <TextInput label="Search" value={d.q ?? ''} onChange={(e) => set('q', e.currentTarget.value)} />}
      </FilterBar>
      <output aria-label="applied">{JSON.stringify(value)}</output>
    </>
  );
}

describe('FilterBar', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the inputs at once on a wide screen and applies the draft only on Apply', async () => {
    const user = userEvent.setup();
    renderInRouter(<Harness initial={{}} />);
    await user.type(screen.getByLabelText('Search'), 'KL8');
    expect(screen.getByLabelText('applied')).toHaveTextContent('{}');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(screen.getByLabelText('applied')).toHaveTextContent('{"q":"KL8"}');
    expect(screen.queryByRole('button', { name: /^Filters/ })).not.toBeInTheDocument();
  });

  it('on a phone folds the inputs behind a button that counts the applied filters, and folds again after Apply', async () => {
    const real = window.matchMedia;
    vi.stubGlobal('matchMedia', (query: string) => ({ ...real(query), matches: query === PHONE_QUERY }));
    const user = userEvent.setup();
    renderInRouter(<Harness initial={{ q: 'KL8', state: 'INITIATED' }} />);
    expect(screen.queryByLabelText('Search')).not.toBeInTheDocument();
    const toggle = screen.getByRole('button', { name: /Filters/ });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByLabelText('2 applied')).toBeInTheDocument();

    await user.click(toggle);
    expect(screen.getByRole('button', { name: /Hide filters/ })).toHaveAttribute('aria-expanded', 'true');
    await user.clear(screen.getByLabelText('Search'));
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(screen.getByLabelText('applied')).toHaveTextContent('"state":"INITIATED"');
    expect(screen.getByLabelText('applied')).not.toHaveTextContent('KL8');
    expect(screen.queryByLabelText('Search')).not.toBeInTheDocument();
    expect(screen.getByLabelText('1 applied')).toBeInTheDocument();
  });
});

import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page, PageScreenshotOptions } from '@playwright/test';

const local = path.resolve(import.meta.dirname, '..', 'screenshots');
const docs = path.resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');

/** True when this run should refresh the README's pictures (UPDATE_SCREENSHOTS=1). */
export const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';

/** Saves a screenshot as e2e/screenshots/<name> (gitignored), for a reviewer; returns its path. */
export async function localScreenshot(page: Page, name: string, options: Omit<PageScreenshotOptions, 'path'> = {}): Promise<string> {
  const file = path.join(local, name);
  // A full-page picture would show the fixed footer in the middle of the page.
  const hidden = options.fullPage ? await page.addStyleTag({ content: '.mantine-AppShell-footer { display: none !important; }' }) : null;
  // A page scrolled down would show the fixed header where the scroll left it.
  if (options.fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ ...options, path: file, animations: 'disabled', caret: 'hide' });
  await hidden?.evaluate((el) => (el as Element).remove());
  return file;
}

/**
 * Saves a screenshot like localScreenshot and, with UPDATE_SCREENSHOTS=1, also as
 * docs/screenshots/<name> (committed, linked from the README), so an ordinary test run leaves the
 * tree clean.
 */
export async function saveScreenshot(page: Page, name: string, options: Omit<PageScreenshotOptions, 'path'> = {}) {
  const file = await localScreenshot(page, name, options);
  if (updateDocs) {
    mkdirSync(docs, { recursive: true });
    copyFileSync(file, path.join(docs, name));
  }
}

import { expect, test } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { saveScreenshot } from '../pages/screenshots';

// Aurora's dispute handler answers a demo dispute with two files; Klarna (the simulator) takes it into
// REPRESENTMENT.
const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000', 'hex');

test('merchant-disputes answers a dispute with two files and sees it move to REPRESENTMENT', async ({ page }) => {
  test.setTimeout(180_000);
  await new LoginPage(page).loginAs('merchant-disputes', '/disputes');
  let id = '';
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/v1/disputes?view=needs_action&state=INITIATED&limit=50');
        if (!res.ok()) return false;
        const items = ((await res.json()) as { items: { id: string; deadline_at: string | null }[] }).items;
        id = items.find((d) => d.deadline_at && Date.parse(d.deadline_at) > Date.now() + 3600_000)?.id ?? '';
        return id !== '';
      },
      { timeout: 90_000, message: 'an Aurora dispute to answer' },
    )
    .toBe(true);
  await page.goto(`/disputes/${encodeURIComponent(id)}`);
  await expect(page.getByRole('heading', { name: 'Answer the dispute' })).toBeVisible();
  await page.getByLabel('Add files').setInputFiles([
    { name: 'delivery-receipt.pdf', mimeType: 'application/pdf', buffer: pdf },
    { name: 'parcel.png', mimeType: 'image/png', buffer: png },
  ]);
  await expect(page.getByRole('link', { name: 'delivery-receipt.pdf' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'parcel.png' })).toBeVisible();
  await page.getByLabel('Additional information').fill('Delivered with tracking, signed by the customer.');
  await page.setViewportSize({ width: 1440, height: 900 });
  await saveScreenshot(page, 'dispute-answer.png', { fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('heading', { name: 'Answer the dispute' })).toBeVisible();
  await saveScreenshot(page, 'phone-dispute.png', { fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByText('2 file(s)')).toBeVisible();
  await page.getByRole('button', { name: 'Submit the evidence to Klarna' }).click();
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/v1/disputes/${encodeURIComponent(id)}`);
        return ((await res.json()) as { state: string }).state;
      },
      { timeout: 60_000 },
    )
    .toBe('REPRESENTMENT');
  await page.reload();
  await expect(page.getByRole('region', { name: 'Timeline' })).toContainText('Evidence submitted with 2 files');
});

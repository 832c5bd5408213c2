import { expect, test, type Page } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { OnboardingPage } from '../pages/OnboardingPage';
import { saveScreenshot as save } from '../pages/screenshots';

/** A full-page screenshot from the top (the wizard scrolls to the field it focuses; the layout's header is fixed). */
async function saveScreenshot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await save(page, name, { fullPage: true });
}

// The acquirer admin onboards a partner through the wizard against `partnerdesk dev`'s Klarna
// simulator (which turns a new account OPERATIONAL after a few seconds), and uploads a bulk CSV.
test.describe.configure({ mode: 'serial' });

interface Catalogue {
  payment_profiles: { payment_profile_id: string; name: string }[];
  acquiring_accounts: { payment_acquiring_account_id: string; name: string }[];
}

async function catalogue(page: Page): Promise<Catalogue> {
  const res = await page.request.get('/api/v1/onboarding/catalogue');
  expect(res.ok(), `catalogue answered ${res.status()}`).toBe(true);
  const c = (await res.json()) as Catalogue;
  expect(c.payment_profiles.length).toBeGreaterThan(0);
  expect(c.acquiring_accounts.length).toBeGreaterThan(0);
  return c;
}

const stamp = Date.now().toString(36).toUpperCase();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('an admin onboards a partner through the wizard, fixing one field on the way, and watches it become operational', async ({ page }) => {
  test.setTimeout(180_000);
  await new LoginPage(page).loginAs('acquirer-admin', '/onboarding');
  const c = await catalogue(page);
  const w = new OnboardingPage(page);
  const ref = `E2E-${stamp}`;

  await page.getByRole('link', { name: 'New partner' }).click();
  await expect(page).toHaveURL(/\/onboarding\/drafts\/[0-9a-f-]{36}$/);
  await w.expectStep('Account');

  await w.fill('Partner reference', ref);
  await w.fill('Partner name', 'Skagerrak Sails');
  await w.fill('Given name', 'Liv');
  await w.fill('Family name', 'Strand');
  await w.fill('E-mail', 'liv@skagerrak-sails.example');
  await w.fill('Phone', '+4791234567');
  await w.next('Business entities');

  await w.fill('Entity reference', `${ref}-LE`);
  await w.fill('Registered legal name', 'Skagerrak Sails AS');
  await w.fill('Country of registration', 'NO');
  await w.next('Payment product');

  await w.choose('Payment profile', c.payment_profiles[0]!.name || c.payment_profiles[0]!.payment_profile_id);
  await w.fill('Payment account reference', `${ref}-PA`);
  await w.choose('Acquiring account', new RegExp(`^${escape(c.acquiring_accounts[0]!.name || c.acquiring_accounts[0]!.payment_acquiring_account_id)}`));
  await w.choose('Business entity', `${ref}-LE`);
  await w.fill('Default store group', `${ref}-SG`);
  // One invalid value: a 3-digit merchant category code.
  await w.fill('Default MCC', '594');
  await page.getByRole('button', { name: 'Next: Brands' }).click();
  await expect(page.getByRole('alert', { name: 'One field needs your attention' })).toBeVisible();
  const mcc = w.field('Default MCC');
  await expect(mcc).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Enter a 4-digit merchant category code such as 5941.')).toBeVisible();
  await w.expectStep('Payment product');
  await saveScreenshot(page, 'wizard.png');
  await mcc.fill('5941');
  await expect(mcc).not.toHaveAttribute('aria-invalid', 'true');
  await w.next('Brands');

  await w.fill('Brand reference', `${ref}-BR`);
  await w.fill('Display name', 'Skagerrak Sails');
  await w.next('Store groups');

  await w.fill('Store group reference', `${ref}-SG`);
  await w.choose('Brand', `${ref}-BR`);
  await w.fill('Support e-mail', 'help@skagerrak-sails.example');
  await w.next('Stores');

  await w.fill('Store reference', `${ref}-ST`);
  await w.fill('Web address', 'https://skagerrak-sails.example');
  await w.next('Review');

  // The exact payload Klarna will receive, as the server builds it.
  await expect(page.getByText('Ready to submit')).toBeVisible();
  await expect(w.payload).toContainText(`"partner_account_reference": "${ref}"`);
  await expect(w.payload).toContainText('"default_merchant_category_code": "5941"');
  await saveScreenshot(page, 'wizard-review.png');

  await page.getByRole('button', { name: 'Submit to Klarna' }).click();
  await expect(page.getByTestId('draft-status')).toHaveText(/submitted|onboarded/);
  await expect(page.getByTestId('draft-status')).toHaveText('onboarded', { timeout: 60_000 });
  await expect(page.getByTestId('account-state')).toHaveText('OPERATIONAL', { timeout: 60_000 });

  // The partner page of the new partner.
  await page.getByRole('link', { name: 'Open the partner’s page' }).click();
  await expect(page).toHaveURL(/\/partners\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Skagerrak Sails');
});

test('the wizard works at phone width', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await new LoginPage(page).loginAs('acquirer-admin', '/onboarding/new');
  const w = new OnboardingPage(page);
  await w.expectStep('Account');
  await page.getByRole('button', { name: 'Next: Business entities' }).click();
  await expect(page.getByRole('alert', { name: /fields need your attention/ })).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  await saveScreenshot(page, 'phone-wizard.png');
});

/** Splits one CSV line (quoted cells may hold commas and doubled quotes). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

test('a bulk upload: the dry run shows the broken row, then the progress bar runs to done', async ({ page }) => {
  test.setTimeout(180_000);
  await new LoginPage(page).loginAs('acquirer-admin', '/onboarding/bulk');
  const c = await catalogue(page);
  const template = await page.request.get('/api/v1/onboarding/bulk/template.csv');
  expect(template.ok()).toBe(true);
  const [headerLine, exampleLine] = (await template.text()).replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = cells(headerLine!);
  const example = cells(exampleLine!);
  const col = (name: string) => {
    const i = header.indexOf(name);
    expect(i, `template column ${name}`).toBeGreaterThanOrEqual(0);
    return i;
  };
  const exampleRef = example[col('partner_account_reference')]!;

  // Three partners from the template's example; the third with a 2-digit MCC.
  const rows = [1, 2, 3].map((n) => {
    const row = example.map((v) => v.split(exampleRef).join(`BLK-${stamp}-${n}`));
    row[col('payment_profile_id')] = c.payment_profiles[0]!.payment_profile_id;
    row[col('acquiring_account_id')] = c.acquiring_accounts[0]!.payment_acquiring_account_id;
    if (n === 3) row[col('default_mcc')] = '59';
    return row;
  });
  const csv = [header, ...rows].map((r) => r.map(quote).join(',')).join('\n') + '\n';

  const w = new OnboardingPage(page);
  await page.locator('input[type="file"]').setInputFiles({ name: `partners-${stamp}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page).toHaveURL(/\/onboarding\/bulk\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('count-valid')).toHaveText('2');
  await expect(page.getByTestId('count-invalid')).toHaveText('1');

  const table = page.getByRole('table', { name: 'Rows of the file' });
  await page.getByText('Invalid only', { exact: true }).click();
  await expect(page).toHaveURL(/rows=invalid/);
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(table.locator('tbody tr').first()).toContainText('default_mcc');
  await expect(table.locator('tbody tr').first()).toContainText(`BLK-${stamp}-3`);
  await saveScreenshot(page, 'bulk.png');

  await page.getByRole('button', { name: 'Start onboarding 2 partners' }).click();
  await expect(page.getByTestId('bulk-progress')).toBeVisible();
  await expect(w.progressText).toContainText('2 of 2 finished — 2 onboarded, 0 failed', { timeout: 120_000 });
  await expect(w.progressText).toContainText('Done.');
  await expect(page.getByRole('link', { name: 'Results CSV' })).toBeVisible();
});

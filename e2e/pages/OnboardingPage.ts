import { expect, type Locator, type Page } from '@playwright/test';

/** The onboarding wizard (/onboarding/drafts/:id), its status view, and the bulk pages. */
export class OnboardingPage {
  readonly stepHeading: Locator;
  readonly payload: Locator;
  readonly progressText: Locator;

  constructor(readonly page: Page) {
    this.stepHeading = page.getByRole('main').getByRole('heading', { level: 2 });
    this.payload = page.getByLabel('Onboard payload (JSON)');
    this.progressText = page.getByTestId('bulk-progress-text');
  }

  /** The input of a field by its label (the first whose label starts with the text). */
  field(label: string): Locator {
    return this.page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)).first();
  }

  async fill(label: string, value: string) {
    await this.field(label).fill(value);
  }

  /** Chooses an option of a Mantine Select. */
  async choose(label: string, option: string | RegExp) {
    await this.field(label).click();
    await this.page.getByRole('option', { name: option }).first().click();
  }

  /** Next: … and the step it leads to. */
  async next(step: string) {
    await this.page.getByRole('button', { name: `Next: ${step}` }).click();
    await expect(this.stepHeading).toHaveText(step);
  }

  async expectStep(step: string) {
    await expect(this.stepHeading).toHaveText(step);
  }
}

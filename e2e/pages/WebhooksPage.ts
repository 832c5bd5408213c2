import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { SIMULATOR_URL } from './servers';

/** The webhook inbox (/webhooks). */
export class WebhooksPage {
  readonly table: Locator;
  readonly filters: Locator;
  readonly autoRefresh: Locator;
  readonly replayMatching: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Webhook events' });
    this.filters = page.getByRole('form', { name: 'Webhook filters' });
    this.autoRefresh = page.getByRole('switch', { name: /^Auto-refresh/ });
    this.replayMatching = page.getByRole('button', { name: 'Replay matching…' });
  }

  async goto(query = '') {
    await this.page.goto(`/webhooks${query}`);
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Webhooks');
  }

  /** Rows of the inbox; `type` narrows to one event type, `status` to one status. */
  rows(options: { type?: string | RegExp; status?: string } = {}): Locator {
    let rows = this.table.locator('tbody tr');
    if (options.status) rows = this.table.locator(`tbody tr[data-status="${options.status}"]`);
    if (options.type) rows = rows.filter({ has: this.page.getByRole('link', { name: options.type }) });
    return rows;
  }

  row(eventId: number): Locator {
    return this.table.locator(`tbody tr[data-event-id="${eventId}"]`);
  }

  async filterByType(type: string) {
    await this.filters.getByRole('textbox', { name: 'Type' }).fill(type);
    await this.filters.getByRole('button', { name: 'Apply filters' }).click();
  }

  async filterByStatus(status: string) {
    await this.filters.getByRole('combobox', { name: 'Status' }).click();
    await this.page.getByRole('option', { name: status, exact: true }).click();
    await this.filters.getByRole('button', { name: 'Apply filters' }).click();
  }

  async setAutoRefresh(on: boolean) {
    if ((await this.autoRefresh.isChecked()) !== on) await this.autoRefresh.click({ force: true });
    await expect(this.autoRefresh).toBeChecked({ checked: on });
  }
}

/** One event's page (/webhooks/:id). */
export class WebhookEventPage {
  readonly attempts: Locator;
  readonly payload: Locator;
  readonly replay: Locator;
  readonly status: Locator;
  readonly attemptCount: Locator;

  constructor(readonly page: Page) {
    this.attempts = page.getByRole('table', { name: 'Processing attempts' });
    this.payload = page.getByLabel('Payload (JSON)');
    this.replay = page.getByRole('button', { name: 'Replay', exact: true });
    this.status = page.getByTestId('event-status');
    this.attemptCount = page.getByTestId('event-attempts');
  }

  attemptRows(): Locator {
    return this.attempts.locator('tbody tr');
  }

  async replayEvent() {
    await this.replay.click();
    const dialog = this.page.getByRole('dialog', { name: 'Replay this event?' });
    await dialog.getByRole('button', { name: 'Replay event' }).click();
    await expect(dialog).toBeHidden();
  }
}

/** Settings → Webhooks. */
export class WebhookSettingsPage {
  readonly subscriptions: Locator;

  constructor(readonly page: Page) {
    this.subscriptions = page.getByRole('table', { name: 'Webhook subscriptions' });
  }

  async goto() {
    await this.page.goto('/settings/webhooks');
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Webhook settings');
  }

  count(status: string): Locator {
    return this.page.getByTestId(`count-${status}`);
  }

  async sendTestEvent(subscriptionId: string, eventType: string) {
    await this.page.getByRole('button', { name: `Send test event to ${subscriptionId}` }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Send a test event' });
    await dialog.getByRole('combobox', { name: 'Event type' }).click();
    await this.page.getByRole('option', { name: eventType, exact: true }).click();
    await dialog.getByRole('button', { name: 'Send' }).click();
    await expect(dialog).toBeHidden();
  }
}

/** The simulator's control API: make things happen at "Klarna" now rather than waiting for its traffic. */
export class Simulator {
  constructor(readonly request: APIRequestContext) {}

  async openDisputes(count: number) {
    const res = await this.request.post(`${SIMULATOR_URL}/_sim/disputes`, { data: { count } });
    expect(res.status(), await res.text()).toBe(201);
  }

  /** Opens `perPartner` disputes for every onboarded partner (the simulator deals them out in turn). */
  async openDisputesForEveryPartner(perPartner: number) {
    const res = await this.request.get(`${SIMULATOR_URL}/_sim/state`);
    expect(res.status()).toBe(200);
    const { accounts } = (await res.json()) as { accounts: number };
    await this.openDisputes(perPartner * accounts);
  }

  async acquirerAccountId(): Promise<string> {
    const res = await this.request.get(`${SIMULATOR_URL}/_sim/state`);
    expect(res.status()).toBe(200);
    return ((await res.json()) as { acquirer_account_id: string }).acquirer_account_id;
  }
}

// Public entry of the webhooks feature. Other code imports only from here.
export { WebhooksPage } from './components/WebhooksPage';
export { WebhookEventPage } from './components/WebhookEventPage';
export { WebhookSettingsPage } from './components/WebhookSettingsPage';

-- +goose Up
-- Klarna partner accounts known to Partner Desk, each bound to its partner
-- tenant, with the lifecycle state last reported by Klarna.
CREATE TABLE partner_accounts (
    klarna_account_id text PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    state             text NOT NULL DEFAULT '',
    state_at          timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_accounts_tenant ON partner_accounts (tenant_id);

-- Payment product status per account, from product state-change events.
CREATE TABLE partner_account_products (
    klarna_account_id text NOT NULL REFERENCES partner_accounts (klarna_account_id) ON DELETE CASCADE,
    product_id        text NOT NULL,
    status            text NOT NULL,
    status_at         timestamptz NOT NULL,
    PRIMARY KEY (klarna_account_id, product_id)
);

-- Dispute states as reported by webhooks: newest occurrence wins.
CREATE TABLE dispute_states (
    dispute_id        text PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    klarna_account_id text NOT NULL,
    state             text NOT NULL,
    state_at          timestamptz NOT NULL,
    deadline_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dispute_states_tenant ON dispute_states (tenant_id, state);

-- Signing keys Partner Desk created through the Notifications API. The
-- secret is encrypted (AES-GCM) with PARTNERDESK_ENCRYPTION_KEY. During a
-- rotation the previous key stays accepted until accept_until.
CREATE TABLE webhook_signing_keys (
    id           text PRIMARY KEY,
    secret_enc   bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    accept_until timestamptz
);

-- Webhook subscriptions at Klarna.
CREATE TABLE webhook_subscriptions (
    id             text PRIMARY KEY,
    url            text NOT NULL,
    event_types    text[] NOT NULL,
    event_version  text NOT NULL,
    signing_key_id text NOT NULL,
    status         text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Every verified event, raw and parsed, de-duplicated by Klarna's event id.
CREATE TABLE webhook_events (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id           text NOT NULL UNIQUE,
    event_type         text NOT NULL,
    event_version      text NOT NULL DEFAULT '',
    occurred_at        timestamptz,
    received_at        timestamptz NOT NULL DEFAULT now(),
    subject_account_id text NOT NULL DEFAULT '',
    tenant_id          uuid REFERENCES tenants (id) ON DELETE SET NULL,
    signing_key_id     text NOT NULL,
    raw                bytea NOT NULL,
    envelope           jsonb NOT NULL,
    status             text NOT NULL CHECK (status IN ('received', 'processed', 'failed', 'dead_lettered', 'parked')),
    attempts           int NOT NULL DEFAULT 0,
    last_error         text NOT NULL DEFAULT '',
    note               text NOT NULL DEFAULT '',
    duplicates         int NOT NULL DEFAULT 0,
    processed_at       timestamptz
);
CREATE INDEX webhook_events_received ON webhook_events (received_at DESC, id DESC);
CREATE INDEX webhook_events_status ON webhook_events (status, received_at DESC, id DESC);
CREATE INDEX webhook_events_type ON webhook_events (event_type text_pattern_ops, received_at DESC, id DESC);
CREATE INDEX webhook_events_tenant ON webhook_events (tenant_id, received_at DESC, id DESC);
CREATE INDEX webhook_events_parked ON webhook_events (subject_account_id) WHERE status = 'parked';

-- Each processing attempt and how it ended.
CREATE TABLE webhook_attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_pk    bigint NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    attempt     int NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    outcome     text NOT NULL,
    error       text NOT NULL DEFAULT '',
    worker      text NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_event ON webhook_attempts (event_pk, id);

-- Deliveries that failed verification, kept (bounded) for investigation.
CREATE TABLE webhook_quarantine (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at    timestamptz NOT NULL DEFAULT now(),
    reason         text NOT NULL,
    signing_key_id text NOT NULL DEFAULT '',
    signature      text NOT NULL DEFAULT '',
    remote_ip      text NOT NULL DEFAULT '',
    body_size      int NOT NULL,
    body           bytea NOT NULL
);
CREATE INDEX webhook_quarantine_received ON webhook_quarantine (received_at DESC, id DESC);

-- +goose Down
DROP TABLE webhook_quarantine;
DROP TABLE webhook_attempts;
DROP TABLE webhook_events;
DROP TABLE webhook_subscriptions;
DROP TABLE webhook_signing_keys;
DROP TABLE dispute_states;
DROP TABLE partner_account_products;
DROP TABLE partner_accounts;

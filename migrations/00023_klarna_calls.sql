-- +goose Up
-- The Klarna call log (issue 13): one row per logical call the Klarna client
-- made (retries included in the row), written in batches by the recorder.
-- It keeps the operation, the path template (never the expanded path, query
-- or body), the partner account and our object, the outcome and Klarna's
-- error body fields; never API keys, secrets or personal data. tenant_id is
-- the partner's tenant, resolved from partner_accounts when the row is
-- written; NULL for acquirer calls (only the all-tenants scope sees those).
-- No foreign key: the log is history, kept for the retention period (the
-- retention job deletes older rows) even when a tenant goes.
CREATE TABLE klarna_calls (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at                    timestamptz NOT NULL,
    tenant_id             uuid,
    partner_account_id    text NOT NULL DEFAULT '',
    operation             text NOT NULL,
    method                text NOT NULL,
    path                  text NOT NULL,
    host                  text NOT NULL DEFAULT 'gateway',
    object_kind           text NOT NULL DEFAULT '',
    object_id             text NOT NULL DEFAULT '',
    status                smallint NOT NULL DEFAULT 0,
    outcome               text NOT NULL,
    duration_us           bigint NOT NULL DEFAULT 0,
    attempts              smallint NOT NULL DEFAULT 1,
    idempotency_key       text NOT NULL DEFAULT '',
    correlation_id        text NOT NULL DEFAULT '',
    klarna_correlation_id text NOT NULL DEFAULT '',
    error_type            text NOT NULL DEFAULT '',
    error_code            text NOT NULL DEFAULT '',
    error_id              text NOT NULL DEFAULT '',
    error_messages        jsonb NOT NULL DEFAULT '[]'
);
-- The keyset list of one partner (and of several: one range per tenant).
CREATE INDEX klarna_calls_tenant ON klarna_calls (tenant_id, at DESC, id DESC);
-- The all-tenants list, and the retention job's range.
CREATE INDEX klarna_calls_at ON klarna_calls (at DESC, id DESC);
-- "Klarna calls about this object" (a dispute's, a brand's page).
CREATE INDEX klarna_calls_object ON klarna_calls (object_kind, object_id, at DESC, id DESC) WHERE object_id <> '';
-- The search by correlation id (ours or Klarna's) or idempotency key.
CREATE INDEX klarna_calls_correlation ON klarna_calls (correlation_id) WHERE correlation_id <> '';
CREATE INDEX klarna_calls_klarna_correlation ON klarna_calls (klarna_correlation_id) WHERE klarna_correlation_id <> '';
CREATE INDEX klarna_calls_idempotency ON klarna_calls (idempotency_key) WHERE idempotency_key <> '';

-- +goose Down
DROP TABLE klarna_calls;

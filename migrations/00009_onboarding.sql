-- +goose Up
-- Onboarding drafts: what an admin prepares in the wizard (saved as they go,
-- resumable by another admin), and its submission to Klarna's onboard call.
-- A draft for a new partner has no tenant until Klarna accepted it; an
-- incremental draft belongs to the partner's tenant from the start.
CREATE TABLE onboarding_drafts (
    id                        uuid PRIMARY KEY,
    kind                      text NOT NULL CHECK (kind IN ('new', 'incremental')),
    tenant_id                 uuid REFERENCES tenants (id) ON DELETE CASCADE,
    klarna_account_id         text NOT NULL DEFAULT '',
    partner_account_reference text NOT NULL DEFAULT '',
    partner_account_name      text NOT NULL DEFAULT '',
    contact_email             text NOT NULL DEFAULT '',
    payload                   jsonb NOT NULL DEFAULT '{}',
    step                      text NOT NULL DEFAULT '',
    status                    text NOT NULL DEFAULT 'draft'
                              CHECK (status IN ('draft', 'submitted', 'succeeded', 'rejected', 'conflict', 'failed')),
    -- Klarna-Idempotency-Key of the onboard call: fixed for the draft, so a
    -- double click, a retry or a crash never onboards twice.
    idempotency_key           uuid NOT NULL UNIQUE,
    version                   integer NOT NULL DEFAULT 1,
    field_errors              jsonb,
    conflict                  jsonb,
    last_error                text NOT NULL DEFAULT '',
    attempts                  integer NOT NULL DEFAULT 0,
    result                    jsonb,
    created_by                uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_by                uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    submitted_at              timestamptz,
    completed_at              timestamptz
);
CREATE INDEX onboarding_drafts_status ON onboarding_drafts (status, updated_at DESC, id);
CREATE INDEX onboarding_drafts_updated ON onboarding_drafts (updated_at DESC, id);
CREATE INDEX onboarding_drafts_tenant ON onboarding_drafts (tenant_id) WHERE tenant_id IS NOT NULL;
CREATE INDEX onboarding_drafts_reference ON onboarding_drafts (partner_account_reference);

-- Bulk onboarding: an uploaded CSV, validated row by row (dry run), then
-- submitted; each good row becomes a draft submitted like the wizard's.
CREATE TABLE onboarding_bulk_runs (
    id           uuid PRIMARY KEY,
    filename     text NOT NULL,
    status       text NOT NULL DEFAULT 'validated' CHECK (status IN ('validated', 'running', 'done', 'canceled')),
    total_rows   integer NOT NULL DEFAULT 0,
    valid_rows   integer NOT NULL DEFAULT 0,
    invalid_rows integer NOT NULL DEFAULT 0,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz
);
CREATE INDEX onboarding_bulk_runs_created ON onboarding_bulk_runs (created_at DESC, id);

CREATE TABLE onboarding_bulk_rows (
    run_id     uuid NOT NULL REFERENCES onboarding_bulk_runs (id) ON DELETE CASCADE,
    row_number integer NOT NULL,
    reference  text NOT NULL DEFAULT '',
    payload    jsonb NOT NULL,
    errors     jsonb,
    draft_id   uuid REFERENCES onboarding_drafts (id) ON DELETE SET NULL,
    PRIMARY KEY (run_id, row_number)
);
CREATE INDEX onboarding_bulk_rows_draft ON onboarding_bulk_rows (draft_id) WHERE draft_id IS NOT NULL;

-- The partner directory: what Klarna holds for each account, read through
-- the client and refreshed on webhooks and on demand.
ALTER TABLE partner_accounts
    ADD COLUMN reference                text NOT NULL DEFAULT '',
    ADD COLUMN name                     text NOT NULL DEFAULT '',
    ADD COLUMN contact_email            text NOT NULL DEFAULT '',
    ADD COLUMN product_status           text NOT NULL DEFAULT '',
    ADD COLUMN entity_count             integer NOT NULL DEFAULT 0,
    ADD COLUMN brand_count              integer NOT NULL DEFAULT 0,
    ADD COLUMN store_count              integer NOT NULL DEFAULT 0,
    ADD COLUMN payment_account_count    integer NOT NULL DEFAULT 0,
    ADD COLUMN warnings                 text[] NOT NULL DEFAULT '{}',
    ADD COLUMN synced_at                timestamptz,
    ADD COLUMN sync_error               text NOT NULL DEFAULT '',
    ADD COLUMN partially_operational_at timestamptz,
    ADD COLUMN operational_at           timestamptz,
    ADD COLUMN updated_at               timestamptz NOT NULL DEFAULT now();
CREATE INDEX partner_accounts_reference ON partner_accounts (reference) WHERE reference <> '';
CREATE INDEX partner_accounts_contact_email ON partner_accounts (lower(contact_email)) WHERE contact_email <> '';

-- Every resource of an account as Klarna returned it, for the partner's
-- tree and for finding a partner by any Klarna id or our reference.
CREATE TABLE partner_resources (
    klarna_account_id text NOT NULL REFERENCES partner_accounts (klarna_account_id) ON DELETE CASCADE,
    kind              text NOT NULL CHECK (kind IN ('business_entity', 'payment_product', 'payment_account', 'brand', 'store_group', 'store')),
    klarna_id         text NOT NULL,
    reference         text NOT NULL DEFAULT '',
    parent_id         text NOT NULL DEFAULT '',
    data              jsonb NOT NULL,
    synced_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (klarna_account_id, kind, klarna_id)
);
CREATE INDEX partner_resources_klarna_id ON partner_resources (klarna_id);
CREATE INDEX partner_resources_reference ON partner_resources (reference) WHERE reference <> '';

-- +goose Down
DROP TABLE partner_resources;
DROP INDEX partner_accounts_contact_email;
DROP INDEX partner_accounts_reference;
ALTER TABLE partner_accounts
    DROP COLUMN reference, DROP COLUMN name, DROP COLUMN contact_email, DROP COLUMN product_status,
    DROP COLUMN entity_count, DROP COLUMN brand_count, DROP COLUMN store_count, DROP COLUMN payment_account_count,
    DROP COLUMN warnings, DROP COLUMN synced_at, DROP COLUMN sync_error,
    DROP COLUMN partially_operational_at, DROP COLUMN operational_at, DROP COLUMN updated_at;
DROP TABLE onboarding_bulk_rows;
DROP TABLE onboarding_bulk_runs;
DROP TABLE onboarding_drafts;

-- +goose Up
-- A mirror of each partner's Klarna credentials (API keys, client
-- identifiers, client certificates), refreshed from Klarna on every list
-- and after every change, so the acquirer-wide inventory is one indexed,
-- tenant-scoped query. Secrets are never stored: Klarna shows an API key's
-- value once, and Partner Desk hands it to the browser without keeping it.
CREATE TABLE partner_credentials (
    id                bigserial PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    klarna_account_id text NOT NULL,
    credential_id     text NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('api_key', 'client_identifier', 'certificate')),
    description       text NOT NULL DEFAULT '',
    status            text NOT NULL DEFAULT '',
    -- the public client identifier of the Web SDK (klarna_test_client_…)
    client_id         text NOT NULL DEFAULT '',
    origins           text[] NOT NULL DEFAULT '{}',
    expires_at        timestamptz,
    -- when Klarna created it (the sync time when Klarna does not say)
    created_at        timestamptz NOT NULL,
    -- who created it through Partner Desk (empty when created elsewhere)
    created_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by_label  text NOT NULL DEFAULT '',
    last_used_at      timestamptz,
    synced_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (klarna_account_id, kind, credential_id)
);
CREATE INDEX partner_credentials_created ON partner_credentials (created_at DESC, id DESC);
CREATE INDEX partner_credentials_tenant ON partner_credentials (tenant_id, created_at DESC, id DESC);
CREATE INDEX partner_credentials_kind_status ON partner_credentials (kind, status, created_at DESC, id DESC);

-- +goose Down
DROP TABLE partner_credentials;

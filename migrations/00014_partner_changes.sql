-- +goose Up
-- Every change Partner Desk pushes to Klarna for a partner's account (an
-- edit of a brand, a store, the contact, a product disable, ...): the call
-- to make, the resource before, and what Klarna answered. Changes of one
-- account are applied in seq order, at most one call per account per second.
CREATE TABLE partner_changes (
    id                 uuid PRIMARY KEY,
    seq                bigserial NOT NULL UNIQUE,
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    klarna_account_id  text NOT NULL,
    kind               text NOT NULL,
    operation          text NOT NULL,
    resource_id        text NOT NULL DEFAULT '',
    resource_ref       text NOT NULL DEFAULT '',
    payload            jsonb NOT NULL,
    before             jsonb,
    reason             text NOT NULL DEFAULT '',
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'failed')),
    attempts           int NOT NULL DEFAULT 0,
    error              text NOT NULL DEFAULT '',
    field_errors       jsonb,
    result             jsonb,
    requested_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    requested_by_label text NOT NULL DEFAULT '',
    idempotency_key    uuid NOT NULL UNIQUE,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    applied_at         timestamptz,
    next_attempt_at    timestamptz
);
-- a partner's changes, newest first, and those of one resource
CREATE INDEX partner_changes_tenant ON partner_changes (tenant_id, seq DESC);
CREATE INDEX partner_changes_resource ON partner_changes (tenant_id, kind, resource_id, seq DESC);
-- the next change to apply for an account
CREATE INDEX partner_changes_pending ON partner_changes (klarna_account_id, seq) WHERE status = 'pending';

-- When the next call for an account may go out (one per second, README §5.3),
-- shared by every instance.
CREATE TABLE partner_change_pace (
    klarna_account_id text PRIMARY KEY,
    next_at           timestamptz NOT NULL
);

-- +goose Down
DROP TABLE partner_change_pace;
DROP TABLE partner_changes;

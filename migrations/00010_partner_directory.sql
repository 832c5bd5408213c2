-- +goose Up
-- The partner directory's search: names by prefix and by contained text
-- (trigrams), Klarna ids and references exactly; and what the sync keeps
-- beside the cache of 00009.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX tenants_partner_name ON tenants (name, id) WHERE kind = 'partner';
CREATE INDEX tenants_partner_created ON tenants (created_at, id) WHERE kind = 'partner';
CREATE INDEX tenants_name_prefix ON tenants (lower(name) text_pattern_ops) WHERE kind = 'partner';
CREATE INDEX tenants_name_trgm ON tenants USING gin (name gin_trgm_ops) WHERE kind = 'partner';
CREATE INDEX partner_accounts_name_trgm ON partner_accounts USING gin (name gin_trgm_ops);
CREATE INDEX partner_accounts_state ON partner_accounts (state, partially_operational_at);
CREATE INDEX partner_accounts_synced ON partner_accounts (synced_at NULLS FIRST);
CREATE INDEX partner_accounts_updated ON partner_accounts (updated_at, tenant_id);
-- Warnings that name a subject (brand.data-incomplete names a brand):
-- event type → {subject id → the value that was wrong}, so a read from
-- Klarna can tell when the subject changed and clear the warning.
ALTER TABLE partner_accounts
    ADD COLUMN warning_subjects jsonb NOT NULL DEFAULT '{}',
    -- the account's contact person as Klarna returned it
    ADD COLUMN contact jsonb NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE partner_accounts DROP COLUMN warning_subjects, DROP COLUMN contact;
DROP INDEX partner_accounts_updated;
DROP INDEX partner_accounts_synced;
DROP INDEX partner_accounts_state;
DROP INDEX partner_accounts_name_trgm;
DROP INDEX tenants_name_trgm;
DROP INDEX tenants_name_prefix;
DROP INDEX tenants_partner_created;
DROP INDEX tenants_partner_name;

-- +goose Up
-- The directory's search looks partners up by name on the tenant only, then
-- reads a page's ids and sort keys from an index (no table access) and each
-- partner's first account without a sort.
DROP INDEX partner_accounts_name_trgm;
CREATE INDEX tenants_partner_page ON tenants (id) INCLUDE (name, created_at) WHERE kind = 'partner';
CREATE INDEX partner_accounts_tenant_first ON partner_accounts (tenant_id, created_at, klarna_account_id);

-- +goose Down
DROP INDEX partner_accounts_tenant_first;
DROP INDEX tenants_partner_page;
CREATE INDEX partner_accounts_name_trgm ON partner_accounts USING gin (name gin_trgm_ops);

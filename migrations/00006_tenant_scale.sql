-- +goose Up
-- The tenant directory (GET /api/v1/tenants) pages tenants in (kind, name, id)
-- order without reading them all.
CREATE INDEX tenants_directory ON tenants (kind, name, id);

-- +goose Down
DROP INDEX tenants_directory;

-- +goose Up
-- A partner admin's "disable" suspends a user in that tenant only: the
-- user's memberships there stop authorizing (authz assignments skip them)
-- until the suspension is lifted. Kept apart from memberships so that role
-- changes (grants, IdP group sync) never lift or lose a suspension.
CREATE TABLE tenant_suspensions (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    suspended_at timestamptz NOT NULL DEFAULT now(),
    suspended_by uuid REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (user_id, tenant_id)
);
CREATE INDEX tenant_suspensions_tenant ON tenant_suspensions (tenant_id);
CREATE TRIGGER tenant_suspensions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenant_suspensions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_authz_changed();

-- A login flow is bound to the browser that started it: a hash of the
-- short-lived login cookie set at /auth/login, checked at /auth/callback.
ALTER TABLE login_flows ADD COLUMN browser_hash bytea NOT NULL DEFAULT ''::bytea;

-- A stored answer that carried a secret (a new API token) is never kept: the
-- row only says that it was withheld, and a replay is refused.
ALTER TABLE idempotency_keys ADD COLUMN withheld boolean NOT NULL DEFAULT false;
-- Any old rows may hold token secrets: remove them.
DELETE FROM idempotency_keys WHERE path LIKE '%/tokens';

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN withheld;
ALTER TABLE login_flows DROP COLUMN browser_hash;
DROP TRIGGER tenant_suspensions_changed ON tenant_suspensions;
DROP TABLE tenant_suspensions;

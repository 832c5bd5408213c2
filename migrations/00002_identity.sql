-- +goose Up
-- Tenants: the acquirer (exactly one) and one per partner.
CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('acquirer', 'partner')),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_one_acquirer ON tenants (kind) WHERE kind = 'acquirer';

-- Users are keyed by their identity at the IdP: (issuer, subject).
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    issuer        text NOT NULL,
    subject       text NOT NULL,
    email         text NOT NULL DEFAULT '',
    name          text NOT NULL DEFAULT '',
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    UNIQUE (issuer, subject)
);
CREATE INDEX users_email ON users (lower(email));

-- Role assignments per tenant; casbin loads them (see policies/).
CREATE TABLE memberships (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    role        text NOT NULL,
    source      text NOT NULL CHECK (source IN ('manual', 'invitation', 'idp_group', 'seed')),
    granted_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, tenant_id, role)
);
CREATE INDEX memberships_tenant ON memberships (tenant_id);

-- Invitations become memberships at the invitee's first login.
CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email       text NOT NULL,
    roles       text[] NOT NULL CHECK (cardinality(roles) > 0),
    invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at  timestamptz
);
CREATE UNIQUE INDEX invitations_open ON invitations (tenant_id, lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- Login attempts in flight (state → nonce, PKCE verifier, return path), so any
-- instance can finish a login another one started.
CREATE TABLE login_flows (
    state         text PRIMARY KEY,
    nonce         text NOT NULL,
    code_verifier text NOT NULL,
    return_to     text NOT NULL,
    resume        text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Server-side sessions. Only a SHA-256 of the session id is stored.
CREATE TABLE sessions (
    id_hash      bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    auth_time    timestamptz NOT NULL,
    id_token     text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- API tokens: a subset of the owner's roles in one tenant. Only a hash is kept.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    roles        text[] NOT NULL CHECK (cardinality(roles) > 0),
    token_hash   bytea NOT NULL UNIQUE,
    prefix       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Idempotency-Key replay for our own API's mutations.
CREATE TABLE idempotency_keys (
    principal    text NOT NULL,
    key          text NOT NULL,
    method       text NOT NULL,
    path         text NOT NULL,
    request_hash bytea NOT NULL,
    status       int,
    body         bytea,
    content_type text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Login rate limiting: attempts per client address per window.
CREATE TABLE login_attempts (
    client     text NOT NULL,
    window_start timestamptz NOT NULL,
    attempts   int NOT NULL,
    PRIMARY KEY (client, window_start)
);

-- Every instance reloads its policy cache when assignments change.
-- +goose StatementBegin
CREATE FUNCTION notify_authz_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('partnerdesk_authz', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER memberships_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION notify_authz_changed();
CREATE TRIGGER users_changed AFTER UPDATE OF disabled_at ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_authz_changed();

-- +goose Down
DROP TRIGGER users_changed ON users;
DROP TRIGGER memberships_changed ON memberships;
DROP FUNCTION notify_authz_changed();
DROP TABLE login_attempts;
DROP TABLE idempotency_keys;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE login_flows;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE tenants;

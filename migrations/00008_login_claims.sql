-- +goose Up
-- The names (never the values) of the claims the identity provider released
-- at the user's last login (ID token and UserInfo together), so an admin can
-- see why a groups mapping does not match.
ALTER TABLE users ADD COLUMN last_login_claims text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE users DROP COLUMN last_login_claims;

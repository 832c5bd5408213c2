-- +goose Up
-- A partner tenant whose access an offboarding closed: nobody holds a role
-- in it any more, whether a member from before, a new IdP group mapping or
-- an accepted invitation (its data stays readable to the acquirer).
ALTER TABLE tenants ADD COLUMN access_closed_at timestamptz;

-- +goose Down
ALTER TABLE tenants DROP COLUMN access_closed_at;

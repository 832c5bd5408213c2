-- +goose Up
-- What an incremental draft's account already holds at Klarna (read-only in
-- the wizard, never sent again), and when a retried submission runs next.
ALTER TABLE onboarding_drafts
    ADD COLUMN existing        jsonb,
    ADD COLUMN next_attempt_at timestamptz;

-- +goose Down
ALTER TABLE onboarding_drafts DROP COLUMN next_attempt_at, DROP COLUMN existing;

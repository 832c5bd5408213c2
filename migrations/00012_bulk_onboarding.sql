-- +goose Up
-- Bulk onboarding: when a row was handed to onboarding, so a row is sent
-- once even if its draft is later deleted; the index finds the rows still
-- to send.
ALTER TABLE onboarding_bulk_rows ADD COLUMN submitted_at timestamptz;
CREATE INDEX onboarding_bulk_rows_unsent ON onboarding_bulk_rows (run_id, row_number) WHERE errors IS NULL AND submitted_at IS NULL;

-- +goose Down
DROP INDEX onboarding_bulk_rows_unsent;
ALTER TABLE onboarding_bulk_rows DROP COLUMN submitted_at;

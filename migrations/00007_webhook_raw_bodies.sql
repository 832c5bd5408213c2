-- +goose Up
-- A verified delivery PostgreSQL cannot hold as jsonb (a \u0000 escape,
-- invalid UTF-8, a number beyond numeric's range) is still kept: raw holds
-- its bytes and envelope is NULL. Nothing reads envelope back; it is there
-- for ad-hoc SQL.
ALTER TABLE webhook_events ALTER COLUMN envelope DROP NOT NULL;

-- webhook_try_jsonb is body as jsonb, or NULL when jsonb cannot hold it.
-- +goose StatementBegin
CREATE FUNCTION webhook_try_jsonb(body text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    RETURN body::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- A rejected delivery keeps only the first bytes of its body, with the size
-- and SHA-256 of the whole body.
ALTER TABLE webhook_quarantine ADD COLUMN body_sha256 bytea;

-- +goose Down
ALTER TABLE webhook_quarantine DROP COLUMN body_sha256;
DROP FUNCTION webhook_try_jsonb(text);
UPDATE webhook_events SET envelope = 'null'::jsonb WHERE envelope IS NULL;
ALTER TABLE webhook_events ALTER COLUMN envelope SET NOT NULL;

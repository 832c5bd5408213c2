-- +goose Up
-- The audit trail: one row per recorded action, append-only and hash-chained.
--
-- id is the chain order. It is assigned by the application (last id + 1)
-- while it holds a transaction-scoped advisory lock, so ids have no gaps and
-- the chain is linear; there is deliberately no sequence. hash is SHA-256
-- over a length-prefixed encoding of prev_hash and the row's fields (see
-- internal/audit/chain.go); prev_hash is the previous row's hash (NULL for
-- event #1). `partnerdesk audit verify` walks the chain.
--
-- No foreign keys: the trail outlives the users, tenants and objects it
-- describes.
--
-- Append-only is enforced here too: UPDATE, DELETE and TRUNCATE raise an
-- error unless the session (or transaction) has set
--
--     SET LOCAL partnerdesk.audit_maintenance = 'on';
--
-- That escape hatch exists for deliberate maintenance (retention purges,
-- tamper drills in tests). Anything it changes still breaks the hash chain,
-- and `partnerdesk audit verify` names the first affected event. In
-- production also deny UPDATE/DELETE/TRUNCATE on this table to the
-- application's database role; the trigger is the backstop, not the only
-- line of defence.
CREATE TABLE audit_events (
    id          bigint      PRIMARY KEY CHECK (id > 0),
    occurred_at timestamptz NOT NULL,
    actor_id    uuid,
    actor_label text        NOT NULL DEFAULT '',
    tenant_id   uuid,
    action      text        NOT NULL CHECK (action <> ''),
    target_type text        NOT NULL DEFAULT '',
    target_id   text        NOT NULL DEFAULT '',
    diff        jsonb       NOT NULL DEFAULT '{}',
    request_id  text        NOT NULL DEFAULT '',
    ip          text        NOT NULL DEFAULT '',
    user_agent  text        NOT NULL DEFAULT '',
    prev_hash   bytea,
    hash        bytea       NOT NULL
);

-- Lists are keyset-paged newest first on (occurred_at, id); every filter has
-- an index that ends in the same order.
CREATE INDEX audit_events_time_idx   ON audit_events (occurred_at DESC, id DESC);
CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX audit_events_actor_idx  ON audit_events (actor_id, occurred_at DESC, id DESC);
-- text_pattern_ops serves both `action = x` and the prefix filter `action LIKE 'dispute:%'`.
CREATE INDEX audit_events_action_idx ON audit_events (action text_pattern_ops, occurred_at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('partnerdesk.audit_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW; -- NULL for TRUNCATE (statement level), ignored
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'audit rows are never changed; for deliberate maintenance SET LOCAL partnerdesk.audit_maintenance = ''on''';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();

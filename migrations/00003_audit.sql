-- +goose Up
-- The audit trail: one row per recorded action, append-only and hash-chained.
--
-- id is the chain order. It is assigned by the application (the chain
-- head's last id + 1, see audit_chain_head) while it holds a
-- transaction-scoped advisory lock, so ids have no gaps and the chain is
-- linear; there is deliberately no sequence. hash is SHA-256
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

-- The chain head: the last event's id and hash, updated by every append in
-- the same transaction. Without it, deleting the newest events would leave a
-- shorter but valid chain; with it, verify notices the trail ends before the
-- head. Appends take the advisory lock first, so this one row is never
-- contended. Only forward moves by one are allowed outside maintenance.
CREATE TABLE audit_chain_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_id   bigint  NOT NULL CHECK (last_id >= 0),
    last_hash bytea
);
INSERT INTO audit_chain_head (last_id, last_hash) VALUES (0, NULL);

-- +goose StatementBegin
CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('partnerdesk.audit_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.last_id = OLD.last_id + 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_chain_head only moves forward by one event: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_chain_head_forward_only
    BEFORE UPDATE OR DELETE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();

CREATE TRIGGER audit_chain_head_no_truncate
    BEFORE TRUNCATE ON audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_forward_only();

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
DROP TABLE audit_chain_head;
DROP FUNCTION audit_events_append_only();
DROP FUNCTION audit_chain_head_forward_only();

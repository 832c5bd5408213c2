-- +goose Up
-- The local mirror of every partner's disputes (README §8): the dispute's
-- last known state from webhooks and reads (newest report wins), the fields
-- the queue filters and sorts by, and Klarna's whole object from the last read.
-- It replaces dispute_states, which kept the state only.
CREATE TABLE disputes (
    dispute_id             text PRIMARY KEY,
    tenant_id              uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    klarna_account_id      text NOT NULL,
    payment_account_id     text NOT NULL DEFAULT '',
    state                  text NOT NULL,
    previous_state         text NOT NULL DEFAULT '',
    representment_state    text NOT NULL DEFAULT '',
    reason                 text NOT NULL DEFAULT '',
    amount                 bigint NOT NULL DEFAULT 0,
    currency               text NOT NULL DEFAULT '',
    order_id               text NOT NULL DEFAULT '',
    payment_transaction_id text NOT NULL DEFAULT '',
    purchase_reference     text NOT NULL DEFAULT '',
    -- the next deadline for the partner to act (representment.expires_at in
    -- INITIATED, arbitration_expires_at in PRE_ARBITRATION), else null
    deadline_at            timestamptz,
    outcome                text NOT NULL DEFAULT '',
    outcome_detailed       text NOT NULL DEFAULT '',
    opened_at              timestamptz NOT NULL,
    closed_at              timestamptz,
    -- when the partner first answered (represent or accept loss)
    answered_at            timestamptz,
    -- the time of the report the state came from (orders reports)
    state_at               timestamptz NOT NULL,
    -- Klarna's updated_at as last seen
    klarna_updated_at      timestamptz NOT NULL,
    assignee_id            uuid REFERENCES users (id) ON DELETE SET NULL,
    object                 jsonb,
    read_at                timestamptz,
    -- 1 needs the partner (INITIATED, PRE_ARBITRATION), 2 waits on Klarna
    -- (REPRESENTMENT, ARBITRATION, and states we do not know), 3 closed
    bucket                 smallint NOT NULL DEFAULT 0,
    -- the queue's order inside a bucket: the deadline (ms) in 1, the time the
    -- state began in 2, the negated close time in 3 (newest first)
    queue_key              bigint NOT NULL DEFAULT 0,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
-- the queue, across partners and per partner (keyset on bucket, queue_key, id)
CREATE INDEX disputes_queue ON disputes (bucket, queue_key, dispute_id);
CREATE INDEX disputes_tenant_queue ON disputes (tenant_id, bucket, queue_key, dispute_id);
CREATE INDEX disputes_created ON disputes (opened_at DESC, dispute_id DESC);
CREATE INDEX disputes_tenant_created ON disputes (tenant_id, opened_at DESC, dispute_id DESC);
CREATE INDEX disputes_updated ON disputes (klarna_updated_at DESC, dispute_id DESC);
-- search by the ids a customer or colleague quotes
CREATE INDEX disputes_order ON disputes (order_id);
CREATE INDEX disputes_transaction ON disputes (payment_transaction_id);
CREATE INDEX disputes_purchase ON disputes (purchase_reference);
CREATE INDEX disputes_assignee ON disputes (assignee_id, bucket, queue_key) WHERE assignee_id IS NOT NULL;
CREATE INDEX disputes_closed ON disputes (closed_at) WHERE closed_at IS NOT NULL;

-- bucket and queue_key follow from the state, the deadline and the times,
-- whoever writes the row (the mirror, a COPY of seeded rows).
-- +goose StatementBegin
CREATE FUNCTION disputes_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.bucket := CASE WHEN NEW.state IN ('INITIATED', 'PRE_ARBITRATION') THEN 1 WHEN NEW.state = 'CLOSED' THEN 3 ELSE 2 END;
    NEW.queue_key := CASE NEW.bucket
        WHEN 1 THEN coalesce((extract(epoch FROM NEW.deadline_at) * 1000)::bigint, 9000000000000000)
        WHEN 2 THEN (extract(epoch FROM NEW.state_at) * 1000)::bigint
        ELSE -(extract(epoch FROM coalesce(NEW.closed_at, NEW.state_at)) * 1000)::bigint END;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER disputes_queue BEFORE INSERT OR UPDATE ON disputes
    FOR EACH ROW EXECUTE FUNCTION disputes_queue();

-- Disputes per tenant and bucket, kept by a trigger so the queue's view
-- counts never count a big table.
CREATE TABLE dispute_counts (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    bucket    smallint NOT NULL,
    n         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, bucket)
);

-- +goose StatementBegin
CREATE FUNCTION disputes_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.bucket = NEW.bucket AND OLD.tenant_id = NEW.tenant_id THEN
        RETURN NULL;
    END IF;
    -- A move touches two counters; they are always locked in (tenant,
    -- bucket) order, so two disputes moving opposite ways never deadlock.
    IF TG_OP = 'UPDATE' AND (OLD.tenant_id, OLD.bucket) > (NEW.tenant_id, NEW.bucket) THEN
        INSERT INTO dispute_counts (tenant_id, bucket, n) VALUES (NEW.tenant_id, NEW.bucket, 1)
        ON CONFLICT (tenant_id, bucket) DO UPDATE SET n = dispute_counts.n + 1;
        UPDATE dispute_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND bucket = OLD.bucket;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE dispute_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id AND bucket = OLD.bucket;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO dispute_counts (tenant_id, bucket, n) VALUES (NEW.tenant_id, NEW.bucket, 1)
        ON CONFLICT (tenant_id, bucket) DO UPDATE SET n = dispute_counts.n + 1;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER disputes_count AFTER INSERT OR UPDATE OR DELETE ON disputes
    FOR EACH ROW EXECUTE FUNCTION disputes_count();

-- A dispute's timeline: every state reported (webhook or read), every action,
-- assignment, reminder and deadline change, with who and when.
CREATE TABLE dispute_events (
    id          bigserial PRIMARY KEY,
    dispute_id  text NOT NULL REFERENCES disputes (dispute_id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    kind        text NOT NULL,
    state       text NOT NULL DEFAULT '',
    summary     text NOT NULL,
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_label text NOT NULL DEFAULT '',
    event_id    text,
    detail      jsonb,
    UNIQUE (dispute_id, kind, event_id)
);
CREATE INDEX dispute_events_dispute ON dispute_events (dispute_id, at, id);

-- How far the periodic sync has read Klarna's dispute list: the latest
-- updated_at it has seen (the next run reads from there).
CREATE TABLE dispute_sync (
    id        int PRIMARY KEY CHECK (id = 1),
    synced_to timestamptz NOT NULL
);

-- Named filter sets of a list, per user (the disputes queue first).
CREATE TABLE saved_views (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    list       text NOT NULL,
    name       text NOT NULL,
    query      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, list, name)
);

INSERT INTO disputes (dispute_id, tenant_id, klarna_account_id, state, deadline_at, opened_at, state_at, klarna_updated_at)
SELECT dispute_id, tenant_id, klarna_account_id, state, deadline_at, state_at, state_at, state_at FROM dispute_states;
DROP TABLE dispute_states;

-- +goose Down
CREATE TABLE dispute_states (
    dispute_id        text PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    klarna_account_id text NOT NULL,
    state             text NOT NULL,
    state_at          timestamptz NOT NULL,
    deadline_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO dispute_states (dispute_id, tenant_id, klarna_account_id, state, state_at, deadline_at)
SELECT dispute_id, tenant_id, klarna_account_id, state, state_at, deadline_at FROM disputes;
DROP TABLE saved_views;
DROP TABLE dispute_sync;
DROP TABLE dispute_events;
DROP TRIGGER disputes_count ON disputes;
DROP FUNCTION disputes_count();
DROP TABLE dispute_counts;
DROP TRIGGER disputes_queue ON disputes;
DROP FUNCTION disputes_queue();
DROP TABLE disputes;

-- +goose Up
-- A partner's payment product status over time (issue 10, part 3). Two kinds
-- of rows: a "request" is an admin here asking Klarna to disable or enable
-- the product (who, why, and the partner_changes row that pushes it); a
-- "status" row is a status Klarna holds, seen in a state-change webhook or in
-- a read of the account. A status row that a request caused carries the
-- request's who and why. Tenant-scoped like every partner row.
CREATE TABLE payment_product_history (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    klarna_account_id text NOT NULL,
    product_id        text NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('request', 'status')),
    source            text NOT NULL CHECK (source IN ('partner_desk', 'webhook', 'sync')),
    -- the status reached (status) or asked for (request)
    status            text NOT NULL,
    previous_status   text NOT NULL DEFAULT '',
    reason            text NOT NULL DEFAULT '',
    actor_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_label       text NOT NULL DEFAULT '',
    change_id         uuid,
    -- a status row: the request it fulfils; a request: when Klarna showed it
    request_id        uuid REFERENCES payment_product_history (id) ON DELETE SET NULL,
    fulfilled_at      timestamptz,
    event_id          text NOT NULL DEFAULT '',
    occurred_at       timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_product_history_tenant ON payment_product_history (tenant_id, occurred_at DESC, created_at DESC);
CREATE INDEX payment_product_history_product ON payment_product_history (klarna_account_id, product_id, kind, occurred_at DESC);
-- A redelivered webhook records nothing new.
CREATE UNIQUE INDEX payment_product_history_event ON payment_product_history (event_id) WHERE event_id <> '';

-- The guided offboarding of a partner (issue 10, part 7): one per partner
-- tenant, its steps run in order by a background job. steps is the ordered
-- list [{name, status, result, error, attempts, started_at, finished_at}];
-- a failed step stops the run until someone resumes it from that step.
CREATE TABLE partner_offboardings (
    id                 uuid PRIMARY KEY,
    tenant_id          uuid NOT NULL UNIQUE REFERENCES tenants (id) ON DELETE CASCADE,
    reason             text NOT NULL,
    status             text NOT NULL CHECK (status IN ('running', 'failed', 'completed')),
    steps              jsonb NOT NULL,
    requested_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    requested_by_label text NOT NULL DEFAULT '',
    -- how many times it was started or resumed (each gets a job of its own)
    runs               integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz
);

-- +goose Down
DROP TABLE partner_offboardings;
DROP TABLE payment_product_history;

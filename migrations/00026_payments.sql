-- +goose Up
-- Payments: each payment request Klarna reports by its
-- payment.request.state-change.* events, with every state it reported, and
-- per partner and day the figures its integration health is read from.

CREATE TABLE payments (
    payment_request_id  text PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    klarna_account_id   text NOT NULL DEFAULT '',
    reference           text NOT NULL DEFAULT '',   -- payment_request_reference (the acquirer's)
    purchase_reference  text NOT NULL DEFAULT '',
    payment_transaction_id text NOT NULL DEFAULT '',
    -- the settlement lines' order id of the transaction
    order_id            text NOT NULL DEFAULT '',
    payment_account_id  text NOT NULL DEFAULT '',
    payment_account_reference text NOT NULL DEFAULT '',
    -- the newest state reported, as Klarna spelled it (unknown states kept)
    state               text NOT NULL,
    state_reason        text NOT NULL DEFAULT '',
    -- Klarna's time of that state: a report older than it changes no state
    state_at            timestamptz NOT NULL,
    amount              bigint,
    currency            text NOT NULL DEFAULT '',
    integration_path    text NOT NULL DEFAULT '',   -- HOSTED_CHECKOUT, SERVER_SIDE or '' (not told)
    payment_type        text NOT NULL DEFAULT '',   -- ONE_TIME, RECURRING or ''
    customer_token      boolean NOT NULL DEFAULT false,  -- a customer token was issued (never stored)
    interop_source      text NOT NULL DEFAULT '',   -- the Klarna feature the customer came from
    interop_token       boolean NOT NULL DEFAULT false,  -- the request carried the interoperability token
    created_at          timestamptz NOT NULL,       -- Klarna's created_at, else the first report's time
    submitted_at        timestamptz,
    authorized_at       timestamptz,                -- AUTHORIZED or COMPLETED
    final_at            timestamptz,                -- the first final state's time
    expires_at          timestamptz,
    events              integer NOT NULL DEFAULT 0,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- payload fields Klarna sent that we do not know, newest report's
    extra               jsonb
);
-- the list, newest first, across partners and per partner, and by state
CREATE INDEX payments_created ON payments (created_at DESC, payment_request_id DESC);
CREATE INDEX payments_tenant_created ON payments (tenant_id, created_at DESC, payment_request_id DESC);
CREATE INDEX payments_state_created ON payments (state, created_at DESC, payment_request_id DESC);
CREATE INDEX payments_tenant_state_created ON payments (tenant_id, state, created_at DESC, payment_request_id DESC);
CREATE INDEX payments_currency_created ON payments (currency, created_at DESC, payment_request_id DESC);
-- the ids and references a customer or colleague quotes
CREATE INDEX payments_reference ON payments (reference) WHERE reference <> '';
CREATE INDEX payments_purchase ON payments (purchase_reference) WHERE purchase_reference <> '';
CREATE INDEX payments_transaction ON payments (payment_transaction_id) WHERE payment_transaction_id <> '';
CREATE INDEX payments_order ON payments (order_id) WHERE order_id <> '';

-- Every state report, in Klarna's time; an event delivered twice is kept once.
CREATE TABLE payment_events (
    id                  bigserial PRIMARY KEY,
    payment_request_id  text NOT NULL REFERENCES payments (payment_request_id) ON DELETE CASCADE,
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_id            text NOT NULL,
    state               text NOT NULL,
    previous_state      text NOT NULL DEFAULT '',
    state_reason        text NOT NULL DEFAULT '',
    at                  timestamptz NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (payment_request_id, event_id)
);
CREATE INDEX payment_events_payment ON payment_events (payment_request_id, at, id);
CREATE INDEX payment_events_tenant ON payment_events (tenant_id);

-- Integration health, kept as payments change: per partner and day the
-- payment was created, what its payments came to. A payment's contribution
-- is taken out and put back in the transaction that changes it. Each day
-- is split in 16 shards by payment, so a burst of one partner's events
-- (a flash sale) does not queue on one row; reads sum the shards.
CREATE TABLE payment_days (
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day                 date NOT NULL,
    shard               smallint NOT NULL DEFAULT 0,
    payments            integer NOT NULL DEFAULT 0,
    authorized          integer NOT NULL DEFAULT 0,
    declined            integer NOT NULL DEFAULT 0,
    expired             integer NOT NULL DEFAULT 0,
    canceled            integer NOT NULL DEFAULT 0,
    open                integer NOT NULL DEFAULT 0,   -- in no final state yet (or one we do not know)
    -- submission to authorization, over the authorized payments with both times
    auth_timed          integer NOT NULL DEFAULT 0,
    auth_seconds        double precision NOT NULL DEFAULT 0,
    interop_expected    integer NOT NULL DEFAULT 0,
    interop_carried     integer NOT NULL DEFAULT 0,
    hosted              integer NOT NULL DEFAULT 0,
    server_side         integer NOT NULL DEFAULT 0,
    recurring           integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, shard)
);
CREATE INDEX payment_days_day ON payment_days (day, tenant_id);

-- Settlement lag: per payout, its sale lines' time from capture to payout.
ALTER TABLE payouts ADD COLUMN sale_lag_lines integer NOT NULL DEFAULT 0;
ALTER TABLE payouts ADD COLUMN sale_lag_seconds double precision NOT NULL DEFAULT 0;
UPDATE payouts p SET sale_lag_lines = l.n, sale_lag_seconds = l.s
    FROM (SELECT payment_reference, count(*) AS n, sum(extract(epoch FROM (pp.payout_date - l.capture_date))) AS s
          FROM settlement_lines l JOIN payouts pp USING (payment_reference)
          WHERE l.type = 'SALE' AND l.capture_date IS NOT NULL GROUP BY payment_reference) l
    WHERE l.payment_reference = p.payment_reference;

-- +goose Down
ALTER TABLE payouts DROP COLUMN sale_lag_seconds;
ALTER TABLE payouts DROP COLUMN sale_lag_lines;
DROP TABLE payment_days;
DROP TABLE payment_events;
DROP TABLE payments;

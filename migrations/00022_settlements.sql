-- +goose Up
-- Settlements (README §9): every payout Klarna reports for a partner, with its
-- totals as columns (the list filters and sums them) and Klarna's whole
-- object, and every transaction line with all of Klarna's fields. Amounts are
-- integers in minor units.
CREATE TABLE payouts (
    payment_reference   text PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    klarna_account_id   text NOT NULL,
    merchant_id         text NOT NULL DEFAULT '',
    -- the KN settlement KRN when a webhook named it
    settlement_id       text NOT NULL DEFAULT '',
    payment_acquiring_account_id text NOT NULL DEFAULT '',
    payout_date         timestamptz NOT NULL,
    currency            text NOT NULL,
    settlement_type     text NOT NULL DEFAULT '',
    sale_amount         bigint NOT NULL DEFAULT 0,
    return_amount       bigint NOT NULL DEFAULT 0,
    reversal_amount     bigint NOT NULL DEFAULT 0,
    fee_amount          bigint NOT NULL DEFAULT 0,
    tax_amount          bigint NOT NULL DEFAULT 0,
    holdback_amount     bigint NOT NULL DEFAULT 0,
    release_amount      bigint NOT NULL DEFAULT 0,
    settlement_amount   bigint NOT NULL DEFAULT 0,
    opening_debt_amount bigint NOT NULL DEFAULT 0,
    closing_debt_amount bigint NOT NULL DEFAULT 0,
    -- Klarna's Payout object as last read (totals included, unknown fields kept)
    object              jsonb NOT NULL,
    line_count          integer NOT NULL DEFAULT 0,
    -- every page of the payout's lines has been read
    lines_complete      boolean NOT NULL DEFAULT false,
    -- null until the lines are complete and checked; then whether every
    -- total equals the sum of its lines and the settlement amount follows
    reconciled          boolean,
    -- settlement_amount minus what the lines add up to
    difference          bigint NOT NULL DEFAULT 0,
    -- per total that does not add up: {"fee_amount": {"reported": 1, "lines": 2}}
    mismatches          jsonb NOT NULL DEFAULT '{}',
    ingested_at         timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payouts_list ON payouts (payout_date DESC, payment_reference DESC);
CREATE INDEX payouts_tenant_list ON payouts (tenant_id, payout_date DESC, payment_reference DESC);
CREATE INDEX payouts_unreconciled ON payouts (tenant_id, payout_date DESC, payment_reference DESC) WHERE reconciled = false;

-- One row per transaction line. line_key is the line's identity inside its
-- payout (Klarna's lines carry no id): a hash of its fields plus its
-- occurrence, so reading the same payout again changes nothing.
CREATE TABLE settlement_lines (
    id                  bigserial PRIMARY KEY,
    payment_reference   text NOT NULL REFERENCES payouts (payment_reference) ON DELETE CASCADE,
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    line_key            text NOT NULL,
    -- position in Klarna's order of the payout's lines
    seq                 integer NOT NULL,
    type                text NOT NULL,
    detailed_type       text NOT NULL DEFAULT '',
    amount              bigint NOT NULL,
    currency            text NOT NULL,
    vat_rate            bigint,
    vat_amount          bigint,
    tax_in_registration_currency bigint,
    registration_currency text NOT NULL DEFAULT '',
    sale_date           timestamptz,
    capture_date        timestamptz,
    order_id            text NOT NULL DEFAULT '',
    short_order_id      text NOT NULL DEFAULT '',
    capture_id          text NOT NULL DEFAULT '',
    refund_id           text NOT NULL DEFAULT '',
    merchant_reference1 text NOT NULL DEFAULT '',
    merchant_reference2 text NOT NULL DEFAULT '',
    merchant_capture_reference text NOT NULL DEFAULT '',
    merchant_refund_reference  text NOT NULL DEFAULT '',
    purchase_country    text NOT NULL DEFAULT '',
    shipping_country    text NOT NULL DEFAULT '',
    initial_payment_method_type text NOT NULL DEFAULT '',
    initial_number_of_installments bigint,
    initial_payment_method_monthly_downpayments bigint,
    klarna_comment      text NOT NULL DEFAULT '',
    -- the dispute KRN of a chargeback, dispute fee or holdback line
    reversal_reference  text NOT NULL DEFAULT '',
    -- fields Klarna sent that we do not know, kept as they came
    extra               jsonb,
    UNIQUE (payment_reference, line_key)
);
CREATE INDEX settlement_lines_payout ON settlement_lines (payment_reference, seq);
CREATE INDEX settlement_lines_payout_type ON settlement_lines (payment_reference, type, seq);
-- the cross-payout search by the ids a customer or colleague quotes
CREATE INDEX settlement_lines_order ON settlement_lines (order_id, id) WHERE order_id <> '';
CREATE INDEX settlement_lines_capture ON settlement_lines (capture_id, id) WHERE capture_id <> '';
CREATE INDEX settlement_lines_refund ON settlement_lines (refund_id, id) WHERE refund_id <> '';
CREATE INDEX settlement_lines_reference ON settlement_lines (merchant_reference1, id) WHERE merchant_reference1 <> '';
CREATE INDEX settlement_lines_dispute ON settlement_lines (reversal_reference, id) WHERE reversal_reference <> '';

-- How far the periodic sync has read each partner account's payouts.
CREATE TABLE settlement_sync (
    klarna_account_id text PRIMARY KEY,
    synced_through    timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE settlement_sync;
DROP TABLE settlement_lines;
DROP TABLE payouts;

-- +goose Up
-- The home page's counts: each is the count of a list's filter, driven by an
-- index over the few rows that need someone (never a scan of a big table).

-- partners whose payment product is disabled or terminated, or who carry a
-- Klarna warning (brand data incomplete)
CREATE INDEX partner_accounts_product_attention ON partner_accounts (product_status, tenant_id)
    WHERE product_status IN ('DISABLED', 'TERMINATED');
CREATE INDEX partner_accounts_warned ON partner_accounts USING gin (warnings) WHERE warnings <> '{}';

-- open disputes nobody is assigned to, by deadline
CREATE INDEX disputes_unassigned ON disputes (tenant_id, queue_key) WHERE bucket = 1 AND assignee_id IS NULL;
-- open disputes escalated to acquirer support for the deadline they have
-- now: the reminders job sets escalated_for when it escalates; a moved
-- deadline makes the dispute not escalated until it is escalated again.
ALTER TABLE disputes ADD COLUMN escalated_for timestamptz;
UPDATE disputes d SET escalated_for = r.deadline_at FROM dispute_reminders r
    WHERE r.dispute_id = d.dispute_id AND r.threshold = 'escalation' AND r.deadline_at = d.deadline_at;
CREATE INDEX disputes_escalated ON disputes (tenant_id, queue_key) WHERE bucket = 1 AND escalated_for = deadline_at;

-- webhook events that need an admin, per partner (the status index serves
-- all partners)
CREATE INDEX webhook_events_attention ON webhook_events (tenant_id, status) WHERE status IN ('parked', 'dead_lettered');

-- When each partner's next payout in a currency is expected: the last
-- payout's date plus the gap between its last two payouts. A trigger keeps
-- it as payouts arrive.
CREATE TABLE payout_schedule (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    currency        text NOT NULL,
    last_reference  text NOT NULL,
    last_date       timestamptz NOT NULL,
    last_amount     bigint NOT NULL,
    every           interval,
    expected_at     timestamptz,
    PRIMARY KEY (tenant_id, currency)
);
CREATE INDEX payout_schedule_expected ON payout_schedule (expected_at, tenant_id) WHERE expected_at IS NOT NULL;
CREATE INDEX payout_schedule_tenant_expected ON payout_schedule (tenant_id, expected_at) WHERE expected_at IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION payouts_schedule() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last timestamptz;
    prev timestamptz;
BEGIN
    INSERT INTO payout_schedule AS s (tenant_id, currency, last_reference, last_date, last_amount)
    VALUES (NEW.tenant_id, NEW.currency, NEW.payment_reference, NEW.payout_date, NEW.settlement_amount)
    ON CONFLICT (tenant_id, currency) DO UPDATE SET
        last_reference = EXCLUDED.last_reference, last_date = EXCLUDED.last_date, last_amount = EXCLUDED.last_amount
        WHERE EXCLUDED.last_date >= s.last_date;
    -- The gap is the last payout's date less the one before it, whichever
    -- order they arrived in (an index read on payouts_tenant_list).
    SELECT s.last_date INTO last FROM payout_schedule s WHERE s.tenant_id = NEW.tenant_id AND s.currency = NEW.currency;
    SELECT max(p.payout_date) INTO prev FROM payouts p
        WHERE p.tenant_id = NEW.tenant_id AND p.currency = NEW.currency AND p.payout_date < last;
    IF prev IS NOT NULL THEN
        UPDATE payout_schedule SET every = last - prev, expected_at = last + (last - prev)
            WHERE tenant_id = NEW.tenant_id AND currency = NEW.currency;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER payouts_schedule AFTER INSERT ON payouts FOR EACH ROW EXECUTE FUNCTION payouts_schedule();

-- The schedule of the payouts already stored.
INSERT INTO payout_schedule (tenant_id, currency, last_reference, last_date, last_amount, every, expected_at)
SELECT tenant_id, currency, payment_reference, payout_date, settlement_amount, payout_date - prev, payout_date + (payout_date - prev)
FROM (SELECT tenant_id, currency, payment_reference, payout_date, settlement_amount,
             lag(payout_date) OVER w AS prev, row_number() OVER (PARTITION BY tenant_id, currency ORDER BY payout_date DESC, payment_reference DESC) AS rn
      FROM payouts WINDOW w AS (PARTITION BY tenant_id, currency ORDER BY payout_date, payment_reference)) x
WHERE rn = 1;

-- +goose Down
DROP TRIGGER payouts_schedule ON payouts;
DROP FUNCTION payouts_schedule();
DROP TABLE payout_schedule;
DROP INDEX webhook_events_attention;
DROP INDEX disputes_escalated;
ALTER TABLE disputes DROP COLUMN escalated_for;
DROP INDEX disputes_unassigned;
DROP INDEX partner_accounts_warned;
DROP INDEX partner_accounts_product_attention;

package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// SettlementIngestStore implements settlement.IngestStore.
type SettlementIngestStore struct{ db *DB }

// SettlementIngest returns the store the settlement ingest writes through.
func (db *DB) SettlementIngest() *SettlementIngestStore { return &SettlementIngestStore{db: db} }

var _ settlement.IngestStore = (*SettlementIngestStore)(nil)

// InTx runs fn in one transaction.
func (s *SettlementIngestStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// lineCopyColumns are the settlement_lines columns a report writes, in the
// order of lineValues.
var lineCopyColumns = []string{"payment_reference", "tenant_id", "line_key", "seq", "type", "detailed_type", "amount", "currency",
	"vat_rate", "vat_amount", "tax_in_registration_currency", "registration_currency", "sale_date", "capture_date", "order_id",
	"short_order_id", "capture_id", "refund_id", "merchant_reference1", "merchant_reference2", "merchant_capture_reference",
	"merchant_refund_reference", "purchase_country", "shipping_country", "initial_payment_method_type",
	"initial_number_of_installments", "initial_payment_method_monthly_downpayments", "klarna_comment", "reversal_reference", "extra"}

func lineValues(ref string, tenant uuid.UUID, l *settlement.ReportLine) []any {
	var extra any
	if len(l.Extra) > 0 {
		extra = string(l.Extra)
	}
	return []any{ref, tenant, l.Key, l.Seq, l.Type, l.DetailedType, l.Amount, l.Currency,
		l.VATRate, l.VATAmount, l.TaxInRegistrationCurrency, l.RegistrationCurrency, l.SaleDate, l.CaptureDate, l.OrderID,
		l.ShortOrderID, l.CaptureID, l.RefundID, l.MerchantReference1, l.MerchantReference2, l.MerchantCaptureReference,
		l.MerchantRefundReference, l.PurchaseCountry, l.ShippingCountry, l.InitialPaymentMethodType,
		l.InitialNumberOfInstallments, l.InitialMonthlyDownpayments, l.KlarnaComment, l.ReversalReference, extra}
}

// payoutSet are the payout columns an ingest sets, each from EXCLUDED;
// the ids a webhook named (settlement_id, payment_acquiring_account_id)
// are kept when a later read (the sync) does not know them.
var payoutSet = []struct{ col, val string }{
	{"tenant_id", "EXCLUDED.tenant_id"},
	{"klarna_account_id", "EXCLUDED.klarna_account_id"},
	{"merchant_id", "EXCLUDED.merchant_id"},
	{"settlement_id", "coalesce(nullif(EXCLUDED.settlement_id, ''), p.settlement_id)"},
	{"payment_acquiring_account_id", "coalesce(nullif(EXCLUDED.payment_acquiring_account_id, ''), p.payment_acquiring_account_id)"},
	{"payout_date", "EXCLUDED.payout_date"},
	{"currency", "EXCLUDED.currency"},
	{"settlement_type", "EXCLUDED.settlement_type"},
	{"sale_amount", "EXCLUDED.sale_amount"},
	{"return_amount", "EXCLUDED.return_amount"},
	{"reversal_amount", "EXCLUDED.reversal_amount"},
	{"fee_amount", "EXCLUDED.fee_amount"},
	{"tax_amount", "EXCLUDED.tax_amount"},
	{"holdback_amount", "EXCLUDED.holdback_amount"},
	{"release_amount", "EXCLUDED.release_amount"},
	{"settlement_amount", "EXCLUDED.settlement_amount"},
	{"opening_debt_amount", "EXCLUDED.opening_debt_amount"},
	{"closing_debt_amount", "EXCLUDED.closing_debt_amount"},
	{"object", "EXCLUDED.object"},
	{"line_count", "EXCLUDED.line_count"},
	{"lines_complete", "EXCLUDED.lines_complete"},
	{"reconciled", "EXCLUDED.reconciled"},
	{"difference", "EXCLUDED.difference"},
	{"mismatches", "EXCLUDED.mismatches"},
}

func payoutUpsert() string {
	cols, vals, set, old, neu := "payment_reference", "?", "", "", ""
	for i, c := range payoutSet {
		cols += ", " + c.col
		vals += ", ?"
		if c.col == "object" || c.col == "mismatches" {
			vals += "::jsonb"
		}
		if i > 0 {
			set, old, neu = set+", ", old+", ", neu+", "
		}
		set += c.col + " = " + c.val
		old += "p." + c.col
		neu += c.val
	}
	// A report identical to the stored row updates nothing: no new row
	// version, updated_at unchanged.
	return `INSERT INTO payouts AS p (` + cols + `) VALUES (` + vals + `)
		ON CONFLICT (payment_reference) DO UPDATE SET ` + set + `, updated_at = now()
		WHERE (` + old + `) IS DISTINCT FROM (` + neu + `)`
}

var payoutUpsertSQL = payoutUpsert()

// lineColumnList is lineCopyColumns as SQL.
var lineColumnList = strings.Join(lineCopyColumns, ", ")

// OpenPayout begins storing a payout in the transaction of ctx. Concurrent
// ingests of one payout (a webhook and the sync) take turns on a lock of
// its reference; its lines are staged with COPY in a temporary table that
// Finish merges.
func (s *SettlementIngestStore) OpenPayout(ctx context.Context, r settlement.Report) (settlement.PayoutWriter, error) {
	if _, err := mustTx(ctx, "open payout"); err != nil {
		return nil, err
	}
	g := s.db.conn(ctx)
	if err := g.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('payout:' || ?, 0))`, r.PaymentReference).Error; err != nil {
		return nil, fmt.Errorf("lock payout: %w", err)
	}
	// A payout never moves between partners: a report of it for another
	// account is refused rather than handed to that account's tenant.
	var owner []uuid.UUID
	if err := g.Raw(`SELECT tenant_id FROM payouts WHERE payment_reference = ?`, r.PaymentReference).Scan(&owner).Error; err != nil {
		return nil, fmt.Errorf("payout owner: %w", err)
	}
	if len(owner) > 0 && owner[0] != r.TenantID {
		return nil, apperr.E(apperr.Conflict, "Payout %s belongs to another partner.", r.PaymentReference)
	}
	if err := g.Exec(`CREATE TEMP TABLE IF NOT EXISTS settlement_lines_in ON COMMIT DROP AS SELECT ` + lineColumnList + ` FROM settlement_lines WITH NO DATA`).Error; err != nil {
		return nil, fmt.Errorf("stage lines: %w", err)
	}
	if err := g.Exec(`TRUNCATE settlement_lines_in`).Error; err != nil {
		return nil, fmt.Errorf("stage lines: %w", err)
	}
	return &payoutWriter{db: s.db, ref: r.PaymentReference, tenant: r.TenantID}, nil
}

type payoutWriter struct {
	db     *DB
	ref    string
	tenant uuid.UUID
}

// Stage COPYs a page of lines into the staging table.
func (w *payoutWriter) Stage(ctx context.Context, lines []settlement.ReportLine) error {
	if len(lines) == 0 {
		return nil
	}
	err := PgxTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"settlement_lines_in"}, lineCopyColumns, pgx.CopyFromSlice(len(lines), func(i int) ([]any, error) {
			return lineValues(w.ref, w.tenant, &lines[i]), nil
		}))
		return err
	})
	if err != nil {
		return fmt.Errorf("stage lines of payout %s: %w", w.ref, err)
	}
	return nil
}

// Finish upserts the payout, then merges its staged lines: same key, same
// Klarna fields, so only the position, the tenant and what Partner Desk
// derives may change; lines Klarna no longer lists are removed once all
// were read.
func (w *payoutWriter) Finish(ctx context.Context, r settlement.Report) (bool, error) {
	g := w.db.conn(ctx)
	mismatches := []byte("{}")
	if len(r.Reconciliation.Mismatches) > 0 {
		var err error
		if mismatches, err = json.Marshal(r.Reconciliation.Mismatches); err != nil {
			return false, err
		}
	}
	t := r.Totals
	res := g.Exec(payoutUpsertSQL, r.PaymentReference, r.TenantID, r.KlarnaAccountID, r.MerchantID, r.SettlementID, r.PaymentAcquiringAccountID,
		r.PayoutDate, r.Currency, r.SettlementType, t["sale_amount"], t["return_amount"], t["reversal_amount"], t["fee_amount"], t["tax_amount"],
		t["holdback_amount"], t["release_amount"], t[settlement.TotalSettlement], t[settlement.TotalOpeningDebt], t[settlement.TotalClosingDebt],
		string(r.Object), r.LineCount, r.LinesComplete, r.Reconciliation.Reconciled, r.Reconciliation.Difference, string(mismatches))
	if res.Error != nil {
		return false, fmt.Errorf("store payout %s: %w", r.PaymentReference, res.Error)
	}
	changed := res.RowsAffected > 0
	merge := g.Exec(`INSERT INTO settlement_lines AS l (` + lineColumnList + `) SELECT ` + lineColumnList + ` FROM settlement_lines_in
		ON CONFLICT (payment_reference, line_key) DO UPDATE SET seq = EXCLUDED.seq, tenant_id = EXCLUDED.tenant_id,
			reversal_reference = EXCLUDED.reversal_reference, extra = EXCLUDED.extra
		WHERE (l.seq, l.tenant_id, l.reversal_reference, l.extra) IS DISTINCT FROM (EXCLUDED.seq, EXCLUDED.tenant_id, EXCLUDED.reversal_reference, EXCLUDED.extra)`)
	if merge.Error != nil {
		return false, fmt.Errorf("store lines of payout %s: %w", r.PaymentReference, merge.Error)
	}
	changed = changed || merge.RowsAffected > 0
	if r.LinesComplete {
		del := g.Exec(`DELETE FROM settlement_lines l WHERE l.payment_reference = ?
			AND NOT EXISTS (SELECT 1 FROM settlement_lines_in i WHERE i.line_key = l.line_key)`, r.PaymentReference)
		if del.Error != nil {
			return false, fmt.Errorf("remove old lines of payout %s: %w", r.PaymentReference, del.Error)
		}
		changed = changed || del.RowsAffected > 0
	}
	if changed {
		// The settlement lag of the payout's sales (payments' integration
		// health): from each sale's capture to the payout.
		lag := g.Exec(`UPDATE payouts p SET sale_lag_lines = l.n, sale_lag_seconds = l.s
			FROM (SELECT count(*) AS n, coalesce(sum(extract(epoch FROM (pp.payout_date - x.capture_date))), 0) AS s
				FROM settlement_lines x JOIN payouts pp USING (payment_reference)
				WHERE x.payment_reference = ? AND x.type = 'SALE' AND x.capture_date IS NOT NULL) l
			WHERE p.payment_reference = ? AND (p.sale_lag_lines, p.sale_lag_seconds) IS DISTINCT FROM (l.n, l.s)`, r.PaymentReference, r.PaymentReference)
		if lag.Error != nil {
			return false, fmt.Errorf("settlement lag of payout %s: %w", r.PaymentReference, lag.Error)
		}
	}
	return changed, nil
}

// PayoutCurrent is true when ref is stored with all its lines and exactly
// this object.
func (s *SettlementIngestStore) PayoutCurrent(ctx context.Context, ref string, object json.RawMessage) (bool, error) {
	var ok bool
	err := s.db.conn(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM payouts WHERE payment_reference = ? AND lines_complete AND object = ?::jsonb)`,
		ref, string(object)).Row().Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("payout %s stored: %w", ref, err)
	}
	return ok, nil
}

// SyncAccounts lists every linked partner account with its sync mark.
func (s *SettlementIngestStore) SyncAccounts(ctx context.Context) ([]settlement.SyncAccount, error) {
	rows, err := s.db.conn(ctx).Raw(`SELECT pa.klarna_account_id, pa.tenant_id, s.synced_through
		FROM partner_accounts pa LEFT JOIN settlement_sync s ON s.klarna_account_id = pa.klarna_account_id
		ORDER BY pa.klarna_account_id`).Rows()
	if err != nil {
		return nil, fmt.Errorf("settlement sync accounts: %w", err)
	}
	defer rows.Close()
	var out []settlement.SyncAccount
	for rows.Next() {
		var a settlement.SyncAccount
		var through sql.NullTime
		if err := rows.Scan(&a.KlarnaAccountID, &a.TenantID, &through); err != nil {
			return nil, fmt.Errorf("settlement sync accounts: %w", err)
		}
		a.SyncedThrough = through.Time
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetSynced moves an account's mark forward (never back).
func (s *SettlementIngestStore) SetSynced(ctx context.Context, accountID string, through time.Time) error {
	err := s.db.conn(ctx).Exec(`INSERT INTO settlement_sync (klarna_account_id, synced_through) VALUES (?, ?)
		ON CONFLICT (klarna_account_id) DO UPDATE SET synced_through = GREATEST(settlement_sync.synced_through, EXCLUDED.synced_through), updated_at = now()
		WHERE EXCLUDED.synced_through > settlement_sync.synced_through`, accountID, through).Error
	if err != nil {
		return fmt.Errorf("settlement sync mark of %s: %w", accountID, err)
	}
	return nil
}

// TenantOfAccount is the tenant holding a partner account.
func (s *SettlementIngestStore) TenantOfAccount(ctx context.Context, accountID string) (uuid.UUID, bool, error) {
	var ids []uuid.UUID
	if err := s.db.conn(ctx).Raw(`SELECT tenant_id FROM partner_accounts WHERE klarna_account_id = ?`, accountID).Scan(&ids).Error; err != nil {
		return uuid.Nil, false, fmt.Errorf("tenant of account: %w", err)
	}
	if len(ids) == 0 {
		return uuid.Nil, false, nil
	}
	return ids[0], true, nil
}

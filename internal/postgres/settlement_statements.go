package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// The reads of the monthly statements (settlement.ReadStore).

// StatementPartner implements settlement.ReadStore: a partner tenant in
// the scope, or NotFound (the same answer for another tenant's id as for
// none), with its Klarna partner accounts.
func (s *SettlementReadStore) StatementPartner(ctx context.Context, sc scope.Scope, tenant uuid.UUID) (string, []string, error) {
	cond, args := scopeCond("id", sc)
	var names []string
	if err := s.db.conn(ctx).Raw(`SELECT name FROM tenants WHERE id = ? AND kind = 'partner' AND `+cond, append([]any{tenant}, args...)...).Scan(&names).Error; err != nil {
		return "", nil, err
	}
	if len(names) == 0 {
		return "", nil, apperr.E(apperr.NotFound, "No such partner.")
	}
	var accounts []string
	if err := s.db.conn(ctx).Raw(`SELECT klarna_account_id FROM partner_accounts WHERE tenant_id = ? ORDER BY klarna_account_id`, tenant).Scan(&accounts).Error; err != nil {
		return "", nil, err
	}
	return names[0], accounts, nil
}

const statementColumns = `payment_reference, payout_date, currency, settlement_type, sale_amount, return_amount,
	reversal_amount, fee_amount, tax_amount, holdback_amount, release_amount, settlement_amount,
	opening_debt_amount, closing_debt_amount, reconciled`

func (s *SettlementReadStore) statementRows(ctx context.Context, q string, args ...any) ([]settlement.StatementPayout, error) {
	rows, err := s.db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []settlement.StatementPayout
	for rows.Next() {
		var p settlement.StatementPayout
		if err := rows.Scan(&p.PaymentReference, &p.PayoutDate, &p.Currency, &p.SettlementType, &p.Sale, &p.Return,
			&p.Reversal, &p.Fee, &p.Tax, &p.Holdback, &p.Release, &p.Settlement, &p.OpeningDebt, &p.ClosingDebt, &p.Reconciled); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// StatementPayouts implements settlement.ReadStore (payouts_tenant_list).
func (s *SettlementReadStore) StatementPayouts(ctx context.Context, sc scope.Scope, tenant uuid.UUID, from, to time.Time) ([]settlement.StatementPayout, error) {
	cond, args := scopeCond("tenant_id", sc)
	return s.statementRows(ctx, `SELECT `+statementColumns+` FROM payouts
		WHERE tenant_id = ? AND payout_date >= ? AND payout_date < ? AND `+cond+`
		ORDER BY payout_date, payment_reference`, append([]any{tenant, from, to}, args...)...)
}

// LastBefore implements settlement.ReadStore: per currency the newest
// payout dated before t (one index probe per currency the tenant has).
func (s *SettlementReadStore) LastBefore(ctx context.Context, sc scope.Scope, tenant uuid.UUID, t time.Time) ([]settlement.StatementPayout, error) {
	cond, args := scopeCond("tenant_id", sc)
	return s.statementRows(ctx, `SELECT DISTINCT ON (currency) `+statementColumns+` FROM payouts
		WHERE tenant_id = ? AND payout_date < ? AND `+cond+`
		ORDER BY currency, payout_date DESC, payment_reference DESC`, append([]any{tenant, t}, args...)...)
}

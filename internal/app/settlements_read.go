package app

import (
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// newSettlementReader wires the settlements read side: the store scoped in
// SQL, and Klarna's own payout reports fetched on behalf of the partner
// (none without a Klarna client).
func newSettlementReader(db *postgres.DB, kl *klarna.Client) *settlement.Reader {
	var reports settlement.Reports
	if kl != nil {
		reports = kl
	}
	return settlement.NewReader(db.SettlementReads(), reports)
}

package app

import (
	"fmt"

	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// DemoSettlements are the demo partners' past payouts, by slug: six weeks
// of weekly payouts each, the demo disputes' fees and withheld amounts in
// the weeks they were opened, and a dispute lost with its chargeback.
// Aurora's fourth payout is the demo's deliberate mismatch (its fee total
// says 25.00 more than its fee lines), so the payouts list has one that
// does not reconcile; its second week withholds a disputed 7 500.00, more
// than that week's sales, so nothing is paid out and the debt is carried
// forward to the next payout. The simulator's traffic adds a payout per
// partner and simulated day after these.
var DemoSettlements = map[string]klarnasim.SettlementHistory{
	"aurora":   {Weeks: 6, MismatchWeek: 4, ChargebackWeek: 2, ChargebackAmount: 750000},
	"borealis": {Weeks: 6, ChargebackWeek: 3, ChargebackAmount: 54900},
}

// SeedSimulatorSettlements makes the demo payouts at the simulator for each
// partner that has none yet. Their settlement.report.created webhooks reach
// a Partner Desk already subscribed; dev seeds them before it subscribes
// (before the simulator's traffic settles today's business), and the
// periodic settlement sync reads them in when Partner Desk starts. The
// demo disputes opened later are settled by the traffic's next payout.
// Every capture is a payment's; their webhooks, which reached nobody, are
// sent by SeedSimulatorPayments once Partner Desk subscribed.
func SeedSimulatorSettlements(sim *klarnasim.Sim) error {
	// The history's captures are payments: their habits first.
	if err := setDemoPaymentHabits(sim); err != nil {
		return err
	}
	for _, slug := range []string{"aurora", "borealis"} {
		h := DemoSettlements[slug]
		id, ok := sim.PartnerAccountID(slug)
		if !ok {
			continue
		}
		h.PartnerAccountID = id
		if _, err := sim.SeedSettlementHistory(h); err != nil {
			return fmt.Errorf("demo settlements of %s: %w", slug, err)
		}
	}
	return nil
}

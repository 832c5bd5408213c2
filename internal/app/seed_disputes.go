package app

import (
	"fmt"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// DemoDispute is a dispute the demo opens at the simulator: opened Age ago
// (its deadline follows from the reason's window), walked to State.
type DemoDispute struct {
	Reason   string
	Amount   int64
	Age      time.Duration
	State    string
	Scenario string
}

// DemoDisputes are the demo partners' disputes, by slug: some close to
// their deadline (under 24 h, under 72 h), some waiting on Klarna, some
// closed, so the queue, its badges, the reminders and the analytics have
// real content from the first start. The simulator's traffic adds more.
var DemoDisputes = map[string][]DemoDispute{
	"aurora": {
		{Reason: klarna.ReasonNotReceived, Amount: 12900, Age: 21*24*time.Hour - 10*time.Hour},         // 10 h left
		{Reason: klarna.ReasonPurchaseUnauthorized, Amount: 45900, Age: 7*24*time.Hour - 50*time.Hour}, // 50 h left
		{Reason: klarna.ReasonDefectiveOrNotAsDescribed, Amount: 8450, Age: 2 * 24 * time.Hour, Scenario: klarnasim.ScenarioWinOnEvidence},
		{Reason: klarna.ReasonRefundNotProcessed, Amount: 3200, Age: 3 * time.Hour, State: "REPRESENTMENT"}, // evidence sent 2 h ago, under review
		{Reason: klarna.ReasonIncorrectAmount, Amount: 15000, Age: 12 * 24 * time.Hour, State: "PRE_ARBITRATION"},
		{Reason: klarna.ReasonNotReceived, Amount: 6700, Age: 30 * 24 * time.Hour, State: "CLOSED"},
		{Reason: klarna.ReasonNotReceived, Amount: 21000, Age: 26 * 24 * time.Hour, Scenario: klarnasim.ScenarioLoseOnExpiry}, // missed: closes LOST
	},
	"borealis": {
		{Reason: klarna.ReasonPurchaseHighRisk, Amount: 129900, Age: 80 * time.Hour}, // 16 h left
		{Reason: klarna.ReasonNotReceived, Amount: 54900, Age: 19 * 24 * time.Hour},  // 2 days left
		{Reason: klarna.ReasonDefectiveOrNotAsDescribed, Amount: 23900, Age: 40 * 24 * time.Hour, State: "CLOSED"},
	},
}

// SeedSimulatorDisputes opens the demo disputes at the simulator for each
// partner that does not have them yet; their webhooks bring them into Partner Desk
// (and the periodic sync, should one be lost).
func SeedSimulatorDisputes(sim *klarnasim.Sim) error {
	for slug, ds := range DemoDisputes {
		id, ok := sim.PartnerAccountID(slug)
		// Once per partner: the first demo dispute marks them seeded (the
		// settlement history opens a dispute of its own before this runs).
		if !ok || len(ds) == 0 || sim.HasDispute(id, ds[0].Reason, ds[0].Amount) {
			continue
		}
		now := sim.Clock().Now()
		for _, d := range ds {
			if _, err := sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: id, Reason: d.Reason, Amount: d.Amount,
				CreatedAt: now.Add(-d.Age), State: d.State, Scenario: d.Scenario}); err != nil {
				return fmt.Errorf("demo disputes of %s: %w", slug, err)
			}
		}
	}
	return nil
}

package app

import (
	"fmt"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// DemoPaymentHabits shape each demo partner's simulated payments, by slug:
// Borealis often forgets the interoperability token of customers who came
// from express checkout, sign in with Klarna or on-site messaging, so the
// integration health page has a partner to point at; Aurora rarely does.
var DemoPaymentHabits = map[string]klarnasim.PaymentHabits{
	"aurora":   {InteropMissRate: 0.03},
	"borealis": {InteropMissRate: 0.4},
}

// DemoPayment is a payment the demo makes at the simulator on purpose:
// decided Age ago along Flow, captured when Capture is set. Its purchase
// reference marks it (and the partner as seeded).
type DemoPayment struct {
	PurchaseReference string
	Flow              string
	Amount            int64
	Age               time.Duration
	Capture           bool
	// InteropMissing: the customer came from express checkout and the
	// request carried no interoperability token.
	InteropMissing bool
}

// DemoPayments are each demo partner's deliberate cases, besides the
// payments behind the settlement history and the disputes: an
// authorization never captured (flagged once over a week old), a declined
// and an expired request, a recurring payment with its customer token and
// one that came without the interoperability token.
var DemoPayments = map[string][]DemoPayment{
	"aurora": {
		{PurchaseReference: "ORD-DEMO-A1", Flow: klarnasim.FlowHosted, Amount: 74900, Age: 9 * 24 * time.Hour},
		{PurchaseReference: "ORD-DEMO-A2", Flow: klarnasim.FlowDeclined, Amount: 219900, Age: 2 * 24 * time.Hour},
		{PurchaseReference: "ORD-DEMO-A3", Flow: klarnasim.FlowExpired, Amount: 15900, Age: 30 * time.Hour},
		{PurchaseReference: "ORD-DEMO-A4", Flow: klarnasim.FlowRecurring, Amount: 9900, Age: 3 * 24 * time.Hour, Capture: true},
		{PurchaseReference: "ORD-DEMO-A5", Flow: klarnasim.FlowHostedPrepared, Amount: 45900, Age: 26 * time.Hour, Capture: true, InteropMissing: true},
	},
	"borealis": {
		{PurchaseReference: "ORD-DEMO-B1", Flow: klarnasim.FlowServerSide, Amount: 189000, Age: 11 * 24 * time.Hour},
		{PurchaseReference: "ORD-DEMO-B2", Flow: klarnasim.FlowDeclined, Amount: 64900, Age: 20 * time.Hour},
		{PurchaseReference: "ORD-DEMO-B3", Flow: klarnasim.FlowExpired, Amount: 32000, Age: 4 * 24 * time.Hour},
		{PurchaseReference: "ORD-DEMO-B4", Flow: klarnasim.FlowRecurringServerSide, Amount: 29900, Age: 5 * 24 * time.Hour, Capture: true},
		{PurchaseReference: "ORD-DEMO-B5", Flow: klarnasim.FlowCanceled, Amount: 12500, Age: 6 * time.Hour},
	},
}

// setDemoPaymentHabits gives the demo partners their habits at the
// simulator (before the settlement history makes their past payments).
func setDemoPaymentHabits(sim *klarnasim.Sim) error {
	for _, slug := range []string{"aurora", "borealis"} {
		id, ok := sim.PartnerAccountID(slug)
		if !ok {
			continue
		}
		if err := sim.SetPaymentHabits(id, DemoPaymentHabits[slug]); err != nil {
			return fmt.Errorf("payment habits of %s: %w", slug, err)
		}
	}
	return nil
}

// SeedSimulatorPayments brings the demo partners' payments into Partner
// Desk: it sends the webhooks of the payments the simulator made before
// Partner Desk subscribed (those behind the settlement history and the
// traffic since the simulator started), then makes the deliberate demo
// cases of each partner that does not have them yet, sent at once. Run it
// once subscribed.
func SeedSimulatorPayments(sim *klarnasim.Sim) error {
	for _, slug := range []string{"aurora", "borealis"} {
		id, ok := sim.PartnerAccountID(slug)
		if !ok {
			continue
		}
		if _, err := sim.EmitPaymentHistory(id); err != nil {
			return fmt.Errorf("payment history of %s: %w", slug, err)
		}
		seeded := map[string]bool{}
		for _, p := range sim.Payments(id) {
			seeded[p.PurchaseReference] = true
		}
		now := sim.Clock().Now()
		for _, d := range DemoPayments[slug] {
			if seeded[d.PurchaseReference] {
				continue
			}
			spec := klarnasim.PaymentSpec{PartnerAccountID: id, Flow: d.Flow, Amount: d.Amount, PurchaseReference: d.PurchaseReference,
				Capture: d.Capture, At: now.Add(-d.Age)}
			if d.InteropMissing {
				spec.InteroperabilitySource, spec.InteroperabilityTokenMissing = "EXPRESS_CHECKOUT", true
			}
			if _, err := sim.CreatePayment(spec); err != nil {
				return fmt.Errorf("demo payment %s of %s: %w", d.PurchaseReference, slug, err)
			}
		}
	}
	return nil
}

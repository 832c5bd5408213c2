package app_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/payment"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// A payment the simulator makes, its webhooks sent latest first, is
// followed into Partner Desk: its request states in Klarna's order, the
// settlement lines of its capture and of the dispute opened on it (with the
// payout they landed in), the dispute's timeline, the money they come to;
// an authorization the simulator never captured is flagged a week on; the
// health page counts both and the payout's settlement lag.
func TestSimulatedPaymentTimelineJoinsLinesAndDispute(t *testing.T) {
	t.Parallel()
	sim, kc := settlementSim(t)
	a := settlementApp(t, kc, true)
	aurora, ok := sim.PartnerAccountID("aurora")
	if !ok {
		t.Fatal("no aurora at the simulator")
	}
	paid, err := sim.CreatePayment(klarnasim.PaymentSpec{PartnerAccountID: aurora, Flow: klarnasim.FlowHostedPrepared, Amount: 45900,
		Capture: true, OutOfOrder: true, At: time.Now().Add(-3 * time.Hour), InteroperabilitySource: "EXPRESS_CHECKOUT"})
	if err != nil {
		t.Fatal(err)
	}
	forgotten, err := sim.CreatePayment(klarnasim.PaymentSpec{PartnerAccountID: aurora, Flow: klarnasim.FlowHosted, Amount: 12000,
		At: time.Now().Add(-9 * 24 * time.Hour), InteroperabilitySource: "NONE"})
	if err != nil {
		t.Fatal(err)
	}
	disputes, err := sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: aurora, Amount: 20000, HoldPolicy: "ON_DISPUTE_INITIATED"})
	if err != nil {
		t.Fatal(err)
	}
	refs, err := sim.RunSettlement(aurora)
	if err != nil || len(refs) == 0 {
		t.Fatalf("settlement: %v %v", refs, err)
	}

	svc := payment.New(payment.Options{Store: a.DB.Payments()})
	var tl payment.Timeline
	waitUntil(t, "the payment, its lines and its dispute reached Partner Desk", 30*time.Second, func() (bool, string) {
		tl, err = svc.Timeline(t.Context(), scope.All(), paid.PaymentRequestID)
		if err != nil {
			return false, err.Error()
		}
		return len(tl.States) == len(paid.States) && len(tl.Lines) >= 4 && len(tl.Disputes) == 1,
			fmt.Sprintf("%d states, %d lines, %d disputes", len(tl.States), len(tl.Lines), len(tl.Disputes))
	})
	p := tl.Payment
	if p.State != klarna.PaymentAuthorized || p.TransactionID != paid.PaymentTransactionID || p.OrderID != paid.OrderID || p.Reference != paid.PaymentRequestReference {
		t.Fatalf("payment %+v, simulator's %+v", p, paid)
	}
	if p.IntegrationPath != klarna.IntegrationHosted || p.InteropSource != "EXPRESS_CHECKOUT" || !p.InteropToken || p.Amount == nil || *p.Amount != 45900 {
		t.Fatalf("payment facts %+v", p)
	}
	var states []string
	for _, s := range tl.States {
		states = append(states, s.State)
	}
	if !slices.Equal(states, paid.States) {
		t.Fatalf("states %v, the simulator's %v", states, paid.States)
	}
	if tl.Disputes[0].ID != disputes[0] || len(tl.Disputes[0].Events) == 0 || tl.Disputes[0].DeadlineAt == nil {
		t.Fatalf("dispute %+v, opened %v", tl.Disputes[0], disputes)
	}
	types := map[string]int{}
	for _, l := range tl.Lines {
		types[l.Type]++
		if !slices.Contains(refs, l.PaymentReference) || l.PayoutDate.IsZero() {
			t.Errorf("line %+v is not in the settlement's payouts %v", l, refs)
		}
		if (l.Type == klarna.TxHoldback || l.DetailedType == "DISPUTE_FEE") && l.ReversalReference != disputes[0] {
			t.Errorf("dispute line %+v does not name the dispute", l)
		}
	}
	if types[klarna.TxSale] != 1 || types[klarna.TxFee] != 2 || types[klarna.TxHoldback] != 1 {
		t.Fatalf("line types %v", types)
	}
	if m := tl.Money; m.Authorized != 45900 || m.Captured != 45900 || m.Withheld != 20000 || m.Fees <= 0 || m.Settled != 45900-m.Fees-20000 {
		t.Fatalf("money %+v", m)
	}
	if len(tl.Flags) != 0 {
		t.Fatalf("flags on a payment that adds up: %+v", tl.Flags)
	}
	kinds := map[string]int{}
	for _, e := range tl.Entries() {
		kinds[e.Kind]++
	}
	if kinds["state"] != len(paid.States) || kinds["line"] != len(tl.Lines) || kinds["dispute"] != len(tl.Disputes[0].Events) {
		t.Fatalf("timeline entries %v", kinds)
	}

	var old payment.Timeline
	waitUntil(t, "the uncaptured authorization reached Partner Desk", 30*time.Second, func() (bool, string) {
		old, err = svc.Timeline(t.Context(), scope.All(), forgotten.PaymentRequestID)
		if err != nil {
			return false, err.Error()
		}
		return len(old.States) == len(forgotten.States), fmt.Sprintf("%d of %d states", len(old.States), len(forgotten.States))
	})
	if len(old.Lines) != 0 || len(old.Flags) != 1 || old.Flags[0].Code != payment.FlagNotSettled {
		t.Fatalf("an authorization never captured: lines %v flags %+v", old.Lines, old.Flags)
	}

	h, err := svc.Health(t.Context(), scope.All(), payment.HealthFilter{From: time.Now().AddDate(0, 0, -30), To: time.Now().AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if h.Totals.Payments < 2 || h.Totals.InteropExpected < 1 || h.Totals.SaleLagLines < 1 || h.Rates.SettlementLagDays == nil {
		t.Fatalf("health totals %+v rates %+v", h.Totals, h.Rates)
	}
}

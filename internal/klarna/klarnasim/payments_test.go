package klarnasim

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// subscribeForTest adds an enabled webhook for the event types, as the
// create call would; its deliveries stay queued unless RunDue fires them.
func subscribeForTest(t *testing.T, s *Sim, types ...string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	k := &klarna.SigningKey{SigningKeyID: "krn:partner:global:notification:signing-key:test", SigningKey: "sk_test"}
	s.st.SigningKeys[k.SigningKeyID] = k
	id := "krn:partner:global:notification:webhook:test"
	s.st.Webhooks[id] = &klarna.Webhook{WebhookID: id, URL: "http://127.0.0.1:9/hooks", EventTypes: types, EventVersion: "v1",
		SigningKeyID: k.SigningKeyID, Status: "ENABLED"}
}

type sentPayment struct {
	Meta klarna.WebhookMetadata
	P    klarna.PaymentRequestEventPayload
}

// sentPayments are the payment request events queued for delivery, in the
// order they were sent.
func sentPayments(t *testing.T, s *Sim) []sentPayment {
	t.Helper()
	s.mu.RLock()
	events := append([]eventRec(nil), s.st.Events...)
	s.mu.RUnlock()
	bodies := map[string][]byte{}
	s.hooks.mu.Lock()
	for _, d := range s.hooks.pending {
		bodies[d.eventID] = d.body
	}
	s.hooks.mu.Unlock()
	var out []sentPayment
	for _, ev := range events {
		if !strings.HasPrefix(ev.EventType, klarna.EventPaymentRequestPrefix) {
			continue
		}
		var env klarna.WebhookEnvelope
		if err := json.Unmarshal(bodies[ev.EventID], &env); err != nil {
			t.Fatalf("event %s: %v", ev.EventID, err)
		}
		var sp sentPayment
		sp.Meta = env.Metadata
		if err := env.DecodePayload(&sp.P); err != nil {
			t.Fatal(err)
		}
		if len(sp.P.Extra) > 0 {
			t.Fatalf("payload fields the client does not model: %v", sp.P.Extra)
		}
		out = append(out, sp)
	}
	return out
}

func operationalPartner(t *testing.T, s *Sim) string {
	t.Helper()
	p, err := s.SeedPartner(PartnerSpec{Operational: true})
	if err != nil {
		t.Fatal(err)
	}
	return p.PartnerAccountID
}

// Each flow sends its states in order, one webhook each, with the ids,
// amount, contexts and times of one payment request.
func TestPaymentFlows_SendTheirStatesInOrder(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	partner := operationalPartner(t, s)
	subscribeForTest(t, s, "payment.request.*")
	want := map[string][]string{
		FlowHosted:              {"SUBMITTED", "IN_PROGRESS", "AUTHORIZED"},
		FlowHostedPrepared:      {"SUBMITTED", "PREPARED", "IN_PROGRESS", "PENDING_CONFIRMATION", "AUTHORIZED"},
		FlowServerSide:          {"SUBMITTED", "IN_PROGRESS", "COMPLETED"},
		FlowRecurring:           {"SUBMITTED", "IN_PROGRESS", "COMPLETED"},
		FlowRecurringServerSide: {"SUBMITTED", "IN_PROGRESS", "COMPLETED"},
		FlowDeclined:            {"SUBMITTED", "IN_PROGRESS", "DECLINED"},
		FlowCanceled:            {"SUBMITTED", "CANCELED"},
	}
	seen := 0
	for _, flow := range PaymentFlows {
		info, err := s.CreatePayment(PaymentSpec{PartnerAccountID: partner, Flow: flow, Amount: 34500})
		if err != nil {
			t.Fatalf("%s: %v", flow, err)
		}
		all := sentPayments(t, s)
		got := all[seen:]
		seen = len(all)
		var states []string
		for i, ev := range got {
			p := ev.P
			states = append(states, p.State)
			if ev.Meta.EventType != klarna.PaymentEventType(p.State) || ev.Meta.EventVersion != "v1" || ev.Meta.SubjectAccountID != partner {
				t.Fatalf("%s: metadata %+v", flow, ev.Meta)
			}
			if p.PaymentRequestID != info.PaymentRequestID || !strings.HasPrefix(p.PaymentRequestID, "krn:payment:eu1:request:") ||
				!strings.HasPrefix(p.PaymentRequestReference, "pr-") || p.PurchaseReference != info.PurchaseReference {
				t.Fatalf("%s: ids %+v, created %+v", flow, p, info)
			}
			if p.Amount == nil || *p.Amount != 34500 || p.Currency != "SEK" || p.PaymentAccountID == "" || p.PaymentAccountReference == "" || p.RequestContext == nil {
				t.Fatalf("%s: %+v", flow, p)
			}
			if !ev.Meta.OccurredAt.Equal(p.UpdatedAt.Time) || p.UpdatedAt.Before(p.CreatedAt.Time) || p.UpdatedAt.After(s.clock.Now()) {
				t.Fatalf("%s: times %s, %s, %s", flow, ev.Meta.OccurredAt, p.CreatedAt, p.UpdatedAt)
			}
			if i == 0 {
				if p.PreviousState != "" || !p.UpdatedAt.Equal(p.CreatedAt.Time) {
					t.Fatalf("%s: first state %+v", flow, p)
				}
				continue
			}
			prev := got[i-1].P
			if p.PreviousState != prev.State || !p.UpdatedAt.After(prev.UpdatedAt.Time) || p.UpdatedAt.Sub(prev.UpdatedAt.Time) > 31*time.Minute {
				t.Fatalf("%s: %s after %s at %s, %s", flow, p.State, prev.State, prev.UpdatedAt, p.UpdatedAt)
			}
		}
		final := got[len(got)-1].P
		switch flow {
		case FlowExpired:
			if (len(states) != 2 && len(states) != 3) || states[0] != "SUBMITTED" || final.State != "EXPIRED" || !final.UpdatedAt.Equal(final.ExpiresAt.Time) {
				t.Fatalf("expired: %v, %+v", states, final)
			}
		default:
			if !slices.Equal(states, want[flow]) {
				t.Fatalf("%s: %v, want %v", flow, states, want[flow])
			}
		}
		if info.State != final.State || !slices.Equal(info.States, states) || info.Sent != len(states) {
			t.Fatalf("%s: reported %+v", flow, info)
		}
		ctx, rc := final.StateContext, final.RequestContext
		switch flow {
		case FlowHosted, FlowHostedPrepared, FlowServerSide, FlowRecurring, FlowRecurringServerSide:
			if ctx == nil || ctx.PaymentTransactionID != "krn:payment:eu1:authorization:"+ctx.OrderID || klarna.OrderIDOfTransaction(ctx.PaymentTransactionID) != ctx.OrderID ||
				ctx.OrderID != info.OrderID || info.PaymentTransactionID != ctx.PaymentTransactionID {
				t.Fatalf("%s: state context %+v (%+v)", flow, ctx, info)
			}
			for _, ev := range got[:len(got)-1] {
				if ev.P.StateContext != nil {
					t.Fatalf("%s: %s carries a state context", flow, ev.P.State)
				}
			}
		default:
			if ctx != nil || info.OrderID != "" {
				t.Fatalf("%s: state context %+v", flow, ctx)
			}
		}
		serverSide := flow == FlowServerSide || flow == FlowRecurringServerSide
		recurring := flow == FlowRecurring || flow == FlowRecurringServerSide
		if serverSide && (rc.IntegrationPath != klarna.IntegrationServerSide || ctx.KlarnaNetworkSessionToken == "") {
			t.Fatalf("%s: %+v %+v", flow, rc, ctx)
		}
		if (flow == FlowHosted || flow == FlowHostedPrepared || flow == FlowRecurring) && (rc.IntegrationPath != klarna.IntegrationHosted || ctx.KlarnaNetworkSessionToken != "") {
			t.Fatalf("%s: %+v %+v", flow, rc, ctx)
		}
		if recurring != (rc.PaymentType == klarna.PaymentRecurring) || (recurring && ctx.CustomerToken == "") || (!recurring && ctx != nil && ctx.CustomerToken != "") {
			t.Fatalf("%s: %+v %+v", flow, rc, ctx)
		}
		switch flow {
		case FlowDeclined:
			if final.StateReason != "CUSTOMER_DECLINED" && final.StateReason != "RISK_DECLINED" {
				t.Fatalf("declined for %q", final.StateReason)
			}
		case FlowCanceled:
			if final.StateReason != "PARTNER_CANCELED" {
				t.Fatalf("canceled for %q", final.StateReason)
			}
		}
	}
	if _, err := s.CreatePayment(PaymentSpec{PartnerAccountID: partner, Flow: "teleport"}); err == nil {
		t.Fatal("an unknown flow was accepted")
	}
	if _, err := s.CreatePayment(PaymentSpec{PartnerAccountID: partner, Flow: FlowDeclined, Capture: true}); err == nil {
		t.Fatal("a declined payment was captured")
	}
}

// A captured payment's SALE and FEE lines name its order and purchase
// reference, for its amount, sold when it was authorized; every sale the
// simulator records is a captured payment's.
func TestCapturedPayment_LinesCarryItsOrder(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	partner := operationalPartner(t, s)
	order, err := s.Capture(partner, 25000)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.CreatePayment(PaymentSpec{PartnerAccountID: partner, Flow: FlowServerSide, Amount: 7700, Capture: true, At: s.clock.Now().Add(-3 * time.Hour)})
	if err != nil || !info.Captured {
		t.Fatalf("%+v %v", info, err)
	}
	for _, o := range []string{order, info.OrderID} {
		p := s.st.paymentIdx.byOrder[o]
		if p == nil || !p.authorized() || p.CaptureID == "" {
			t.Fatalf("order %s has no captured payment: %+v", o, p)
		}
		var types []string
		for _, ln := range s.st.Ledger.Pending[partner] {
			if ln.T.OrderID != o {
				continue
			}
			types = append(types, ln.T.Type)
			if ln.T.MerchantReference1 != p.PurchaseReference || ln.T.CaptureID == nil || *ln.T.CaptureID != p.CaptureID ||
				!ln.T.SaleDate.Equal(p.authorizedAt()) || !ln.T.CaptureDate.Equal(p.CapturedAt) || ln.T.CaptureDate.Before(ln.T.SaleDate.Time) {
				t.Fatalf("line %+v of payment %+v", ln.T, p)
			}
			if ln.T.Type == klarna.TxSale && ln.T.Amount != p.Amount {
				t.Fatalf("sale of %d for a payment of %d", ln.T.Amount, p.Amount)
			}
		}
		if !slices.Equal(types, []string{klarna.TxSale, klarna.TxFee}) {
			t.Fatalf("order %s lines %v", o, types)
		}
	}
	if p := s.st.paymentIdx.byOrder[info.OrderID]; !p.CapturedAt.Equal(p.authorizedAt().Add(time.Hour)) {
		t.Fatalf("captured at %s, authorized at %s", p.CapturedAt, p.authorizedAt())
	}

	// Weeks of history and a day of traffic: every sale is a payment's.
	if _, err := s.SeedSettlementHistory(SettlementHistory{PartnerAccountID: partner, Weeks: 3, ChargebackWeek: 2, ChargebackAmount: 600000}); err != nil {
		t.Fatal(err)
	}
	for range 30 {
		s.trafficTick()
		s.clock.Advance(time.Hour)
	}
	lines := append([]*lineRec(nil), s.st.Ledger.Lines...)
	lines = append(lines, s.st.Ledger.Pending[partner]...)
	sales, failed := 0, 0
	for _, ln := range lines {
		if ln.T.Type != klarna.TxSale {
			continue
		}
		sales++
		p := s.st.paymentIdx.byOrder[ln.T.OrderID]
		if p == nil || !p.authorized() || p.PurchaseReference != ln.T.MerchantReference1 || p.Amount != ln.T.Amount || p.CaptureID != *ln.T.CaptureID {
			t.Fatalf("sale %+v belongs to no payment (%+v)", ln.T, p)
		}
	}
	states := map[string]int{}
	for _, p := range s.st.Payments {
		states[p.state()]++
		if !p.authorized() {
			failed++
		}
		if p.state() == klarna.PaymentSubmitted || p.state() == klarna.PaymentInProgress {
			t.Fatalf("payment left undecided: %+v", p)
		}
	}
	if sales < 40 || failed == 0 || states[klarna.PaymentDeclined] == 0 {
		t.Fatalf("%d sales; payments by state %v", sales, states)
	}
}

// A dispute is about a captured payment of its partner: the traffic's and
// a seeded one's about an existing one, one no payment fits about a new
// one, authorized and captured days before it.
func TestDisputes_AboutCapturedPayments(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	partner := operationalPartner(t, s)
	check := func(d *dispute) *paymentRec {
		t.Helper()
		p := s.st.paymentIdx.byOrder[d.D.OrderID]
		if p == nil || p.Partner != d.Partner || p.CaptureID == "" || d.D.PaymentTransactionID != p.TransactionID ||
			d.D.PaymentTransactionID != "krn:payment:eu1:authorization:"+d.D.OrderID || d.D.PurchaseReference != p.PurchaseReference ||
			d.D.DisputeDetails.Currency != p.Currency || d.D.DisputeDetails.DisputeAmount > p.Amount || d.D.DisputeDetails.DisputeAmount <= 0 ||
			d.D.PaymentAccountID != p.PaymentAccountID || p.CapturedAt.After(d.D.CreatedAt.Time) {
			t.Fatalf("dispute %+v about payment %+v", d.D, p)
		}
		return p
	}
	for i := 0; len(s.st.Disputes) < 3; i++ {
		if i > 400 {
			t.Fatal("the traffic opened no disputes")
		}
		s.trafficTick()
		s.clock.Advance(10 * time.Minute)
	}
	payments := len(s.st.Payments)
	for _, d := range s.st.Disputes {
		check(d)
	}

	// An amount some capture covers: about that one, no new payment.
	var biggest int64
	for _, p := range s.st.paymentIdx.captured[partner] {
		if len(s.st.disputeIdx.byRef["o:"+p.OrderID]) == 0 {
			biggest = max(biggest, p.Amount)
		}
	}
	ids, err := s.OpenDisputes(DisputeSpec{PartnerAccountID: partner, Amount: biggest})
	if err != nil {
		t.Fatal(err)
	}
	if check(s.st.Disputes[ids[0]]); len(s.st.Payments) != payments {
		t.Fatalf("a payment was made for a dispute an existing one covers")
	}

	// More than any sale, backdated: a payment of its own, days before.
	created := s.clock.Now().Add(-20 * 24 * time.Hour)
	ids, err = s.OpenDisputes(DisputeSpec{PartnerAccountID: partner, Amount: 999900, CreatedAt: created})
	if err != nil {
		t.Fatal(err)
	}
	d := s.st.Disputes[ids[0]]
	p := check(d)
	if p.Amount != 999900 || created.Sub(p.authorizedAt()) < 48*time.Hour || created.Sub(p.authorizedAt()) > 5*24*time.Hour+time.Minute {
		t.Fatalf("its payment %+v, the dispute opened %s", p, created)
	}
	var sale bool
	for _, ln := range s.st.Ledger.Pending[partner] {
		if ln.T.OrderID == p.OrderID && ln.T.Type == klarna.TxSale && ln.T.Amount == 999900 {
			sale = true
		}
		if ln.T.OrderID == p.OrderID && ln.T.DetailedType == "DISPUTE_FEE" && !ln.T.SaleDate.Equal(p.authorizedAt()) {
			t.Fatalf("the dispute fee's sale date %s, authorized %s", ln.T.SaleDate, p.authorizedAt())
		}
	}
	if !sale {
		t.Fatal("the dispute's payment has no sale")
	}

	// Silent bulk disputes make no payments.
	before := len(s.st.Payments)
	if _, err := s.OpenDisputes(DisputeSpec{PartnerAccountID: partner, Count: 500, Silent: true}); err != nil {
		t.Fatal(err)
	}
	if len(s.st.Payments) != before {
		t.Fatalf("silent disputes made %d payments", len(s.st.Payments)-before)
	}
}

// Payments made before a subscription are sent by EmitPaymentHistory,
// oldest first, each state once; those made while one exists go at once.
// They survive a restart.
func TestEmitPaymentHistory_SendsEachEventOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sim.json")
	s, err := New(Options{SnapshotFile: file})
	if err != nil {
		t.Fatal(err)
	}
	partner := operationalPartner(t, s)
	other := operationalPartner(t, s)
	if _, err := s.SeedSettlementHistory(SettlementHistory{PartnerAccountID: partner, Weeks: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Capture(other, 1000); err != nil {
		t.Fatal(err)
	}
	if n, err := s.EmitPaymentHistory(partner); err != nil || n != 0 {
		t.Fatalf("sent %d (%v) with no subscription", n, err)
	}
	states := 0
	for _, p := range s.Payments(partner) {
		states += len(p.States)
	}
	if states < 2*12*3 {
		t.Fatalf("%d states of history", states)
	}
	subscribeForTest(t, s, "payment.dispute.*", "payment.request.*")
	n, err := s.EmitPaymentHistory(partner)
	if err != nil || n != states {
		t.Fatalf("sent %d of %d (%v)", n, states, err)
	}
	sent := sentPayments(t, s)
	if len(sent) != states {
		t.Fatalf("%d events for %d states", len(sent), states)
	}
	byPayment := map[string][]string{}
	for i, ev := range sent {
		if ev.Meta.SubjectAccountID != partner || (i > 0 && ev.P.UpdatedAt.Before(sent[i-1].P.UpdatedAt.Time)) || !ev.Meta.OccurredAt.Equal(ev.P.UpdatedAt.Time) {
			t.Fatalf("event %d: %+v %+v", i, ev.Meta, ev.P)
		}
		byPayment[ev.P.PaymentRequestID] = append(byPayment[ev.P.PaymentRequestID], ev.P.State)
	}
	for _, p := range s.Payments(partner) {
		if !slices.Equal(byPayment[p.PaymentRequestID], p.States) || p.Sent != len(p.States) {
			t.Fatalf("payment %s sent %v of %v", p.PaymentRequestID, byPayment[p.PaymentRequestID], p.States)
		}
	}
	if n, _ := s.EmitPaymentHistory(partner); n != 0 {
		t.Fatalf("sent %d again", n)
	}
	if _, err := s.CreatePayment(PaymentSpec{PartnerAccountID: partner}); err != nil {
		t.Fatal(err)
	}
	if got := len(sentPayments(t, s)); got != states+3 {
		t.Fatalf("a payment made while subscribed sent %d events", got-states)
	}
	if n, _ := s.EmitPaymentHistory(partner); n != 0 {
		t.Fatalf("sent %d again", n)
	}
	if n, _ := s.EmitPaymentHistory(other); n != 3 {
		t.Fatalf("the other partner's capture sent %d", n)
	}
	if _, err := s.EmitPaymentHistory("krn:partner:global:account:test:NOPE"); err == nil {
		t.Fatal("an unknown partner")
	}

	want := s.Payments(partner)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := New(Options{SnapshotFile: file})
	if err != nil {
		t.Fatal(err)
	}
	got := s2.Payments(partner)
	if len(got) != len(want) || got[0].PaymentRequestID != want[0].PaymentRequestID || got[len(got)-1].Sent != 3 || s2.Stats().Payments != len(want)+1 {
		t.Fatalf("after restart: %d payments, want %d; last %+v; stats %d", len(got), len(want), got[len(got)-1], s2.Stats().Payments)
	}
	for _, p := range got {
		if p.Captured && s2.st.paymentIdx.byOrder[p.OrderID] == nil {
			t.Fatalf("order %s lost from the index", p.OrderID)
		}
	}
	if n, _ := s2.EmitPaymentHistory(partner); n != 0 {
		t.Fatalf("sent %d again after restart", n)
	}
}

// POST /_sim/payments makes a payment along a named flow, captured on
// request, its states sent latest first on request.
func TestControlAPI_Payments(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	partner := operationalPartner(t, s)
	subscribeForTest(t, s, "payment.*")
	st, out := call(t, srv, "POST", "/_sim/payments", map[string]any{"partner_account_id": partner, "flow": "HOSTED_PREPARED", "amount": 45900,
		"capture": true, "out_of_order": true})
	if st != 201 || out["state"] != "AUTHORIZED" || out["captured"] != true || out["amount"].(float64) != 45900 {
		t.Fatalf("%d %v", st, out)
	}
	order, tx := out["order_id"].(string), out["payment_transaction_id"].(string)
	if !strings.HasPrefix(out["payment_request_id"].(string), "krn:payment:eu1:request:") || tx != "krn:payment:eu1:authorization:"+order {
		t.Fatalf("ids %v", out)
	}
	var states []string
	for _, ev := range sentPayments(t, s) {
		states = append(states, ev.P.State)
	}
	if !slices.Equal(states, []string{"AUTHORIZED", "PENDING_CONFIRMATION", "IN_PROGRESS", "PREPARED", "SUBMITTED"}) {
		t.Fatalf("sent %v, want latest first", states)
	}
	var sale bool
	for _, ln := range s.st.Ledger.Pending[partner] {
		sale = sale || (ln.T.Type == klarna.TxSale && ln.T.OrderID == order && ln.T.Amount == 45900)
	}
	if !sale {
		t.Fatal("the capture made no sale")
	}
	if st, out := call(t, srv, "GET", "/_sim/payments?partner_account_id="+partner, nil); st != 200 || len(out["payments"].([]any)) != 1 {
		t.Fatalf("list %d %v", st, out)
	}
	if st, out := call(t, srv, "POST", "/_sim/payments/history", map[string]any{"partner_account_id": partner}); st != 200 || out["sent"].(float64) != 0 {
		t.Fatalf("history %d %v", st, out)
	}
	for _, bad := range []map[string]any{{"partner_account_id": partner, "flow": "teleport"}, {"partner_account_id": partner, "flow": "expired", "capture": true}} {
		if st, _ := call(t, srv, "POST", "/_sim/payments", bad); st != 400 {
			t.Fatalf("%v: %d", bad, st)
		}
	}
	if st, _ := call(t, srv, "POST", "/_sim/payments", map[string]any{"partner_account_id": "nope"}); st != 404 {
		t.Fatalf("unknown partner: %d", st)
	}
}

package httpapi_test

import (
	"context"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// paymentEvent is a payment.request.state-change delivery (the payload
// shape of internal/klarna/types_payments.go).
func paymentEvent(id, state string, at time.Time, extra map[string]any) []byte {
	p := map[string]any{"payment_request_id": id, "state": state, "updated_at": at.UTC().Format(time.RFC3339Nano),
		"payment_request_reference": "ref-" + id[len(id)-4:], "amount": 12900, "currency": "EUR"}
	for k, v := range extra {
		p[k] = v
	}
	return event(klarna.PaymentEventType(state), uuid.NewString(), acctA, at, p)
}

func deliverAll(t *testing.T, a *apptest.App, bodies ...[]byte) {
	t.Helper()
	for _, b := range bodies {
		if code, body := deliver(t, a, testKeyID, testSecret, b); code != 200 {
			t.Fatalf("delivery answered %d %s", code, body)
		}
	}
	for _, b := range bodies {
		waitStatus(t, a, eventIDOf(b), webhook.StatusProcessed)
	}
}

// A payment's events, shuffled and one delivered twice, give its final
// state and every state once; its settlement lines (with their payout) and
// its dispute join its timeline; an authorization that never settled is
// flagged; a state Klarna adds is shown as it came; another partner's
// merchant finds none of it.
func TestPaymentsFromWebhooks(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	ctx := context.Background()
	aurora, err := a.DB.Identity().TenantBySlug(ctx, "aurora")
	if err != nil {
		t.Fatal(err)
	}
	const (
		pr    = "krn:payment:eu1:request:0000-aaaa"
		order = "5f0c1e9a-order-0001"
		txn   = "krn:payment:eu1:authorization:" + order
	)
	start := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	ctxFields := map[string]any{"created_at": start.Format(time.RFC3339), "purchase_reference": "ORD-1001",
		"request_context": map[string]any{"integration_path": "HOSTED_CHECKOUT", "payment_type": "ONE_TIME", "interoperability_source": "EXPRESS_CHECKOUT", "interoperability_token_received": true}}
	states := []string{klarna.PaymentSubmitted, klarna.PaymentPrepared, klarna.PaymentInProgress, klarna.PaymentPendingConfirmation, klarna.PaymentAuthorized}
	var bodies [][]byte
	for i, s := range states {
		extra := map[string]any{}
		for k, v := range ctxFields {
			extra[k] = v
		}
		if s == klarna.PaymentAuthorized {
			extra["state_context"] = map[string]any{"payment_transaction_id": txn, "payment_token": "secret-token-never-kept"}
		}
		bodies = append(bodies, paymentEvent(pr, s, start.Add(time.Duration(i)*time.Minute), extra))
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })
	deliverAll(t, a, bodies...)
	deliverAll(t, a, bodies[2]) // Klarna delivers again: same event id, kept once

	// An authorization nine days old that never settled, and a request in a
	// state Partner Desk does not know.
	old := time.Now().Add(-9 * 24 * time.Hour)
	deliverAll(t, a, paymentEvent("krn:payment:eu1:request:0000-bbbb", klarna.PaymentAuthorized, old,
		map[string]any{"state_context": map[string]any{"payment_transaction_id": "krn:payment:eu1:authorization:never-captured"}}))
	deliverAll(t, a, paymentEvent("krn:payment:eu1:request:0000-cccc", klarna.PaymentSubmitted, start, nil),
		event("payment.request.state-change.on-hold", uuid.NewString(), acctA, start.Add(time.Minute),
			map[string]any{"payment_request_id": "krn:payment:eu1:request:0000-cccc", "state": "ON_HOLD", "updated_at": start.Add(time.Minute).Format(time.RFC3339)}))

	// The capture's lines in a payout, and a dispute of the transaction.
	if _, err := a.DB.SQL().ExecContext(ctx, `INSERT INTO payouts (payment_reference, tenant_id, klarna_account_id, payout_date, currency, sale_amount, settlement_amount, object, line_count, lines_complete, reconciled)
		VALUES ('KLPAY0001', $1, $2, now(), 'EUR', 12900, 12900, '{}', 2, true, true)`, aurora.ID, acctA); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.SQL().ExecContext(ctx, `INSERT INTO settlement_lines (payment_reference, tenant_id, line_key, seq, type, detailed_type, amount, vat_amount, currency, order_id, capture_id, capture_date)
		VALUES ('KLPAY0001', $1, 's', 0, 'SALE', 'PURCHASE', 12900, NULL, 'EUR', $2, 'cap-1', $3),
		       ('KLPAY0001', $1, 'f', 1, 'FEE', 'PURCHASE_FEE_PERCENTAGE', 387, 97, 'EUR', $2, 'cap-1', $3)`, aurora.ID, order, start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	opened := start.Add(90 * time.Minute)
	deadline := opened.Add(14 * 24 * time.Hour)
	err = a.DB.InTx(ctx, func(ctx context.Context) error {
		if _, _, err := a.DB.Disputes().Apply(ctx, dispute.Report{Dispute: dispute.Dispute{ID: "krn:network:eu1:test:payment:dispute:77", TenantID: aurora.ID,
			KlarnaAccountID: acctA, State: "INITIATED", Reason: klarna.ReasonNotReceived, Amount: 12900, Currency: "EUR", OrderID: order,
			PaymentTransactionID: txn, OpenedAt: opened, StateAt: opened, KlarnaUpdatedAt: opened, DeadlineAt: &deadline}, HasDeadline: true}); err != nil {
			return err
		}
		return a.DB.Disputes().AddEvent(ctx, dispute.Event{DisputeID: "krn:network:eu1:test:payment:dispute:77", At: opened, Kind: "webhook", State: "INITIATED", Summary: "Klarna reported the dispute opened", EventID: "d-77"})
	})
	if err != nil {
		t.Fatal(err)
	}

	support := a.Login("acquirer-support")
	list := decode[apigen.PaymentPage](t, support.Get("/api/v1/payments"), 200)
	byID := map[string]apigen.PaymentSummary{}
	for _, p := range list.Items {
		byID[p.Id] = p
	}
	p := byID[pr]
	if p.State != "AUTHORIZED" || !p.StateKnown || p.Events != 5 || p.PaymentTransactionId != txn || p.OrderId != order || p.PartnerName == "" {
		t.Fatalf("payment %+v", p)
	}
	if !p.CreatedAt.Equal(start) || p.IntegrationPath != "HOSTED_CHECKOUT" || p.Interoperability != apigen.PaymentSummaryInteroperabilityCarried || p.Reference != "ref-aaaa" {
		t.Fatalf("payment facts %+v", p)
	}
	if u := byID["krn:payment:eu1:request:0000-cccc"]; u.State != "ON_HOLD" || u.StateKnown {
		t.Fatalf("unknown state shown as %q (known %v)", u.State, u.StateKnown)
	}

	// By any id: request id, reference, purchase reference, transaction id, order id.
	for _, q := range []string{pr, "ref-aaaa", "ORD-1001", txn, order} {
		got := decode[apigen.PaymentPage](t, support.Get("/api/v1/payments?q="+url.QueryEscape(q)), 200)
		if len(got.Items) != 1 || got.Items[0].Id != pr {
			t.Errorf("q=%s found %d", q, len(got.Items))
		}
	}
	if got := decode[apigen.PaymentPage](t, support.Get("/api/v1/payments?state=AUTHORIZED&interop=carried"), 200); len(got.Items) != 1 {
		t.Errorf("state+interop filter found %d", len(got.Items))
	}

	tl := decode[apigen.PaymentTimeline](t, support.Get("/api/v1/payments/"+url.PathEscape(pr)), 200)
	if len(tl.States) != 5 || tl.States[0].State != "SUBMITTED" || tl.States[4].State != "AUTHORIZED" {
		t.Fatalf("states %+v", tl.States)
	}
	var kinds []string
	for _, e := range tl.Entries {
		kinds = append(kinds, string(e.Kind)+":"+e.State)
		if e.Kind == "line" && e.PaymentReference != "KLPAY0001" {
			t.Errorf("line entry without its payout: %+v", e)
		}
		if e.Kind == "dispute" && e.DisputeId != "krn:network:eu1:test:payment:dispute:77" {
			t.Errorf("dispute entry without its dispute: %+v", e)
		}
	}
	want := []string{"state:SUBMITTED", "state:PREPARED", "state:IN_PROGRESS", "state:PENDING_CONFIRMATION", "state:AUTHORIZED", "line:SALE", "line:FEE", "dispute:INITIATED"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("timeline %v\nwant %v", kinds, want)
	}
	if m := tl.Money; m.Authorized != 12900 || m.Captured != 12900 || m.Fees != 484 || m.Settled != 12900-484 {
		t.Fatalf("money %+v", m)
	}
	if len(tl.Disputes) != 1 || tl.Disputes[0].DeadlineAt == nil || len(tl.Flags) != 0 {
		t.Fatalf("disputes %+v flags %+v", tl.Disputes, tl.Flags)
	}
	if strings.Contains(string(support.Get("/api/v1/payments/"+url.PathEscape(pr)).Body), "secret-token-never-kept") {
		t.Fatal("the payment token is kept")
	}
	stale := decode[apigen.PaymentTimeline](t, support.Get("/api/v1/payments/"+url.PathEscape("krn:payment:eu1:request:0000-bbbb")), 200)
	if len(stale.Flags) != 1 || stale.Flags[0].Code != apigen.PaymentFlagCodeNotSettled {
		t.Fatalf("an authorization never settled must be flagged: %+v", stale.Flags)
	}

	// Health: aurora's figures as delivered.
	h := decode[apigen.PaymentHealth](t, support.Get("/api/v1/payments/health?from="+time.Now().AddDate(0, 0, -20).Format(time.DateOnly)), 200)
	if h.Totals.Payments != 3 || h.Totals.Authorized != 2 || h.Totals.InteroperabilityExpected != 1 || h.Totals.InteroperabilityCarried != 1 || h.Totals.Hosted != 1 {
		t.Fatalf("health totals %+v", h.Totals)
	}
	if len(h.Partners) != 1 || h.Partners[0].TenantId != aurora.ID || h.Rates.SecondsToAuthorize == nil || *h.Rates.SecondsToAuthorize != 240 {
		t.Fatalf("health partners %+v rates %+v", h.Partners, h.Rates)
	}

	// Another partner's merchant: nothing, and 404 for the payment.
	other := a.Login("merchant-admin-b")
	if got := decode[apigen.PaymentPage](t, other.Get("/api/v1/payments"), 200); len(got.Items) != 0 {
		t.Fatalf("borealis sees %d of aurora's payments", len(got.Items))
	}
	r404 := other.Get("/api/v1/payments/" + url.PathEscape(pr))
	unknown := other.Get("/api/v1/payments/" + url.PathEscape("krn:payment:eu1:request:nope"))
	if r404.Status != 404 || unknown.Status != 404 {
		t.Fatalf("another partner's payment answers %d, an unknown one %d", r404.Status, unknown.Status)
	}
	if csv := string(other.Get("/api/v1/payments/export.csv").Body); strings.Contains(csv, "0000-aaaa") {
		t.Fatal("the export leaks another partner's payment")
	}
	if got := decode[apigen.PaymentHealth](t, other.Get("/api/v1/payments/health"), 200); got.Totals.Payments != 0 || len(got.Partners) != 0 {
		t.Fatalf("borealis' health shows aurora's: %+v", got.Totals)
	}
	own := a.Login("merchant-disputes")
	if got := decode[apigen.PaymentPage](t, own.Get("/api/v1/payments"), 200); len(got.Items) != 3 {
		t.Fatalf("aurora's dispute handler sees %d payments, want 3", len(got.Items))
	}
}

// A payment event about an account Partner Desk does not know is parked.
func TestPaymentEventOfUnknownPartnerIsParked(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	body := event(klarna.PaymentEventType(klarna.PaymentSubmitted), uuid.NewString(), "krn:partner:global:account:test:STRANGER", time.Now(),
		map[string]any{"payment_request_id": "krn:payment:eu1:request:stranger", "state": "SUBMITTED"})
	deliver(t, a, testKeyID, testSecret, body)
	waitStatus(t, a, eventIDOf(body), webhook.StatusParked)
}

// Every bad filter is reported at once.
func TestPaymentsFilterErrors(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	r := a.Login("acquirer-support").Get("/api/v1/payments?state=bad!&currency=EURO&path=ELSEWHERE&interop=maybe&from=yesterday&limit=0")
	if r.Status != 400 {
		t.Fatalf("want 400, got %d %s", r.Status, r.Body)
	}
	for _, f := range []string{"state", "currency", "path", "interop", "from", "limit"} {
		if !strings.Contains(string(r.Body), `"field":"`+f+`"`) {
			t.Errorf("no error for %s: %s", f, r.Body)
		}
	}
	if r := a.Login("acquirer-support").Get("/api/v1/payments/health.csv?of=weeks"); r.Status != 400 {
		t.Errorf("of=weeks answered %d", r.Status)
	}
}

package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/payment"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// searchIDs are the ids of one partner's objects the search test seeds,
// each made from the partner's slug so that they differ between partners.
type searchIDs struct {
	tenant                                      string
	account, reference, email                   string
	entity, paymentAccount, store, storeRef     string
	entityName                                  string
	disputeID, orderID, transactionID, purchase string
	payout, lineOrder, capture, refund          string
	eventID, eventPK                            string
	paymentID, paymentRef                       string
	// lineOrderDispute is the order id of a dispute and of a line.
	lineOrderDispute string
}

func searchIDsOf(slug string) searchIDs {
	up := strings.ToUpper(slug)
	return searchIDs{
		account: "krn:partner:global:account:test:SRCH" + up, reference: "ref-" + slug, email: "finance@" + slug + ".example",
		entity: "krn:partner:global:business-entity:test:" + slug, paymentAccount: "krn:partner:global:payment-account:test:" + slug,
		store: "krn:partner:global:store:test:" + slug, storeRef: "web-" + slug, entityName: up + " Trading AB",
		disputeID: "krn:network:eu1:test:payment:dispute:" + slug, orderID: "order-dispute-" + slug,
		transactionID: "krn:payment:eu1:transaction:" + slug, purchase: "PO-" + up,
		payout: "KLSRCH" + up, lineOrder: "order-line-" + slug, capture: "krn:payment:eu1:transaction:" + slug + ":capture:1",
		refund: "refund-" + slug, eventID: "evt-search-" + slug, lineOrderDispute: "order-both-" + slug,
		paymentID: "krn:payment:eu1:request:" + slug, paymentRef: "pr-search-" + slug,
	}
}

// seedSearch stores, for partner slug, a linked Klarna account with its
// resources, a dispute, a payout with lines and a webhook event, with the
// ids of searchIDsOf(slug).
func seedSearch(t *testing.T, a *apptest.App, slug string) searchIDs {
	t.Helper()
	ctx, db := t.Context(), a.DB.SQL()
	tn, err := a.DB.Identity().TenantBySlug(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	ids := searchIDsOf(slug)
	ids.tenant = tn.ID.String()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO partner_accounts (klarna_account_id, tenant_id, state, reference, name, contact_email) VALUES ($1, $2, 'OPERATIONAL', $3, $4, $5)`,
		ids.account, tn.ID, ids.reference, tn.Name, ids.email)
	for _, r := range [][4]string{
		{"business_entity", ids.entity, "be-" + slug, `{"legal_registered_entity_name": "` + ids.entityName + `"}`},
		{"payment_account", ids.paymentAccount, "", `{}`},
		{"store", ids.store, ids.storeRef, `{"url": "https://` + slug + `.example"}`},
	} {
		exec(`INSERT INTO partner_resources (klarna_account_id, kind, klarna_id, reference, data) VALUES ($1, $2, $3, $4, $5::jsonb)`, ids.account, r[0], r[1], r[2], r[3])
	}
	now := time.Now()
	for _, d := range []dispute.Dispute{
		{ID: ids.disputeID, OrderID: ids.orderID, PaymentTransactionID: ids.transactionID, PurchaseReference: ids.purchase},
		{ID: ids.disputeID + "0", OrderID: ids.lineOrderDispute},
	} {
		d.TenantID, d.KlarnaAccountID, d.State, d.Reason, d.Amount, d.Currency = tn.ID, ids.account, "INITIATED", "PRODUCTS_OR_SERVICES_NOT_RECEIVED", 4200, "EUR"
		d.OpenedAt, d.StateAt, d.KlarnaUpdatedAt = now, now, now
		if _, _, err := a.DB.Disputes().Apply(ctx, dispute.Report{Dispute: d}); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO payouts (payment_reference, tenant_id, klarna_account_id, payout_date, currency, sale_amount, settlement_amount, object, line_count, lines_complete, reconciled)
		VALUES ($1, $2, $3, '2026-11-20', 'EUR', 10000, 9700, '{}', 3, true, true)`, ids.payout, tn.ID, ids.account)
	for i, l := range [][4]string{
		{"SALE", ids.lineOrder, ids.capture, ""},
		{"RETURN", ids.lineOrder, "", ids.refund},
		{"SALE", ids.lineOrderDispute, "", ""},
	} {
		exec(`INSERT INTO settlement_lines (payment_reference, tenant_id, line_key, seq, type, amount, currency, order_id, capture_id, refund_id)
			VALUES ($1, $2, $3, $4, $5, 5000, 'EUR', $6, $7, $8)`, ids.payout, tn.ID, fmt.Sprint("search-", i), i, l[0], l[1], l[2], l[3])
	}
	amount := int64(4200)
	if _, err := a.DB.Payments().Apply(ctx, payment.Report{Payment: payment.Payment{ID: ids.paymentID, TenantID: tn.ID, Reference: ids.paymentRef,
		State: "AUTHORIZED", Amount: &amount, Currency: "EUR"}, EventID: "evt-pay-" + slug, At: now}, payment.Merge); err != nil {
		t.Fatal(err)
	}
	err = a.DB.InTx(ctx, func(ctx context.Context) error {
		pk, _, err := a.DB.Webhooks().Ingest(ctx, webhook.Event{EventID: ids.eventID, EventType: "payment.dispute.state-change.initiated", ReceivedAt: now, Raw: []byte(`{}`), Status: webhook.StatusReceived}, []byte(`{}`))
		if err != nil {
			return err
		}
		ids.eventPK = fmt.Sprint(pk)
		return a.DB.Webhooks().SetOutcome(ctx, webhook.Event{PK: pk, Status: webhook.StatusProcessed, TenantID: &tn.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func searchFor(t *testing.T, c *apitest.Client, q string) (apigen.SearchResult, []byte) {
	t.Helper()
	r := c.Get("/api/v1/search?q=" + url.QueryEscape(q))
	return decode[apigen.SearchResult](t, r, 200), r.Body
}

// kinds lists the result's groups as kind:count.
func kindsOf(res apigen.SearchResult) []string {
	var out []string
	for _, g := range res.Groups {
		out = append(out, fmt.Sprintf("%s:%d", g.Kind, len(g.Items)))
	}
	return out
}

// Every kind of id finds its object, exactly, with the page that opens it;
// an id of exactly one object is the exact match the UI opens at once.
func TestSearchFindsEveryKindOfID(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	aur := seedSearch(t, a, "aurora")
	seedSearch(t, a, "borealis")
	admin, merchant := a.Login("acquirer-admin"), a.Login("merchant-admin")
	tests := []struct {
		name, q string
		kind    apigen.SearchKind
		path    string
		// merchant: whether Aurora's merchant admin finds it too (no
		// webhook:read)
		merchant bool
	}{
		{"PartnerAccountID", aur.account, apigen.SearchKindPartner, "/partners/" + aur.tenant, true},
		{"PartnerReference", aur.reference, apigen.SearchKindPartner, "/partners/" + aur.tenant, true},
		{"ContactEmail", strings.ToUpper(aur.email), apigen.SearchKindPartner, "/partners/" + aur.tenant, true},
		{"BusinessEntityID", aur.entity, apigen.SearchKindBusinessEntity, "/partners/" + aur.tenant + "?tab=account", true},
		{"PaymentAccountID", aur.paymentAccount, apigen.SearchKindPaymentAccount, "/partners/" + aur.tenant, true},
		{"StoreID", aur.store, apigen.SearchKindStore, "/partners/" + aur.tenant + "?tab=brand", true},
		{"StoreReference", aur.storeRef, apigen.SearchKindStore, "/partners/" + aur.tenant + "?tab=brand", true},
		{"DisputeID", aur.disputeID, apigen.SearchKindDispute, "/disputes/" + url.PathEscape(aur.disputeID), true},
		{"DisputeOrderID", aur.orderID, apigen.SearchKindDispute, "/disputes/" + url.PathEscape(aur.disputeID), true},
		{"PaymentTransactionID", aur.transactionID, apigen.SearchKindDispute, "/disputes/" + url.PathEscape(aur.disputeID), true},
		{"PurchaseReference", aur.purchase, apigen.SearchKindDispute, "/disputes/" + url.PathEscape(aur.disputeID), true},
		{"PaymentRequestID", aur.paymentID, apigen.SearchKindPayment, "/payments/" + url.PathEscape(aur.paymentID), true},
		{"PaymentRequestReference", aur.paymentRef, apigen.SearchKindPayment, "/payments/" + url.PathEscape(aur.paymentID), true},
		{"PayoutReference", aur.payout, apigen.SearchKindPayout, "/settlements/payouts/" + aur.payout, true},
		{"CaptureID", aur.capture, apigen.SearchKindTransaction, "/settlements/transactions?q=" + url.QueryEscape(aur.capture), true},
		{"RefundID", aur.refund, apigen.SearchKindTransaction, "/settlements/transactions?q=" + aur.refund, true},
		{"WebhookEventID", aur.eventID, apigen.SearchKindWebhookEvent, "/webhooks/" + aur.eventPK, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, who := range []string{"acquirer-admin", "merchant-admin"} {
				c := admin
				if who == "merchant-admin" {
					if !tc.merchant {
						continue
					}
					c = merchant
				}
				res, body := searchFor(t, c, "  "+tc.q+" ") // trimmed
				if len(res.Groups) != 1 || res.Groups[0].Kind != tc.kind || len(res.Groups[0].Items) != 1 {
					t.Fatalf("%s: want one %s, got %v: %s", who, tc.kind, kindsOf(res), body)
				}
				hit := res.Groups[0].Items[0]
				if !hit.Exact || hit.Path != tc.path || hit.TenantId == nil || hit.TenantId.String() != aur.tenant || hit.TenantName != "Aurora Outfitters" || hit.Label == "" {
					t.Errorf("%s: hit %+v, want exact, path %s, Aurora's", who, hit, tc.path)
				}
				if res.Exact == nil || res.Exact.Path != tc.path {
					t.Errorf("%s: exact %+v, want the hit", who, res.Exact)
				}
			}
		})
	}

	t.Run("OrderIDOfLines", func(t *testing.T) {
		res, body := searchFor(t, admin, aur.lineOrder)
		if got := kindsOf(res); !slices.Equal(got, []string{"transaction:2"}) || res.Exact != nil {
			t.Fatalf("an order's two lines: %v (exact %v): %s", got, res.Exact, body)
		}
		if l := res.Groups[0].Items[0]; !strings.Contains(l.Label, "50.00 EUR") || !strings.Contains(l.Secondary, aur.payout) {
			t.Errorf("a line reads %+v", l)
		}
	})
	t.Run("OrderIDOfADisputeAndLines", func(t *testing.T) {
		res, _ := searchFor(t, admin, aur.lineOrderDispute)
		if got := kindsOf(res); !slices.Equal(got, []string{"dispute:1", "transaction:1"}) || res.Exact != nil {
			t.Fatalf("two objects are no exact match: %v, exact %v", got, res.Exact)
		}
	})
	t.Run("BusinessEntityLabel", func(t *testing.T) {
		res, _ := searchFor(t, admin, aur.entity)
		if h := res.Groups[0].Items[0]; h.Label != aur.entityName || !strings.Contains(h.Secondary, "Business entity") {
			t.Errorf("the entity reads %+v", h)
		}
	})
	t.Run("PartnerName", func(t *testing.T) {
		res, body := searchFor(t, admin, "outfit")
		if len(res.Groups) != 1 || res.Groups[0].Kind != apigen.SearchKindPartner || res.Groups[0].Items[0].Exact || res.Exact != nil {
			t.Fatalf("a name is a match, not an exact one: %s", body)
		}
		if got := res.Groups[0].Items[0]; got.Label != "Aurora Outfitters" || !strings.Contains(got.Secondary, aur.account) {
			t.Errorf("the partner reads %+v", got)
		}
		// The first letters are enough.
		if res, body := searchFor(t, merchant, "au"); len(res.Groups) != 1 || res.Groups[0].Items[0].Label != "Aurora Outfitters" {
			t.Fatalf("by its first letters: %s", body)
		}
	})
	t.Run("ErrEmptyOrTooLong", func(t *testing.T) {
		for _, q := range []string{"", "   ", strings.Repeat("x", 256)} {
			r := admin.Get("/api/v1/search?q=" + url.QueryEscape(q))
			if r.Status != 400 || !slices.Contains(fieldsOf(t, r), "q") || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("q %q: %d %s", q, r.Status, r.Body)
			}
		}
		if r := admin.Get("/api/v1/search"); r.Status != 400 || !slices.Contains(fieldsOf(t, r), "q") {
			t.Errorf("no q: %d %s", r.Status, r.Body)
		}
	})
}

// A merchant searching another partner's ids, of every kind, gets exactly
// the answer an unknown id gets: nothing tells the objects exist.
func TestSearchOtherTenantsIDIsUnknown(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	aur := seedSearch(t, a, "aurora")
	seedSearch(t, a, "borealis")
	for _, persona := range []string{"merchant-admin-b", "merchant-disputes", "merchant-finance"} {
		c := a.Login(persona)
		other := aur
		if persona != "merchant-admin-b" { // Aurora's roles: Borealis' objects are the other partner's
			other = searchIDsOf("borealis")
		}
		for _, q := range []string{other.account, other.reference, other.email, other.entity, other.paymentAccount, other.store, other.storeRef,
			other.disputeID, other.orderID, other.transactionID, other.purchase, other.payout, other.lineOrder, other.capture, other.refund,
			other.eventID, other.lineOrderDispute, other.paymentID, other.paymentRef} {
			_, body := searchFor(t, c, q)
			if _, unknown := searchFor(t, c, "unknown-"+q); string(body) != string(unknown) {
				t.Errorf("%s searching %q:\n got %s\nwant %s (an unknown id's)", persona, q, body, unknown)
			}
			var res map[string]any
			if err := json.Unmarshal(body, &res); err != nil || len(res) != 2 || res["exact"] != nil || len(res["groups"].([]any)) != 0 {
				t.Errorf("%s searching %q: %s, want nothing found", persona, q, body)
			}
		}
	}
}

// Each kind is searched in the scope of its read action: acquirer roles
// find every partner's objects, a role without settlement:read no payouts
// or lines, one without webhook:read no webhook events.
func TestSearchScopesEachKindByItsAction(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	aur, bor := seedSearch(t, a, "aurora"), seedSearch(t, a, "borealis")
	found := func(c *apitest.Client, q string) []string {
		res, _ := searchFor(t, c, q)
		return kindsOf(res)
	}
	support := a.Login("acquirer-support")
	for _, ids := range []searchIDs{aur, bor} {
		for q, want := range map[string]string{ids.account: "partner:1", ids.store: "store:1", ids.disputeID: "dispute:1", ids.payout: "payout:1",
			ids.capture: "transaction:1", ids.eventID: "webhook_event:1"} {
			if got := found(support, q); !slices.Equal(got, []string{want}) {
				t.Errorf("acquirer support searching %s: %v, want %s", q, got, want)
			}
		}
	}
	// Finance reads settlements but no webhooks.
	finance := a.Login("acquirer-finance")
	if got := found(finance, bor.payout); !slices.Equal(got, []string{"payout:1"}) {
		t.Errorf("acquirer finance: %v", got)
	}
	if got := found(finance, bor.eventID); len(got) != 0 {
		t.Errorf("acquirer finance finds a webhook event: %v", got)
	}
	// Aurora's dispute handler: disputes and the partner, no settlements.
	disputes := a.Login("merchant-disputes")
	for _, q := range []string{aur.payout, aur.capture, aur.refund, aur.lineOrder} {
		if got := found(disputes, q); len(got) != 0 {
			t.Errorf("merchant-disputes searching %s: %v, want nothing", q, got)
		}
	}
	if got := found(disputes, aur.lineOrderDispute); !slices.Equal(got, []string{"dispute:1"}) {
		t.Errorf("merchant-disputes: an order of a dispute and lines: %v", got)
	}
	// Aurora's finance: payouts and lines, no disputes.
	fin := a.Login("merchant-finance")
	if got := found(fin, aur.lineOrderDispute); !slices.Equal(got, []string{"transaction:1"}) {
		t.Errorf("merchant-finance: an order of a dispute and lines: %v", got)
	}
	if got := found(fin, aur.disputeID); len(got) != 0 {
		t.Errorf("merchant-finance finds a dispute: %v", got)
	}
}

package app_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// settlementSim is a simulator with the demo partners onboarded.
func settlementSim(t *testing.T) (*klarnasim.Sim, *klarna.Config) {
	t.Helper()
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.Start(t.Context())
	t.Cleanup(func() { sim.Close() })
	if err := app.SeedSimulator(sim, app.DemoPartners); err != nil {
		t.Fatal(err)
	}
	return sim, &klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: 2 * time.Second}
}

// settlementApp is Partner Desk on the simulator with the demo partners
// linked and the periodic settlement sync off.
func settlementApp(t *testing.T, kc *klarna.Config, subscribe bool) *apptest.App {
	t.Helper()
	cfg := apptest.Config(t)
	cfg.SettlementSyncInterval = 0
	cfg.DisputeSyncInterval = 0
	a := apptest.StartWithKlarna(t, cfg, nil, kc)
	if subscribe {
		if err := a.Subscribe(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// tradeAndSettle makes a few days of business at the simulator for the
// partner: captures, a refund, a dispute (its fee and the amount withheld),
// and runs its settlement.
func tradeAndSettle(t *testing.T, sim *klarnasim.Sim, slug string) []string {
	t.Helper()
	id, ok := sim.PartnerAccountID(slug)
	if !ok {
		t.Fatalf("no %s at the simulator", slug)
	}
	for _, amount := range []int64{129900, 45000, 8900, 31250} {
		if _, err := sim.Capture(id, amount); err != nil {
			t.Fatal(err)
		}
	}
	if err := sim.Refund(id); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: id, Amount: 8900}); err != nil {
		t.Fatal(err)
	}
	refs, err := sim.RunSettlement(id)
	if err != nil || len(refs) == 0 {
		t.Fatalf("settlement of %s: %v %v", slug, refs, err)
	}
	return refs
}

// settlementRows is every payout and line of a database as text, with the
// tenant by its slug and without what differs between two databases (ids,
// times of writing) or is known from a webhook only (the KN settlement id).
func settlementRows(t *testing.T, a *apptest.App) string {
	t.Helper()
	var out string
	err := a.DB.Pool.QueryRow(t.Context(), `SELECT coalesce(string_agg(r, E'\n' ORDER BY r), '') FROM (
		SELECT concat_ws('|', p.payment_reference, t.slug, p.klarna_account_id, p.merchant_id, p.payout_date, p.currency, p.settlement_type,
			p.sale_amount, p.return_amount, p.reversal_amount, p.fee_amount, p.tax_amount, p.holdback_amount, p.release_amount,
			p.settlement_amount, p.opening_debt_amount, p.closing_debt_amount, p.object, p.line_count, p.lines_complete, p.reconciled,
			p.difference, p.mismatches) AS r
		FROM payouts p JOIN tenants t ON t.id = p.tenant_id
		UNION ALL
		SELECT concat_ws('|', l.payment_reference, t.slug, l.line_key, l.seq, l.type, l.detailed_type, l.amount, l.currency, l.vat_rate,
			l.vat_amount, l.tax_in_registration_currency, l.registration_currency, l.sale_date, l.capture_date, l.order_id, l.short_order_id,
			l.capture_id, l.refund_id, l.merchant_reference1, l.merchant_reference2, l.merchant_capture_reference, l.merchant_refund_reference,
			l.purchase_country, l.shipping_country, l.initial_payment_method_type, l.initial_number_of_installments,
			l.initial_payment_method_monthly_downpayments, l.klarna_comment, l.reversal_reference, l.extra)
		FROM settlement_lines l JOIN tenants t ON t.id = l.tenant_id) x`).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rowVersions are the row versions and updated_at of every payout and line.
func rowVersions(t *testing.T, a *apptest.App) string {
	t.Helper()
	var out string
	err := a.DB.Pool.QueryRow(t.Context(), `SELECT coalesce(string_agg(r, ',' ORDER BY r), '') FROM (
		SELECT payment_reference || ':' || xmin::text || '@' || updated_at::text AS r FROM payouts
		UNION ALL SELECT line_key || ':' || xmin::text FROM settlement_lines) x`).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func waitUntil(t *testing.T, what string, within time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, seen := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last seen: %s", what, within, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func countPayouts(t *testing.T, a *apptest.App, cond string) int {
	t.Helper()
	var n int
	if err := a.DB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM payouts WHERE `+cond).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Settlement reports arrive by webhook and are read from the Settlements
// API; an instance that missed every webhook gets the same rows from its
// periodic sync; ingesting again, by either path, writes nothing.
func TestSettlementIngest_WebhookAndSyncGiveSameRows(t *testing.T) {
	t.Parallel()
	sim, kc := settlementSim(t)
	byWebhook := settlementApp(t, kc, true)
	bySync := settlementApp(t, kc, false) // never subscribed: no webhook reaches it
	for _, a := range []*apptest.App{byWebhook, bySync} {
		for _, persona := range []string{"merchant-finance", "merchant-admin-b"} {
			a.Login(persona) // a user is known (and told) from their first sign-in
		}
	}
	refs := append(tradeAndSettle(t, sim, "aurora"), tradeAndSettle(t, sim, "borealis")...)

	waitUntil(t, "every payout ingested after its webhook", 20*time.Second, func() (bool, string) {
		n := countPayouts(t, byWebhook, "lines_complete")
		return n == len(refs), strings.Repeat("•", n)
	})
	if n := countPayouts(t, bySync, "true"); n != 0 {
		t.Fatalf("the unsubscribed instance has %d payouts before its sync", n)
	}
	ctx := context.Background()
	n, err := bySync.SettlementIngest.Sync(ctx)
	if err != nil || n != len(refs) {
		t.Fatalf("sync stored %d payouts (%v), want %d", n, err, len(refs))
	}
	webhookRows, syncRows := settlementRows(t, byWebhook), settlementRows(t, bySync)
	if webhookRows != syncRows {
		t.Fatalf("rows differ.\nfrom webhooks:\n%s\nfrom the sync:\n%s", webhookRows, syncRows)
	}
	// The simulator's settlements add up: every payout reconciles, and the
	// dispute's fee and withheld amount name the dispute.
	if c := countPayouts(t, byWebhook, "reconciled"); c != len(refs) {
		t.Fatalf("%d of %d payouts reconcile", c, len(refs))
	}
	var linked int
	if err := byWebhook.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM settlement_lines WHERE reversal_reference LIKE 'krn:network:%:payment:dispute:%'
		AND detailed_type IN ('DISPUTE_FEE', 'UNDER_REVIEW')`).Scan(&linked); err != nil || linked != 4 {
		t.Fatalf("%d dispute lines name their dispute (%v), want a fee and a holdback per partner", linked, err)
	}
	var settlementIDs int
	if err := byWebhook.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM payouts WHERE settlement_id LIKE 'krn:partner:global:settlement:%'`).Scan(&settlementIDs); err != nil || settlementIDs != len(refs) {
		t.Fatalf("%d payouts keep the settlement id their webhook named", settlementIDs)
	}

	// A second ingest changes nothing: the webhook's job again, and a sync.
	before := rowVersions(t, byWebhook)
	for _, ref := range refs {
		var account string
		if err := byWebhook.DB.Pool.QueryRow(ctx, `SELECT klarna_account_id FROM payouts WHERE payment_reference = $1`, ref).Scan(&account); err != nil {
			t.Fatal(err)
		}
		if err := byWebhook.SettlementIngest.Ingest(ctx, settlement.IngestRequest{PaymentReference: ref, KlarnaAccountID: account}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := byWebhook.SettlementIngest.Sync(ctx); err != nil || n != 0 {
		t.Fatalf("a sync after the webhooks stored %d payouts (%v)", n, err)
	}
	if after := rowVersions(t, byWebhook); after != before {
		t.Fatalf("a second ingest wrote rows:\nbefore %s\nafter  %s", before, after)
	}
	if bySyncAgain := settlementRows(t, byWebhook); bySyncAgain != webhookRows {
		t.Fatal("the rows changed")
	}

	// Each partner's finance people heard of each of its payouts once, on
	// both instances (the second ingest and the sync added no notice), and
	// nobody of another partner did.
	for _, a := range []*apptest.App{byWebhook, bySync} {
		got := payoutNotices(t, a, "merchant-finance")
		aurora := refs[:len(refs)/2]
		if len(got) != len(aurora) {
			t.Fatalf("merchant-finance has %d payout notices %v, want one per Aurora payout %v", len(got), got, aurora)
		}
		for _, ref := range aurora {
			if got["/settlements/payouts/"+ref] != 1 {
				t.Errorf("no notice of payout %s: %v", ref, got)
			}
		}
		for link := range payoutNotices(t, a, "merchant-admin-b") {
			for _, ref := range aurora {
				if strings.HasSuffix(link, ref) {
					t.Errorf("Borealis heard of Aurora's payout %s", ref)
				}
			}
		}
	}
}

// payoutNotices counts a persona's payout_arrived notices by link.
func payoutNotices(t *testing.T, a *apptest.App, persona string) map[string]int {
	t.Helper()
	r := a.Login(persona).Get("/api/v1/notifications?limit=200")
	var page struct {
		Items []struct{ Kind, Link string } `json:"items"`
	}
	if r.Status != 200 || json.Unmarshal(r.Body, &page) != nil {
		t.Fatalf("notifications of %s: %d %s", persona, r.Status, r.Body)
	}
	out := map[string]int{}
	for _, n := range page.Items {
		if n.Kind == "payout_arrived" {
			out[n.Link]++
		}
	}
	return out
}

// A report for a Klarna account no partner holds yet is parked; linking the
// account processes it and the payout is ingested.
func TestSettlementReport_ParkedUntilLinked(t *testing.T) {
	t.Parallel()
	sim, kc := settlementSim(t)
	a := settlementApp(t, kc, true)
	newcomer := app.DemoPartner{Slug: "zephyr-zoo", Name: "Zephyr Zoo Supplies", Operational: true}
	if err := app.SeedSimulator(sim, []app.DemoPartner{newcomer}); err != nil {
		t.Fatal(err)
	}
	refs := tradeAndSettle(t, sim, newcomer.Slug)
	ctx := context.Background()
	status := func() string {
		var s string
		_ = a.DB.Pool.QueryRow(ctx, `SELECT coalesce(string_agg(status, ','), '') FROM webhook_events WHERE event_type = $1`, klarna.EventSettlementReportCreated).Scan(&s)
		return s
	}
	waitUntil(t, "the report parked", 20*time.Second, func() (bool, string) { s := status(); return s == "parked", s })
	if n := countPayouts(t, a, "true"); n != 0 {
		t.Fatalf("%d payouts stored for an unknown account", n)
	}
	id, _ := sim.PartnerAccountID(newcomer.Slug)
	tenant, err := a.Access.Identity.EnsurePartnerTenant(ctx, newcomer.Slug, newcomer.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Partners.LinkAccount(ctx, tenant.ID, id); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the payout ingested once the account is linked", 20*time.Second, func() (bool, string) {
		n := countPayouts(t, a, "lines_complete AND reconciled AND tenant_id = '"+tenant.ID.String()+"'")
		return n == len(refs), status()
	})
	if s := status(); s != "processed" {
		t.Fatalf("the report is %s", s)
	}
}

// The demo's settlements as `make run` seeds them: weeks of payouts per
// demo partner read in by the sync at start, every one reconciling but
// Aurora's deliberate mismatch, a negative week carried forward, and each
// partner's chargeback tied to its lost dispute in the dispute mirror.
func TestDemoSettlements(t *testing.T) {
	t.Parallel()
	sim, kc := settlementSim(t)
	if err := app.SeedSimulatorSettlements(sim); err != nil {
		t.Fatal(err)
	}
	// The demo disputes still come after the history opened its own (and
	// seeding again changes nothing that fails).
	for range 2 {
		if err := app.SeedSimulatorDisputes(sim); err != nil {
			t.Fatal(err)
		}
	}
	for slug, ds := range app.DemoDisputes {
		id, _ := sim.PartnerAccountID(slug)
		for _, d := range ds {
			if !sim.HasDispute(id, d.Reason, d.Amount) {
				t.Fatalf("%s lacks its demo dispute %s of %d", slug, d.Reason, d.Amount)
			}
		}
	}
	cfg := apptest.Config(t)
	cfg.SettlementSyncInterval, cfg.DisputeSyncInterval = time.Hour, time.Hour // each runs once, at start
	a := apptest.StartWithKlarna(t, cfg, nil, kc)
	want := app.DemoSettlements["aurora"].Weeks + app.DemoSettlements["borealis"].Weeks
	ctx := context.Background()
	linked := func() int {
		var n int
		_ = a.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM settlement_lines l JOIN disputes d ON d.dispute_id = l.reversal_reference AND d.tenant_id = l.tenant_id
			WHERE l.type = 'REVERSAL' AND d.outcome = 'LOST'`).Scan(&n)
		return n
	}
	waitUntil(t, "the demo payouts and disputes read in", 30*time.Second, func() (bool, string) {
		n := countPayouts(t, a, "lines_complete")
		return n == want && linked() == 2, strings.Repeat("•", n)
	})
	type flagged struct {
		Slug       string
		Difference int64
		Mismatches string
	}
	var f flagged
	if err := a.DB.Pool.QueryRow(ctx, `SELECT t.slug, p.difference, p.mismatches::text FROM payouts p JOIN tenants t ON t.id = p.tenant_id WHERE NOT p.reconciled`).
		Scan(&f.Slug, &f.Difference, &f.Mismatches); err != nil {
		t.Fatalf("the one payout that does not reconcile: %v", err)
	}
	if f.Slug != "aurora" || f.Difference != -2500 || !strings.Contains(f.Mismatches, `"fee_amount"`) || !strings.Contains(f.Mismatches, `"settlement_amount"`) {
		t.Fatalf("flagged payout %+v", f)
	}
	if n := countPayouts(t, a, "reconciled"); n != want-1 {
		t.Fatalf("%d of %d payouts reconcile, want all but the deliberate mismatch", n, want)
	}
	if n := countPayouts(t, a, "reconciled AND settlement_amount = 0 AND closing_debt_amount > opening_debt_amount"); n != 1 {
		t.Fatalf("%d negative weeks carried forward, want Aurora's", n)
	}
}

// A lost report loses nothing, and a report that names no partner (its
// subject is the acquirer's own account, as in Klarna's documented sample)
// reads every partner's payouts; the SFTP upload is recorded only.
func TestSettlementReport_LostOrNamingNoPartner(t *testing.T) {
	t.Parallel()
	sim, kc := settlementSim(t)
	a := settlementApp(t, kc, true)
	sim.SetFaults(klarnasim.Faults{WebhookDropRate: 1})
	refs := tradeAndSettle(t, sim, "borealis")
	sim.SetFaults(klarnasim.Faults{})
	ctx := context.Background()
	hooks, err := a.Klarna.ListWebhooks(ctx)
	if err != nil || len(hooks) != 1 {
		t.Fatalf("webhooks at the simulator: %v %v", hooks, err)
	}
	for _, typ := range []string{klarna.EventSettlementReportUploaded, klarna.EventSettlementReportCreated} {
		if err := a.Klarna.SimulateWebhook(ctx, hooks[0].WebhookID, typ, "v1"); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "the dropped report's payout read by the sync the sample caused", 20*time.Second, func() (bool, string) {
		n := countPayouts(t, a, "lines_complete AND reconciled")
		return n == len(refs), strings.Repeat("•", n)
	})
	var uploaded string
	waitUntil(t, "the SFTP upload recorded", 20*time.Second, func() (bool, string) {
		_ = a.DB.Pool.QueryRow(ctx, `SELECT status || ':' || note FROM webhook_events WHERE event_type = $1`, klarna.EventSettlementReportUploaded).Scan(&uploaded)
		return uploaded == "processed:", uploaded
	})
}

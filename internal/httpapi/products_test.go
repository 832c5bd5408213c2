package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// productsApp is the app against a simulator holding partners A and B
// (aurora, borealis), linked to their tenants and subscribed to its
// webhooks, once aurora's payment product has been read.
func productsApp(t *testing.T) (*apptest.App, *klarnasim.Sim, *apitest.Client) {
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
	a := apptest.StartWithKlarna(t, nil, nil, &klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: time.Second})
	if err := a.Subscribe(t.Context()); err != nil {
		t.Fatal(err)
	}
	admin := a.Login("acquirer-admin")
	aurora := tenantIDOf(t, a, "aurora")
	waitFor(t, "aurora's payment product read from Klarna", 20*time.Second, func() (bool, string) {
		v := productView(t, admin, aurora)
		return v.Product != nil && v.Product.Status == "ENABLED" && len(v.History) == 1, fmt.Sprintf("%+v", v)
	})
	return a, sim, admin
}

func productView(t *testing.T, c *apitest.Client, tenant string) apigen.PaymentProductView {
	t.Helper()
	r := c.Get("/api/v1/tenants/" + tenant + "/partner/payment-product")
	if r.Status != 200 {
		t.Fatalf("GET payment-product: %d %s", r.Status, r.Body)
	}
	var v apigen.PaymentProductView
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func offboardingOf(t *testing.T, c *apitest.Client, tenant string) apigen.Offboarding {
	t.Helper()
	r := c.Get("/api/v1/tenants/" + tenant + "/partner/offboarding")
	if r.Status != 200 {
		t.Fatalf("GET offboarding: %d %s", r.Status, r.Body)
	}
	var o apigen.Offboarding
	if err := json.Unmarshal(r.Body, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// statusRow is the newest status row of the history reaching status.
func statusRow(v apigen.PaymentProductView, status string) *apigen.PaymentProductEvent {
	for _, e := range v.History {
		if e.Kind == apigen.PaymentProductEventKindStatus && e.Status == status {
			return &e
		}
	}
	return nil
}

func historyLine(v apigen.PaymentProductView) string {
	var b strings.Builder
	for _, e := range v.History {
		fmt.Fprintf(&b, "[%s %s %s<-%s by %q: %q] ", e.Kind, e.Source, e.Status, e.PreviousStatus, e.Actor, e.Reason)
	}
	return b.String()
}

// An acquirer admin disables a partner's payment product with a reason: it
// is pushed to Klarna, and once Klarna's state-change webhook arrives the
// status is DISABLED and the history says who did it and why; enabling it
// again works the same way. A reason is required, a merchant may not do it,
// another merchant cannot even see it, and a TERMINATED product cannot be
// moved by us.
func TestDisableAndEnablePaymentProductWithAReasonShowInStatusAndHistory(t *testing.T) {
	t.Parallel()
	a, sim, admin := productsApp(t)
	aurora := tenantIDOf(t, a, "aurora")
	base := "/api/v1/tenants/" + aurora + "/partner/payment-product"
	accountID, _ := sim.PartnerAccountID("aurora")

	if r := admin.Send("POST", base+"/disable", "application/json", jsonBody(map[string]any{"reason": "  "})); r.Status != 400 || !strings.Contains(string(r.Body), `"field":"reason"`) {
		t.Fatalf("a disable without a reason: %d %s", r.Status, r.Body)
	}
	if r := a.Login("merchant-admin").Send("POST", base+"/disable", "application/json", jsonBody(map[string]any{"reason": "mine"})); r.Status != 403 {
		t.Fatalf("the merchant's own admin may not disable: %d %s", r.Status, r.Body)
	}
	other := a.Login("merchant-admin-b")
	for _, p := range []string{"", "/disable", "/enable"} {
		method := "POST"
		if p == "" {
			method = "GET"
		}
		if r := other.Send(method, base+p, "application/json", jsonBody(map[string]any{"reason": "x"})); r.Status != 404 {
			t.Fatalf("another merchant on %s %s: %d %s", method, p, r.Status, r.Body)
		}
	}

	r := admin.Send("POST", base+"/disable", "application/json", jsonBody(map[string]any{"reason": "Chargeback ratio above 2%"}))
	if r.Status != 202 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	var ch apigen.PartnerChange
	_ = json.Unmarshal(r.Body, &ch)
	if ch.Kind != "payment_product" || ch.Operation != "disable" || ch.Reason != "Chargeback ratio above 2%" {
		t.Fatalf("the change: %+v", ch)
	}
	waitFor(t, "the product disabled, with who and why in the history", 20*time.Second, func() (bool, string) {
		v := productView(t, admin, aurora)
		row := statusRow(v, "DISABLED")
		return v.Product.Status == "DISABLED" && row != nil && row.Reason == "Chargeback ratio above 2%" && row.Actor != "" && row.PreviousStatus == "ENABLED",
			historyLine(v)
	})
	// The partner's own admin hears of it in the bell.
	if n := noticeOf(t, a.Login("merchant-admin"), "product_state", "/partners/"+aurora+"?tab=products"); n.Title != "Klarna payment product disabled" {
		t.Errorf("product notice: %+v", n)
	}
	p, err := a.Klarna.GetPaymentProduct(t.Context(), accountID, productView(t, admin, aurora).Product.Id)
	if err != nil || p.Status != klarna.ProductDisabled {
		t.Fatalf("at Klarna: %+v %v", p, err)
	}
	waitFor(t, "Klarna's state-change webhook processed", 20*time.Second, func() (bool, string) {
		r := admin.Get("/api/v1/webhooks/events?type=" + klarna.EventProductDisabled)
		return r.Status == 200 && strings.Contains(string(r.Body), `"status":"processed"`), string(r.Body)
	})
	if r := admin.Send("POST", base+"/disable", "application/json", jsonBody(map[string]any{"reason": "again"})); r.Status != 409 {
		t.Fatalf("disabling a disabled product: %d %s", r.Status, r.Body)
	}

	if r := admin.Send("POST", base+"/enable", "application/json", jsonBody(map[string]any{"reason": "Ratio back under 1%"})); r.Status != 202 {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
	waitFor(t, "the product enabled again, with why", 20*time.Second, func() (bool, string) {
		v := productView(t, admin, aurora)
		row := statusRow(v, "ENABLED")
		return v.Product.Status == "ENABLED" && row != nil && row.Reason == "Ratio back under 1%" && row.PreviousStatus == "DISABLED", historyLine(v)
	})
	// The acquirer's directory follows.
	if ps := bySlug(partnersOf(t, admin, "q=aurora")); ps["aurora"].ProductStatus != "ENABLED" {
		t.Fatalf("directory: %+v", ps["aurora"])
	}

	// Klarna terminates it (only Klarna can): a read shows it, and we
	// cannot move it.
	if err := sim.SetProductStatus(accountID, klarna.ProductTerminated); err != nil {
		t.Fatal(err)
	}
	if r := admin.Send("POST", "/api/v1/tenants/"+aurora+"/partner/refresh", "application/json", nil); r.Status != 202 {
		t.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	waitFor(t, "the TERMINATED status read from Klarna", 20*time.Second, func() (bool, string) {
		v := productView(t, admin, aurora)
		row := statusRow(v, "TERMINATED")
		return v.Product.Status == "TERMINATED" && row != nil && row.Source == apigen.PaymentProductEventSourceSync, historyLine(v)
	})
	for _, op := range []string{"disable", "enable"} {
		if r := admin.Send("POST", base+"/"+op, "application/json", jsonBody(map[string]any{"reason": "try"})); r.Status != 409 || !strings.Contains(problemDetail(r), "only Klarna") {
			t.Fatalf("%s a TERMINATED product: %d %s", op, r.Status, r.Body)
		}
	}
}

// The product and offboarding changes need a recent login.
func TestProductChangesAndOffboardingNeedARecentLogin(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	cfg.StepUpMaxAge = time.Nanosecond
	a := apptest.Start(t, cfg, nil)
	c := a.Login("acquirer-admin")
	aurora := tenantIDOf(t, a, "aurora")
	for _, p := range []string{"payment-product/disable", "payment-product/enable", "offboarding", "offboarding/resume"} {
		r := c.Send("POST", "/api/v1/tenants/"+aurora+"/partner/"+p, "application/json", jsonBody(map[string]any{"reason": "why"}))
		if r.Status != 401 || problemCode(r) != "step_up_required" {
			t.Errorf("%s with an old login: %d %s", p, r.Status, r.Body)
		}
	}
}

func stepsLine(o apigen.Offboarding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", o.Status)
	for _, s := range o.Steps {
		fmt.Fprintf(&b, "[%s %s x%d %q %v] ", s.Name, s.Status, s.Attempts, s.Error, s.Result)
	}
	return b.String()
}

// Offboarding a partner: when disabling its credentials fails at Klarna the
// run stops there with the error, its payment product already disabled at
// Klarna; "Resume" retries from that step without disabling the product
// again, and completes: its credentials are disabled, its users lose
// access, the directory shows it offboarded, and the acquirer still reads
// its data.
func TestOffboardingStopsAtAFailedStepAndResumesFromIt(t *testing.T) {
	t.Parallel()
	a, sim, admin := productsApp(t)
	ctx := t.Context()
	aurora := tenantIDOf(t, a, "aurora")
	base := "/api/v1/tenants/" + aurora + "/partner/offboarding"
	accountID, _ := sim.PartnerAccountID("aurora")
	if _, err := a.Klarna.CreateAPIKey(ctx, "backend", klarna.OnBehalfOf(accountID)); err != nil {
		t.Fatal(err)
	}
	merchant := a.Login("merchant-admin")
	if r := merchant.Get("/api/v1/tenants/" + aurora + "/partner"); r.Status != 200 {
		t.Fatalf("the merchant reads its partner: %d", r.Status)
	}
	if r := merchant.Get(base); r.Status != 403 {
		t.Fatalf("a merchant cannot see the offboarding: %d", r.Status)
	}
	if r := a.Login("merchant-admin-b").Send("POST", base, "application/json", jsonBody(map[string]any{"reason": "x"})); r.Status != 404 {
		t.Fatalf("another merchant: %d %s", r.Status, r.Body)
	}
	if o := offboardingOf(t, admin, aurora); o.Status != "not_started" || len(o.Steps) != 4 {
		t.Fatalf("before: %s", stepsLine(o))
	}
	if r := admin.Send("POST", base, "application/json", jsonBody(map[string]any{})); r.Status != 400 || !strings.Contains(string(r.Body), `"field":"reason"`) {
		t.Fatalf("without a reason: %d %s", r.Status, r.Body)
	}
	if r := admin.Send("POST", base+"/resume", "application/json", nil); r.Status != 409 {
		t.Fatalf("resume before a start: %d %s", r.Status, r.Body)
	}

	// Klarna refuses every credential disable.
	sim.SetFaults(klarnasim.Faults{ErrorRate: 1, PathPrefix: "/v2/account/integration/credentials", Method: "DELETE"})
	if r := admin.Send("POST", base, "application/json", jsonBody(map[string]any{"reason": "Contract ended"})); r.Status != 202 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	if r := admin.Send("POST", base, "application/json", jsonBody(map[string]any{"reason": "twice"})); r.Status != 409 {
		t.Fatalf("a second start: %d %s", r.Status, r.Body)
	}
	waitFor(t, "the run stopped at the credentials", 30*time.Second, func() (bool, string) {
		o := offboardingOf(t, admin, aurora)
		return o.Status == "failed" && o.Steps[0].Status == "done" && o.Steps[1].Status == "failed" && o.Steps[1].Error != "" && o.Steps[2].Status == "pending", stepsLine(o)
	})
	v := productView(t, admin, aurora)
	if v.Product.Status != "DISABLED" {
		t.Fatalf("step 1 done means Klarna disabled the product: %s", v.Product.Status)
	}
	disables := func() int {
		r := admin.Get("/api/v1/tenants/" + aurora + "/partner/changes?kind=payment_product")
		return strings.Count(string(r.Body), `"operation":"disable"`)
	}
	if n := disables(); n != 1 {
		t.Fatalf("product disable changes: %d", n)
	}
	if r := merchant.Get("/api/v1/tenants/" + aurora + "/partner"); r.Status != 200 {
		t.Fatalf("access is revoked only in step 3: %d", r.Status)
	}

	sim.SetFaults(klarnasim.Faults{})
	if r := admin.Send("POST", base+"/resume", "application/json", nil); r.Status != 202 {
		t.Fatalf("resume: %d %s", r.Status, r.Body)
	}
	waitFor(t, "the run completed", 30*time.Second, func() (bool, string) {
		o := offboardingOf(t, admin, aurora)
		return o.Status == "completed" && o.CompletedAt != nil, stepsLine(o)
	})
	o := offboardingOf(t, admin, aurora)
	if n, _ := o.Steps[1].Result["credentials_disabled"].(float64); o.Steps[0].Attempts != 1 || o.Steps[1].Attempts != 2 || o.Runs != 2 || n < 1 {
		t.Fatalf("step 1 ran once, step 2 twice: %s", stepsLine(o))
	}
	if n := disables(); n != 1 {
		t.Fatalf("resuming asked Klarna to disable again: %d changes", n)
	}
	keys, err := a.Klarna.ListAPIKeys(ctx, klarna.OnBehalfOf(accountID))
	if err != nil || len(keys) == 0 {
		t.Fatalf("the partner's keys at Klarna: %+v %v", keys, err)
	}
	for _, k := range keys {
		if k.Status != "DISABLED" {
			t.Fatalf("a key of the partner is still enabled at Klarna: %+v", k)
		}
	}
	// The partner's users lose access; the acquirer still reads its data.
	if r := merchant.Get("/api/v1/tenants/" + aurora + "/partner"); r.Status != 404 {
		t.Fatalf("the merchant after offboarding: %d %s", r.Status, r.Body)
	}
	if r := a.Login("merchant-admin").Get("/api/v1/tenants/" + aurora + "/partner"); r.Status != 404 {
		t.Fatalf("a new login of the merchant after offboarding: %d %s", r.Status, r.Body)
	}
	// Nor does anyone who arrives later: the disputes handler's first login
	// maps her IdP group to a role in the partner, which is held by no one.
	if r := a.Login("merchant-disputes").Get("/api/v1/tenants/" + aurora + "/partner"); r.Status != 404 {
		t.Fatalf("a user new to the offboarded partner: %d %s", r.Status, r.Body)
	}
	var members, suspended int
	if err := a.DB.Pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'disputes@aurora.example' AND m.tenant_id = $1),
		(SELECT count(*) FROM tenant_suspensions s JOIN users u ON u.id = s.user_id WHERE u.email = 'disputes@aurora.example')`, aurora).Scan(&members, &suspended); err != nil {
		t.Fatal(err)
	}
	if members != 1 || suspended != 0 {
		t.Fatalf("the new user has %d membership(s) and %d suspension(s); want a role given after the offboarding", members, suspended)
	}
	r := admin.Get("/api/v1/tenants/" + aurora + "/partner")
	if r.Status != 200 || !strings.Contains(string(r.Body), `"offboarded_at":"`) {
		t.Fatalf("the acquirer reads the offboarded partner: %d %s", r.Status, r.Body)
	}
	if p := bySlug(partnersOf(t, admin, "q=aurora"))["aurora"]; p.OffboardedAt == nil {
		t.Fatalf("the directory shows it offboarded: %+v", p)
	}
	if r := admin.Send("POST", "/api/v1/tenants/"+aurora+"/partner/payment-product/enable", "application/json", jsonBody(map[string]any{"reason": "oops"})); r.Status != 409 {
		t.Fatalf("enabling an offboarded partner's product: %d %s", r.Status, r.Body)
	}
	if r := admin.Get("/api/v1/audit?limit=200"); !containsAll(string(r.Body), "partner:offboard", "partner:offboard_step_failed", "partner:offboard_resume", "partner:offboarded", "user:disable") {
		t.Fatalf("the audit trail lacks steps: %s", r.Body)
	}
}

// The demo shows a payment product history: Cascade Coffee's product was
// disabled and enabled again by the acquirer admin, each with a reason;
// Granite Games' product is disabled. Seeding again adds nothing.
func TestDemoPartnerHasAPaymentProductHistory(t *testing.T) {
	t.Parallel()
	a, _ := demoDirectory(t)
	admin := a.Login("acquirer-admin")
	if err := a.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	v := productView(t, admin, tenantIDOf(t, a, "cascade-coffee"))
	var requests []apigen.PaymentProductEvent
	for _, e := range v.History {
		if e.Kind == apigen.PaymentProductEventKindRequest {
			requests = append(requests, e)
		}
	}
	if len(requests) != 2 || requests[0].Status != "ENABLED" || requests[1].Status != "DISABLED" || requests[0].Reason == "" || requests[1].Reason == "" || requests[1].Actor == "" {
		t.Fatalf("cascade-coffee's history: %s", historyLine(v))
	}
	if row := statusRow(v, "DISABLED"); row == nil || row.Source != apigen.PaymentProductEventSourceWebhook || row.Reason != requests[1].Reason {
		t.Fatalf("the disable Klarna confirmed: %s", historyLine(v))
	}
	waitFor(t, "granite-games' product read as disabled", 20*time.Second, func() (bool, string) {
		g := productView(t, admin, tenantIDOf(t, a, "granite-games"))
		return g.Product != nil && g.Product.Status == "DISABLED" && statusRow(g, "DISABLED") != nil, historyLine(g)
	})
}

package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// onboardingEnv is the app against a simulator, with the acquirer admin
// logged in and Klarna's webhooks subscribed.
type onboardingEnv struct {
	t       *testing.T
	sim     *klarnasim.Sim
	a       *apptest.App
	admin   *apitest.Client
	profile string // a payment profile id from the catalogue
	acq     string // an acquiring account id from the catalogue
}

func startOnboarding(t *testing.T, tune func(cfg *config.Config), simTune ...func(*klarnasim.Options)) *onboardingEnv {
	t.Helper()
	simOpts := klarnasim.Options{DisableRateLimits: true, OperationalDelay: 300 * time.Millisecond}
	for _, f := range simTune {
		f(&simOpts)
	}
	sim, err := klarnasim.New(simOpts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.Start(t.Context())
	t.Cleanup(func() { sim.Close() })
	for _, ref := range []string{"aurora", "borealis"} {
		if _, err := sim.SeedPartner(klarnasim.PartnerSpec{Reference: ref, Operational: true}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := apptest.Config(t)
	cfg.OnboardingMaxAttempts = 20
	if tune != nil {
		tune(cfg)
	}
	var logs io.Writer
	if os.Getenv("ONBOARDING_TEST_LOGS") != "" {
		logs = os.Stderr
	}
	a := apptest.StartWithKlarna(t, cfg, logs, &klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: 300 * time.Millisecond, RetryBaseDelay: 10 * time.Millisecond, RetryMaxDelay: 50 * time.Millisecond},
		func(o *app.Options) { o.OnboardingRetryBase = 50 * time.Millisecond })
	e := &onboardingEnv{t: t, sim: sim, a: a, admin: a.Login("acquirer-admin")}
	if r := e.admin.Send("POST", "/api/v1/webhooks/subscriptions", "", nil); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	var cat apigen.OnboardingCatalogue
	e.ok(e.admin.Get("/api/v1/onboarding/catalogue"), 200, &cat)
	if len(cat.PaymentProfiles) == 0 || len(cat.AcquiringAccounts) == 0 {
		t.Fatalf("empty catalogue: %+v", cat)
	}
	e.profile, e.acq = cat.PaymentProfiles[0].PaymentProfileId, cat.AcquiringAccounts[0].PaymentAcquiringAccountId
	return e
}

func (e *onboardingEnv) ok(r *apitest.Response, status int, out any) {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("want %d, got %d %s", status, r.Status, r.Body)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			e.t.Fatalf("%v: %s", err, r.Body)
		}
	}
}

// payload is the documented example partner under a reference of its own,
// with the simulator's payment profile and acquiring account.
func (e *onboardingEnv) payload(ref string) partner.Onboarding {
	e.t.Helper()
	b, err := os.ReadFile("../partner/testdata/onboarding.json")
	if err != nil {
		e.t.Fatal(err)
	}
	var o partner.Onboarding
	if err := json.Unmarshal(b, &o); err != nil {
		e.t.Fatal(err)
	}
	r := strings.NewReplacer("NORD", ref)
	o.PartnerAccountReference = ref
	o.BusinessEntities[0].Reference = r.Replace(o.BusinessEntities[0].Reference)
	o.Brands[0].Reference = r.Replace(o.Brands[0].Reference)
	o.StoreGroups[0].Reference, o.StoreGroups[0].BrandReference = r.Replace(o.StoreGroups[0].Reference), o.Brands[0].Reference
	o.StoreGroups[0].Stores[0].Reference = r.Replace(o.StoreGroups[0].Stores[0].Reference)
	pa := &o.PaymentProduct.PaymentAccounts[0]
	o.PaymentProduct.PaymentProfileID, pa.AcquiringAccountID = e.profile, e.acq
	pa.Reference, pa.BusinessEntityReference, pa.DefaultStoreGroupReference = r.Replace(pa.Reference), o.BusinessEntities[0].Reference, o.StoreGroups[0].Reference
	return o
}

func (e *onboardingEnv) create() apigen.OnboardingDraft {
	e.t.Helper()
	var d apigen.OnboardingDraft
	e.ok(e.admin.Send("POST", "/api/v1/onboarding/drafts", "application/json", []byte(`{"kind":"new"}`)), 201, &d)
	return d
}

func (e *onboardingEnv) save(d apigen.OnboardingDraft, o partner.Onboarding) apigen.OnboardingDraft {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"version": d.Version, "step": "review", "payload": o})
	var out apigen.OnboardingDraft
	e.ok(e.admin.Send("PUT", "/api/v1/onboarding/drafts/"+d.Id.String(), "application/json", body), 200, &out)
	return out
}

func (e *onboardingEnv) submit(id uuid.UUID) apigen.OnboardingDraft {
	e.t.Helper()
	var out apigen.OnboardingDraft
	e.ok(e.admin.Send("POST", "/api/v1/onboarding/drafts/"+id.String()+"/submit", "", nil), 202, &out)
	return out
}

// waitStatus polls the draft until it reaches want (failing on another
// settled status).
func (e *onboardingEnv) waitStatus(id uuid.UUID, want apigen.OnboardingStatus) apigen.OnboardingDraft {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var d apigen.OnboardingDraft
		e.ok(e.admin.Get("/api/v1/onboarding/drafts/"+id.String()), 200, &d)
		if d.Status == want {
			return d
		}
		if d.Status != apigen.OnboardingStatusSubmitted || time.Now().After(deadline) {
			e.t.Fatalf("want %s, draft is %s (attempts %d, last error %q, field errors %+v)", want, d.Status, d.Attempts, d.LastError, d.FieldErrors)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *onboardingEnv) waitOperational(accountID string) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		acc, err := e.a.DB.Partners().Account(e.t.Context(), scope.All(), accountID)
		if err == nil && acc.State == string(klarna.AccountOperational) {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("account %s not operational: %+v %v", accountID, acc, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *onboardingEnv) idempotencyKey(id uuid.UUID) uuid.UUID {
	e.t.Helper()
	d, err := e.a.DB.Onboarding().Draft(e.t.Context(), scope.All(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return d.IdempotencyKey
}

// An admin fills a draft, submits it, and the partner becomes operational
// by Klarna's webhook: the tenant exists, the account is linked to it and
// the ids Klarna returned are stored.
func TestOnboarding_SubmittedDraftBecomesAnOperationalLinkedPartner(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil)
	d := e.create()
	if d.Status != apigen.OnboardingStatusDraft || len(d.Validation) == 0 {
		t.Fatalf("a new draft is an empty draft with validation errors: %+v", d)
	}
	d = e.save(d, e.payload("ONB-OK"))
	if len(d.Validation) != 0 || d.Version != 2 {
		t.Fatalf("saved: version %d, validation %+v", d.Version, d.Validation)
	}
	var body map[string]any
	e.ok(e.admin.Get("/api/v1/onboarding/drafts/"+d.Id.String()+"/payload"), 200, &body)
	if body["partner_account_reference"] != "ONB-OK" || body["products"] == nil {
		t.Fatalf("review payload: %v", body)
	}
	accountsBefore := e.sim.Stats().Accounts
	start := time.Now()
	e.submit(d.Id)
	e.submit(d.Id) // a double click queues nothing more
	done := e.waitStatus(d.Id, apigen.OnboardingStatusSucceeded)
	linked := time.Since(start)
	e.waitOperational(done.KlarnaAccountId)
	t.Logf("wizard submission → succeeded and linked: %s; → OPERATIONAL by webhook: %s (the simulator's operational delay is 300 ms)",
		linked.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if n := e.sim.Stats().Accounts - accountsBefore; n != 1 {
		t.Fatalf("%d accounts created", n)
	}
	r := done.Result
	if r == nil || r.PartnerAccountId != done.KlarnaAccountId || len(r.PaymentAccounts) != 1 || r.PaymentAccounts[0].PaymentAccountId == "" ||
		r.PaymentAccounts[0].PaymentAccountReference != "ONB-OK-PA-SEK" || r.PaymentAccounts[0].PaymentAcquiringAccountId != e.acq ||
		len(r.BusinessEntities) != 1 || len(r.Stores) != 1 {
		t.Fatalf("result: %+v", r)
	}
	tn, err := e.a.DB.Identity().TenantBySlug(t.Context(), "onb-ok")
	if err != nil || done.TenantId == nil || tn.ID != *done.TenantId || tn.Name != "Nordlicht Outdoor Group" {
		t.Fatalf("tenant: %+v %v (draft says %v)", tn, err, done.TenantId)
	}
	if acc, err := e.a.DB.Partners().Account(t.Context(), scope.All(), done.KlarnaAccountId); err != nil || acc.TenantID != tn.ID {
		t.Fatalf("account not linked to the new tenant: %+v %v", acc, err)
	}
	var audit apigen.AuditPage
	e.ok(e.admin.Get("/api/v1/audit?action=onboarding:"), 200, &audit)
	actions := map[string]bool{}
	for _, ev := range audit.Items {
		if ev.TargetId == d.Id.String() {
			actions[ev.Action] = true
		}
	}
	for _, want := range []string{"onboarding:create", "onboarding:save", "onboarding:submit", "onboarding:succeeded"} {
		if !actions[want] {
			t.Errorf("audit lacks %s: %v", want, actions)
		}
	}
	// The finished draft can no longer be changed or discarded.
	if r := e.admin.Send("DELETE", "/api/v1/onboarding/drafts/"+d.Id.String(), "", nil); r.Status != 409 {
		t.Fatalf("discard a succeeded draft: %d %s", r.Status, r.Body)
	}
}

// Submitting an invalid draft answers 422 with every field error, and
// nothing is queued.
func TestOnboarding_InvalidDraftIsRefusedWithEveryFieldError(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil)
	d := e.create()
	o := e.payload("ONB-BAD")
	o.Contact.Email = "not-an-address"
	o.BusinessEntities[0].Country = "Sweden"
	d = e.save(d, o)
	r := e.admin.Send("POST", "/api/v1/onboarding/drafts/"+d.Id.String()+"/submit", "", nil)
	var p apigen.Problem
	e.ok(r, 422, &p)
	fields := map[string]bool{}
	for _, f := range *p.Errors {
		fields[f.Field] = true
	}
	if !fields["partner_account_contact.email"] || !fields["partner_business_entities[0].legal_registration_country"] {
		t.Fatalf("field errors: %+v", *p.Errors)
	}
	var got apigen.OnboardingDraft
	e.ok(e.admin.Get("/api/v1/onboarding/drafts/"+d.Id.String()), 200, &got)
	if got.Status != apigen.OnboardingStatusDraft {
		t.Fatalf("status %s", got.Status)
	}
}

// Klarna's 400 lands on the wizard's field; the admin fixes it and submits
// again with the same idempotency key, and one account is created.
func TestOnboarding_KlarnaValidationErrorIsMappedFixedAndResubmitted(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil)
	d := e.create()
	o := e.payload("ONB-400")
	good := o.PaymentProduct.PaymentAccounts[0].AcquiringAccountID
	o.PaymentProduct.PaymentAccounts[0].AcquiringAccountID = "krn:partner:global:payment-acquiring-account:test:not-ours"
	d = e.save(d, o)
	key := e.idempotencyKey(d.Id)
	e.submit(d.Id)
	rej := e.waitStatus(d.Id, apigen.OnboardingStatusRejected)
	if len(rej.FieldErrors) != 1 || rej.FieldErrors[0].Field != "payment_product.payment_accounts[0].payment_acquiring_account_id" {
		t.Fatalf("field errors: %+v", rej.FieldErrors)
	}
	o.PaymentProduct.PaymentAccounts[0].AcquiringAccountID = good
	e.save(rej, o)
	before := e.sim.Stats().Accounts
	e.submit(d.Id)
	done := e.waitStatus(d.Id, apigen.OnboardingStatusSucceeded)
	if e.idempotencyKey(d.Id) != key || len(done.FieldErrors) != 0 {
		t.Fatalf("the key changed or errors remain: %+v", done)
	}
	if n := e.sim.Stats().Accounts - before; n != 1 {
		t.Fatalf("%d accounts", n)
	}
}

// A 409 shows what Klarna holds beside what the payload says; taking
// Klarna's version resolves it and the submission then succeeds on the
// same account. A renamed store is created instead of conflicting.
func TestOnboarding_ConflictShowsTheDiffAndIsResolved(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil)
	first := e.create()
	o := e.payload("ONB-409")
	first = e.save(first, o)
	e.submit(first.Id)
	done := e.waitStatus(first.Id, apigen.OnboardingStatusSucceeded)
	e.waitOperational(done.KlarnaAccountId)

	// Another admin, unaware, prepares the same partner with another brand
	// name and a different store URL.
	second := e.create()
	o2 := e.payload("ONB-409")
	o2.Brands[0].DisplayName = "Nordlicht"
	o2.StoreGroups[0].Stores[0].URL = "https://shop.nordlicht.example"
	second = e.save(second, o2)
	e.submit(second.Id)
	c := e.waitStatus(second.Id, apigen.OnboardingStatusConflict)
	byKind := map[string]apigen.OnboardingConflictItem{}
	for _, it := range c.Conflict {
		byKind[string(it.Kind)] = it
	}
	brand, store := byKind["brand"], byKind["store"]
	if brand.Reference != "ONB-409-BR" || strings.Join(brand.Fields, ",") != "display_name" || brand.Klarna["display_name"] != "Nordlicht Outdoor" ||
		brand.Payload["display_name"] != "Nordlicht" || brand.Path != "brands[0]" {
		t.Fatalf("brand conflict: %+v", c.Conflict)
	}
	if store.Reference != "ONB-409-ST-SE" || strings.Join(store.Fields, ",") != "url" || store.Path != "store_groups[0].stores[0]" {
		t.Fatalf("store conflict: %+v", c.Conflict)
	}
	var mid apigen.OnboardingDraft
	e.ok(e.admin.Send("POST", "/api/v1/onboarding/drafts/"+second.Id.String()+"/resolve", "application/json",
		[]byte(`{"kind":"brand","reference":"ONB-409-BR","action":"take_klarna"}`)), 200, &mid)
	if mid.Status != apigen.OnboardingStatusConflict || mid.Payload.Brands[0].DisplayName != "Nordlicht Outdoor" || len(mid.Conflict) != 1 {
		t.Fatalf("after taking Klarna's brand: %+v", mid)
	}
	var resolved apigen.OnboardingDraft
	e.ok(e.admin.Send("POST", "/api/v1/onboarding/drafts/"+second.Id.String()+"/resolve", "application/json",
		[]byte(`{"kind":"store","reference":"ONB-409-ST-SE","action":"rename","new_reference":"ONB-409-ST-SHOP"}`)), 200, &resolved)
	if resolved.Status != apigen.OnboardingStatusDraft || resolved.Payload.StoreGroups[0].Stores[0].StoreReference != "ONB-409-ST-SHOP" {
		t.Fatalf("after renaming the store: %+v", resolved)
	}
	before := e.sim.Stats().Accounts
	e.submit(second.Id)
	ok := e.waitStatus(second.Id, apigen.OnboardingStatusSucceeded)
	if ok.KlarnaAccountId != done.KlarnaAccountId || e.sim.Stats().Accounts != before || *ok.TenantId != *done.TenantId {
		t.Fatalf("the second onboarding made another account or tenant: %s vs %s", ok.KlarnaAccountId, done.KlarnaAccountId)
	}
	stores, err := e.a.Klarna.ListStores(t.Context(), done.KlarnaAccountId)
	if err != nil || len(stores) != 2 {
		t.Fatalf("stores at Klarna: %+v %v", stores, err)
	}
}

// 429s and 5xx (the call executed but its answer lost) are retried with
// the same key: attempts and the last error show, and one account results.
func TestOnboarding_RateLimitsAndServerErrorsAreRetriedWithoutASecondAccount(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil)
	d := e.save(e.create(), e.payload("ONB-5XX"))
	e.sim.SetFaults(klarnasim.Faults{RateLimitNext: 40, PathPrefix: "/v2/distribution/onboard"})
	before := e.sim.Stats().Accounts
	e.submit(d.Id)
	sawError := false
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got apigen.OnboardingDraft
		e.ok(e.admin.Get("/api/v1/onboarding/drafts/"+d.Id.String()), 200, &got)
		if got.Status == apigen.OnboardingStatusSubmitted && got.LastError != "" && got.Attempts >= 1 {
			if !sawError { // now the call goes through at Klarna but its answer fails
				e.sim.SetFaults(klarnasim.Faults{FailNext: 6, AfterProcessing: true, PathPrefix: "/v2/distribution/onboard"})
			}
			sawError = true
		}
		if got.Status == apigen.OnboardingStatusSucceeded {
			if !sawError || got.Attempts < 2 {
				t.Fatalf("no retry was seen: %+v", got)
			}
			t.Logf("succeeded after %d attempts", got.Attempts)
			break
		}
		if got.Status != apigen.OnboardingStatusSubmitted || time.Now().After(deadline) {
			t.Fatalf("draft %s: attempts %d, %q", got.Status, got.Attempts, got.LastError)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := e.sim.Stats().Accounts - before; n != 1 {
		t.Fatalf("%d accounts", n)
	}
}

// After the last attempt the draft is failed; submitting it again is the
// retry, with the same key, and it succeeds once Klarna answers.
func TestOnboarding_GivesUpAfterMaxAttemptsAndRetriesOnSubmit(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, func(cfg *config.Config) { cfg.OnboardingMaxAttempts = 2 })
	d := e.save(e.create(), e.payload("ONB-FAIL"))
	key := e.idempotencyKey(d.Id)
	e.sim.SetFaults(klarnasim.Faults{FailNext: 1000, PathPrefix: "/v2/distribution/onboard"})
	e.submit(d.Id)
	failed := e.waitStatus(d.Id, apigen.OnboardingStatusFailed)
	if failed.Attempts != 2 || !strings.Contains(failed.LastError, "Gave up after 2 attempts") {
		t.Fatalf("failed draft: attempts %d, %q", failed.Attempts, failed.LastError)
	}
	// Whoever onboards hears of the failure, and then of the success.
	link := "/onboarding/drafts/" + d.Id.String()
	if n := noticeOf(t, e.admin, "onboarding_failed", link); !strings.Contains(n.Title, "failed") || !strings.Contains(n.Body, "Gave up after 2 attempts") {
		t.Errorf("failure notice: %+v", n)
	}
	e.sim.SetFaults(klarnasim.Faults{})
	e.submit(d.Id)
	e.waitStatus(d.Id, apigen.OnboardingStatusSucceeded)
	if n := noticeOf(t, e.admin, "onboarding_done", link); !strings.HasPrefix(n.Title, "Onboarded ") {
		t.Errorf("success notice: %+v", n)
	}
	if e.idempotencyKey(d.Id) != key {
		t.Fatal("the retry used another key")
	}
}

// Two admins edit the same draft: the second save from a stale version is
// refused with 409 and keeps the first admin's work.
func TestOnboarding_StaleVersionIsRefused(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil)
	d := e.create()
	first := e.save(d, e.payload("ONB-A"))
	body, _ := json.Marshal(map[string]any{"version": d.Version, "payload": e.payload("ONB-B")})
	r := e.admin.Send("PUT", "/api/v1/onboarding/drafts/"+d.Id.String(), "application/json", body)
	if r.Status != 409 || !strings.Contains(string(r.Body), "Someone else saved") {
		t.Fatalf("stale save: %d %s", r.Status, r.Body)
	}
	var got apigen.OnboardingDraft
	e.ok(e.admin.Get("/api/v1/onboarding/drafts/"+d.Id.String()), 200, &got)
	if got.Version != first.Version || got.Payload.PartnerAccountReference != "ONB-A" {
		t.Fatalf("draft after the refused save: %+v", got)
	}
	var page apigen.OnboardingDraftPage
	e.ok(e.admin.Get("/api/v1/onboarding/drafts?status=draft"), 200, &page)
	if len(page.Items) == 0 || page.Items[0].Id != d.Id || page.Items[0].Reference != "ONB-A" || page.Items[0].UpdatedBy == nil {
		t.Fatalf("list: %+v", page.Items)
	}
}

// An incremental draft starts from what the partner's account holds,
// marks it existing, and sends only the store added.
func TestOnboarding_IncrementalDraftSendsOnlyNewResources(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil)
	aurora, err := e.a.DB.Identity().TenantBySlug(t.Context(), "aurora")
	if err != nil {
		t.Fatal(err)
	}
	var d apigen.OnboardingDraft
	e.ok(e.admin.Send("POST", "/api/v1/onboarding/drafts", "application/json", []byte(fmt.Sprintf(`{"kind":"incremental","tenant_id":%q}`, aurora.ID))), 201, &d)
	if d.Kind != apigen.OnboardingDraftKindIncremental || d.Payload.PartnerAccountReference != "aurora" || len(d.Existing.Stores) != 1 ||
		len(d.Payload.StoreGroups) != 1 || len(d.Payload.StoreGroups[0].Stores) != 1 || len(d.Validation) != 0 {
		t.Fatalf("pre-filled draft: %+v", d)
	}
	o, err := convert[partner.Onboarding](d.Payload)
	if err != nil {
		t.Fatal(err)
	}
	o.StoreGroups[0].Stores = append(o.StoreGroups[0].Stores, partner.StoreDef{Reference: "aurora-pos-1", Type: "WEBSITE", URL: "https://pos.aurora.example"})
	d = e.save(d, o)
	var body klarna.OnboardRequest
	e.ok(e.admin.Get("/api/v1/onboarding/drafts/"+d.Id.String()+"/payload"), 200, &body)
	if len(body.PartnerBusinessEntities) != 0 || len(body.Brands) != 0 || len(body.Products) != 0 || len(body.StoreGroups) != 1 ||
		len(body.StoreGroups[0].Stores) != 1 || body.StoreGroups[0].Stores[0].StoreReference != "aurora-pos-1" {
		t.Fatalf("incremental payload: %+v", body)
	}
	e.submit(d.Id)
	done := e.waitStatus(d.Id, apigen.OnboardingStatusSucceeded)
	if *done.TenantId != aurora.ID {
		t.Fatalf("tenant %v", done.TenantId)
	}
	stores, err := e.a.Klarna.ListStores(t.Context(), done.KlarnaAccountId)
	if err != nil || len(stores) != 2 {
		t.Fatalf("stores: %+v %v", stores, err)
	}
}

func convert[T any](v any) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return out, err
	}
	return out, json.Unmarshal(b, &out)
}

// A draft is discarded while nothing of it is at Klarna; it is gone, the
// discard is audited, and a submitted draft cannot be discarded.
func TestOnboarding_DiscardRemovesAnUnsentDraft(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil)
	d := e.save(e.create(), e.payload("ONB-DEL"))
	if r := e.admin.Send("DELETE", "/api/v1/onboarding/drafts/"+d.Id.String(), "", nil); r.Status != 204 {
		t.Fatalf("discard: %d %s", r.Status, r.Body)
	}
	if r := e.admin.Get("/api/v1/onboarding/drafts/" + d.Id.String()); r.Status != 404 {
		t.Fatalf("after discard: %d %s", r.Status, r.Body)
	}
	var audit apigen.AuditPage
	e.ok(e.admin.Get("/api/v1/audit?action=onboarding:discard"), 200, &audit)
	if len(audit.Items) != 1 || audit.Items[0].TargetId != d.Id.String() {
		t.Fatalf("audit: %+v", audit.Items)
	}
	e.sim.SetFaults(klarnasim.Faults{LatencyMS: 2000, PathPrefix: "/v2/distribution/onboard"})
	sent := e.save(e.create(), e.payload("ONB-DEL2"))
	e.submit(sent.Id)
	if r := e.admin.Send("DELETE", "/api/v1/onboarding/drafts/"+sent.Id.String(), "", nil); r.Status != 409 {
		t.Fatalf("discard a submitted draft: %d %s", r.Status, r.Body)
	}
}

// Klarna's Account Onboarding limit answers 429 with Retry-After: the
// client pauses the category that long instead of retrying at once (see
// internal/klarna's limiter), then the submission goes through, once.
func TestOnboarding_RateLimitedCallWaitsForRetryAfter(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil, func(o *klarnasim.Options) {
		o.DisableRateLimits = false
		o.RateLimits = klarnasim.DefaultRateLimits()
		o.RateLimits[klarna.CategoryOnboarding] = klarnasim.RateLimit{PerSecond: 0.25, Burst: 1}
	})
	first := e.save(e.create(), e.payload("ONB-RL-A"))
	second := e.save(e.create(), e.payload("ONB-RL-B"))
	before := e.sim.Stats().Accounts
	e.submit(first.Id)
	e.waitStatus(first.Id, apigen.OnboardingStatusSucceeded)
	start := time.Now()
	e.submit(second.Id)
	e.waitStatus(second.Id, apigen.OnboardingStatusSucceeded)
	took := time.Since(start)
	if took < 2*time.Second {
		t.Fatalf("succeeded after %s: Retry-After was not honoured", took)
	}
	if n := e.sim.Stats().Accounts - before; n != 2 {
		t.Fatalf("two submissions made %d accounts", n)
	}
	t.Logf("the rate-limited submission succeeded after %s", took.Round(time.Millisecond))
}

// The bulk upload's entry point: CreateSubmitted makes and submits a
// draft inside the caller's transaction; rolled back, nothing remains;
// invalid, nothing is written.
func TestOnboarding_CreateSubmittedJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil)
	ctx := t.Context()
	var id uuid.UUID
	err := e.a.DB.InTx(ctx, func(ctx context.Context) error {
		var err error
		id, err = e.a.Onboarding.CreateSubmitted(ctx, e.payload("ONB-BULK-1"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.waitStatus(id, apigen.OnboardingStatusSucceeded)

	errRollback := errors.New("the row failed afterwards")
	var gone uuid.UUID
	err = e.a.DB.InTx(ctx, func(ctx context.Context) error {
		var err error
		if gone, err = e.a.Onboarding.CreateSubmitted(ctx, e.payload("ONB-BULK-2")); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if r := e.admin.Get("/api/v1/onboarding/drafts/" + gone.String()); r.Status != 404 {
		t.Fatalf("a rolled-back draft exists: %d", r.Status)
	}
	bad := e.payload("ONB-BULK-3")
	bad.Contact.Email = "nope"
	if _, err := e.a.Onboarding.CreateSubmitted(ctx, bad); apperr.CodeOf(err) != apperr.Invalid || len(apperr.As(err).Fields) != 1 {
		t.Fatalf("invalid payload: %v", err)
	}
	var page apigen.OnboardingDraftPage
	e.ok(e.admin.Get("/api/v1/onboarding/drafts"), 200, &page)
	for _, it := range page.Items {
		if strings.HasPrefix(it.Reference, "ONB-BULK-") && it.Reference != "ONB-BULK-1" {
			t.Fatalf("draft %s was written", it.Reference)
		}
	}
	if n := e.sim.Stats().Accounts; n != 3 { // aurora, borealis, ONB-BULK-1
		t.Fatalf("%d accounts at Klarna", n)
	}
}

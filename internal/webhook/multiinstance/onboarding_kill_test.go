//go:build linux

package multiinstance

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/partner"
)

// login signs the acquirer admin in at an instance through the IdP.
func login(t *testing.T, in *instance, persona string) *apitest.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(in.url + "/auth/login?return_to=/&login_hint=" + persona)
	if err != nil {
		t.Fatalf("login %s: %v", persona, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		t.Fatalf("login %s ended at %s (%d)", persona, resp.Request.URL, resp.StatusCode)
	}
	c := apitest.New(t, in.url)
	c.HTTP.Jar = jar
	for _, ck := range jar.Cookies(resp.Request.URL) {
		if ck.Name == "pd_csrf" {
			c.CSRF = ck.Value
		}
	}
	return c
}

// The instance is SIGKILLed while Klarna executes the onboard call: Klarna
// onboarded the partner but Partner Desk never heard the answer. After a
// restart the job is rescued and calls again with the draft's fixed
// Klarna-Idempotency-Key; Klarna replays its answer, so the draft succeeds
// with the one account that exists, and the job runs to completion once.
func TestOnboarding_KilledMidSubmission_FinishesOnceAfterRestart(t *testing.T) {
	bin := buildBinary(t)
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true, OperationalDelay: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sim.Start(t.Context())
	t.Cleanup(func() { sim.Close() })
	executed := make(chan struct{}, 1)
	var calls, held atomic.Int32
	simSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v2/distribution/onboard" {
			calls.Add(1)
			if held.CompareAndSwap(0, 1) {
				// Klarna executes the first call, but its answer never
				// reaches the caller: it is killed while waiting.
				sim.Handler().ServeHTTP(httptest.NewRecorder(), r)
				executed <- struct{}{}
				<-r.Context().Done()
				return
			}
		}
		sim.Handler().ServeHTTP(w, r)
	}))
	defer simSrv.Close()

	c := newCluster(t, bin, map[string]string{
		"PARTNERDESK_JOB_RESCUE_AFTER":       "2s",
		"PARTNERDESK_KLARNA_API_KEY":         sim.InitialAPIKey(),
		"PARTNERDESK_KLARNA_GATEWAY_URL":     simSrv.URL,
		"PARTNERDESK_KLARNA_DISPUTES_URL":    simSrv.URL,
		"PARTNERDESK_KLARNA_SETTLEMENTS_URL": simSrv.URL,
		"PARTNERDESK_OIDC_GROUP_ROLES":       strings.Join(app.DemoGroupRoles, ","),
	})
	a := c.start("instance-a")
	admin := login(t, a, "acquirer-admin")

	var cat struct {
		PaymentProfiles []struct {
			PaymentProfileID string `json:"payment_profile_id"`
		} `json:"payment_profiles"`
		AcquiringAccounts []struct {
			ID string `json:"payment_acquiring_account_id"`
		} `json:"acquiring_accounts"`
	}
	mustJSON(t, admin.Get("/api/v1/onboarding/catalogue"), 200, &cat)
	raw, err := os.ReadFile("../../partner/testdata/onboarding.json")
	if err != nil {
		t.Fatal(err)
	}
	var o partner.Onboarding
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	o.PaymentProduct.PaymentProfileID = cat.PaymentProfiles[0].PaymentProfileID
	o.PaymentProduct.PaymentAccounts[0].AcquiringAccountID = cat.AcquiringAccounts[0].ID
	var d struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	mustJSON(t, admin.Send("POST", "/api/v1/onboarding/drafts", "application/json", []byte(`{"kind":"new"}`)), 201, &d)
	body, _ := json.Marshal(map[string]any{"version": d.Version, "payload": o})
	mustJSON(t, admin.Send("PUT", "/api/v1/onboarding/drafts/"+d.ID, "application/json", body), 200, nil)
	accountsBefore := sim.Stats().Accounts
	mustJSON(t, admin.Send("POST", "/api/v1/onboarding/drafts/"+d.ID+"/submit", "", nil), 202, nil)

	select {
	case <-executed:
	case <-time.After(30 * time.Second):
		t.Fatal("the onboard call never reached Klarna")
	}
	a.kill()
	if n := sim.Stats().Accounts - accountsBefore; n != 1 {
		t.Fatalf("Klarna holds %d new accounts after the first call", n)
	}
	if st := c.queryInt(`SELECT count(*) FROM onboarding_drafts WHERE id = $1 AND status = 'submitted'`, d.ID); st != 1 {
		t.Fatal("the draft is not submitted any more before the restart")
	}

	b := c.start("instance-b")
	admin = login(t, b, "acquirer-admin")
	deadline := time.Now().Add(90 * time.Second)
	var got struct {
		Status          string `json:"status"`
		Attempts        int    `json:"attempts"`
		KlarnaAccountID string `json:"klarna_account_id"`
		LastError       string `json:"last_error"`
	}
	for {
		mustJSON(t, admin.Get("/api/v1/onboarding/drafts/"+d.ID), 200, &got)
		if got.Status == "succeeded" {
			break
		}
		if got.Status != "submitted" || time.Now().After(deadline) {
			t.Fatalf("draft %+v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := sim.Stats().Accounts - accountsBefore; n != 1 || calls.Load() != 2 || got.Attempts != 2 {
		t.Fatalf("accounts %d, onboard calls %d, attempts %d (want 1, 2, 2)", n, calls.Load(), got.Attempts)
	}
	if n := c.queryInt(`SELECT count(*) FROM partner_accounts WHERE klarna_account_id = $1`, got.KlarnaAccountID); n != 1 {
		t.Fatalf("account linked %d times", n)
	}
	// One job, run twice (killed, rescued), completed once.
	for c.queryInt(`SELECT count(*) FROM river_job WHERE kind = 'partner.onboard' AND state = 'completed'`) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the onboard job did not complete")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := c.queryInt(`SELECT count(*) FROM river_job WHERE kind = 'partner.onboard'`); n != 1 {
		t.Fatalf("%d onboard jobs", n)
	}
	if n := c.queryInt(`SELECT count(*) FROM audit_events WHERE action = 'onboarding:succeeded' AND target_id = $1`, d.ID); n != 1 {
		t.Fatalf("%d success audit entries", n)
	}
}

func mustJSON(t *testing.T, r *apitest.Response, status int, out any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want %d, got %d %s", status, r.Status, r.Body)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
	}
}

package klarna_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	dto "github.com/prometheus/client_model/go"
)

func accounts(t *testing.T, e *env) int { return e.sim.Stats().Accounts }

func TestFaults_CallSucceedsOnceFaultClearsAndSideEffectHappensOnce(t *testing.T) {
	cases := []struct {
		name   string
		faults klarnasim.Faults
	}{
		{"OK_After500s", klarnasim.Faults{FailNext: 3}},
		{"OK_After429Burst", klarnasim.Faults{RateLimitNext: 3}},
		{"OK_AfterTimeouts", klarnasim.Faults{TimeoutNext: 2}},
		{"OK_AfterTimeoutThatHappenedAfterProcessing", klarnasim.Faults{TimeoutNext: 2, AfterProcessing: true}},
		{"OK_After500AfterProcessing", klarnasim.Faults{FailNext: 1, AfterProcessing: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.sim.SetFaults(c.faults)
			res, err := e.client.Onboard(context.Background(), onboardReq("PD-F"))
			if err != nil {
				t.Fatalf("onboard failed despite retries: %v", err)
			}
			if n := accounts(t, e); n != 1 {
				t.Fatalf("%d accounts exist, want exactly 1", n)
			}
			if got := must[string](t)(e.client.ResolvePartnerAccountID(context.Background(), "PD-F")); got != res.PartnerAccountID {
				t.Fatalf("the response and the stored account differ: %s vs %s", got, res.PartnerAccountID)
			}
			if !strings.Contains(e.logs.String(), `"retries":`) {
				t.Fatal("no retry count logged")
			}
		})
	}
}

func TestFaults_PersistentOutageIsUnavailableWithinBoundedTime(t *testing.T) {
	e := newEnv(t, func(_ *klarnasim.Options, c *klarna.Config) { c.MaxRetryTime = 200 * time.Millisecond })
	e.sim.SetFaults(klarnasim.Faults{ErrorRate: 1})
	start := time.Now()
	_, err := e.client.ListPaymentProfiles(context.Background())
	wantCode(t, err, apperr.Unavailable)
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("gave up after %s", el)
	}
	var ke *klarna.Error
	if !errors.As(err, &ke) || ke.Retries == 0 || ke.ErrorCode != klarna.CodeInternal {
		t.Fatalf("error = %+v", ke)
	}
}

func TestIdempotency_SameKeyReplaysDifferentBodyConflicts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	key := klarna.DeriveIdempotencyKey("our-idempotency-key-123", "onboard")
	a := must[*klarna.OnboardResponse](t)(e.client.Onboard(ctx, onboardReq("PD-I"), klarna.WithIdempotencyKey(key)))
	b := must[*klarna.OnboardResponse](t)(e.client.Onboard(ctx, onboardReq("PD-I"), klarna.WithIdempotencyKey(key)))
	if a.PartnerAccountID != b.PartnerAccountID {
		t.Fatal("replay returned a different result")
	}
	_, err := e.client.Onboard(ctx, onboardReq("PD-J"), klarna.WithIdempotencyKey(key))
	wantCode(t, err, apperr.Conflict)
	if n := accounts(t, e); n != 1 {
		t.Fatalf("%d accounts", n)
	}
	e.sim.Advance(25 * time.Hour) // keys are honoured for 24 h
	must[*klarna.OnboardResponse](t)(e.client.Onboard(ctx, onboardReq("PD-J"), klarna.WithIdempotencyKey(key)))
}

func TestCancelledContext_StopsCallAtOnce(t *testing.T) {
	e := newEnv(t)
	e.sim.SetFaults(klarnasim.Faults{LatencyMS: 3000})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.client.ListPaymentProfiles(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("call returned after %s", el)
	}
	t.Run("DuringBackoff", func(t *testing.T) {
		e := newEnv(t, func(_ *klarnasim.Options, c *klarna.Config) {
			c.RetryBaseDelay, c.RetryMaxDelay, c.MaxRetryTime = 5*time.Second, 5*time.Second, time.Minute
		})
		e.sim.SetFaults(klarnasim.Faults{ErrorRate: 1})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := e.client.ListPaymentProfiles(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
			t.Fatalf("err %v after %s", err, time.Since(start))
		}
	})
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	e := newEnv(t, func(_ *klarnasim.Options, c *klarna.Config) { c.Timeout = 100 * time.Millisecond })
	e.sim.SetFaults(klarnasim.Faults{LatencyMS: 300})
	go func() { time.Sleep(250 * time.Millisecond); e.sim.SetFaults(klarnasim.Faults{}) }()
	must[[]klarna.PaymentProfile](t)(e.client.ListPaymentProfiles(context.Background()))
}

func TestBodyOver1MBIsTooLarge(t *testing.T) {
	e := newEnv(t)
	req := onboardReq("PD-L")
	req.PartnerAccountName = strings.Repeat("x", 1<<20)
	_, err := e.client.Onboard(context.Background(), req)
	wantCode(t, err, apperr.TooLarge)
}

func TestRateLimit_429WithHeadersThenClientBacksOff(t *testing.T) {
	e := newEnv(t, func(o *klarnasim.Options, c *klarna.Config) {
		o.DisableRateLimits = false
		o.RateLimits = map[string]klarnasim.RateLimit{klarna.CategoryPartnerManagement: {PerSecond: 20, Burst: 2}}
	})
	hc := http.Client{}
	var got429 *http.Response
	for range 5 {
		req, _ := http.NewRequest("GET", e.srv.URL+klarna.Routes[klarna.OpListPaymentProfiles].Path, nil)
		req.Header.Set("Authorization", "Basic "+e.key)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 429 {
			got429 = resp
			break
		}
		if resp.Header.Get("X-Ratelimit-Limit") == "" {
			t.Fatal("no X-Ratelimit-Limit on a success")
		}
	}
	if got429 == nil {
		t.Fatal("no 429 after exceeding the burst")
	}
	for _, h := range []string{"Retry-After", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"} {
		if got429.Header.Get(h) == "" {
			t.Errorf("429 lacks %s", h)
		}
	}
	for range 2 {
		must[[]klarna.PaymentProfile](t)(e.client.ListPaymentProfiles(context.Background()))
	}
}

func TestUnauthorized_IsUnavailableWithClearMessage(t *testing.T) {
	e := newEnv(t)
	c, _ := klarna.New(klarna.Config{AllowSimulator: true, GatewayURL: e.srv.URL, APIKey: "klarna_test_api_wrong"})
	_, err := c.ListPaymentProfiles(context.Background())
	wantCode(t, err, apperr.Unavailable)
	if !strings.Contains(apperr.As(err).Message, "API key") {
		t.Fatalf("message = %q", apperr.As(err).Message)
	}
}

func TestUnknownRouteIsNotFound(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest("GET", e.srv.URL+"/v2/nothing-here", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatal(resp.StatusCode)
	}
}

func TestObservability_MetricsAndLogsWithoutSecrets(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	must[[]klarna.PaymentProfile](t)(e.client.ListPaymentProfiles(ctx))
	_, _ = e.client.GetAccount(ctx, "nope")
	req := onboardReq("PD-SECRET")
	must[*klarna.OnboardResponse](t)(e.client.Onboard(ctx, req))

	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	hist := false
	for _, mf := range mfs {
		for _, m := range mf.Metric {
			labels := labelMap(m)
			switch mf.GetName() {
			case "partnerdesk_klarna_calls_total":
				counts[labels["operation"]+"/"+labels["outcome"]] += m.GetCounter().GetValue()
			case "partnerdesk_klarna_call_duration_seconds":
				hist = hist || m.GetHistogram().GetSampleCount() > 0
			}
		}
	}
	if counts["list_payment_profiles/ok"] != 1 || counts["get_account/client_error"] != 1 || counts["onboard/ok"] != 1 || !hist {
		t.Fatalf("metrics = %v hist=%v", counts, hist)
	}
	logs := e.logs.String()
	for _, secret := range []string{e.key, "ola@fjord.example", "Fjord Ceramics"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("logs contain %q:\n%s", secret, logs)
		}
	}
	for _, want := range []string{`"operation":"onboard"`, `"status":200`, `"correlation_id":`, `"duration":`} {
		if !strings.Contains(logs, want) {
			t.Fatalf("logs lack %s:\n%s", want, logs)
		}
	}
}

func labelMap(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.Label {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestNew_RejectsBadConfig(t *testing.T) {
	cases := map[string]klarna.Config{
		"ErrNoGateway":     {APIKey: "k"},
		"ErrNoKey":         {GatewayURL: "https://x.example"},
		"ErrBadURL":        {GatewayURL: "not a url", APIKey: "k"},
		"ErrHalfMTLS":      {GatewayURL: "https://x.example", APIKey: "k", ClientCertFile: "a.pem"},
		"ErrMissingCertFs": {GatewayURL: "https://x.example", APIKey: "k", ClientCertFile: "/nonexistent.pem", ClientKeyFile: "/nonexistent.key"},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := klarna.New(cfg); err == nil {
				t.Fatal("want error")
			}
		})
	}
	_ = bytes.MinRead
}

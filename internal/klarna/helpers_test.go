package klarna_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
	"github.com/partnerdesk/partnerdesk/internal/testsupport"
	"github.com/prometheus/client_golang/prometheus"
)

type env struct {
	t      testing.TB
	sim    *klarnasim.Sim
	srv    *httptest.Server
	client *klarna.Client
	reg    *prometheus.Registry
	logs   *testsupport.LogBuffer
	key    string
	hooks  *receiver
}

// receiver is a webhook endpoint that verifies signatures.
type receiver struct {
	mu       sync.Mutex
	srv      *httptest.Server
	secrets  map[string][]byte
	events   []*klarna.WebhookEnvelope
	badSigs  int
	failNext int
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{secrets: map[string][]byte{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.failNext > 0 {
			r.failNext--
			w.WriteHeader(503)
			return
		}
		secret := r.secrets[req.Header.Get(klarna.HeaderSigningKeyID)]
		if secret == nil || !klarna.VerifySignature(secret, body, req.Header.Get(klarna.HeaderSignature)) {
			r.badSigs++
			w.WriteHeader(400)
			return
		}
		env, err := klarna.ParseWebhook(body)
		if err != nil {
			w.WriteHeader(400)
			return
		}
		r.events = append(r.events, env)
		w.WriteHeader(204)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Metadata.EventType)
	}
	return out
}

// waitFor polls until an event of the type arrives.
func (r *receiver) waitFor(t testing.TB, eventType string) *klarna.WebhookEnvelope {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for _, e := range r.events {
			if e.Metadata.EventType == eventType {
				r.mu.Unlock()
				return e
			}
		}
		r.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s webhook arrived; got %v", eventType, r.types())
	return nil
}

func (r *receiver) count(eventType string) int {
	n := 0
	for _, ty := range r.types() {
		if ty == eventType {
			n++
		}
	}
	return n
}

type envOpt func(*klarnasim.Options, *klarna.Config)

func newEnv(t testing.TB, opts ...envOpt) *env {
	t.Helper()
	so := klarnasim.Options{
		OperationalDelay:   5 * time.Second,
		DisputeReviewDelay: 48 * time.Hour,
		ArbitrationDelay:   5 * 24 * time.Hour,
		DisableRateLimits:  true,
	}
	reg := prometheus.NewRegistry()
	logs := &testsupport.LogBuffer{}
	cfg := klarna.Config{
		AllowSimulator: true,
		Timeout:        5 * time.Second, MaxRetryTime: 3 * time.Second,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 20 * time.Millisecond,
		Registerer: reg, Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&so, &cfg)
	}
	sim, err := klarnasim.New(so)
	if err != nil {
		t.Fatal(err)
	}
	sim.Start(t.Context())
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { sim.Close() })
	key := sim.InitialAPIKey()
	cfg.GatewayURL, cfg.DisputesURL, cfg.SettlementsURL, cfg.APIKey = srv.URL, srv.URL, srv.URL+"/settlements/v1", key
	c, err := klarna.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sim: sim, srv: srv, client: c, reg: reg, logs: logs, key: key}
}

// subscribe creates a signing key and a webhook for all events to a verifying receiver.
func (e *env) subscribe() *receiver {
	e.t.Helper()
	r := newReceiver(e.t)
	ctx := context.Background()
	k, err := e.client.CreateSigningKey(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	r.secrets[k.SigningKeyID] = []byte(k.SigningKey)
	if _, err := e.client.CreateWebhook(ctx, klarna.Webhook{URL: r.srv.URL + "/hooks", EventTypes: []string{"*"}, EventVersion: "v1", SigningKeyID: k.SigningKeyID}); err != nil {
		e.t.Fatal(err)
	}
	e.hooks = r
	return r
}

// operationalPartner seeds an operational partner and returns its onboard result.
func (e *env) operationalPartner(currency string) *klarna.OnboardResponse {
	e.t.Helper()
	p, err := e.sim.SeedPartner(klarnasim.PartnerSpec{Operational: true, Currency: currency})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) openDispute(spec klarnasim.DisputeSpec) string {
	e.t.Helper()
	ids, err := e.sim.OpenDisputes(spec)
	if err != nil {
		e.t.Fatal(err)
	}
	return ids[0]
}

// wantCode asserts the apperr code of err.
func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got nil", code)
	}
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("want %s, got %s (%v)", code, got, err)
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func control(t *testing.T, e *env, method, path string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
	}
	return out
}

var onboardReq = func(ref string) klarna.OnboardRequest {
	return klarna.OnboardRequest{
		PartnerAccountReference: ref,
		PartnerAccountName:      "Fjord Ceramics",
		PartnerAccountContact:   &klarna.Contact{GivenName: "Ola", FamilyName: "Nordmann", Email: "ola@fjord.example", Phone: "+4791234567"},
		PartnerBusinessEntities: []klarna.BusinessEntity{{PartnerBusinessEntityReference: ref + "-LE", LegalRegisteredEntityName: "Fjord Ceramics AS", LegalRegistrationCountry: "NO", EnabledMerchantCategoryCodes: []string{"5719"}}},
		Brands:                  []klarna.Brand{{BrandReference: ref + "-BR", DisplayName: "Fjord", Element: &klarna.BrandElement{LogoURL: "https://cdn.fjord.example/logo.png"}}},
		StoreGroups: []klarna.StoreGroup{{StoreGroupReference: ref + "-SG", BrandReference: ref + "-BR", SupportContact: &klarna.SupportContact{Email: "help@fjord.example"},
			Stores: []klarna.Store{{StoreReference: ref + "-ST", Type: "WEBSITE", URL: "https://fjord.example"}}}},
		Products: []klarna.PaymentProduct{{Type: "PAYMENT", PaymentProfileID: profileID, PaymentAccounts: []klarna.PaymentAccount{{
			PaymentAccountReference: ref + "-PA", PaymentAcquiringAccountID: acquiringSEK, PartnerBusinessEntityReference: ref + "-LE",
			DefaultMerchantCategoryCode: "5719", DefaultStoreGroupReference: ref + "-SG"}}}},
	}
}

const (
	profileID    = "krn:partner:global:payment-profile:test:6c1e0a9e-2f0b-4d8a-9a51-1f6f1e0c7a01"
	acquiringSEK = "krn:partner:global:payment-acquiring-account:test:1b2c3d4e-0000-4a00-8000-00000000a5e0"
)

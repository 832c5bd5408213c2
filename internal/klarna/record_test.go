package klarna_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// memRecorder keeps the records it is given.
type memRecorder struct {
	mu   sync.Mutex
	recs []klarna.CallRecord
}

func (m *memRecorder) RecordCall(r klarna.CallRecord) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, r)
}

func (m *memRecorder) last(t *testing.T, op klarna.Operation) klarna.CallRecord {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.recs) - 1; i >= 0; i-- {
		if m.recs[i].Operation == op {
			return m.recs[i]
		}
	}
	t.Fatalf("no record of %s among %d", op, len(m.recs))
	return klarna.CallRecord{}
}

func withRecorder(r klarna.Recorder) envOpt {
	return func(_ *klarnasim.Options, c *klarna.Config) { c.Recorder = r }
}

// Every call is recorded with its operation, route template, partner and
// object (from the options or the path), outcome and Klarna's error body;
// the query string, the API key and a created key's secret never are.
func TestRecorder_RecordsEachCallWithoutQueryKeyOrSecret(t *testing.T) {
	t.Parallel()
	rec := &memRecorder{}
	e := newEnv(t, withRecorder(rec))
	ctx := context.Background()
	p := e.operationalPartner("SEK")
	acc := p.PartnerAccountID

	if _, err := e.client.UpdateAccount(ctx, acc, klarna.PartnerAccount{PartnerAccountName: "Renamed"}, klarna.WithIdempotencyKey("idem-1")); err != nil {
		t.Fatal(err)
	}
	r := rec.last(t, klarna.OpUpdateAccount)
	if r.Method != "PATCH" || r.Path != "/v2/accounts/{partner_account_id}" || r.PartnerAccount != acc || r.ObjectKind != "account" || r.ObjectID != acc ||
		r.Status != 200 || r.Outcome != "ok" || r.Attempts != 1 || r.IdempotencyKey != "idem-1" || r.CorrelationID == "" || r.Duration <= 0 || r.At.IsZero() || r.Host != "gateway" {
		t.Fatalf("update_account record = %+v", r)
	}

	// About overrides the path's object; OnBehalfOf names the partner.
	if _, err := e.client.GetDispute(ctx, "krn:dispute:missing", klarna.OnBehalfOf(acc), klarna.About("dispute", "our-dispute-1")); err == nil {
		t.Fatal("an unknown dispute was found")
	}
	r = rec.last(t, klarna.OpGetDispute)
	if r.Status != 404 || r.Outcome != "client_error" || r.ErrorCode == "" || r.ErrorID == "" || len(r.ErrorMessages) == 0 ||
		r.PartnerAccount != acc || r.ObjectKind != "dispute" || r.ObjectID != "our-dispute-1" || r.Path != "/v4/payment/disputes/{payment_dispute_id}" || r.Host != "disputes" {
		t.Fatalf("get_dispute record = %+v", r)
	}

	// A list with query parameters keeps the template only.
	if _, err := e.client.ListDisputes(ctx, klarna.ListDisputesParams{Size: 3}, klarna.OnBehalfOf(acc)); err != nil {
		t.Fatal(err)
	}
	if r = rec.last(t, klarna.OpListDisputes); r.Path != "/v4/payment/disputes" || strings.Contains(fmt.Sprintf("%+v", r), "size=") {
		t.Fatalf("list_disputes record = %+v", r)
	}

	// A created API key: the record names it by id, never by its secret.
	k, err := e.client.CreateAPIKey(ctx, "backend", klarna.OnBehalfOf(acc))
	if err != nil {
		t.Fatal(err)
	}
	r = rec.last(t, klarna.OpCreateAPIKey)
	if r.ObjectKind != "credential" || r.ObjectID != k.CredentialID || r.PartnerAccount != acc || r.IdempotencyKey == "" {
		t.Fatalf("create_api_key record = %+v", r)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, r := range rec.recs {
		all := fmt.Sprintf("%+v", r)
		for name, secret := range map[string]string{"API key": e.key, "created secret": k.Secret} {
			if secret == "" {
				t.Fatalf("%s not captured", name)
			}
			if strings.Contains(all, secret) {
				t.Errorf("the %s record holds the %s: %s", r.Operation, name, all)
			}
		}
	}
}

// A retried call is one record with its attempts, the final status and
// Klarna's correlation id; a transport failure keeps its cause without
// the URL; error messages are bounded and mask e-mails and phone numbers.
func TestRecorder_RetriesTransportFailuresAndMaskedMessages(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(klarna.HeaderCorrelationID, "klarna-corr-9")
		switch {
		case strings.Contains(r.URL.Path, "/brands"):
			w.WriteHeader(400)
			long := strings.Repeat("x", 2000)
			_, _ = fmt.Fprintf(w, `{"error_id":"e-1","error_type":"INPUT_ERROR","error_code":"VALIDATION_ERROR","error_message":"contact jane.doe@example.com or +46 70 123 45 67 %s","validation_errors":[{"parameter":"display_name","reason":"too long"}]}`, long)
		case n == 1:
			w.WriteHeader(503)
			_, _ = w.Write([]byte(`{"error_code":"SERVICE_UNAVAILABLE","error_id":"e-0"}`))
		default:
			_, _ = w.Write([]byte(`{"partner_account_id":"acc-1"}`))
		}
	}))
	defer srv.Close()
	rec := &memRecorder{}
	c, err := klarna.New(klarna.Config{GatewayURL: srv.URL, APIKey: "secret-key", RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.GetAccount(ctx, "acc-1"); err != nil {
		t.Fatal(err)
	}
	r := rec.last(t, klarna.OpGetAccount)
	if r.Attempts != 2 || r.Status != 200 || r.Outcome != "ok" || r.KlarnaCorrelationID != "klarna-corr-9" || r.ErrorCode != "" || len(r.ErrorMessages) != 0 {
		t.Fatalf("retried call record = %+v", r)
	}
	if _, err := c.CreateBrand(ctx, "acc-1", klarna.Brand{DisplayName: "x"}); err == nil {
		t.Fatal("want the 400")
	}
	r = rec.last(t, klarna.OpCreateBrand)
	if r.Status != 400 || r.ErrorCode != "VALIDATION_ERROR" || r.ErrorType != "INPUT_ERROR" || r.ErrorID != "e-1" || len(r.ErrorMessages) != 2 {
		t.Fatalf("rejected call record = %+v", r)
	}
	if m := r.ErrorMessages[0]; strings.Contains(m, "jane.doe") || strings.Contains(m, "123 45 67") || !strings.Contains(m, "[email]") || !strings.Contains(m, "[number]") || len(m) > 500 {
		t.Fatalf("message not masked and bounded (%d bytes): %q", len(m), m[:min(len(m), 120)])
	}
	if r.ErrorMessages[1] != "display_name: too long" {
		t.Fatalf("validation message = %q", r.ErrorMessages[1])
	}

	// Nothing listens here: a network error, its cause without the URL.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	c2, err := klarna.New(klarna.Config{GatewayURL: deadURL, APIKey: "secret-key", MaxRetryTime: time.Millisecond, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.ResolvePartnerAccountID(ctx, "ref-with-query"); err == nil {
		t.Fatal("want a network error")
	}
	r = rec.last(t, klarna.OpResolvePartnerAccountID)
	if r.Outcome != "network_error" || r.Status != 0 || len(r.ErrorMessages) != 1 || strings.Contains(r.ErrorMessages[0], "ref-with-query") || strings.Contains(r.ErrorMessages[0], deadURL) {
		t.Fatalf("network error record = %+v", r)
	}
	for _, r := range rec.recs {
		if strings.Contains(fmt.Sprintf("%+v", r), "secret-key") {
			t.Fatalf("a record holds the API key: %+v", r)
		}
	}
}

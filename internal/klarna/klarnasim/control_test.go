package klarnasim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func call(t *testing.T, srv *httptest.Server, method, path string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestControlAPI(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	if st, out := call(t, srv, "GET", "/_sim/", nil); st != 200 || len(out["routes"].([]any)) != len(ControlRoutes) {
		t.Fatalf("index %d", st)
	}
	st, p := call(t, srv, "POST", "/_sim/partners", map[string]any{"operational": true, "currency": "EUR"})
	if st != 201 || p["state"] != "OPERATIONAL" {
		t.Fatalf("partner %d %v", st, p)
	}
	id := p["partner_account_id"].(string)
	if st, _ := call(t, srv, "POST", "/_sim/captures", map[string]any{"partner_account_id": id, "amount": 10000, "count": 3}); st != 201 {
		t.Fatal(st)
	}
	if st, _ := call(t, srv, "POST", "/_sim/refunds", map[string]any{"partner_account_id": id}); st != 201 {
		t.Fatal(st)
	}
	st, d := call(t, srv, "POST", "/_sim/disputes", map[string]any{"partner_account_id": id, "count": 2, "scenario": ScenarioPreArbAcceptLoss})
	if st != 201 || d["count"].(float64) != 2 {
		t.Fatalf("disputes %d %v", st, d)
	}
	did := d["payment_dispute_ids"].([]any)[0].(string)
	if st, out := call(t, srv, "POST", "/_sim/disputes/"+did+"/advance", nil); st != 200 || out["state"] != "CLOSED" {
		t.Fatalf("advance %d %v", st, out)
	}
	if st, _ := call(t, srv, "POST", "/_sim/disputes/"+did+"/advance", nil); st != 409 {
		t.Fatalf("advancing a closed dispute: %d", st)
	}
	if st, out := call(t, srv, "POST", "/_sim/settlements/run", map[string]any{"partner_account_id": id}); st != 201 || len(out["payment_references"].([]any)) != 1 {
		t.Fatalf("settlement %d %v", st, out)
	}
	before := s.clock.Now()
	if st, _ := call(t, srv, "POST", "/_sim/clock/advance", map[string]any{"duration": "36h"}); st != 200 || s.clock.Now().Sub(before) < 36*time.Hour {
		t.Fatal("clock did not advance")
	}
	if st, out := call(t, srv, "PUT", "/_sim/clock", map[string]any{"speed": 3600}); st != 200 || out["speed"].(float64) != 3600 {
		t.Fatalf("speed %v", out)
	}
	if st, _ := call(t, srv, "PUT", "/_sim/faults", map[string]any{"fail_next": 1}); st != 200 || s.faults.snapshot().FailNext != 1 {
		t.Fatal("faults not set")
	}
	if st, _ := call(t, srv, "DELETE", "/_sim/faults", nil); st != 200 || s.faults.snapshot().FailNext != 0 {
		t.Fatal("faults not cleared")
	}
	if st, out := call(t, srv, "POST", "/_sim/api-keys", map[string]any{"description": "second"}); st != 201 || out["api_key"] == "" {
		t.Fatal("no key")
	}
	if st, _ := call(t, srv, "PUT", "/_sim/rate-limits", map[string]any{"enabled": false}); st != 200 {
		t.Fatal(st)
	}
	if st, _ := call(t, srv, "POST", "/_sim/accounts/"+id+"/state", map[string]any{"state": "DISABLED"}); st != 200 {
		t.Fatal(st)
	}
	if st, _ := call(t, srv, "POST", "/_sim/disputes", map[string]any{"partner_account_id": "nope"}); st != 400 {
		t.Fatal("unknown partner accepted")
	}
}

func TestTraffic_GeneratesCapturesAndSettlements(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedPartner(PartnerSpec{Operational: true}); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		s.trafficTick()
		s.clock.Advance(2 * time.Hour)
	}
	st := s.Stats()
	if st.Payouts == 0 {
		t.Fatalf("no payouts after 40 simulated hours: %+v", st)
	}
	for _, p := range s.st.Ledger.Payouts {
		tt := p.P.Totals
		net := tt.SaleAmount - tt.ReturnAmount - tt.ReversalAmount - tt.FeeAmount - *tt.TaxAmount + tt.FeeRefundAmount - tt.HoldbackAmount + tt.ReleaseAmount
		if tt.SettlementAmount != max(net-tt.RepayAmount, 0) || tt.ClosingDebtBalanceAmount != tt.OpeningDebtBalanceAmount-tt.RepayAmount+tt.DepositAmount {
			t.Fatalf("totals do not add up: %+v (net %d)", tt, net)
		}
	}
}

func TestDefaultLogoResolver(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing.png" {
			w.WriteHeader(404)
		}
	}))
	defer ok.Close()
	cases := map[string]bool{
		ok.URL + "/logo.png":                  true,
		ok.URL + "/missing.png":               false,
		"https://cdn.shop.example/logo.png":   true,
		"https://cdn.broken.invalid/logo.png": false,
		"https://cdn.shop.example/404/x.png":  false,
		"ftp://cdn.shop.example/logo.png":     false,
	}
	for u, want := range cases {
		if got := defaultLogoResolver(t.Context(), u); got != want {
			t.Errorf("%s: %v, want %v", u, got, want)
		}
	}
}

// A fault limited to one method fails those requests only: a credential's
// disable (DELETE) fails while its list (GET) still answers.
func TestFaultsLimitedToAMethod(t *testing.T) {
	var fs faultState
	fs.set(Faults{ErrorRate: 1, PathPrefix: "/v2/account/integration/credentials", Method: "DELETE"})
	if rp := fs.before("GET", "/v2/account/integration/credentials/api-key"); rp != nil {
		t.Fatalf("a GET failed: %+v", rp)
	}
	if rp := fs.before("delete", "/v2/account/integration/credentials/api-key/x"); rp == nil || rp.status != 500 {
		t.Fatalf("the DELETE did not fail: %+v", rp)
	}
	if rp := fs.before("DELETE", "/v2/accounts/x"); rp != nil {
		t.Fatalf("a DELETE on another path failed: %+v", rp)
	}
}

package klarnasim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

func TestClock_SpeedAndAdvance(t *testing.T) {
	real := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewClock(func() time.Time { return real }, real, 60)
	real = real.Add(time.Second)
	if got := c.Now().Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); got != time.Minute {
		t.Fatalf("60x speed: %s after 1 s", got)
	}
	c.SetSpeed(1)
	real = real.Add(time.Second)
	c.Advance(time.Hour)
	if got := c.Now().Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); got != time.Hour+time.Minute+time.Second {
		t.Fatalf("after speed change and advance: %s", got)
	}
}

func TestNew_GeneratesTestAPIKey(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if k := s.InitialAPIKey(); len(k) < 20 || k[:16] != "klarna_test_api_" {
		t.Fatalf("key = %q", k)
	}
}

func TestSnapshot_RestartKeepsState(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sim.json")
	s, err := New(Options{SnapshotFile: file, APIKey: "klarna_test_api_snapshot"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.SeedPartner(PartnerSpec{Operational: true})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.OpenDisputes(DisputeSpec{PartnerAccountID: p.PartnerAccountID, Count: 3, State: "PRE_ARBITRATION"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Capture(p.PartnerAccountID, 10000); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunSettlement(p.PartnerAccountID); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := New(Options{SnapshotFile: file})
	if err != nil {
		t.Fatal(err)
	}
	st := s2.Stats()
	if st.Accounts != 1 || st.Disputes != 3 || st.Payouts != 1 || st.DisputesByState["PRE_ARBITRATION"] != 3 {
		t.Fatalf("after restart: %+v", st)
	}
	srv := httptest.NewServer(s2.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+klarna.Routes[klarna.OpGetDispute].Expand(ids[0]), nil)
	req.Header.Set("Authorization", "Basic klarna_test_api_snapshot")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the old API key or dispute was lost: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	// The appeal deadline survived the restart as a timer.
	s2.Advance(11 * 24 * time.Hour)
	if got := s2.Stats().DisputesByState["CLOSED"]; got != 3 {
		t.Fatalf("closed after the appeal window: %d", got)
	}
}

// TestList100k checks that 100k disputes page correctly by partner and state.
func TestList100k(t *testing.T) {
	s, err := New(Options{DisableRateLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.SeedPartner(PartnerSpec{Operational: true})
	b, _ := s.SeedPartner(PartnerSpec{Operational: true})
	if _, err := s.OpenDisputes(DisputeSpec{Count: 100000, Silent: true, CreatedAt: time.Now().Add(-24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	key := s.InitialAPIKey()
	get := func(partner, query string) klarna.DisputeList {
		req, _ := http.NewRequest("GET", srv.URL+"/v4/payment/disputes?"+query, nil)
		req.Header.Set("Authorization", "Basic "+key)
		if partner != "" {
			req.Header.Set(klarna.HeaderPartnerAccount, partner)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var l klarna.DisputeList
		if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	all := get("", "size=100")
	if *all.Pagination.Total != 100000 || len(all.Disputes) != 100 {
		t.Fatalf("total %v, page %d", all.Pagination.Total, len(all.Disputes))
	}
	pa := get(a.PartnerAccountID, "size=100&state=INITIATED")
	if *pa.Pagination.Total != 50000 {
		t.Fatalf("partner total %d", *pa.Pagination.Total)
	}
	next := get(a.PartnerAccountID, "size=100&state=INITIATED&starting_after="+*pa.Pagination.LastItem)
	if next.Disputes[0].PaymentDisputeID == pa.Disputes[99].PaymentDisputeID || next.Disputes[0].CreatedAt.After(pa.Disputes[99].CreatedAt.Time) {
		t.Fatal("second page overlaps or is out of order")
	}
	if pb := get(b.PartnerAccountID, "size=1"); pb.Disputes[0].PartnerAccountID != b.PartnerAccountID {
		t.Fatal("partner filter leaked")
	}
}

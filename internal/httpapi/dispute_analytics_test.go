package httpapi_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
)

type analyticsBody struct {
	WinRateByReason []struct {
		Key     string   `json:"key"`
		WinRate *float64 `json:"win_rate"`
	} `json:"win_rate_by_reason"`
	WinRateByPartner []map[string]any `json:"win_rate_by_partner"`
	WinRateByMonth   []map[string]any `json:"win_rate_by_month"`
	Amounts          []struct {
		Currency string `json:"currency"`
		AtStake  int64  `json:"at_stake"`
		Lost     int64  `json:"lost"`
	} `json:"amounts"`
	ResponseTime []struct {
		Month       string  `json:"month"`
		Answered    int64   `json:"answered"`
		MedianHours float64 `json:"median_hours"`
		P90Hours    float64 `json:"p90_hours"`
	} `json:"response_time"`
	StatesByWeek []struct {
		Week      string `json:"week"`
		Opened    int64  `json:"opened"`
		Closed    int64  `json:"closed"`
		OpenAtEnd int64  `json:"open_at_end"`
	} `json:"states_by_week"`
}

func homeTenant(t *testing.T, c *apitest.Client) uuid.UUID {
	t.Helper()
	var me apigen.Me
	if err := json.Unmarshal(c.Get("/api/v1/me").Body, &me); err != nil || len(me.Tenants) == 0 {
		t.Fatalf("me: %v %+v", err, me)
	}
	return me.Tenants[0].Id
}

func analytics(t *testing.T, c *apitest.Client, query string) analyticsBody {
	t.Helper()
	r := c.Get("/api/v1/disputes/analytics?" + query)
	if r.Status != 200 {
		t.Fatalf("analytics?%s: %d %s", query, r.Status, r.Body)
	}
	var b analyticsBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// A hand-made set: Aurora has 3 won and 1 lost FRAUD disputes (75 %), one
// open; Borealis one lost. The numbers, the scope of a merchant and the CSV
// agree with what a person counts by hand.
func TestDisputeAnalyticsCountsWhatWasWonAndLost(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	support := a.Login("acquirer-support")
	aurora := homeTenant(t, a.Login("merchant-disputes"))
	borealis := homeTenant(t, a.Login("merchant-admin-b"))
	day := func(d int, h int) time.Time { return time.Date(2026, 10, d, h, 0, 0, 0, time.UTC) }
	n := 0
	add := func(tenant uuid.UUID, state, reason, outcome, currency string, amount int64, opened time.Time, answeredAfter, closedAfter time.Duration) {
		n++
		var answered, closed *time.Time
		if answeredAfter > 0 {
			x := opened.Add(answeredAfter)
			answered = &x
		}
		if closedAfter > 0 {
			x := opened.Add(closedAfter)
			closed = &x
		}
		if _, err := a.DB.SQL().ExecContext(t.Context(), `INSERT INTO disputes (dispute_id, tenant_id, klarna_account_id, state, reason, outcome, currency, amount,
			opened_at, answered_at, closed_at, state_at, klarna_updated_at) VALUES ($1, $2, 'krn:acc', $3, $4, $5, $6, $7, $8, $9, $10, $8, $8)`,
			fmt.Sprintf("dsp-an-%d", n), tenant, state, reason, outcome, currency, amount, opened, answered, closed); err != nil {
			t.Fatal(err)
		}
	}
	// Mon 5 Oct 2026 .. : response times 10, 20, 30, 40 hours
	add(aurora, "CLOSED", "FRAUD", "WON", "EUR", 1000, day(5, 0), 10*time.Hour, 48*time.Hour)
	add(aurora, "CLOSED", "FRAUD", "WON", "EUR", 2000, day(5, 0), 20*time.Hour, 48*time.Hour)
	add(aurora, "CLOSED", "FRAUD", "WON", "EUR", 3000, day(6, 0), 30*time.Hour, 10*24*time.Hour)
	add(aurora, "CLOSED", "FRAUD", "LOST", "EUR", 4000, day(6, 0), 40*time.Hour, 10*24*time.Hour)
	add(aurora, "INITIATED", "GOODS_NOT_RECEIVED", "", "EUR", 500, day(7, 0), 0, 0)
	add(borealis, "CLOSED", "FRAUD", "LOST", "SEK", 7000, day(8, 0), 0, 24*time.Hour)

	q := "from=2026-10-01&to=2026-10-31"
	all := analytics(t, support, q)
	var fraud *float64
	for _, r := range all.WinRateByReason {
		if r.Key == "FRAUD" {
			fraud = r.WinRate
		}
	}
	if fraud == nil || *fraud != 0.6 { // 3 won of 5 closed across both partners
		t.Fatalf("FRAUD win rate across partners: %v (%+v)", fraud, all.WinRateByReason)
	}
	amounts := map[string][2]int64{}
	for _, m := range all.Amounts {
		amounts[m.Currency] = [2]int64{m.AtStake, m.Lost}
	}
	if amounts["EUR"] != [2]int64{500, 4000} || amounts["SEK"] != [2]int64{0, 7000} {
		t.Fatalf("amounts: %+v", all.Amounts)
	}

	mine := analytics(t, a.Login("merchant-disputes"), q)
	if len(mine.WinRateByReason) != 1 || mine.WinRateByReason[0].WinRate == nil || *mine.WinRateByReason[0].WinRate != 0.75 {
		t.Fatalf("Aurora's FRAUD win rate is 75 %%: %+v", mine.WinRateByReason)
	}
	if len(mine.WinRateByPartner) != 1 || mine.WinRateByPartner[0]["key"] != aurora.String() {
		t.Fatalf("a merchant sees its own partner only: %+v", mine.WinRateByPartner)
	}
	for _, m := range mine.Amounts {
		if m.Currency == "SEK" {
			t.Fatalf("a merchant sees another partner's amounts: %+v", mine.Amounts)
		}
	}
	// Asking for the other partner narrows to nothing, never widens.
	if other := analytics(t, a.Login("merchant-disputes"), q+"&partner="+borealis.String()); len(other.WinRateByReason) != 0 || len(other.Amounts) != 0 {
		t.Fatalf("a merchant asking for another partner: %+v", other)
	}
	if rt := mine.ResponseTime; len(rt) != 1 || rt[0].Month != "2026-10" || rt[0].Answered != 4 || rt[0].MedianHours != 25 || rt[0].P90Hours != 37 {
		t.Fatalf("response time (10, 20, 30, 40 h): %+v", rt)
	}
	// Week of Monday 5 Oct: 5 opened, the two of 5 Oct closed on 7 Oct; week
	// of 12 Oct: the two of 6 Oct closed on 16 Oct; one stays open to the end.
	weeks := map[string][3]int64{}
	for _, w := range mine.StatesByWeek {
		weeks[w.Week] = [3]int64{w.Opened, w.Closed, w.OpenAtEnd}
	}
	if weeks["2026-10-05"] != [3]int64{5, 2, 3} || weeks["2026-10-12"] != [3]int64{0, 2, 1} || weeks["2026-10-26"] != [3]int64{0, 0, 1} {
		t.Fatalf("states by week: %+v", mine.StatesByWeek)
	}

	// The CSV of a chart has the JSON's rows.
	r := support.Get("/api/v1/disputes/analytics.csv?chart=amounts&" + q)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", r.Status, r.Body)
	}
	recs, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"currency", "at_stake", "lost", "open_count", "lost_count"}, {"EUR", "500", "4000", "1", "1"}, {"SEK", "0", "7000", "0", "1"}}
	if fmt.Sprint(recs) != fmt.Sprint(want) {
		t.Fatalf("amounts CSV %v, want %v", recs, want)
	}
	r = a.Login("merchant-disputes").Get("/api/v1/disputes/analytics.csv?chart=win_rate_by_reason&" + q)
	if !strings.Contains(string(r.Body), "FRAUD,FRAUD,3,1,0.75") {
		t.Fatalf("win rate CSV: %s", r.Body)
	}
}

func TestDisputeAnalyticsFilterErrors(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	r := a.Login("acquirer-support").Get("/api/v1/disputes/analytics?from=yesterday&currency=euro&partner=p")
	for _, f := range []string{"from", "currency", "partner"} {
		if r.Status != 400 || !strings.Contains(string(r.Body), `"`+f+`"`) {
			t.Fatalf("want a field error on %s: %d %s", f, r.Status, r.Body)
		}
	}
	if r := a.Login("acquirer-support").Get("/api/v1/disputes/analytics.csv?chart=pie"); r.Status != 400 || !strings.Contains(string(r.Body), `"chart"`) {
		t.Fatalf("unknown chart: %d %s", r.Status, r.Body)
	}
}

package httpapi

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// analyticsCharts are the chart names of GET /disputes/analytics.csv, in the
// order of the page.
var analyticsCharts = []string{"win_rate_by_reason", "win_rate_by_partner", "win_rate_by_month", "amounts", "response_time", "states_by_week"}

// window is the filter the analytics of disputes and of settlements share.
type window struct {
	From, To time.Time
	Tenants  []uuid.UUID
	Currency string
}

// windowQuery reads from and to (dates; the window is from's start to
// to's end, the last 12 months by default, at most 3 years), partner
// (repeatable) and currency.
func windowQuery(c *gin.Context, now time.Time) (window, error) {
	var fe filterErrors
	q := c.Request.URL.Query()
	day := func(name string) (time.Time, bool) {
		v := c.Query(name)
		if v == "" {
			return time.Time{}, false
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fe.add(name, "a date such as 2026-11-21")
			return time.Time{}, false
		}
		return t, true
	}
	today := now.UTC().Truncate(24 * time.Hour)
	f := window{To: today.AddDate(0, 0, 1), From: today.AddDate(-1, 0, 1), Currency: strings.ToUpper(strings.TrimSpace(c.Query("currency")))}
	if t, ok := day("to"); ok {
		f.To = t.AddDate(0, 0, 1)
		if _, set := q["from"]; !set {
			f.From = f.To.AddDate(-1, 0, 0)
		}
	}
	if t, ok := day("from"); ok {
		f.From = t
	}
	if !f.From.Before(f.To) {
		fe.add("to", "must not be before from")
	} else if f.To.Sub(f.From) > 3*366*24*time.Hour {
		fe.add("to", "at most 3 years after from")
	}
	if f.Currency != "" && (len(f.Currency) != 3 || strings.Trim(f.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		fe.add("currency", "a 3-letter currency code such as EUR")
	}
	f.Tenants = fe.partners(q["partner"])
	return f, fe.err()
}

// analyticsQuery is the caller's scope and the dispute analytics' window.
func analyticsQuery(c *gin.Context, now time.Time) (scope.Scope, dispute.AnalyticsFilter, error) {
	w, err := windowQuery(c, now)
	return scopeOf(c), dispute.AnalyticsFilter(w), err
}

// chartName reads chart, one of names, or writes the field error.
func chartName(c *gin.Context, names []string) (string, bool) {
	chart := c.Query("chart")
	for _, n := range names {
		if n == chart {
			return chart, true
		}
	}
	writeProblem(c, apperr.Validation("Check the filters.", apperr.FieldError{Field: "chart", Message: "one of " + strings.Join(names, ", ")}))
	return "", false
}

// writeChartCSV answers rows (the header first) as the CSV file name, each
// cell made safe for a spreadsheet.
func writeChartCSV(c *gin.Context, name string, rows [][]string) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	for _, r := range rows {
		for k := range r {
			r[k] = csvSafe(r[k]) // a partner's name could start a formula
		}
		if err := w.Write(r); err != nil {
			loggerFrom(c).Error("chart export interrupted", "error", err)
			return
		}
	}
	w.Flush()
}

func (s *server) readAnalytics(c *gin.Context) (dispute.Analytics, dispute.AnalyticsFilter, bool) {
	sc, f, err := analyticsQuery(c, time.Now())
	if err != nil {
		writeProblem(c, err)
		return dispute.Analytics{}, f, false
	}
	a, err := s.opts.DisputeAnalytics.DisputeAnalytics(c.Request.Context(), sc, f)
	if err != nil {
		writeProblem(c, err)
		return a, f, false
	}
	return a, f, true
}

type winRateJSON struct {
	Key     string   `json:"key"`
	Label   string   `json:"label"`
	Won     int64    `json:"won"`
	Lost    int64    `json:"lost"`
	WinRate *float64 `json:"win_rate"`
}

func winRatesJSON(ws []dispute.WinRate) []winRateJSON {
	out := make([]winRateJSON, 0, len(ws))
	for _, w := range ws {
		out = append(out, winRateJSON{Key: w.Key, Label: w.Label, Won: w.Won, Lost: w.Lost, WinRate: w.Rate})
	}
	return out
}

func (s *server) disputeAnalytics(c *gin.Context) {
	a, f, ok := s.readAnalytics(c)
	if !ok {
		return
	}
	type amounts struct {
		Currency  string `json:"currency"`
		AtStake   int64  `json:"at_stake"`
		Lost      int64  `json:"lost"`
		OpenCount int64  `json:"open_count"`
		LostCount int64  `json:"lost_count"`
	}
	type response struct {
		Month       string  `json:"month"`
		Answered    int64   `json:"answered"`
		MedianHours float64 `json:"median_hours"`
		P90Hours    float64 `json:"p90_hours"`
	}
	type week struct {
		Week      string `json:"week"`
		Opened    int64  `json:"opened"`
		Closed    int64  `json:"closed"`
		OpenAtEnd int64  `json:"open_at_end"`
	}
	body := struct {
		From             string        `json:"from"`
		To               string        `json:"to"`
		WinRateByReason  []winRateJSON `json:"win_rate_by_reason"`
		WinRateByPartner []winRateJSON `json:"win_rate_by_partner"`
		WinRateByMonth   []winRateJSON `json:"win_rate_by_month"`
		Amounts          []amounts     `json:"amounts"`
		ResponseTime     []response    `json:"response_time"`
		StatesByWeek     []week        `json:"states_by_week"`
	}{From: f.From.Format(time.DateOnly), To: f.To.AddDate(0, 0, -1).Format(time.DateOnly),
		WinRateByReason: winRatesJSON(a.ByReason), WinRateByPartner: winRatesJSON(a.ByPartner), WinRateByMonth: winRatesJSON(a.ByMonth),
		Amounts: []amounts{}, ResponseTime: []response{}, StatesByWeek: []week{}}
	for _, m := range a.Amounts {
		body.Amounts = append(body.Amounts, amounts{m.Currency, m.AtStake, m.Lost, m.OpenCount, m.LostCount})
	}
	for _, r := range a.ResponseTimes {
		body.ResponseTime = append(body.ResponseTime, response{r.Month, r.Answered, r.MedianHours, r.P90Hours})
	}
	for _, w := range a.Weeks {
		body.StatesByWeek = append(body.StatesByWeek, week{w.Week, w.Opened, w.Closed, w.OpenAtEnd})
	}
	c.JSON(http.StatusOK, body)
}

// disputeAnalyticsCSV writes one chart's rows as CSV, a row at a time; the
// columns are the chart's JSON fields (documented in the OpenAPI).
func (s *server) disputeAnalyticsCSV(c *gin.Context) {
	chart, ok := chartName(c, analyticsCharts)
	if !ok {
		return
	}
	a, _, ok := s.readAnalytics(c)
	if !ok {
		return
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	fl := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	rate := func(r *float64) string {
		if r == nil {
			return ""
		}
		return fl(*r)
	}
	rows := [][]string{}
	switch chart {
	case "win_rate_by_reason", "win_rate_by_partner", "win_rate_by_month":
		ws := map[string][]dispute.WinRate{"win_rate_by_reason": a.ByReason, "win_rate_by_partner": a.ByPartner, "win_rate_by_month": a.ByMonth}[chart]
		rows = append(rows, []string{"key", "label", "won", "lost", "win_rate"})
		for _, x := range ws {
			rows = append(rows, []string{x.Key, x.Label, i(x.Won), i(x.Lost), rate(x.Rate)})
		}
	case "amounts":
		rows = append(rows, []string{"currency", "at_stake", "lost", "open_count", "lost_count"})
		for _, x := range a.Amounts {
			rows = append(rows, []string{x.Currency, i(x.AtStake), i(x.Lost), i(x.OpenCount), i(x.LostCount)})
		}
	case "response_time":
		rows = append(rows, []string{"month", "answered", "median_hours", "p90_hours"})
		for _, x := range a.ResponseTimes {
			rows = append(rows, []string{x.Month, i(x.Answered), fl(x.MedianHours), fl(x.P90Hours)})
		}
	case "states_by_week":
		rows = append(rows, []string{"week", "opened", "closed", "open_at_end"})
		for _, x := range a.Weeks {
			rows = append(rows, []string{x.Week, i(x.Opened), i(x.Closed), i(x.OpenAtEnd)})
		}
	}
	writeChartCSV(c, "disputes-"+chart+".csv", rows)
}

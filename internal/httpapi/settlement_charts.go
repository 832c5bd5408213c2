package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// settlementCharts are the chart names of GET /settlements/charts.csv, in
// the order of the settlements home.
var settlementCharts = []string{"net_by_week", "fee_share", "returns_chargebacks"}

func (s *server) readSettlementWeeks(c *gin.Context) ([]settlement.WeekTotals, window, bool) {
	w, err := windowQuery(c, time.Now())
	if err != nil {
		writeProblem(c, err)
		return nil, w, false
	}
	weeks, err := s.opts.Settlements.WeeklyTotals(c.Request.Context(), scopeOf(c), settlement.ChartFilter(w))
	if err != nil {
		writeProblem(c, err)
		return nil, w, false
	}
	return weeks, w, true
}

func (s *server) getSettlementCharts(c *gin.Context) {
	weeks, w, ok := s.readSettlementWeeks(c)
	if !ok {
		return
	}
	out := apigen.SettlementCharts{From: openapi_types.Date{Time: w.From}, To: openapi_types.Date{Time: w.To.AddDate(0, 0, -1)}, Weeks: []apigen.SettlementWeek{}}
	for _, x := range weeks {
		monday, err := time.Parse(time.DateOnly, x.Week)
		if err != nil {
			writeProblem(c, err)
			return
		}
		out.Weeks = append(out.Weeks, apigen.SettlementWeek{Week: openapi_types.Date{Time: monday}, Currency: x.Currency, Payouts: x.Payouts, Net: x.Net, Sales: x.Sales,
			Fees: x.Fees, Tax: x.Tax, Returns: x.Returns, Chargebacks: x.Chargebacks, FeeShare: x.FeeShare()})
	}
	c.JSON(http.StatusOK, out)
}

// getSettlementChartsCSV writes one chart's rows; the columns are
// documented in the OpenAPI.
func (s *server) getSettlementChartsCSV(c *gin.Context) {
	chart, ok := chartName(c, settlementCharts)
	if !ok {
		return
	}
	weeks, _, ok := s.readSettlementWeeks(c)
	if !ok {
		return
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	header := map[string][]string{
		"net_by_week":         {"week", "currency", "payouts", "net"},
		"fee_share":           {"week", "currency", "sales", "fees", "tax", "fee_share"},
		"returns_chargebacks": {"week", "currency", "returns", "chargebacks"},
	}[chart]
	rows := [][]string{header}
	for _, x := range weeks {
		switch chart {
		case "net_by_week":
			rows = append(rows, []string{x.Week, x.Currency, i(x.Payouts), i(x.Net)})
		case "fee_share":
			share := ""
			if r := x.FeeShare(); r != nil {
				share = strconv.FormatFloat(*r, 'f', 6, 64)
			}
			rows = append(rows, []string{x.Week, x.Currency, i(x.Sales), i(x.Fees), i(x.Tax), share})
		case "returns_chargebacks":
			rows = append(rows, []string{x.Week, x.Currency, i(x.Returns), i(x.Chargebacks)})
		}
	}
	writeChartCSV(c, "settlements-"+chart+".csv", rows)
}

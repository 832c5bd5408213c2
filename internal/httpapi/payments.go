package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/payment"
)

// paymentFilter reads the payments list's filters; every bad one is
// reported at once.
func paymentFilter(c *gin.Context, fe *filterErrors) payment.Filter {
	q := c.Request.URL.Query()
	f := payment.Filter{Tenants: fe.partners(q["partner"]), Query: strings.TrimSpace(c.Query("q"))}
	for _, s := range q["state"] {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s == "" || len(s) > 64 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != "" {
			fe.add("state", "a payment request state such as AUTHORIZED")
			break
		}
		f.States = append(f.States, s)
	}
	for _, cur := range q["currency"] {
		cur = strings.ToUpper(strings.TrimSpace(cur))
		if len(cur) != 3 || strings.Trim(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			fe.add("currency", "a three-letter currency code (EUR)")
			break
		}
		f.Currencies = append(f.Currencies, cur)
	}
	for _, p := range q["path"] {
		switch p = strings.ToUpper(strings.TrimSpace(p)); p {
		case klarna.IntegrationHosted, klarna.IntegrationServerSide:
			f.Paths = append(f.Paths, p)
		case "UNKNOWN":
			f.Paths = append(f.Paths, "")
		default:
			fe.add("path", "HOSTED_CHECKOUT, SERVER_SIDE or UNKNOWN")
		}
	}
	switch v := c.Query("interop"); v {
	case "":
	case "carried", "missing":
		b := v == "carried"
		f.Interop = &b
	default:
		fe.add("interop", "carried or missing")
	}
	f.From, f.To = fe.dateParam(c.Query, "from", false), fe.dateParam(c.Query, "to", true)
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		fe.add("to", "must be after from")
	}
	if len(f.Query) > 255 {
		fe.add("q", "at most 255 characters")
	}
	return f
}

func interopOf(p payment.Payment) apigen.PaymentSummaryInteroperability {
	switch {
	case p.InteropToken:
		return apigen.PaymentSummaryInteroperabilityCarried
	case p.InteropSource != "":
		return apigen.PaymentSummaryInteroperabilityMissing
	}
	return apigen.PaymentSummaryInteroperabilityNotExpected
}

func paymentDTO(p payment.Payment) apigen.PaymentSummary {
	return apigen.PaymentSummary{Id: p.ID, TenantId: p.TenantID, PartnerName: p.PartnerName, Reference: p.Reference,
		PurchaseReference: p.PurchaseReference, PaymentTransactionId: p.TransactionID, OrderId: p.OrderID,
		PaymentAccountId: p.PaymentAccountID, PaymentAccountReference: p.PaymentAccountReference, State: p.State,
		StateKnown: payment.Known(p.State), StateReason: p.StateReason, Amount: p.Amount, Currency: p.Currency,
		IntegrationPath: p.IntegrationPath, PaymentType: p.PaymentType, CustomerToken: p.CustomerToken,
		InteroperabilitySource: p.InteropSource, InteroperabilityToken: p.InteropToken, Interoperability: interopOf(p),
		CreatedAt: p.CreatedAt, StateAt: p.StateAt, SubmittedAt: p.SubmittedAt, AuthorizedAt: p.AuthorizedAt, FinalAt: p.FinalAt,
		ExpiresAt: p.ExpiresAt, Events: p.Events}
}

func (s *server) listPayments(c *gin.Context) {
	var fe filterErrors
	limit := fe.limit(c.Query)
	f := paymentFilter(c, &fe)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := s.opts.Payments.List(c.Request.Context(), scopeOf(c), f, c.Query("cursor"), limit)
	if err != nil {
		writeProblem(c, err)
		return
	}
	page := apigen.PaymentPage{Items: make([]apigen.PaymentSummary, 0, len(items)), NextCursor: next}
	for _, p := range items {
		page.Items = append(page.Items, paymentDTO(p))
	}
	c.JSON(http.StatusOK, page)
}

// paymentCSVHeader are the payments export's columns (see the OpenAPI).
var paymentCSVHeader = []string{"payment_request_id", "reference", "partner", "partner_tenant_id", "state", "state_reason", "amount",
	"amount_decimal", "currency", "payment_account_id", "payment_account_reference", "purchase_reference", "payment_transaction_id",
	"order_id", "integration_path", "payment_type", "interoperability_source", "interoperability_token", "created_at",
	"last_changed_at", "submitted_at", "authorized_at"}

func (s *server) exportPayments(c *gin.Context) {
	var fe filterErrors
	f := paymentFilter(c, &fe)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	st := startCSV(c, "payments", paymentCSVHeader)
	rec := make([]string, len(paymentCSVHeader))
	err := s.opts.Payments.Stream(c.Request.Context(), scopeOf(c), f, func(p payment.Payment) error {
		amount, dec := "", ""
		if p.Amount != nil {
			amount, dec = strconv.FormatInt(*p.Amount, 10), decimalAmount(*p.Amount, p.Currency)
		}
		created, changed := p.CreatedAt, p.StateAt
		rec = append(rec[:0], csvSafe(p.ID), csvSafe(p.Reference), csvSafe(p.PartnerName), p.TenantID.String(), csvSafe(p.State),
			csvSafe(p.StateReason), amount, dec, csvSafe(p.Currency), csvSafe(p.PaymentAccountID), csvSafe(p.PaymentAccountReference),
			csvSafe(p.PurchaseReference), csvSafe(p.TransactionID), csvSafe(p.OrderID), p.IntegrationPath, p.PaymentType,
			csvSafe(p.InteropSource), strconv.FormatBool(p.InteropToken), csvTime(&created), csvTime(&changed), csvTime(p.SubmittedAt),
			csvTime(p.AuthorizedAt))
		return st.row(rec)
	})
	st.end("payments", err)
}

func stateWords(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", " ")) }

// lineTitles name a settlement line on the timeline.
var lineTitles = map[string]string{
	klarna.TxSale: "Captured and settled", klarna.TxReturn: "Refunded", klarna.TxFee: "Fee charged", klarna.TxHoldback: "Amount withheld",
	klarna.TxRelease: "Withheld amount released", klarna.TxReversal: "Chargeback",
}

// timelineEntries are the timeline's rows for the UI: states, lines and
// dispute events in time order.
func timelineEntries(t payment.Timeline) []apigen.PaymentTimelineEntry {
	out := []apigen.PaymentTimelineEntry{}
	for _, e := range t.Entries() {
		row := apigen.PaymentTimelineEntry{At: e.At, Kind: apigen.PaymentTimelineEntryKind(e.Kind)}
		switch e.Kind {
		case "state":
			st := t.States[e.Index]
			row.State, row.Title = st.State, "Payment request "+stateWords(st.State)
			if !payment.Known(st.State) {
				row.Title = "Payment request state " + st.State
			}
			var parts []string
			if st.PreviousState != "" {
				parts = append(parts, "from "+stateWords(st.PreviousState))
			}
			if st.Reason != "" {
				parts = append(parts, "reason "+st.Reason)
			}
			row.Detail = strings.Join(parts, ", ")
		case "line":
			l := t.Lines[e.Index]
			amount := l.Amount + l.VATAmount
			row.State, row.Amount, row.Currency, row.PaymentReference, row.DisputeId = l.Type, &amount, l.Currency, l.PaymentReference, l.ReversalReference
			row.Title = lineTitles[l.Type]
			if row.Title == "" {
				row.Title = "Settlement line " + l.Type
			}
			row.Detail = "in payout " + l.PaymentReference + " of " + l.PayoutDate.UTC().Format("2 Jan 2006")
			if l.DetailedType != "" {
				row.Detail = l.DetailedType + ", " + row.Detail
			}
		case "dispute":
			d := t.Disputes[e.Index]
			ev := d.Events[e.Event]
			amount := d.Amount
			row.State, row.Title, row.Detail, row.DisputeId, row.Amount, row.Currency = ev.State, ev.Summary, "Dispute "+d.ID, d.ID, &amount, d.Currency
			if ev.Kind == "webhook" || ev.Kind == "read" {
				if d.DeadlineAt != nil && ev.State == d.State {
					row.Detail += ", respond by " + d.DeadlineAt.UTC().Format("2 Jan 2006 15:04 MST")
				}
			}
		}
		out = append(out, row)
	}
	return out
}

func (s *server) getPayment(c *gin.Context) {
	t, err := s.opts.Payments.Timeline(c.Request.Context(), scopeOf(c), c.Param("payment"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	m := t.Money
	out := apigen.PaymentTimeline{Payment: paymentDTO(t.Payment), KlarnaAccountId: t.Payment.KlarnaAccountID, Entries: timelineEntries(t),
		States: []apigen.PaymentStateChange{}, Lines: []apigen.PaymentLine{}, Disputes: []apigen.PaymentDispute{}, Flags: []apigen.PaymentFlag{},
		Money: apigen.PaymentMoney{Currency: m.Currency, Authorized: m.Authorized, Captured: m.Captured, Refunded: m.Refunded, Fees: m.Fees,
			Settled: m.Settled, Withheld: m.Withheld, Lost: m.Lost}}
	for _, st := range t.States {
		out.States = append(out.States, apigen.PaymentStateChange{EventId: st.EventID, State: st.State, PreviousState: st.PreviousState,
			Reason: st.Reason, At: st.At, ReceivedAt: st.ReceivedAt})
	}
	for _, l := range t.Lines {
		out.Lines = append(out.Lines, apigen.PaymentLine{Id: l.ID, PaymentReference: l.PaymentReference, PayoutDate: l.PayoutDate, Type: l.Type,
			DetailedType: l.DetailedType, Amount: l.Amount, VatAmount: l.VATAmount, Currency: l.Currency, CaptureId: l.CaptureID,
			RefundId: l.RefundID, CaptureDate: l.CaptureDate, DisputeId: l.ReversalReference})
	}
	for _, d := range t.Disputes {
		dd := apigen.PaymentDispute{Id: d.ID, State: d.State, Reason: d.Reason, Amount: d.Amount, Currency: d.Currency, OpenedAt: d.OpenedAt,
			DeadlineAt: d.DeadlineAt, ClosedAt: d.ClosedAt, Outcome: d.Outcome, Events: []apigen.PaymentDisputeEvent{}}
		for _, e := range d.Events {
			dd.Events = append(dd.Events, apigen.PaymentDisputeEvent{At: e.At, Kind: e.Kind, State: e.State, Summary: e.Summary})
		}
		out.Disputes = append(out.Disputes, dd)
	}
	for _, f := range t.Flags {
		out.Flags = append(out.Flags, apigen.PaymentFlag{Code: apigen.PaymentFlagCode(f.Code), Message: f.Message})
	}
	c.JSON(http.StatusOK, out)
}

// healthQuery reads the health page's period (the last 30 days by default)
// and partners.
func healthQuery(c *gin.Context) (payment.HealthFilter, error) {
	w, err := windowQuery(c, time.Now())
	if err != nil {
		return payment.HealthFilter{}, err
	}
	if c.Query("from") == "" {
		w.From = w.To.AddDate(0, 0, -30)
	}
	if w.To.Sub(w.From) > payment.MaxHealthDays*24*time.Hour {
		return payment.HealthFilter{}, (&filterErrors{{Field: "to", Message: "at most a year after from"}}).err()
	}
	return payment.HealthFilter{Tenants: w.Tenants, From: w.From, To: w.To}, nil
}

func (s *server) readHealth(c *gin.Context) (payment.Health, bool) {
	f, err := healthQuery(c)
	if err != nil {
		writeProblem(c, err)
		return payment.Health{}, false
	}
	h, err := s.opts.Payments.Health(c.Request.Context(), scopeOf(c), f)
	if err != nil {
		writeProblem(c, err)
		return payment.Health{}, false
	}
	return h, true
}

func figuresDTO(f payment.Figures) apigen.PaymentHealthFigures {
	return apigen.PaymentHealthFigures{Payments: f.Payments, Authorized: f.Authorized, Declined: f.Declined, Expired: f.Expired,
		Canceled: f.Canceled, Open: f.Open, StaleOpen: f.StaleOpen, InteroperabilityExpected: f.InteropExpected,
		InteroperabilityCarried: f.InteropCarried, Hosted: f.Hosted, ServerSide: f.ServerSide, Recurring: f.Recurring,
		SettledSaleLines: f.SaleLagLines}
}

func ratesDTO(r payment.Rates) apigen.PaymentHealthRates {
	f32 := func(v *float64) *float32 {
		if v == nil {
			return nil
		}
		x := float32(*v)
		return &x
	}
	return apigen.PaymentHealthRates{AuthorizationRate: f32(r.AuthorizationRate), DeclineRate: f32(r.DeclineRate), ExpiryRate: f32(r.ExpiryRate),
		CancelRate: f32(r.CancelRate), SecondsToAuthorize: f32(r.SecondsToAuthorize), InteroperabilityShare: f32(r.InteropShare),
		HostedShare: f32(r.HostedShare), ServerSideShare: f32(r.ServerSideShare), RecurringShare: f32(r.RecurringShare),
		SettlementLagDays: f32(r.SettlementLagDays)}
}

func (s *server) getPaymentHealth(c *gin.Context) {
	h, ok := s.readHealth(c)
	if !ok {
		return
	}
	out := apigen.PaymentHealth{From: openapi_types.Date{Time: h.From}, To: openapi_types.Date{Time: h.To.AddDate(0, 0, -1)},
		Totals: figuresDTO(h.Totals), Rates: ratesDTO(h.Rates), Days: []apigen.PaymentHealthDay{}, Partners: []apigen.PaymentPartnerHealth{}}
	for _, d := range h.Days {
		out.Days = append(out.Days, apigen.PaymentHealthDay{Day: openapi_types.Date{Time: d.Day}, Figures: figuresDTO(d.Figures), Rates: ratesDTO(payment.RatesOf(d.Figures))})
	}
	for _, p := range h.Partners {
		ph := apigen.PaymentPartnerHealth{TenantId: p.TenantID, PartnerName: p.Name, Figures: figuresDTO(p.Figures), Rates: ratesDTO(p.Rates),
			Distance: float32(p.Distance), Findings: []apigen.PaymentFinding{}}
		for _, fd := range p.Findings {
			ph.Findings = append(ph.Findings, apigen.PaymentFinding{Rule: apigen.PaymentFindingRule(fd.Rule), Gap: float32(fd.Gap), Message: fd.Message})
		}
		out.Partners = append(out.Partners, ph)
	}
	c.JSON(http.StatusOK, out)
}

// healthCSVFigures are the figures' columns of both health exports.
var healthCSVFigures = []string{"payments", "authorized", "declined", "expired", "canceled", "open", "authorization_rate", "decline_rate",
	"expiry_rate", "seconds_to_authorize", "interoperability_expected", "interoperability_carried", "interoperability_share", "hosted",
	"server_side", "recurring", "settled_sale_lines", "settlement_lag_days"}

func healthCSVRow(f payment.Figures) []string {
	r := payment.RatesOf(f)
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	x := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 4, 64)
	}
	return []string{i(f.Payments), i(f.Authorized), i(f.Declined), i(f.Expired), i(f.Canceled), i(f.Open), x(r.AuthorizationRate),
		x(r.DeclineRate), x(r.ExpiryRate), x(r.SecondsToAuthorize), i(f.InteropExpected), i(f.InteropCarried), x(r.InteropShare),
		i(f.Hosted), i(f.ServerSide), i(f.Recurring), i(f.SaleLagLines), x(r.SettlementLagDays)}
}

func (s *server) exportPaymentHealth(c *gin.Context) {
	of := c.Query("of")
	if of != "days" && of != "partners" {
		writeProblem(c, (&filterErrors{{Field: "of", Message: "days or partners"}}).err())
		return
	}
	h, ok := s.readHealth(c)
	if !ok {
		return
	}
	var rows [][]string
	if of == "days" {
		rows = append(rows, append([]string{"day"}, healthCSVFigures...))
		for _, d := range h.Days {
			rows = append(rows, append([]string{d.Day.Format(time.DateOnly)}, healthCSVRow(d.Figures)...))
		}
	} else {
		rows = append(rows, append([]string{"partner", "partner_tenant_id", "distance", "findings"}, healthCSVFigures...))
		for _, p := range h.Partners {
			var msgs []string
			for _, fd := range p.Findings {
				msgs = append(msgs, fd.Message)
			}
			rows = append(rows, append([]string{p.Name, p.TenantID.String(), strconv.FormatFloat(p.Distance, 'f', 4, 64), strings.Join(msgs, " ")},
				healthCSVRow(p.Figures)...))
		}
	}
	writeChartCSV(c, "payment-health-"+of+"-"+h.From.Format("20060102")+"-"+h.To.AddDate(0, 0, -1).Format("20060102")+".csv", rows)
}

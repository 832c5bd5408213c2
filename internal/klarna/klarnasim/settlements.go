package klarnasim

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Settlement choices (README §9). The KN v2 API is UNCONFIRMED; the v1 shapes
// are served. Amounts on lines are positive; the type says which way they go.
const (
	purchaseFeeBasisPoints = 300  // 3 % purchase fee
	vatBasisPoints         = 2500 // VAT on fees, 25 % (vat_rate is in basis points as in the example)
	defaultOffsetPage      = 20
	maxOffsetPage          = 500
)

type lineRec struct {
	T       klarna.Transaction
	Partner string
}

type payoutRec struct {
	P       klarna.Payout
	Partner string
	// Mismatch is the demo's deliberate error: the fee total reports this
	// much more than the payout's fee lines, and the settlement amount is
	// that much short of what the lines add up to (0 for every honest payout).
	Mismatch int64 `json:",omitempty"`
}

// ledger holds unsettled lines per partner and the settled payouts.
type ledger struct {
	Pending map[string][]*lineRec // partner → lines not yet paid out
	Payouts []*payoutRec
	Lines   []*lineRec       // settled, in payout order
	Debt    map[string]int64 // partner|currency → closing debt balance

	byRef   map[string]*payoutRec
	linesBy map[string][]*lineRec
}

func (l *ledger) init() {
	l.Pending = map[string][]*lineRec{}
	l.Debt = map[string]int64{}
	l.reindex()
}

func (l *ledger) reindex() {
	if l.Pending == nil {
		l.Pending = map[string][]*lineRec{}
	}
	if l.Debt == nil {
		l.Debt = map[string]int64{}
	}
	l.byRef = map[string]*payoutRec{}
	l.linesBy = map[string][]*lineRec{}
	for _, p := range l.Payouts {
		l.byRef[p.P.PaymentReference] = p
	}
	for _, ln := range l.Lines {
		l.linesBy[ln.T.PaymentReference] = append(l.linesBy[ln.T.PaymentReference], ln)
	}
}

func i64(v int64) *int64    { return &v }
func strp(s string) *string { return &s }

func (l *ledger) add(partner string, t klarna.Transaction) {
	l.Pending[partner] = append(l.Pending[partner], &lineRec{T: t, Partner: partner})
}

func vatOn(amount int64) int64 { return (amount*vatBasisPoints + 5000) / 10000 }

// capture records the capture of a payment in full at at: a SALE line and
// its percentage FEE line with VAT, both of the payment's order and
// purchase reference, sold when it was authorized. It returns the capture id.
func (l *ledger) capture(a *account, p *paymentRec, at time.Time) string {
	capture := uuidv4()
	base := klarna.Transaction{
		CaptureID: strp(capture), MerchantReference1: p.PurchaseReference, SaleDate: klarna.At(p.authorizedAt()), CaptureDate: klarna.At(at),
		OrderID: p.OrderID, ShortOrderID: strings.ToUpper(p.OrderID[:8]), CurrencyCode: p.Currency, PurchaseCountry: countryOf(p.Currency),
		CurrencyCodeOfRegistrationCountry: a.Currency,
	}
	sale := base
	sale.Amount, sale.Type, sale.DetailedType = p.Amount, klarna.TxSale, "PURCHASE"
	sale.InitialPaymentMethodType = "invoice"
	sale.MerchantCaptureReference = "cap-" + capture[:8]
	l.add(a.A.PartnerAccountID, sale)
	fee := base
	fee.Amount = (p.Amount*purchaseFeeBasisPoints + 5000) / 10000
	fee.Type, fee.DetailedType = klarna.TxFee, "PURCHASE_FEE_PERCENTAGE"
	fee.VATRate, fee.VATAmount = i64(vatBasisPoints), i64(vatOn(fee.Amount))
	l.add(a.A.PartnerAccountID, fee)
	return capture
}

// refund records a RETURN line for an earlier sale of the partner, if any.
func (l *ledger) refund(a *account, at time.Time) bool {
	var sales []*lineRec
	for _, ln := range l.Pending[a.A.PartnerAccountID] {
		if ln.T.Type == klarna.TxSale {
			sales = append(sales, ln)
		}
	}
	for _, ln := range l.Lines {
		if ln.Partner == a.A.PartnerAccountID && ln.T.Type == klarna.TxSale && len(sales) < 50 {
			sales = append(sales, ln)
		}
	}
	if len(sales) == 0 {
		return false
	}
	s := sales[rand.IntN(len(sales))].T
	t := klarna.Transaction{
		Amount: s.Amount / 2, CaptureID: strp(""), MerchantReference1: s.MerchantReference1, RefundID: uuidv4(),
		SaleDate: s.SaleDate, CaptureDate: klarna.At(at), Type: klarna.TxReturn, DetailedType: "PURCHASE_RETURN",
		OrderID: s.OrderID, ShortOrderID: s.ShortOrderID, CurrencyCode: s.CurrencyCode, PurchaseCountry: s.PurchaseCountry,
		MerchantRefundReference: "ref-" + uuidv4()[:8], CurrencyCodeOfRegistrationCountry: s.CurrencyCodeOfRegistrationCountry,
	}
	l.add(a.A.PartnerAccountID, t)
	return true
}

func disputeLine(d *dispute, typ, detailed string, amount int64, at time.Time) klarna.Transaction {
	sold := d.D.CreatedAt
	if !d.SaleDate.IsZero() {
		sold = klarna.At(d.SaleDate)
	}
	return klarna.Transaction{
		Amount: amount, CaptureID: strp(""), MerchantReference1: d.D.PurchaseReference, SaleDate: sold, CaptureDate: klarna.At(at),
		Type: typ, DetailedType: detailed, OrderID: d.D.OrderID, CurrencyCode: d.D.DisputeDetails.Currency,
		PurchaseCountry: countryOf(d.D.DisputeDetails.Currency), ReversalReference: d.D.PaymentDisputeID,
	}
}

// disputeOpened charges the dispute fee and, with ON_DISPUTE_INITIATED, holds back the amount.
func (l *ledger) disputeOpened(d *dispute, at time.Time) {
	fee := disputeLine(d, klarna.TxFee, "DISPUTE_FEE", disputeFee, at)
	fee.VATRate, fee.VATAmount = i64(vatBasisPoints), i64(vatOn(disputeFee))
	fee.KlarnaComment = "Dispute fee (not refundable)"
	l.add(d.Partner, fee)
	if d.Held {
		h := disputeLine(d, klarna.TxHoldback, "UNDER_REVIEW", d.D.DisputeDetails.DisputeAmount, at)
		h.KlarnaComment = "Disputed amount withheld while the dispute is open"
		l.add(d.Partner, h)
	}
}

// disputeClosed releases a holdback and, when LOST, reverses the amount.
func (l *ledger) disputeClosed(d *dispute, outcome string, at time.Time) {
	if d.Held {
		r := disputeLine(d, klarna.TxRelease, "UNDER_REVIEW", d.D.DisputeDetails.DisputeAmount, at)
		r.KlarnaComment = "Withheld amount released at dispute close"
		l.add(d.Partner, r)
		d.Held = false
	}
	if outcome == klarna.OutcomeLost {
		r := disputeLine(d, klarna.TxReversal, "REVERSAL", d.D.DisputeDetails.DisputeAmount, at)
		r.KlarnaComment = "Chargeback for closed dispute (outcome LOST)"
		l.add(d.Partner, r)
	}
}

func countryOf(currency string) string {
	switch currency {
	case "SEK":
		return "SE"
	case "NOK":
		return "NO"
	case "DKK":
		return "DK"
	case "GBP":
		return "GB"
	case "USD":
		return "US"
	default:
		return "DE"
	}
}

// computeTotals sums lines into v1 Totals and applies the debt carry-over:
// net = sale − return − reversal − fee − tax + fee_refund + tax_refund −
// holdback + release − commission − charge + credit. A positive net first
// repays the opening debt (repay_amount); a negative net becomes new debt
// (deposit_amount). settlement = max(net − repay, 0); closing = opening −
// repay + deposit.
func computeTotals(lines []*lineRec, openingDebt int64) klarna.Totals {
	var t klarna.Totals
	var tax int64
	for _, ln := range lines {
		a := ln.T.Amount
		switch ln.T.Type {
		case klarna.TxSale:
			t.SaleAmount += a
		case klarna.TxReturn:
			t.ReturnAmount += a
		case klarna.TxReversal:
			t.ReversalAmount += a
		case klarna.TxFee:
			t.FeeAmount += a
		case klarna.TxFeeRefund:
			t.FeeRefundAmount += a
		case klarna.TxHoldback:
			t.HoldbackAmount += a
		case klarna.TxRelease:
			t.ReleaseAmount += a
		case klarna.TxCommission:
			t.CommissionAmount += a
		case klarna.TxCharge:
			t.ChargeAmount += a
		case klarna.TxCredit:
			t.CreditAmount += a
		case klarna.TxTax:
			tax += a
		}
		if ln.T.VATAmount != nil {
			tax += *ln.T.VATAmount
		}
	}
	t.TaxAmount = i64(tax)
	t.FeeCorrectionAmount = i64(0)
	net := t.SaleAmount - t.ReturnAmount - t.ReversalAmount - t.FeeAmount - tax + t.FeeRefundAmount + t.TaxRefundAmount -
		t.HoldbackAmount + t.ReleaseAmount - t.CommissionAmount - t.ChargeAmount + t.CreditAmount
	t.OpeningDebtBalanceAmount = openingDebt
	if net >= 0 {
		t.RepayAmount = min(openingDebt, net)
		t.SettlementAmount = net - t.RepayAmount
	} else {
		t.DepositAmount = -net
	}
	t.ClosingDebtBalanceAmount = openingDebt - t.RepayAmount + t.DepositAmount
	return t
}

// RunSettlement pays out the pending lines of one partner (or all when
// partnerID is ""), one payout per currency, and sends settlement.report.created.
func (s *Sim) RunSettlement(partnerID string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runSettlementLocked(partnerID, 0)
}

// RunMismatchedSettlement is RunSettlement whose first payout is the
// demo's deliberate mismatch: its fee total reports mismatch (minor units)
// more than its fee lines and its settlement amount is as much short, so
// Partner Desk finds it does not reconcile.
func (s *Sim) RunMismatchedSettlement(partnerID string, mismatch int64) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runSettlementLocked(partnerID, mismatch)
}

func (s *Sim) runSettlementLocked(partnerID string, mismatch int64) ([]string, error) {
	var ids []string
	if partnerID != "" {
		if s.st.Accounts[partnerID] == nil {
			return nil, errNotFound
		}
		ids = []string{partnerID}
	} else {
		ids = sortedKeys(s.st.Ledger.Pending)
	}
	now := s.clock.Now()
	var refs []string
	for _, pid := range ids {
		got := s.settleLocked(pid, now.Truncate(24*time.Hour), time.Time{}, mismatch)
		if len(got) > 0 {
			mismatch = 0
		}
		refs = append(refs, got...)
	}
	return refs, nil
}

// settleLocked pays out the partner's pending lines captured up to upTo
// (zero: all), one payout per currency dated date, and sends
// settlement.report.created for each. mismatch != 0 makes the first payout
// the demo's deliberate mismatch (see payoutRec.Mismatch).
func (s *Sim) settleLocked(pid string, date, upTo time.Time, mismatch int64) []string {
	l := &s.st.Ledger
	a := s.st.Accounts[pid]
	if a == nil {
		return nil
	}
	var due, later []*lineRec
	for _, ln := range l.Pending[pid] {
		if upTo.IsZero() || !ln.T.CaptureDate.After(upTo) {
			due = append(due, ln)
		} else {
			later = append(later, ln)
		}
	}
	if len(due) == 0 {
		return nil
	}
	byCur := map[string][]*lineRec{}
	for _, ln := range due {
		byCur[ln.T.CurrencyCode] = append(byCur[ln.T.CurrencyCode], ln)
	}
	var refs []string
	for _, cur := range sortedKeys(byCur) {
		ref := "KL" + randAlnum(6)
		debtKey := pid + "|" + cur
		tot := computeTotals(byCur[cur], l.Debt[debtKey])
		l.Debt[debtKey] = tot.ClosingDebtBalanceAmount
		p := &payoutRec{Partner: pid, P: klarna.Payout{
			Totals: tot, PaymentReference: ref, PayoutDate: klarna.At(date), CurrencyCode: cur,
			CurrencyCodeOfRegistrationCountry: a.Currency, MerchantSettlementType: "NET", MerchantID: a.MerchantID,
		}}
		if mismatch != 0 && tot.SettlementAmount >= mismatch {
			p.Mismatch = mismatch
			p.P.Totals.FeeAmount += mismatch
			p.P.Totals.SettlementAmount -= mismatch
			mismatch = 0
		}
		l.Payouts = append(l.Payouts, p)
		l.byRef[ref] = p
		for _, ln := range byCur[cur] {
			ln.T.PaymentReference = ref
			l.Lines = append(l.Lines, ln)
			l.linesBy[ref] = append(l.linesBy[ref], ln)
		}
		refs = append(refs, ref)
		base := s.opts.PublicURL + "/settlements/v1"
		s.emitLocked(klarna.EventSettlementReportCreated, pid, "", a.MerchantID, klarna.SettlementEventPayload{
			SettlementID: "krn:partner:global:settlement:test:" + uuidv4(), PaymentReference: ref, PartnerAccountID: pid,
			PaymentAcquiringAccountID: firstAcquiring(a), Currency: cur,
			Links: map[string]string{
				"payout":       base + "/payouts/" + ref,
				"transactions": base + "/transactions?payment_reference=" + ref,
				"csv":          base + "/reports/payout-with-transactions?payment_reference=" + ref,
				"pdf":          base + "/reports/payout?payment_reference=" + ref,
			},
		})
	}
	if len(later) == 0 {
		delete(l.Pending, pid)
	} else {
		l.Pending[pid] = later
	}
	return refs
}

// SettlementHistory describes weeks of past payouts for one partner
// (seeding the demo).
type SettlementHistory struct {
	PartnerAccountID string `json:"partner_account_id"`
	// Weeks of weekly payouts, the last one a week before now.
	Weeks int `json:"weeks"`
	// Captures per week (default 12), of 10.00 to 2 500.00.
	Captures int `json:"captures"`
	// MismatchWeek (1 = the oldest week) is the demo's deliberate
	// mismatch: that payout's fee total reports MismatchAmount (default
	// 25.00) more than its fee lines and its settlement amount is short by
	// as much, so it does not reconcile. 0: every payout adds up.
	MismatchWeek   int   `json:"mismatch_week"`
	MismatchAmount int64 `json:"mismatch_amount"`
	// ChargebackWeek (1 = the oldest) opens a dispute that week and closes
	// it LOST the next: its fee and withheld amount land in that payout,
	// the release and the chargeback (REVERSAL with the dispute's KRN as
	// reversal_reference) in the next. A ChargebackAmount over 5 000.00
	// makes that week quiet (two captures), so the amount withheld outweighs
	// its sales: nothing is paid out, the shortfall is carried forward as
	// debt and repaid from the next payout.
	ChargebackWeek   int   `json:"chargeback_week"`
	ChargebackAmount int64 `json:"chargeback_amount"`
}

// SeedSettlementHistory makes weekly payouts in the past for a partner,
// oldest first, each from captures (each a payment's, authorized before
// it; the week's declined, expired and canceled requests are made too),
// refunds and dispute lines of its week
// (the partner's pending lines of that week, e.g. of seeded disputes,
// included), and sends settlement.report.created for each. It returns the
// payment references; a partner that has payouts already gets none.
func (s *Sim) SeedSettlementHistory(h SettlementHistory) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[h.PartnerAccountID]
	if a == nil || a.Currency == "" {
		return nil, errNotFound
	}
	for _, p := range s.st.Ledger.Payouts {
		if p.Partner == h.PartnerAccountID {
			return nil, nil
		}
	}
	if h.Captures <= 0 {
		h.Captures = 12
	}
	if h.MismatchAmount == 0 {
		h.MismatchAmount = 2500
	}
	if h.ChargebackAmount <= 0 {
		h.ChargebackAmount = 39900
	}
	rng := rand.New(rand.NewPCG(uint64(len(h.PartnerAccountID)), uint64(h.Weeks)))
	now := s.clock.Now().UTC()
	var refs []string
	var lost *dispute
	var chargeback *paymentRec
	for w := 1; w <= h.Weeks; w++ {
		date := now.Truncate(24*time.Hour).AddDate(0, 0, -7*(h.Weeks-w+1))
		from := date.AddDate(0, 0, -7)
		at := func() time.Time { return from.Add(time.Duration(rng.Int64N(int64(7 * 24 * time.Hour)))) }
		captures := h.Captures
		if w == h.ChargebackWeek && h.ChargebackAmount > 500000 {
			captures = 2 // a quiet week: the amount withheld outweighs its sales
		}
		for range captures {
			s.historyPaymentLocked(a, pickAuthorizedFlow(rng), 0, at(), true, rng)
			// The requests of the week that ended in no sale: declined,
			// expired or canceled (~16 % of all), and the odd
			// authorization never captured.
			if rng.IntN(100) < 19 {
				s.historyPaymentLocked(a, pickFailedFlow(rng), 0, at(), false, rng)
			}
			if rng.Float64() < neverCapturedRate {
				s.historyPaymentLocked(a, pickAuthorizedFlow(rng), 0, at(), false, rng)
			}
		}
		// The chargeback's sale: the week before its dispute (in its own
		// week when that is the first), so a quiet week stays quiet.
		if w == max(h.ChargebackWeek-1, 1) && h.ChargebackWeek > 0 {
			t := at()
			if w == h.ChargebackWeek {
				t = from.Add(time.Duration(rng.Int64N(int64(20 * time.Hour))))
			}
			chargeback = s.historyPaymentLocked(a, FlowHosted, h.ChargebackAmount, t, true, rng)
		}
		if w > 1 {
			s.st.Ledger.refund(a, at())
		}
		if w == h.ChargebackWeek {
			lost = s.openForLocked(a, DisputeSpec{Reason: klarna.ReasonPurchaseUnauthorized, Amount: h.ChargebackAmount, CreatedAt: from.Add(24 * time.Hour)}, 0, now, chargeback)
		}
		if lost != nil && w == h.ChargebackWeek+1 {
			s.closeLocked(lost, klarna.OutcomeLost, "KLARNA_RESOLVED_DISPUTE_IN_CUSTOMER_FAVOR", from.Add(48*time.Hour))
		}
		var mismatch int64
		if w == h.MismatchWeek {
			mismatch = h.MismatchAmount
		}
		refs = append(refs, s.settleLocked(a.A.PartnerAccountID, date, date, mismatch)...)
	}
	return refs, nil
}

// historyPaymentLocked makes a past payment along flow. With capture (and
// a flow that ends authorized) it is captured at at, authorized 20 minutes
// to 30 hours before; otherwise its last state is at at.
func (s *Sim) historyPaymentLocked(a *account, flow string, amount int64, at time.Time, capture bool, rng *rand.Rand) *paymentRec {
	capture = capture && endsAuthorized(flow)
	decided := at
	if capture {
		decided = at.Add(-secs(rng, 20*60, 30*3600))
	}
	p, err := s.newPaymentLocked(a, flow, decided, paymentOpts{amount: amount}, rng)
	if err != nil {
		s.log.Warn("klarnasim history payment", "err", err)
		return nil
	}
	if capture {
		if err := s.captureLocked(a, p, at); err != nil {
			s.log.Warn("klarnasim history capture", "err", err)
		}
	}
	return p
}

func firstAcquiring(a *account) string {
	if a.Product != nil && len(a.Product.PaymentAccounts) > 0 {
		return a.Product.PaymentAccounts[0].PaymentAcquiringAccountID
	}
	return ""
}

// Capture records a simulated capture for a partner (seeding, tests): a
// hosted payment authorized a minute ago, captured now in full (amount ≤ 0:
// a random one). It returns the order id of its settlement lines.
func (s *Sim) Capture(partnerID string, amount int64) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[partnerID]
	if a == nil || a.Currency == "" {
		return "", errNotFound
	}
	now := s.clock.Now()
	p, err := s.newPaymentLocked(a, FlowHosted, now.Add(-time.Minute), paymentOpts{amount: amount}, newRand())
	if err != nil {
		return "", err
	}
	if err := s.captureLocked(a, p, now); err != nil {
		return "", err
	}
	return p.OrderID, nil
}

// Refund records a simulated partial refund of one of the partner's sales.
func (s *Sim) Refund(partnerID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[partnerID]
	if a == nil {
		return errNotFound
	}
	if !s.st.Ledger.refund(a, s.clock.Now()) {
		return errors.New("the partner has no sale to refund")
	}
	return nil
}

// ---- HTTP ----

func (s *Sim) settlementHandlers() map[klarna.Operation]handler {
	return map[klarna.Operation]handler{
		klarna.OpListPayouts:             s.hListPayouts,
		klarna.OpGetPayout:               s.hGetPayout,
		klarna.OpGetPayoutSummary:        s.hPayoutSummary,
		klarna.OpListTransactions:        s.hListTransactions,
		klarna.OpPayoutReportCSV:         s.hPayoutCSV,
		klarna.OpPayoutReportPDF:         s.hPayoutPDF,
		klarna.OpPayoutsSummaryReportCSV: s.hSummaryCSV,
		klarna.OpPayoutsSummaryReportPDF: s.hSummaryPDF,
	}
}

func (s *Sim) renderPayout(c *rctx, p *payoutRec) klarna.Payout {
	out := p.P
	out.Transactions = c.base + klarna.Routes[klarna.OpListTransactions].Path + "?payment_reference=" + url.QueryEscape(p.P.PaymentReference)
	return out
}

// parseDate reads a v1 date-time; a bare date means 00:00:00 (spec).
func parseDate(q url.Values, key string, required bool, ve *[]klarna.ValidationError) time.Time {
	v := q.Get(key)
	if v == "" {
		if required {
			*ve = append(*ve, vErr(key, "is required"))
		}
		return time.Time{}
	}
	t, err := klarna.ParseTimestamp(v)
	if err != nil {
		*ve = append(*ve, vErr(key, "must be an ISO 8601 date-time"))
	}
	return t
}

func offsetParams(q url.Values, ve *[]klarna.ValidationError) (size, offset int) {
	size = defaultOffsetPage
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxOffsetPage {
			*ve = append(*ve, vErr("size", "must be between 1 and 500"))
		}
		size = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			*ve = append(*ve, vErr("offset", "must be 0 or more"))
		}
		offset = n
	}
	return size, offset
}

func pageLinks(c *rctx, q url.Values, size, offset int, total int) (next, prev string) {
	link := func(off int) string {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("size", strconv.Itoa(size))
		nq.Set("offset", strconv.Itoa(off))
		return c.base + c.r.URL.Path + "?" + nq.Encode()
	}
	if offset+size < total {
		next = link(offset + size)
	}
	if offset > 0 {
		prev = link(max(offset-size, 0))
	}
	return next, prev
}

func (s *Sim) payoutsInRange(partner string, from, to time.Time, currency string) []*payoutRec {
	var out []*payoutRec
	for _, p := range s.st.Ledger.Payouts {
		if partner != "" && p.Partner != partner {
			continue
		}
		if currency != "" && p.P.CurrencyCode != currency {
			continue
		}
		d := p.P.PayoutDate.Time
		if (!from.IsZero() && d.Before(from)) || (!to.IsZero() && d.After(to)) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (s *Sim) hListPayouts(c *rctx) *reply {
	q := c.r.URL.Query()
	var ve []klarna.ValidationError
	from, to := parseDate(q, "start_date", false, &ve), parseDate(q, "end_date", false, &ve)
	size, offset := offsetParams(q, &ve)
	if len(ve) > 0 {
		return invalid(ve...)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	all := s.payoutsInRange(c.partner, from, to, q.Get("currency_code"))
	sort.SliceStable(all, func(i, j int) bool { return all[i].P.PayoutDate.After(all[j].P.PayoutDate.Time) })
	out := klarna.PayoutCollection{Payouts: []klarna.Payout{}}
	for i := offset; i < len(all) && i < offset+size; i++ {
		out.Payouts = append(out.Payouts, s.renderPayout(c, all[i]))
	}
	next, prev := pageLinks(c, q, size, offset, len(all))
	out.Pagination = klarna.OffsetPagination{Count: int64(len(out.Payouts)), Total: i64(int64(len(all))), Offset: i64(int64(offset)), Next: next, Prev: prev}
	return jsonReply(200, out)
}

func (s *Sim) payoutFor(c *rctx, ref string) (*payoutRec, *reply) {
	p := s.st.Ledger.byRef[ref]
	if p == nil || (c.partner != "" && p.Partner != c.partner) {
		return nil, kerr(404, klarna.ErrTypeResource, "NOT_FOUND", "Payout "+ref+" not found")
	}
	return p, nil
}

func (s *Sim) hGetPayout(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, rp := s.payoutFor(c, c.r.PathValue("payment_reference"))
	if rp != nil {
		return rp
	}
	return jsonReply(200, s.renderPayout(c, p))
}

func (s *Sim) summaries(c *rctx, from, to time.Time, currency string) []klarna.PayoutSummary {
	by := map[string]*klarna.PayoutSummary{}
	for _, p := range s.payoutsInRange(c.partner, from, to, currency) {
		sm := by[p.P.CurrencyCode]
		if sm == nil {
			sm = &klarna.PayoutSummary{SummaryPayoutDateStart: klarna.At(from), SummaryPayoutDateEnd: klarna.At(to), SummarySettlementCurrency: p.P.CurrencyCode}
			by[p.P.CurrencyCode] = sm
		}
		t := p.P.Totals
		sm.SummaryTotalSettlementAmount += t.SettlementAmount
		sm.SummaryTotalSaleAmount += t.SaleAmount
		sm.SummaryTotalReturnAmount += t.ReturnAmount
		sm.SummaryTotalReversalAmount += t.ReversalAmount
		sm.SummaryTotalFeeAmount += t.FeeAmount
		sm.SummaryTotalCommissionAmount += t.CommissionAmount
		if t.TaxAmount != nil {
			sm.SummaryTotalTaxAmount += *t.TaxAmount
		}
		if t.FeeCorrectionAmount != nil {
			sm.SummaryTotalFeeCorrectionAmount += *t.FeeCorrectionAmount
		}
		sm.SummaryTotalHoldbackAmount += t.HoldbackAmount
		sm.SummaryTotalReleaseAmount += t.ReleaseAmount
		sm.SummaryTotalRepayAmount += t.RepayAmount
	}
	out := []klarna.PayoutSummary{}
	for _, cur := range sortedKeys(by) {
		out = append(out, *by[cur])
	}
	return out
}

func (s *Sim) hPayoutSummary(c *rctx) *reply {
	q := c.r.URL.Query()
	var ve []klarna.ValidationError
	from, to := parseDate(q, "start_date", true, &ve), parseDate(q, "end_date", true, &ve)
	if len(ve) > 0 {
		return invalid(ve...)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return jsonReply(200, s.summaries(c, from, to, q.Get("currency_code")))
}

func (s *Sim) renderLine(c *rctx, ln *lineRec) klarna.Transaction {
	t := ln.T
	if t.PaymentReference != "" {
		t.Payout = c.base + klarna.Routes[klarna.OpGetPayout].Expand(t.PaymentReference)
	}
	return t
}

func (s *Sim) hListTransactions(c *rctx) *reply {
	q := c.r.URL.Query()
	var ve []klarna.ValidationError
	size, offset := offsetParams(q, &ve)
	if len(ve) > 0 {
		return invalid(ve...)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ref, order := q.Get("payment_reference"), q.Get("order_id")
	src := s.st.Ledger.Lines
	if ref != "" {
		src = s.st.Ledger.linesBy[ref]
	}
	var all []*lineRec
	for _, ln := range src {
		if (c.partner == "" || ln.Partner == c.partner) && (order == "" || ln.T.OrderID == order) {
			all = append(all, ln)
		}
	}
	out := klarna.TransactionCollection{Transactions: []klarna.Transaction{}}
	for i := offset; i < len(all) && i < offset+size; i++ {
		out.Transactions = append(out.Transactions, s.renderLine(c, all[i]))
	}
	next, prev := pageLinks(c, q, size, offset, len(all))
	out.Pagination = klarna.OffsetPagination{Count: int64(len(out.Transactions)), Total: i64(int64(len(all))), Offset: i64(int64(offset)), Next: next, Prev: prev}
	return jsonReply(200, out)
}

// csvHeader follows README §9.4 (exact spellings and order UNCONFIRMED).
var csvHeader = []string{"merchant_id", "payment_reference", "type", "detailed_type", "amount", "vat_rate", "vat_amount", "currency_code",
	"order_id", "short_order_id", "capture_id", "refund_id", "sale_date", "capture_date", "merchant_reference1", "merchant_reference2",
	"merchant_capture_reference", "merchant_refund_reference", "purchase_country", "shipping_country", "reversal_reference", "klarna_comment"}

func optInt(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func writeLines(w *csv.Writer, merchant string, lines []*lineRec) {
	for _, ln := range lines {
		t := ln.T
		capture := ""
		if t.CaptureID != nil {
			capture = *t.CaptureID
		}
		_ = w.Write([]string{merchant, t.PaymentReference, t.Type, t.DetailedType, strconv.FormatInt(t.Amount, 10), optInt(t.VATRate), optInt(t.VATAmount),
			t.CurrencyCode, t.OrderID, t.ShortOrderID, capture, t.RefundID, t.SaleDate.UTC().Format(time.RFC3339), t.CaptureDate.UTC().Format(time.RFC3339),
			t.MerchantReference1, t.MerchantReference2, t.MerchantCaptureReference, t.MerchantRefundReference, t.PurchaseCountry, t.ShippingCountry,
			t.ReversalReference, t.KlarnaComment})
	}
}

func csvReply(name string, fill func(w *csv.Writer)) *reply {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(csvHeader)
	fill(w)
	w.Flush()
	return &reply{status: 200, ctype: "text/csv; charset=utf-8", body: b.Bytes(),
		header: map[string][]string{"Content-Disposition": {`attachment; filename="` + name + `"`}}}
}

func pdfReply(name string, lines []string) *reply {
	return &reply{status: 200, ctype: "application/pdf", body: renderPDF(lines),
		header: map[string][]string{"Content-Disposition": {`attachment; filename="` + name + `"`}}}
}

func requireRef(c *rctx) (string, *reply) {
	ref := c.r.URL.Query().Get("payment_reference")
	if ref == "" {
		return "", invalid(vErr("payment_reference", "is required"))
	}
	return ref, nil
}

func (s *Sim) hPayoutCSV(c *rctx) *reply {
	ref, rp := requireRef(c)
	if rp != nil {
		return rp
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, rp := s.payoutFor(c, ref)
	if rp != nil {
		return rp
	}
	return csvReply("payout-"+ref+".csv", func(w *csv.Writer) { writeLines(w, p.P.MerchantID, s.st.Ledger.linesBy[ref]) })
}

func money(v int64, cur string) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, v/100, v%100, cur)
}

func totalsText(t klarna.Totals, cur string) []string {
	tax := int64(0)
	if t.TaxAmount != nil {
		tax = *t.TaxAmount
	}
	return []string{
		"Sales: " + money(t.SaleAmount, cur), "Returns: " + money(t.ReturnAmount, cur), "Reversals: " + money(t.ReversalAmount, cur),
		"Fees: " + money(t.FeeAmount, cur), "Tax on fees: " + money(tax, cur), "Holdback: " + money(t.HoldbackAmount, cur),
		"Released: " + money(t.ReleaseAmount, cur), "Debt repaid: " + money(t.RepayAmount, cur),
		"Settlement amount: " + money(t.SettlementAmount, cur),
	}
}

func (s *Sim) hPayoutPDF(c *rctx) *reply {
	ref, rp := requireRef(c)
	if rp != nil {
		return rp
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, rp := s.payoutFor(c, ref)
	if rp != nil {
		return rp
	}
	lines := []string{"Klarna payout " + ref + " (simulator)", "Merchant " + p.P.MerchantID + ", payout date " + p.P.PayoutDate.Format("2006-01-02")}
	lines = append(lines, totalsText(p.P.Totals, p.P.CurrencyCode)...)
	return pdfReply("payout-"+ref+".pdf", lines)
}

func (s *Sim) summaryRange(c *rctx) (time.Time, time.Time, *reply) {
	q := c.r.URL.Query()
	var ve []klarna.ValidationError
	from, to := parseDate(q, "start_date", true, &ve), parseDate(q, "end_date", true, &ve)
	if len(ve) > 0 {
		return from, to, invalid(ve...)
	}
	return from, to, nil
}

func (s *Sim) hSummaryCSV(c *rctx) *reply {
	from, to, rp := s.summaryRange(c)
	if rp != nil {
		return rp
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ps := s.payoutsInRange(c.partner, from, to, "")
	return csvReply("payouts-summary.csv", func(w *csv.Writer) {
		for _, p := range ps {
			writeLines(w, p.P.MerchantID, s.st.Ledger.linesBy[p.P.PaymentReference])
		}
	})
}

func (s *Sim) hSummaryPDF(c *rctx) *reply {
	from, to, rp := s.summaryRange(c)
	if rp != nil {
		return rp
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	lines := []string{"Klarna payouts summary (simulator)", from.Format("2006-01-02") + " to " + to.Format("2006-01-02")}
	for _, sm := range s.summaries(c, from, to, "") {
		cur := sm.SummarySettlementCurrency
		lines = append(lines, cur+": sales "+money(sm.SummaryTotalSaleAmount, cur)+", fees "+money(sm.SummaryTotalFeeAmount, cur)+
			", settled "+money(sm.SummaryTotalSettlementAmount, cur))
	}
	return pdfReply("payouts-summary.pdf", lines)
}

// renderPDF writes a minimal, valid single-page PDF with one text line per entry.
func renderPDF(lines []string) []byte {
	var content bytes.Buffer
	content.WriteString("BT /F1 11 Tf 50 790 Td 14 TL\n")
	for _, l := range lines {
		content.WriteString("(" + pdfEscape(l) + ") Tj T*\n")
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func pdfEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 32 || r > 126:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

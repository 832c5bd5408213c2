package payment_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/payment"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// flow is a sequence of reports, a minute apart.
func flow(id string, states ...string) []payment.Report {
	out := make([]payment.Report, len(states))
	for i, s := range states {
		out[i] = payment.Report{Payment: payment.Payment{ID: id, State: s}, EventID: id + "-" + s, At: t0.Add(time.Duration(i) * time.Minute)}
	}
	return out
}

func apply(reports []payment.Report) payment.Payment {
	var cur *payment.Payment
	for _, r := range reports {
		p := payment.Merge(cur, r)
		cur = &p
	}
	return *cur
}

// Every documented flow, in order, reversed and shuffled, ends in the
// state reported last in Klarna's time, with the milestones at their
// reported times; a state Klarna adds is kept as it came.
func TestMergeEveryStateInAndOutOfOrder(t *testing.T) {
	t.Parallel()
	flows := map[string][]string{
		"hosted":           {klarna.PaymentSubmitted, klarna.PaymentInProgress, klarna.PaymentAuthorized},
		"hosted prepared":  {klarna.PaymentSubmitted, klarna.PaymentPrepared, klarna.PaymentInProgress, klarna.PaymentPendingConfirmation, klarna.PaymentAuthorized},
		"server-side":      {klarna.PaymentSubmitted, klarna.PaymentInProgress, klarna.PaymentCompleted},
		"declined":         {klarna.PaymentSubmitted, klarna.PaymentInProgress, klarna.PaymentDeclined},
		"expired":          {klarna.PaymentSubmitted, klarna.PaymentExpired},
		"canceled":         {klarna.PaymentSubmitted, klarna.PaymentInProgress, klarna.PaymentCanceled},
		"back to submit":   {klarna.PaymentSubmitted, klarna.PaymentInProgress, klarna.PaymentSubmitted, klarna.PaymentInProgress},
		"unknown last":     {klarna.PaymentSubmitted, klarna.PaymentInProgress, "ON_HOLD_FOR_REVIEW"},
		"unknown then end": {klarna.PaymentSubmitted, "ON_HOLD_FOR_REVIEW", klarna.PaymentAuthorized},
	}
	for name, states := range flows {
		reports := flow("pr-"+name, states...)
		last := states[len(states)-1]
		orders := map[string][]payment.Report{"in order": reports, "reversed": slices.Clone(reports)}
		slices.Reverse(orders["reversed"])
		for i := range 5 {
			sh := slices.Clone(reports)
			rand.New(rand.NewPCG(uint64(i), 7)).Shuffle(len(sh), func(a, b int) { sh[a], sh[b] = sh[b], sh[a] })
			orders["shuffled "+string(rune('a'+i))] = sh
		}
		for how, rs := range orders {
			p := apply(rs)
			if p.State != last || !p.StateAt.Equal(reports[len(reports)-1].At) {
				t.Errorf("%s %s: state %s at %v, want %s at %v", name, how, p.State, p.StateAt, last, reports[len(reports)-1].At)
			}
			if p.Events != len(states) || !p.CreatedAt.Equal(t0) {
				t.Errorf("%s %s: events %d created %v", name, how, p.Events, p.CreatedAt)
			}
			if p.SubmittedAt == nil || !p.SubmittedAt.Equal(t0) {
				t.Errorf("%s %s: submitted at %v, want the first SUBMITTED", name, how, p.SubmittedAt)
			}
			if payment.Authorized(last) != (p.AuthorizedAt != nil) || payment.Final(last) != (p.FinalAt != nil) {
				t.Errorf("%s %s: authorized %v final %v for %s", name, how, p.AuthorizedAt, p.FinalAt, last)
			}
		}
	}
	if payment.Known("ON_HOLD_FOR_REVIEW") || !payment.Known(klarna.PaymentPendingConfirmation) {
		t.Error("Known is wrong")
	}
}

// Two reports at the same instant: the final state wins.
func TestMergeSameInstantFinalWins(t *testing.T) {
	t.Parallel()
	a := payment.Report{Payment: payment.Payment{ID: "pr", State: klarna.PaymentInProgress}, EventID: "a", At: t0}
	b := payment.Report{Payment: payment.Payment{ID: "pr", State: klarna.PaymentDeclined}, EventID: "b", At: t0}
	if p := apply([]payment.Report{a, b}); p.State != klarna.PaymentDeclined {
		t.Fatalf("in order: %s", p.State)
	}
	if p := apply([]payment.Report{b, a}); p.State != klarna.PaymentDeclined {
		t.Fatalf("reversed: %s", p.State)
	}
}

// An older report fills what is still empty and changes nothing else.
func TestMergeOlderReportFillsBlanks(t *testing.T) {
	t.Parallel()
	amount := int64(12900)
	newer := payment.Report{Payment: payment.Payment{ID: "pr", State: klarna.PaymentAuthorized, TransactionID: "krn:payment:eu1:authorization:o1", OrderID: "o1"}, EventID: "n", At: t0.Add(time.Minute)}
	older := payment.Report{Payment: payment.Payment{ID: "pr", State: klarna.PaymentSubmitted, Amount: &amount, Currency: "EUR",
		IntegrationPath: klarna.IntegrationHosted, TransactionID: "other", InteropSource: "EXPRESS_CHECKOUT"}, EventID: "o", At: t0}
	p := apply([]payment.Report{newer, older})
	if p.State != klarna.PaymentAuthorized || p.TransactionID != "krn:payment:eu1:authorization:o1" {
		t.Fatalf("older report overwrote: %+v", p)
	}
	if p.Amount == nil || *p.Amount != 12900 || p.Currency != "EUR" || p.IntegrationPath != klarna.IntegrationHosted || p.InteropSource != "EXPRESS_CHECKOUT" {
		t.Fatalf("older report did not fill blanks: %+v", p)
	}
}

func pay(state string, mutate ...func(*payment.Payment)) payment.Payment {
	p := payment.Payment{ID: uuid.NewString(), TenantID: uuid.Nil, State: state, CreatedAt: t0}
	for _, m := range mutate {
		m(&p)
	}
	return p
}

func timed(submit, auth time.Duration) func(*payment.Payment) {
	return func(p *payment.Payment) {
		s, a := t0.Add(submit), t0.Add(auth)
		p.SubmittedAt, p.AuthorizedAt = &s, &a
	}
}

func interop(source string, carried bool) func(*payment.Payment) {
	return func(p *payment.Payment) { p.InteropSource, p.InteropToken = source, carried }
}

func path(v string) func(*payment.Payment) { return func(p *payment.Payment) { p.IntegrationPath = v } }

// Health figures from a known set, computed by hand.
func TestHealthFiguresMatchHandComputed(t *testing.T) {
	t.Parallel()
	// 10 payments: 6 authorized (4 timed: 60, 120, 180, 240 s), 2 declined,
	// 1 expired, 1 still in progress. 5 came from a Klarna feature, 3 of
	// those carried the token. 6 hosted, 3 server-side, 1 not told. 2
	// recurring.
	set := []payment.Payment{
		pay(klarna.PaymentAuthorized, timed(0, time.Minute), interop("EXPRESS_CHECKOUT", true), path(klarna.IntegrationHosted)),
		pay(klarna.PaymentAuthorized, timed(0, 2*time.Minute), interop("EXPRESS_CHECKOUT", true), path(klarna.IntegrationHosted)),
		pay(klarna.PaymentCompleted, timed(0, 3*time.Minute), interop("SIGN_IN_WITH_KLARNA", false), path(klarna.IntegrationServerSide),
			func(p *payment.Payment) { p.PaymentType = klarna.PaymentRecurring }),
		pay(klarna.PaymentCompleted, timed(time.Minute, 5*time.Minute), path(klarna.IntegrationServerSide),
			func(p *payment.Payment) { p.PaymentType = klarna.PaymentRecurring }),
		pay(klarna.PaymentAuthorized, path(klarna.IntegrationHosted)), // no submission seen: not timed
		pay(klarna.PaymentAuthorized, path(klarna.IntegrationHosted)),
		pay(klarna.PaymentDeclined, interop("ON_SITE_MESSAGING", true), path(klarna.IntegrationHosted)),
		pay(klarna.PaymentDeclined, interop("ON_SITE_MESSAGING", false), path(klarna.IntegrationServerSide)),
		pay(klarna.PaymentExpired, path(klarna.IntegrationHosted)),
		pay(klarna.PaymentInProgress),
	}
	var f payment.Figures
	for _, p := range set {
		f.Add(payment.Contribution(p).Figures, 1)
	}
	want := payment.Figures{Payments: 10, Authorized: 6, Declined: 2, Expired: 1, Open: 1, AuthTimed: 4, AuthSeconds: 600,
		InteropExpected: 5, InteropCarried: 3, Hosted: 6, ServerSide: 3, Recurring: 2}
	if f != want {
		t.Fatalf("figures\n got %+v\nwant %+v", f, want)
	}
	f.SaleLagLines, f.SaleLagSeconds = 4, 4*2.5*86400
	r := payment.RatesOf(f)
	for name, c := range map[string]struct {
		got  *float64
		want float64
	}{
		"authorization": {r.AuthorizationRate, 6.0 / 9}, "decline": {r.DeclineRate, 2.0 / 9}, "expiry": {r.ExpiryRate, 1.0 / 9},
		"cancel": {r.CancelRate, 0}, "seconds to authorize": {r.SecondsToAuthorize, 150}, "interop": {r.InteropShare, 0.6},
		"hosted": {r.HostedShare, 6.0 / 9}, "server-side": {r.ServerSideShare, 3.0 / 9}, "recurring": {r.RecurringShare, 0.2},
		"settlement lag": {r.SettlementLagDays, 2.5},
	} {
		if c.got == nil || math.Abs(*c.got-c.want) > 1e-9 {
			t.Errorf("%s rate = %v, want %v", name, c.got, c.want)
		}
	}
	// Taking a payment's contribution out undoes it.
	f.Add(payment.Contribution(set[0]).Figures, -1)
	if f.Payments != 9 || f.Authorized != 5 || f.InteropCarried != 2 || f.AuthTimed != 3 || f.AuthSeconds != 540 {
		t.Fatalf("after removing one: %+v", f)
	}
	if r := payment.RatesOf(payment.Figures{}); r.AuthorizationRate != nil || r.InteropShare != nil || r.SecondsToAuthorize != nil {
		t.Fatalf("no payments must give no rates: %+v", r)
	}
}

// The partners furthest from Klarna's rules come first, each with what
// it misses.
func TestHealthRanksPartnersByDistanceFromTheRules(t *testing.T) {
	t.Parallel()
	good, poor, middling := uuid.New(), uuid.New(), uuid.New()
	d := payment.HealthData{Partners: []payment.PartnerFigures{
		{TenantID: good, Name: "Good", Figures: payment.Figures{Payments: 10, Authorized: 10, InteropExpected: 4, InteropCarried: 4}},
		{TenantID: poor, Name: "Poor", Figures: payment.Figures{Payments: 10, Authorized: 6, Expired: 4, InteropExpected: 5, InteropCarried: 1, Open: 2, StaleOpen: 2}},
		{TenantID: middling, Name: "Middling", Figures: payment.Figures{Payments: 10, Authorized: 9, Expired: 1, InteropExpected: 2, InteropCarried: 2}},
	}}
	h := payment.HealthOf(payment.HealthFilter{}, d)
	var order []string
	for _, p := range h.Partners {
		order = append(order, p.Name)
	}
	if !slices.Equal(order, []string{"Poor", "Middling", "Good"}) {
		t.Fatalf("order %v", order)
	}
	poorH := h.Partners[0]
	// interop gap 0.8 + expiry 0.4 + open 0.2
	if math.Abs(poorH.Distance-1.4) > 1e-9 || len(poorH.Findings) != 3 {
		t.Fatalf("poor: distance %v findings %+v", poorH.Distance, poorH.Findings)
	}
	if poorH.Findings[0].Message != "The interoperability token came with 20 % of the 5 payments that should carry it." {
		t.Errorf("finding: %q", poorH.Findings[0].Message)
	}
	if len(h.Partners[2].Findings) != 0 || h.Partners[2].Distance != 0 {
		t.Errorf("good partner has findings %+v", h.Partners[2].Findings)
	}
}

// What does not add up is flagged: an authorization that never settled
// after the expected delay, and the money that does not match.
func TestFlagsOfWhatDoesNotAddUp(t *testing.T) {
	t.Parallel()
	now := t0.Add(10 * 24 * time.Hour)
	amount := int64(10000)
	authed := func() payment.Payment {
		return pay(klarna.PaymentAuthorized, timed(0, time.Minute), func(p *payment.Payment) { p.Amount, p.Currency, p.StateAt = &amount, "EUR", t0 })
	}
	codes := func(tl payment.Timeline) []string {
		tl.Money = payment.MoneyOf(tl.Payment, tl.Lines)
		var out []string
		for _, f := range payment.FlagsOf(tl, now, payment.DefaultExpectations) {
			out = append(out, f.Code)
		}
		return out
	}
	sale := payment.Line{Type: klarna.TxSale, Amount: 10000, Currency: "EUR", PaymentReference: "KL1"}
	fee := payment.Line{Type: klarna.TxFee, Amount: 300, VATAmount: 75, Currency: "EUR"}
	closed := t0.Add(24 * time.Hour)
	cases := map[string]struct {
		tl   payment.Timeline
		want []string
	}{
		"authorized, never settled": {payment.Timeline{Payment: authed()}, []string{payment.FlagNotSettled}},
		"settled":                   {payment.Timeline{Payment: authed(), Lines: []payment.Line{sale, fee}}, nil},
		"captured over authorized": {payment.Timeline{Payment: authed(), Lines: []payment.Line{sale, {Type: klarna.TxSale, Amount: 500, Currency: "EUR"}}},
			[]string{payment.FlagOverCaptured}},
		"refunded over captured": {payment.Timeline{Payment: authed(), Lines: []payment.Line{sale, {Type: klarna.TxReturn, Amount: 12000, Currency: "EUR"}}},
			[]string{payment.FlagOverRefunded}},
		"withheld after close": {payment.Timeline{Payment: authed(), Lines: []payment.Line{sale, {Type: klarna.TxHoldback, Amount: 4000, Currency: "EUR"}},
			Disputes: []payment.Dispute{{ID: "d1", ClosedAt: &closed, Outcome: "WON"}}}, []string{payment.FlagWithheldAfterClose}},
		"lost without chargeback": {payment.Timeline{Payment: authed(), Lines: []payment.Line{sale},
			Disputes: []payment.Dispute{{ID: "d1", ClosedAt: &closed, Outcome: klarna.OutcomeLost}}}, []string{payment.FlagLostNoChargeback}},
		"lost with chargeback": {payment.Timeline{Payment: authed(), Lines: []payment.Line{sale, {Type: klarna.TxReversal, Amount: 10000, Currency: "EUR", ReversalReference: "d1"}},
			Disputes: []payment.Dispute{{ID: "d1", ClosedAt: &closed, Outcome: klarna.OutcomeLost}}}, nil},
		"declined but settled": {payment.Timeline{Payment: pay(klarna.PaymentDeclined, func(p *payment.Payment) { p.StateAt = t0; p.Currency = "EUR" }),
			Lines: []payment.Line{sale}}, []string{payment.FlagSettledNotAuthed}},
		"stuck in progress":   {payment.Timeline{Payment: pay(klarna.PaymentInProgress, func(p *payment.Payment) { p.StateAt = t0 })}, []string{payment.FlagStuckBeforeDecision}},
		"unknown state":       {payment.Timeline{Payment: pay("ON_HOLD", func(p *payment.Payment) { p.StateAt = now })}, []string{payment.FlagUnknownState}},
		"currency mismatch":   {payment.Timeline{Payment: authed(), Lines: []payment.Line{{Type: klarna.TxSale, Amount: 10000, Currency: "SEK"}}}, []string{payment.FlagCurrencyMismatch}},
		"authorized recently": {payment.Timeline{Payment: func() payment.Payment { p := authed(); a := now.Add(-time.Hour); p.AuthorizedAt = &a; return p }()}, nil},
	}
	for name, c := range cases {
		if got := codes(c.tl); !slices.Equal(got, c.want) {
			t.Errorf("%s: flags %v, want %v", name, got, c.want)
		}
	}
	m := payment.MoneyOf(authed(), []payment.Line{sale, fee, {Type: klarna.TxReturn, Amount: 2000}, {Type: klarna.TxHoldback, Amount: 3000},
		{Type: klarna.TxRelease, Amount: 3000}, {Type: klarna.TxReversal, Amount: 1000}})
	if want := (payment.Money{Currency: "EUR", Authorized: 10000, Captured: 10000, Refunded: 2000, Fees: 375, Settled: 10000 - 375 - 2000 - 1000, Withheld: 0, Lost: 1000}); m != want {
		t.Fatalf("money\n got %+v\nwant %+v", m, want)
	}
}

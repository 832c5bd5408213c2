package payment

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Line is a settlement line of the payment's order, with its payout.
type Line struct {
	ID                int64
	PaymentReference  string
	PayoutDate        time.Time
	Type              string
	DetailedType      string
	Amount            int64
	VATAmount         int64
	Currency          string
	CaptureID         string
	RefundID          string
	CaptureDate       *time.Time
	ReversalReference string // the dispute of a dispute line
}

// Dispute is a dispute of the payment with its timeline.
type Dispute struct {
	ID         string
	State      string
	Reason     string
	Amount     int64
	Currency   string
	OpenedAt   time.Time
	DeadlineAt *time.Time
	ClosedAt   *time.Time
	Outcome    string
	Events     []DisputeEvent
}

// DisputeEvent is one entry of a dispute's timeline.
type DisputeEvent struct {
	At      time.Time
	Kind    string
	State   string
	Summary string
}

// Money is what the payment came to, in its currency, in minor units.
// Settled is what its lines added to the payouts (sales less returns,
// fees and their VAT, chargebacks and amounts withheld, plus releases).
type Money struct {
	Currency   string
	Authorized int64
	Captured   int64
	Refunded   int64
	Fees       int64
	Settled    int64
	Withheld   int64
	Lost       int64
}

// Flag is something about the payment that does not add up.
type Flag struct {
	Code    string
	Message string
}

// Flag codes.
const (
	FlagNotSettled          = "not_settled"
	FlagSettledNotAuthed    = "settled_not_authorized"
	FlagOverCaptured        = "captured_over_authorized"
	FlagOverRefunded        = "refunded_over_captured"
	FlagWithheldAfterClose  = "withheld_after_close"
	FlagLostNoChargeback    = "lost_without_chargeback"
	FlagCurrencyMismatch    = "currency_mismatch"
	FlagUnknownState        = "unknown_state"
	FlagStuckBeforeDecision = "stuck"
)

// Timeline is one payment with everything that happened to it.
type Timeline struct {
	Payment  Payment
	States   []StateChange
	Lines    []Line
	Disputes []Dispute
	Money    Money
	Flags    []Flag
}

// Expectations are how soon things should follow one another.
type Expectations struct {
	// SettleWithin is how long after authorization a capture's sale line
	// should have reached a payout.
	SettleWithin time.Duration
	// DecideWithin is how long a request may stay in no final state.
	DecideWithin time.Duration
}

// DefaultExpectations: a week to settle, a day to decide.
var DefaultExpectations = Expectations{SettleWithin: 7 * 24 * time.Hour, DecideWithin: 24 * time.Hour}

// MoneyOf sums the lines of a payment.
func MoneyOf(p Payment, lines []Line) Money {
	m := Money{Currency: p.Currency}
	if Authorized(p.State) && p.Amount != nil {
		m.Authorized = *p.Amount
	}
	for _, l := range lines {
		if m.Currency == "" {
			m.Currency = l.Currency
		}
		switch l.Type {
		case klarna.TxSale:
			m.Captured += l.Amount
			m.Settled += l.Amount
		case klarna.TxReturn:
			m.Refunded += l.Amount
			m.Settled -= l.Amount
		case klarna.TxFee:
			m.Fees += l.Amount + l.VATAmount
			m.Settled -= l.Amount + l.VATAmount
		case klarna.TxHoldback:
			m.Withheld += l.Amount
			m.Settled -= l.Amount
		case klarna.TxRelease:
			m.Withheld -= l.Amount
			m.Settled += l.Amount
		case klarna.TxReversal:
			m.Lost += l.Amount
			m.Settled -= l.Amount
		}
	}
	return m
}

func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

func amount(v int64, cur string) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, v/100, v%100, cur)
}

// FlagsOf says what does not add up in t at now.
func FlagsOf(t Timeline, now time.Time, e Expectations) []Flag {
	p, m := t.Payment, t.Money
	var out []Flag
	add := func(code, format string, a ...any) {
		out = append(out, Flag{Code: code, Message: fmt.Sprintf(format, a...)})
	}
	if p.State != "" && !Known(p.State) {
		add(FlagUnknownState, "Klarna reported the state %q, which Partner Desk does not know; it is shown as reported.", p.State)
	}
	if !Final(p.State) && now.Sub(p.StateAt) > e.DecideWithin {
		add(FlagStuckBeforeDecision, "No decision for %s: the request is still %s. Its final state may not have reached Partner Desk.", days(now.Sub(p.StateAt)), strings.ToLower(strings.ReplaceAll(p.State, "_", " ")))
	}
	if Authorized(p.State) && m.Captured == 0 && p.AuthorizedAt != nil && now.Sub(*p.AuthorizedAt) > e.SettleWithin {
		add(FlagNotSettled, "Authorized %s ago and no capture has settled (expected within %s).", days(now.Sub(*p.AuthorizedAt)), days(e.SettleWithin))
	}
	if !Authorized(p.State) && m.Captured > 0 && Final(p.State) {
		add(FlagSettledNotAuthed, "Sales of %s settled, but the request ended %s.", amount(m.Captured, m.Currency), p.State)
	}
	if Authorized(p.State) && p.Amount != nil && m.Captured > *p.Amount {
		add(FlagOverCaptured, "Captured %s, more than the %s authorized.", amount(m.Captured, m.Currency), amount(*p.Amount, m.Currency))
	}
	if m.Refunded > m.Captured && m.Captured > 0 {
		add(FlagOverRefunded, "Refunded %s, more than the %s captured.", amount(m.Refunded, m.Currency), amount(m.Captured, m.Currency))
	}
	for _, l := range t.Lines {
		if p.Currency != "" && l.Currency != "" && l.Currency != p.Currency {
			add(FlagCurrencyMismatch, "A %s line of payout %s is in %s; the payment is in %s.", l.Type, l.PaymentReference, l.Currency, p.Currency)
			break
		}
	}
	open := false
	for _, d := range t.Disputes {
		if d.ClosedAt == nil {
			open = true
		}
	}
	if !open && len(t.Disputes) > 0 && m.Withheld > 0 {
		add(FlagWithheldAfterClose, "%s is still withheld, though every dispute is closed.", amount(m.Withheld, m.Currency))
	}
	for _, d := range t.Disputes {
		if d.Outcome == klarna.OutcomeLost && d.ClosedAt != nil && now.Sub(*d.ClosedAt) > e.SettleWithin && !hasLine(t.Lines, klarna.TxReversal, d.ID) {
			add(FlagLostNoChargeback, "Dispute %s was lost %s ago and no chargeback line has settled.", d.ID, days(now.Sub(*d.ClosedAt)))
		}
	}
	return out
}

func hasLine(lines []Line, typ, dispute string) bool {
	for _, l := range lines {
		if l.Type == typ && (l.ReversalReference == dispute || l.ReversalReference == "") {
			return true
		}
	}
	return false
}

// Entry is one row of the merged timeline: a state, a settlement line or
// a dispute's event, in time order.
type Entry struct {
	At   time.Time
	Kind string // "state", "line", "dispute"
	// Index into Timeline.States, Lines or Disputes.
	Index int
	// Event is the dispute event's index (Kind "dispute").
	Event int
}

// Entries merges the timeline's states, lines (at their capture date,
// else their payout date) and dispute events in time order.
func (t Timeline) Entries() []Entry {
	var out []Entry
	for i, s := range t.States {
		out = append(out, Entry{At: s.At, Kind: "state", Index: i})
	}
	for i, l := range t.Lines {
		at := l.PayoutDate
		if l.CaptureDate != nil {
			at = *l.CaptureDate
		}
		out = append(out, Entry{At: at, Kind: "line", Index: i})
	}
	for i, d := range t.Disputes {
		for j, ev := range d.Events {
			out = append(out, Entry{At: ev.At, Kind: "dispute", Index: i, Event: j})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

package payment

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/google/uuid"
)

// HealthFilter is the period (dates, To exclusive) and the partners.
type HealthFilter struct {
	Tenants  []uuid.UUID
	From, To time.Time
}

// HealthData are the summed figures the store reads.
type HealthData struct {
	Totals   Figures
	Days     []Day // Tenant zero: every partner's figures of the day
	Partners []PartnerFigures
}

// PartnerFigures are one partner's figures over the period.
type PartnerFigures struct {
	TenantID uuid.UUID
	Name     string
	Figures
}

// Rates are the figures as shares and averages; a nil share has no
// payments to be a share of.
type Rates struct {
	// Of the payments that reached a final state.
	AuthorizationRate, DeclineRate, ExpiryRate, CancelRate *float64
	// Mean time from submission to authorization.
	SecondsToAuthorize *float64
	// Of the payments that should carry the interoperability token.
	InteropShare *float64
	// Of the payments whose path the events told.
	HostedShare, ServerSideShare *float64
	RecurringShare               *float64
	// Mean capture-to-payout time of the period's payouts' sale lines.
	SettlementLagDays *float64
}

func share(n, of int64) *float64 {
	if of <= 0 {
		return nil
	}
	v := float64(n) / float64(of)
	return &v
}

// RatesOf derives the rates of f.
func RatesOf(f Figures) Rates {
	final := f.Authorized + f.Declined + f.Expired + f.Canceled
	r := Rates{AuthorizationRate: share(f.Authorized, final), DeclineRate: share(f.Declined, final), ExpiryRate: share(f.Expired, final),
		CancelRate: share(f.Canceled, final), InteropShare: share(f.InteropCarried, f.InteropExpected),
		HostedShare: share(f.Hosted, f.Hosted+f.ServerSide), ServerSideShare: share(f.ServerSide, f.Hosted+f.ServerSide),
		RecurringShare: share(f.Recurring, f.Payments)}
	if f.AuthTimed > 0 {
		v := f.AuthSeconds / float64(f.AuthTimed)
		r.SecondsToAuthorize = &v
	}
	if f.SaleLagLines > 0 {
		v := f.SaleLagSeconds / float64(f.SaleLagLines) / 86400
		r.SettlementLagDays = &v
	}
	return r
}

// The rules a partner's integration is measured against, with the share
// Klarna's rules expect.
const (
	// RuleInterop: the interoperability token is passed on every request
	// where the customer came from a Klarna feature.
	RuleInterop = "interoperability_token"
	// RuleCancel: requests that will not become payments are canceled,
	// not left to expire.
	RuleCancel = "cancel_unused_requests"
	// RuleWebhooks: every request's final state is followed (by
	// payment.request webhooks); open ones older than a day mean it is not.
	RuleWebhooks = "follow_payment_states"
)

// Finding is how far a partner is from one rule.
type Finding struct {
	Rule    string
	Gap     float64 // 0 follows it; 1 is as far as it gets
	Message string
}

// PartnerHealth is one partner's figures, rates and findings.
type PartnerHealth struct {
	PartnerFigures
	Rates    Rates
	Findings []Finding
	// Distance is the sum of the findings' gaps: the partners furthest
	// from Klarna's rules have the largest.
	Distance float64
}

// Health is the integration health of a period.
type Health struct {
	From, To time.Time
	Totals   Figures
	Rates    Rates
	Days     []Day
	Partners []PartnerHealth
}

func pct(v float64) string { return fmt.Sprintf("%.0f %%", math.Round(v*100)) }

// FindingsOf measures f against the rules.
func FindingsOf(f Figures) []Finding {
	var out []Finding
	r := RatesOf(f)
	if r.InteropShare != nil && *r.InteropShare < 1 {
		out = append(out, Finding{Rule: RuleInterop, Gap: 1 - *r.InteropShare,
			Message: fmt.Sprintf("The interoperability token came with %s of the %d payments that should carry it.", pct(*r.InteropShare), f.InteropExpected)})
	}
	if r.ExpiryRate != nil && *r.ExpiryRate > 0 {
		out = append(out, Finding{Rule: RuleCancel, Gap: *r.ExpiryRate,
			Message: fmt.Sprintf("%s of requests expired instead of being canceled.", pct(*r.ExpiryRate))})
	}
	if f.Payments > 0 && f.StaleOpen > 0 {
		g := float64(f.StaleOpen) / float64(f.Payments)
		out = append(out, Finding{Rule: RuleWebhooks, Gap: g,
			Message: fmt.Sprintf("%d of %d requests have had no final state for over a day.", f.StaleOpen, f.Payments)})
	}
	return out
}

// HealthOf derives the health of the data read for filter f.
func HealthOf(f HealthFilter, d HealthData) Health {
	h := Health{From: f.From, To: f.To, Totals: d.Totals, Rates: RatesOf(d.Totals), Days: d.Days}
	for _, p := range d.Partners {
		ph := PartnerHealth{PartnerFigures: p, Rates: RatesOf(p.Figures), Findings: FindingsOf(p.Figures)}
		for _, fd := range ph.Findings {
			ph.Distance += fd.Gap
		}
		h.Partners = append(h.Partners, ph)
	}
	sort.SliceStable(h.Partners, func(i, j int) bool {
		a, b := h.Partners[i], h.Partners[j]
		if a.Distance != b.Distance {
			return a.Distance > b.Distance
		}
		if a.Payments != b.Payments {
			return a.Payments > b.Payments
		}
		return a.Name < b.Name
	})
	return h
}

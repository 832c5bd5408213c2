package klarnasim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// trafficTick keeps demo data flowing: payments (most of them captured),
// occasional refunds and disputes (about one of its captured payments) for
// operational partners, and a settlement run per partner once
// a simulated day has passed since its last payout.
func (s *Sim) trafficTick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	var live []*account
	for _, id := range sortedKeys(s.st.Accounts) {
		if a := s.st.Accounts[id]; a.A.State == klarna.AccountOperational && a.Product != nil && a.Product.Status == klarna.ProductEnabled && a.Currency != "" {
			live = append(live, a)
		}
	}
	if len(live) == 0 {
		return
	}
	now := s.clock.Now()
	a := live[rand.IntN(len(live))]
	r := newRand()
	// A few payment requests along a mix of flows, decided in the last
	// minutes; most of those authorized are captured now.
	for range 1 + r.IntN(4) {
		p, err := s.newPaymentLocked(a, pickFlow(r), now.Add(-secs(r, 1, 600)), paymentOpts{}, r)
		if err != nil {
			s.log.Warn(fmt.Sprintf("klarnasim traffic payment: %v", err))
			break
		}
		if p.authorized() && r.Float64() >= neverCapturedRate {
			if err := s.captureLocked(a, p, now); err != nil {
				s.log.Warn(fmt.Sprintf("klarnasim traffic capture: %v", err))
			}
		}
	}
	if rand.IntN(5) == 0 {
		s.st.Ledger.refund(a, now)
	}
	if rand.IntN(8) == 0 {
		spec := DisputeSpec{}
		if rand.IntN(3) == 0 {
			spec.Scenario = scenarios[rand.IntN(len(scenarios))]
		}
		s.openLocked(a, spec, 0, now)
	}
	last := time.Time{}
	for _, p := range s.st.Ledger.Payouts {
		if p.Partner == a.A.PartnerAccountID && p.P.PayoutDate.After(last) {
			last = p.P.PayoutDate.Time
		}
	}
	// A day's payout settles what was captured before the day began, so no
	// sale is paid out before it was captured.
	if now.Sub(last) >= 24*time.Hour {
		day := now.UTC().Truncate(24 * time.Hour)
		s.settleLocked(a.A.PartnerAccountID, day, day, 0)
	}
}

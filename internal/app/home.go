package app

import (
	"github.com/partnerdesk/partnerdesk/internal/home"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// ratePressure reads the Klarna client's rate-limit pressure for the home
// page; nil without Klarna.
func ratePressure(kl *klarna.Client) func() []home.RatePressure {
	if kl == nil {
		return nil
	}
	return func() []home.RatePressure {
		var out []home.RatePressure
		for _, c := range kl.RateLimitPressure() {
			out = append(out, home.RatePressure{Category: c.Category, RateLimited: c.RateLimited, Waited: c.Waited, PausedUntil: c.PausedUntil})
		}
		return out
	}
}

package klarna_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// onboardConcurrently runs n onboard calls from workers goroutines and
// returns how long they took; every call must succeed.
func onboardConcurrently(t testing.TB, e *env, prefix string, n, workers int) time.Duration {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				ref := fmt.Sprintf("%s-%d", prefix, i)
				if _, err := e.client.Onboard(context.Background(), onboardReq(ref), klarna.WithIdempotencyKey(klarna.DeriveIdempotencyKey("rl", ref))); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("an onboard call failed: %v", err)
	}
	return time.Since(start)
}

// rateLimited is how many answers were 429, as the client counted them.
func rateLimited(t testing.TB, e *env, category string) float64 {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "partnerdesk_klarna_rate_limited_total" {
			for _, m := range mf.Metric {
				if labelMap(m)["category"] == category {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// pacedOnboarding runs calls onboard calls from 8 goroutines with the
// client paced at Klarna's Account Onboarding rate, and returns the share of
// the simulator's quota they used and how many were answered 429.
func pacedOnboarding(t testing.TB, prefix string, calls int) (share, n429 float64) {
	t.Helper()
	const rate = 20.0
	e := newEnv(t, func(o *klarnasim.Options, c *klarna.Config) {
		o.DisableRateLimits = false
		o.RateLimits = map[string]klarnasim.RateLimit{klarna.CategoryOnboarding: {PerSecond: rate, Burst: 2}}
		c.RateLimits = map[string]klarna.RateLimit{klarna.CategoryOnboarding: {PerSecond: rate, Burst: 1}}
	})
	took := onboardConcurrently(t, e, prefix, calls, 8)
	// The simulator allows its burst of 2 at once, then rate a second.
	return float64(calls) / (2 + rate*took.Seconds()), rateLimited(t, e, klarna.CategoryOnboarding)
}

// Paced at Klarna's Account Onboarding rate, concurrent callers are never
// answered 429. (How much of the quota they use is a speed figure:
// BenchmarkRateLimit_PacedOnboarding reports it.)
func TestRateLimit_PacedClientUsesTheQuotaWithout429(t *testing.T) {
	share, n429 := pacedOnboarding(t, "PD-PACE", 40)
	t.Logf("40 calls used %.0f %% of the quota, %v answered 429", 100*share, n429)
	if n429 != 0 {
		t.Fatalf("%v calls were answered 429", n429)
	}
}

// BenchmarkRateLimit_PacedOnboarding reports the share of Klarna's allowed
// onboarding rate that paced concurrent callers use (goal: at least 90 %)
// and the share of calls answered 429 (goal: at most 1 %).
func BenchmarkRateLimit_PacedOnboarding(b *testing.B) {
	for i := range b.N {
		share, n429 := pacedOnboarding(b, fmt.Sprintf("PD-BENCH-%d", i), 60)
		b.ReportMetric(100*share, "%quota")
		b.ReportMetric(100*n429/60, "%429")
	}
}

// A client configured faster than Klarna allows is answered 429 a few
// times, and then every caller waits for the pause: all calls succeed and
// the 429s stay few, instead of each caller retrying on its own in a storm.
func TestRateLimit_429PausesEveryCallerInsteadOfAStorm(t *testing.T) {
	const calls = 30
	e := newEnv(t, func(o *klarnasim.Options, c *klarna.Config) {
		o.DisableRateLimits = false
		o.RateLimits = map[string]klarnasim.RateLimit{klarna.CategoryOnboarding: {PerSecond: 10, Burst: 1}}
		c.RateLimits = map[string]klarna.RateLimit{klarna.CategoryOnboarding: {PerSecond: 40, Burst: 1}}
		c.MaxRetryTime = time.Minute
	})
	took := onboardConcurrently(t, e, "PD-STORM", calls, 10)
	n429 := rateLimited(t, e, klarna.CategoryOnboarding)
	t.Logf("%d calls in %s, %v answered 429", calls, took.Round(time.Millisecond), n429)
	if n429 > calls/3 {
		t.Fatalf("%v of %d calls answered 429: the callers stormed", n429, calls)
	}
	if got := e.sim.Stats().Accounts; got != calls {
		t.Fatalf("the simulator holds %d accounts, want %d", got, calls)
	}
}

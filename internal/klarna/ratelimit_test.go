package klarna

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseRateLimits(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]RateLimit
	}{
		{"", map[string]RateLimit{}},
		{"onboarding=5/s", map[string]RateLimit{CategoryOnboarding: {PerSecond: 5, Burst: 1}}},
		{"ACCOUNT_ONBOARDING=300/m:10, management=50/s", map[string]RateLimit{
			CategoryOnboarding: {PerSecond: 5, Burst: 10}, CategoryPartnerManagement: {PerSecond: 50, Burst: 1}}},
		{"disputes=0.5/s,settlement=7200/h", map[string]RateLimit{CategoryDispute: {PerSecond: 0.5, Burst: 1}, CategorySettlement: {PerSecond: 2, Burst: 1}}},
	}
	for _, c := range cases {
		got, err := ParseRateLimits(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Fatalf("%q: got %v want %v", c.in, got, c.want)
		}
	}
}

func TestParseRateLimits_RefusesWithTheEntryNamed(t *testing.T) {
	for in, want := range map[string]string{
		"onboarding":         "not category=rate",
		"payments=5/s":       "unknown rate-limit category",
		"onboarding=5":       "needs a unit",
		"onboarding=five/s":  "not a positive number",
		"onboarding=-1/s":    "not a positive number",
		"onboarding=5/day":   "not s, m or h",
		"onboarding=5/s:0":   "burst",
		"x=1/s,onboarding=5": "entry 1",
	} {
		if _, err := ParseRateLimits(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to say %q", in, err, want)
		}
	}
}

// clock is a fake time source for the limiter.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestLimiter(c *clock, r RateLimit) *limiter {
	ls := newLimiters(map[string]RateLimit{CategoryOnboarding: r}, nil)
	ls.now = c.now
	return ls.of(CategoryOnboarding)
}

func TestLimiter_SpacesCallsEvenlyAtTheConfiguredRate(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := newTestLimiter(c, RateLimit{PerSecond: 5, Burst: 1})
	start := c.t
	for i := range 10 {
		if got, want := l.reserve(c.t).Sub(start), time.Duration(i)*200*time.Millisecond; got != want {
			t.Fatalf("call %d may go at +%s, want +%s", i, got, want)
		}
	}
}

func TestLimiter_BurstGoesAtOnceThenPaced(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := newTestLimiter(c, RateLimit{PerSecond: 10, Burst: 3})
	var got []time.Duration
	for range 5 {
		got = append(got, l.reserve(c.t).Sub(c.t))
	}
	want := []time.Duration{0, 0, 0, 100 * time.Millisecond, 200 * time.Millisecond}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("slots %v, want %v", got, want)
	}
	// Idle time refills the burst, never beyond it.
	c.t = c.t.Add(10 * time.Second)
	for i := range 4 {
		d := l.reserve(c.t).Sub(c.t)
		if (i < 3 && d != 0) || (i == 3 && d != 100*time.Millisecond) {
			t.Fatalf("after idling, call %d waits %s", i, d)
		}
	}
}

func TestLimiter_429PausesEveryCallerThenResumesSlowerWithoutBurst(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := newTestLimiter(c, RateLimit{PerSecond: 10, Burst: 5})
	d := l.observe(http.StatusTooManyRequests, http.Header{"Retry-After": {"2"}}, time.Second)
	if d != 2*time.Second {
		t.Fatalf("paused %s, want Retry-After's 2s", d)
	}
	// Half the configured pace (10/s was too much), one at a time.
	for i := range 3 {
		if got, want := l.reserve(c.t).Sub(c.t), 2*time.Second+time.Duration(i)*200*time.Millisecond; got != want {
			t.Fatalf("call %d after the 429 may go at +%s, want +%s", i, got, want)
		}
	}
	// Answers with quota left win the configured pace back.
	for range 100 {
		l.observe(200, http.Header{"X-Ratelimit-Remaining": {"7"}}, 0)
	}
	if l.interval != 100*time.Millisecond {
		t.Fatalf("spacing %s after 100 good answers, want the configured 100ms", l.interval)
	}
}

func TestLimiter_ObeysQuotaHeaders(t *testing.T) {
	cases := []struct {
		name   string
		status int
		h      http.Header
		want   time.Duration
	}{
		{"QuotaLeftDoesNotPause", 200, http.Header{"X-Ratelimit-Remaining": {"3"}, "X-Ratelimit-Reset": {"4"}}, 0},
		{"429WithResetOnly", 429, http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"3"}}, 3 * time.Second},
		{"429WithoutHeadersUsesTheBackOff", 429, http.Header{}, 750 * time.Millisecond},
		{"ServerErrorDoesNotPause", 503, http.Header{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: time.Unix(1000, 0)}
			l := newTestLimiter(c, RateLimit{PerSecond: 100, Burst: 1})
			if got := l.observe(tc.status, tc.h, 750*time.Millisecond); got != tc.want {
				t.Fatalf("paused %s, want %s", got, tc.want)
			}
			if got := l.reserve(c.t).Sub(c.t); got != tc.want {
				t.Fatalf("next call may go at +%s, want +%s", got, tc.want)
			}
		})
	}
}

func TestLimiter_QuotaUsedUpEndsTheBurstOfAPacedCategory(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := newTestLimiter(c, RateLimit{PerSecond: 100, Burst: 5})
	l.reserve(c.t)
	if d := l.observe(200, http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1"}}, 0); d != 0 {
		t.Fatalf("a paced category paused %s", d)
	}
	if a, b := l.reserve(c.t).Sub(c.t), l.reserve(c.t).Sub(c.t); a != 0 || b != 10*time.Millisecond {
		t.Fatalf("next calls at +%s and +%s, want +0 and +10ms (paced, no burst)", a, b)
	}
}

func TestLimiter_QuotaUsedUpPausesAnUnpacedCategoryUntilReset(t *testing.T) {
	ls := newLimiters(nil, nil)
	c := &clock{t: time.Unix(1000, 0)}
	ls.now = c.now
	l := ls.of(CategoryPartnerManagement)
	if d := l.observe(200, http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1"}}, 0); d != time.Second {
		t.Fatalf("paused %s, want X-Ratelimit-Reset's 1s", d)
	}
	if got := l.reserve(c.t).Sub(c.t); got != time.Second {
		t.Fatalf("next call at +%s, want +1s", got)
	}
}

func TestLimiter_UnconfiguredCategoryIsNotPacedButPauses(t *testing.T) {
	ls := newLimiters(nil, nil)
	l := ls.of(CategoryDispute)
	now := time.Now()
	for range 100 {
		if at := l.reserve(now); at.After(now) {
			t.Fatal("an unconfigured category is paced")
		}
	}
	l.observe(429, http.Header{"Retry-After": {"1"}}, 0)
	if l.paused(time.Now()) <= 0 {
		t.Fatal("a 429 did not pause the category")
	}
}

func TestLimiter_WaitEndsWithTheContext(t *testing.T) {
	l := newLimiters(nil, nil).of(CategoryOnboarding)
	l.pause(time.Now().Add(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := l.wait(ctx); err == nil {
		t.Fatal("wait returned no error while paused for an hour")
	}
	if time.Since(start) > time.Second {
		t.Fatal("wait outlived its context")
	}
}

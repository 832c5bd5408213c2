package klarna

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/partnerdesk/partnerdesk/internal/metrics"
)

// RateLimit is the client-side budget of one rate-limit category (README
// §3.6): at most PerSecond calls a second on average, Burst of them at once
// (Burst ≤ 1 sends them evenly spaced).
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// String renders a limit as ParseRateLimits reads it.
func (r RateLimit) String() string {
	s := strconv.FormatFloat(r.PerSecond, 'f', -1, 64) + "/s"
	if r.Burst > 1 {
		s += ":" + strconv.Itoa(r.Burst)
	}
	return s
}

// categoryNames are the short names PARTNERDESK_KLARNA_RATE_LIMITS accepts
// besides the category names themselves.
var categoryNames = map[string]string{
	"onboarding":         CategoryOnboarding,
	"account_onboarding": CategoryOnboarding,
	"management":         CategoryPartnerManagement,
	"partner_management": CategoryPartnerManagement,
	"dispute":            CategoryDispute,
	"disputes":           CategoryDispute,
	"settlement":         CategorySettlement,
	"settlements":        CategorySettlement,
}

// ParseRateLimits reads "onboarding=5/s,management=50/s:100": a category
// (short name or Klarna's, any case) = calls per second (/s), minute (/m) or
// hour (/h), optionally ":burst". The empty string is no limits.
func ParseRateLimits(s string) (map[string]RateLimit, error) {
	out := map[string]RateLimit{}
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, spec, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("entry %d %q is not category=rate (e.g. onboarding=5/s)", i+1, item)
		}
		name = strings.ToLower(strings.TrimSpace(name))
		cat, ok := categoryNames[name]
		if !ok {
			cat = strings.ToUpper(name)
			if !knownCategory(cat) {
				return nil, fmt.Errorf("entry %d: unknown rate-limit category %q (one of onboarding, management, dispute, settlement)", i+1, name)
			}
		}
		rate, burstText, hasBurst := strings.Cut(strings.TrimSpace(spec), ":")
		num, unit, ok := strings.Cut(rate, "/")
		if !ok {
			return nil, fmt.Errorf("entry %d %q: the rate needs a unit, e.g. 5/s, 300/m", i+1, item)
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("entry %d %q: %q is not a positive number", i+1, item, num)
		}
		per := map[string]float64{"s": 1, "m": 60, "h": 3600}[strings.TrimSpace(unit)]
		if per == 0 {
			return nil, fmt.Errorf("entry %d %q: unit %q is not s, m or h", i+1, item, unit)
		}
		lim := RateLimit{PerSecond: n / per, Burst: 1}
		if hasBurst {
			b, err := strconv.Atoi(strings.TrimSpace(burstText))
			if err != nil || b < 1 {
				return nil, fmt.Errorf("entry %d %q: burst %q is not a positive whole number", i+1, item, burstText)
			}
			lim.Burst = b
		}
		out[cat] = lim
	}
	return out, nil
}

func knownCategory(c string) bool {
	for _, v := range categoryNames {
		if v == c {
			return true
		}
	}
	return false
}

// limiters holds one limiter per category, made on first use: a category
// without a configured rate is not paced but still pauses on Klarna's word.
type limiters struct {
	mu      sync.Mutex
	cfg     map[string]RateLimit
	byCat   map[string]*limiter
	now     func() time.Time
	limited *prometheus.CounterVec
	waited  *prometheus.CounterVec
}

func newLimiters(cfg map[string]RateLimit, reg prometheus.Registerer) *limiters {
	l := &limiters{cfg: cfg, byCat: map[string]*limiter{}, now: time.Now,
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partnerdesk_klarna_rate_limited_total",
			Help: "Klarna answers 429 (rate limited), by rate-limit category.",
		}, []string{"category"}),
		waited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partnerdesk_klarna_rate_limit_wait_seconds_total",
			Help: "Time calls waited for their rate-limit category (pacing and pauses), by category.",
		}, []string{"category"}),
	}
	if reg != nil {
		l.limited = metrics.Register(reg, l.limited)
		l.waited = metrics.Register(reg, l.waited)
	}
	return l
}

func (ls *limiters) of(category string) *limiter {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := ls.byCat[category]
	if l == nil {
		l = &limiter{category: category, now: ls.now}
		if r, ok := ls.cfg[category]; ok && r.PerSecond > 0 {
			l.base = time.Duration(float64(time.Second) / r.PerSecond)
			l.interval = l.base
			l.burst = max(r.Burst, 1)
		}
		ls.byCat[category] = l
	}
	return l
}

// limiter paces the calls of one category (a GCRA token bucket: tat is the
// theoretical arrival time of the next call) and holds every caller while
// Klarna asked us to wait. A 429 also slows the pace (the configured rate
// was more than Klarna allows), which then recovers call by call.
type limiter struct {
	category string
	now      func() time.Time
	base     time.Duration // configured spacing; 0: not paced
	burst    int

	mu          sync.Mutex
	interval    time.Duration // current spacing, ≥ base
	tat         time.Time
	pausedUntil time.Time

	recent minutes // 429s and waiting of the last hour
}

// maxSlowdown bounds how far 429s slow the pace below the configured rate.
const maxSlowdown = 64

func (l *limiter) tau() time.Duration { return time.Duration(l.burst-1) * l.interval }

// reserve books the next slot and returns when the caller may send.
func (l *limiter) reserve(now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := now
	if l.pausedUntil.After(at) {
		at = l.pausedUntil
	}
	if l.interval == 0 {
		return at
	}
	if earliest := l.tat.Add(-l.tau()); earliest.After(at) {
		at = earliest
	}
	l.tat = maxTime(l.tat, at).Add(l.interval)
	return at
}

func (l *limiter) paused(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(l.pausedUntil.Sub(now), 0)
}

// pause holds every caller of the category until until; they resume evenly
// spaced, without a burst, so the first answers after a pause are not 429
// again.
func (l *limiter) pause(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
	l.tat = maxTime(l.tat, until.Add(l.tau()))
}

// slowDown halves the pace after a 429; speedUp wins back an eighth of the
// gap to the configured pace after an answer with quota left.
func (l *limiter) slowDown() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.interval = min(2*l.interval, maxSlowdown*l.base)
}

func (l *limiter) speedUp() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if gap := l.interval - l.base; gap >= time.Millisecond {
		l.interval -= gap / 8
	} else {
		l.interval = l.base
	}
}

// wait blocks until the caller may send: its paced slot, after any pause.
func (l *limiter) wait(ctx context.Context) (time.Duration, error) {
	start := l.now()
	for {
		now := l.now()
		at := l.reserve(now)
		if !at.After(now) {
			return now.Sub(start), nil
		}
		t := time.NewTimer(at.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return l.now().Sub(start), ctx.Err()
		case <-t.C:
		}
		// A pause that began while we slept holds us too.
		if l.paused(l.now()) == 0 {
			return l.now().Sub(start), nil
		}
	}
}

// observe applies what an answer says about the quota. A 429 pauses the
// whole category for Retry-After (or X-Ratelimit-Reset; fallback when it
// says neither) and slows the pace. An answer saying the quota is used up
// (X-Ratelimit-Remaining 0 with a reset) pauses an unpaced category until
// the reset; a paced one loses its burst and goes on at its pace: Reset
// counts to a full quota, and the next call needs only the next refill.
func (l *limiter) observe(status int, h http.Header, fallback time.Duration) time.Duration {
	now := l.now()
	d := retryAfter(h, now)
	switch {
	case status == http.StatusTooManyRequests:
		if d <= 0 {
			d = fallback
		}
		if l.base > 0 {
			l.slowDown()
		}
	case d > 0 && l.base > 0:
		l.dropBurst(now)
		return 0
	case l.base > 0 && status < 500:
		l.speedUp()
	}
	if d > 0 {
		l.pause(now.Add(d))
	}
	return d
}

// dropBurst spends the burst allowance: calls from now on go at the pace.
func (l *limiter) dropBurst(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tat = maxTime(l.tat, now.Add(l.tau()))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// minutes counts 429 answers and time waited per minute over the last hour
// (a ring of 60 slots), so the home page can tell recent pressure from old.
type minutes struct {
	mu     sync.Mutex
	slot   [60]int64 // unix minute of each slot
	hits   [60]int64
	waited [60]time.Duration
}

func (m *minutes) add(now time.Time, hits int64, waited time.Duration) {
	minute := now.Unix() / 60
	i := minute % 60
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.slot[i] != minute {
		m.slot[i], m.hits[i], m.waited[i] = minute, 0, 0
	}
	m.hits[i] += hits
	m.waited[i] += waited
}

func (m *minutes) sum(now time.Time) (hits int64, waited time.Duration) {
	minute := now.Unix() / 60
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.slot {
		if m.slot[i] > minute-60 && m.slot[i] <= minute {
			hits += m.hits[i]
			waited += m.waited[i]
		}
	}
	return hits, waited
}

// CategoryPressure is how hard one rate-limit category was pressed in the
// last hour, as this instance saw it.
type CategoryPressure struct {
	Category string
	// RateLimited is the number of 429 answers, Waited the time calls spent
	// waiting for the category (pacing and pauses).
	RateLimited int64
	Waited      time.Duration
	// PausedUntil is set while Klarna asked the category to wait.
	PausedUntil *time.Time
}

// RateLimitPressure reports, per category used since the start, the 429s
// and waiting of the last hour and any pause in force.
func (c *Client) RateLimitPressure() []CategoryPressure {
	ls := c.limits
	now := ls.now()
	ls.mu.Lock()
	cats := make([]*limiter, 0, len(ls.byCat))
	for _, l := range ls.byCat {
		cats = append(cats, l)
	}
	ls.mu.Unlock()
	out := make([]CategoryPressure, 0, len(cats))
	for _, l := range cats {
		p := CategoryPressure{Category: l.category}
		p.RateLimited, p.Waited = l.recent.sum(now)
		if d := l.paused(now); d > 0 {
			at := now.Add(d)
			p.PausedUntil = &at
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b CategoryPressure) int { return strings.Compare(a.Category, b.Category) })
	return out
}

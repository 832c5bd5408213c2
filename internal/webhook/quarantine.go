package webhook

import (
	"net/netip"
	"sync"
	"time"
)

// QuarantineBodyBytes is how much of a rejected body is kept; its size and
// SHA-256 are kept too.
const QuarantineBodyBytes = 4 << 10

// maxQuarantineSources bounds the limiter's memory: beyond that many
// addresses in one minute, new addresses share one budget.
const maxQuarantineSources = 10000

// quarantineLimiter counts the rejected deliveries kept per source address
// and minute (IPv6 per /64, since one host holds a whole /64). Deliveries
// beyond the limit are refused as usual but not stored, so an
// unauthenticated sender cannot fill the database. It is per instance.
type quarantineLimiter struct {
	limit int // per source and minute; <= 0: no limit

	mu     sync.Mutex
	window time.Time
	counts map[string]int
}

func (l *quarantineLimiter) allow(now time.Time, remoteIP string) bool {
	if l.limit <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := now.Truncate(time.Minute); !w.Equal(l.window) || l.counts == nil {
		l.window, l.counts = w, map[string]int{}
	}
	key := sourceKey(remoteIP)
	if _, ok := l.counts[key]; !ok && len(l.counts) >= maxQuarantineSources {
		key = "other"
	}
	l.counts[key]++
	return l.counts[key] <= l.limit
}

func sourceKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "unparsed"
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

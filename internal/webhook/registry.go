package webhook

import (
	"sort"
	"strings"
)

// route is one registered handler.
type route struct {
	pattern string // exact type, or a prefix ending in "*"
	handler Handler
	// account: the event is about a partner account, resolved to its tenant
	// before the handler runs; unknown accounts park the event.
	account bool
}

// Registry maps event types to the domain handlers that own them.
type Registry struct{ routes []route }

// Handle registers h for pattern ("payment.dispute.*" or an exact type).
// With account=true the subject account must be a known partner's.
func (r *Registry) Handle(pattern string, account bool, h Handler) {
	r.routes = append(r.routes, route{pattern: pattern, handler: h, account: account})
	// The most specific pattern wins: exact before wildcards, longer first.
	sort.SliceStable(r.routes, func(i, j int) bool {
		wi, wj := strings.HasSuffix(r.routes[i].pattern, "*"), strings.HasSuffix(r.routes[j].pattern, "*")
		if wi != wj {
			return !wi
		}
		return len(r.routes[i].pattern) > len(r.routes[j].pattern)
	})
}

func (r *Registry) lookup(eventType string) (route, bool) {
	for _, rt := range r.routes {
		if p, wild := strings.CutSuffix(rt.pattern, "*"); wild && strings.HasPrefix(eventType, p) || rt.pattern == eventType {
			return rt, true
		}
	}
	return route{}, false
}

// Patterns lists the registered patterns (for the Settings page).
func (r *Registry) Patterns() []string {
	out := make([]string, len(r.routes))
	for i, rt := range r.routes {
		out[i] = rt.pattern
	}
	return out
}

package main

import (
	"net/url"
	"strings"

	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

// searchSteps are the global search's interactions (issue 13): the header
// box's GET /search with each kind of id a user pastes, a partner's name
// and e-mail, and an id that names nothing (every kind's lookup runs and
// finds nothing). disputeID and payout are objects the seed holds.
func (e *env) searchSteps(disputeID, payout string) []struct{ name, path string } {
	someone := postgres.BenchPartnerAt(e.directoryPartners() / 3)
	q := func(v string) string { return "/search?q=" + url.QueryEscape(v) }
	return []struct{ name, path string }{
		{"search: a dispute id", q(disputeID)},
		{"search: an order id (dispute and lines)", q(payout + "-o0000001")},
		{"search: a capture id", q(payout + "-c0000001")},
		{"search: a payout reference", q(payout)},
		{"search: a store id", q(postgres.BenchID(partner.KindStore, someone.I))},
		{"search: a partner account id", q(someone.Account)},
		{"search: a partner's name", q(strings.ToLower(directoryName(someone.I)))},
		{"search: a contact e-mail", q(someone.Email)},
		{"search: an unknown id", q("krn:partner:global:account:test:NOSUCH00")},
	}
}

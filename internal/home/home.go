// Package home builds the first page a user sees: what needs them today, as
// tiles that each count a list's filter and open that list, for what the
// user's actions in the selected tenant allow and nothing more.
//
// A tile's count is always the count of the very filter its link opens
// (the same domain filter, the same SQL conditions), so the number on the
// tile is the number of rows behind it. Every count is driven by an index
// over the few rows that need someone, or by counters kept up to date.
package home

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// Groups of tiles, in the order the page shows them.
const (
	GroupPartners    = "partners"
	GroupDisputes    = "disputes"
	GroupSettlements = "settlements"
)

// Tile is one count that opens the list behind it.
type Tile struct {
	Key   string
	Group string
	Label string
	Hint  string
	Count int64
	// Link is the UI path of the filtered list the count is of.
	Link string
	// Urgent: a non-zero count needs someone today (shown in red).
	Urgent bool
}

// NetPayouts are a currency's payouts this month and last.
type NetPayouts struct {
	Currency             string
	ThisMonth, LastMonth int64 // settlement amounts, minor units
	ThisCount, LastCount int64
}

// RatePressure is one Klarna rate-limit category's last hour on this
// instance (from the Klarna client's own counters).
type RatePressure struct {
	Category    string
	RateLimited int64
	Waited      time.Duration
	PausedUntil *time.Time
}

// Page is a user's home in one tenant.
type Page struct {
	Groups        []string
	Tiles         []Tile
	TopPartners   []dispute.PartnerCount
	LatestPayouts []settlement.PayoutSummary
	Net           []NetPayouts
	Expected      []settlement.ExpectedPayout
	RateLimits    []RatePressure
	// Month is the first day of this month (UTC), the net payouts' split.
	Month time.Time
	// Portal: the user may open the Klarna Portal for this partner.
	Portal bool
}

// The domain services the tiles count; each Count takes the filter of the
// list its tile opens.
type (
	Partners interface {
		Count(ctx context.Context, sc scope.Scope, f partner.Filter) (int64, error)
	}
	Drafts interface {
		Count(ctx context.Context, sc scope.Scope, status partner.DraftStatus) (int64, error)
	}
	Credentials interface {
		CountInventory(ctx context.Context, sc scope.Scope, f partner.CredentialFilter) (int64, error)
	}
	Webhooks interface {
		Count(ctx context.Context, sc scope.Scope, f webhook.Filter) (int64, error)
	}
	Disputes interface {
		Count(ctx context.Context, sc scope.Scope, f dispute.Filter) (int64, error)
		TopOpen(ctx context.Context, sc scope.Scope, limit int) ([]dispute.PartnerCount, error)
	}
	Settlements interface {
		Totals(ctx context.Context, sc scope.Scope, f settlement.PayoutFilter) ([]settlement.CurrencyTotals, error)
		Latest(ctx context.Context, sc scope.Scope, limit int) ([]settlement.PayoutSummary, error)
		Expected(ctx context.Context, sc scope.Scope, from time.Time, limit int) ([]settlement.ExpectedPayout, error)
	}
)

// Options wire the service.
type Options struct {
	Partners    Partners
	Drafts      Drafts
	Credentials Credentials
	Webhooks    Webhooks
	Disputes    Disputes
	Settlements Settlements
	// RateLimits reads the Klarna client's pressure; nil without Klarna.
	RateLimits func() []RatePressure
	Now        func() time.Time
}

// Service builds home pages.
type Service struct{ o Options }

// New returns the service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{o: o}
}

// Scopes gives, for an action, the tenants of the selected tenant where the
// user holds it (empty when nowhere).
type Scopes func(action string) scope.Scope

// Selected is the tenant the page is for.
type Selected struct {
	ID uuid.UUID
	// Partner: a partner tenant (its own data); otherwise the acquirer
	// (every partner the user reaches).
	Partner bool
}

// How many rows the page's short lists hold.
const listLimit = 5

// Build reads the page. Groups appear for what the user works on: partners
// for whoever manages partner data, disputes for whoever answers them,
// settlements for whoever reconciles and exports payouts (finance, auditors;
// support reads payouts but does not work them).
func (s *Service) Build(ctx context.Context, scopes Scopes, sel Selected) (Page, error) {
	now := s.o.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	p := Page{Groups: []string{}, Tiles: []Tile{}, Month: month}
	b := builder{ctx: ctx, scopes: scopes}
	if !scopes("partner:manage").IsEmpty() {
		p.Groups = append(p.Groups, GroupPartners)
		s.partnerTiles(&b, sel)
		if rl := scopes("klarna:log:read"); rl.IsAll() && s.o.RateLimits != nil {
			p.RateLimits = s.o.RateLimits()
			var n int64
			for _, c := range p.RateLimits {
				n += c.RateLimited
			}
			b.add(Tile{Key: "klarna_rate_limited", Group: GroupPartners, Label: "Klarna rate limits hit", Hint: "429 answers in the last hour",
				Count: n, Link: "/klarna-calls?outcome=rate_limited", Urgent: true})
		}
	}
	if sc := scopes("dispute:read"); !scopes("dispute:respond").IsEmpty() && !sc.IsEmpty() {
		p.Groups = append(p.Groups, GroupDisputes)
		s.disputeTiles(&b, sc)
		if !sel.Partner {
			b.read(func() (err error) { p.TopPartners, err = s.o.Disputes.TopOpen(ctx, sc, listLimit); return })
		}
	}
	if sc := scopes("settlement:read"); !scopes("settlement:export").IsEmpty() && !sc.IsEmpty() {
		p.Groups = append(p.Groups, GroupSettlements)
		no := false
		b.count(Tile{Key: "payouts_unreconciled", Group: GroupSettlements, Label: "Payouts that do not reconcile",
			Hint: "Totals that their lines do not add up to", Link: "/settlements?reconciled=false", Urgent: true},
			func() (int64, error) {
				ts, err := s.o.Settlements.Totals(ctx, sc, settlement.PayoutFilter{Reconciled: &no})
				var n int64
				for _, x := range ts {
					n += x.Payouts
				}
				return n, err
			})
		b.read(func() (err error) { p.LatestPayouts, err = s.o.Settlements.Latest(ctx, sc, listLimit); return })
		// Expected from a week ago: a payout a day or more overdue is shown
		// as late for a week, not dropped.
		b.read(func() (err error) {
			p.Expected, err = s.o.Settlements.Expected(ctx, sc, now.AddDate(0, 0, -7), listLimit)
			return
		})
		b.read(func() (err error) { p.Net, err = s.net(ctx, sc, month); return })
	}
	if sel.Partner && scopes("portal:open").Contains(sel.ID) {
		p.Portal = true
	}
	if err := b.run(); err != nil {
		return Page{}, err
	}
	p.Tiles = b.tiles
	return p, nil
}

func (s *Service) partnerTiles(b *builder, sel Selected) {
	if sc := b.scopes("partner:read"); !sc.IsEmpty() {
		count := func(t Tile, f partner.Filter) {
			t.Group = GroupPartners
			b.count(t, func() (int64, error) { return s.o.Partners.Count(b.ctx, sc, f) })
		}
		count(Tile{Key: "onboarding_stuck", Label: "Onboardings stuck", Hint: "Partially operational for too long", Link: "/partners?onboarding=stuck", Urgent: true},
			partner.Filter{Stage: partner.StageStuck})
		count(Tile{Key: "brand_incomplete", Label: "Brand data incomplete", Hint: "Klarna could not use the brand's data", Link: "/partners?warning=brand_data_incomplete"},
			partner.Filter{Warning: "brand_data_incomplete"})
		count(Tile{Key: "product_disabled", Label: "Payment product disabled", Hint: "Klarna is switched off for the partner", Link: "/partners?product_status=DISABLED", Urgent: true},
			partner.Filter{ProductStatus: "DISABLED"})
		count(Tile{Key: "product_terminated", Label: "Payment product terminated", Hint: "Klarna ended the product", Link: "/partners?product_status=TERMINATED"},
			partner.Filter{ProductStatus: "TERMINATED"})
	}
	if sc := b.scopes("partner:onboard"); !sc.IsEmpty() && !sel.Partner {
		for _, st := range []struct {
			status partner.DraftStatus
			label  string
			hint   string
		}{
			{partner.DraftFailed, "Onboardings failed", "Submission gave up; retry or fix"},
			{partner.DraftRejected, "Onboardings rejected", "Klarna refused the data"},
		} {
			b.count(Tile{Key: "onboarding_" + string(st.status), Group: GroupPartners, Label: st.label, Hint: st.hint, Link: "/onboarding?status=" + string(st.status), Urgent: true},
				func() (int64, error) { return s.o.Drafts.Count(b.ctx, sc, st.status) })
		}
	}
	if sc := b.scopes("credential:read"); !sc.IsEmpty() {
		link := "/credentials?unused=true"
		if sel.Partner {
			link = "/overview?tab=credentials"
		}
		b.count(Tile{Key: "keys_auto_disable", Group: GroupPartners, Label: "API keys Klarna will disable", Hint: fmt.Sprintf("Unused; disabled within %d days", int(partner.UnusedKeyWarning.Hours()/24)), Link: link, Urgent: true},
			func() (int64, error) {
				return s.o.Credentials.CountInventory(b.ctx, sc, partner.CredentialFilter{Unused: true})
			})
	}
	if sc := b.scopes("webhook:read"); !sc.IsEmpty() {
		for _, st := range []struct{ status, label, hint string }{
			{webhook.StatusDeadLettered, "Webhooks dead-lettered", "Failed every attempt; replay once fixed"},
			{webhook.StatusParked, "Webhooks parked", "For a Klarna account no partner is linked to"},
		} {
			b.count(Tile{Key: "webhooks_" + st.status, Group: GroupPartners, Label: st.label, Hint: st.hint, Link: "/webhooks?status=" + url.QueryEscape(st.status), Urgent: st.status == webhook.StatusDeadLettered},
				func() (int64, error) { return s.o.Webhooks.Count(b.ctx, sc, webhook.Filter{Status: st.status}) })
		}
	}
}

func (s *Service) disputeTiles(b *builder, sc scope.Scope) {
	count := func(t Tile, f dispute.Filter) {
		t.Group = GroupDisputes
		b.count(t, func() (int64, error) { return s.o.Disputes.Count(b.ctx, sc, f) })
	}
	count(Tile{Key: "disputes_due_24h", Label: "Disputes due within 24 h", Hint: "Answer today or lose them", Link: "/disputes?view=expires_soon&due_within=24h", Urgent: true},
		dispute.Filter{View: "expires_soon", DueWithin: 24 * time.Hour})
	count(Tile{Key: "disputes_due_72h", Label: "Disputes due within 72 h", Hint: "The expires-soon view", Link: "/disputes?view=expires_soon"},
		dispute.Filter{View: "expires_soon"})
	count(Tile{Key: "disputes_unassigned", Label: "Unassigned disputes", Hint: "Waiting for an answer, no one on them", Link: "/disputes?view=needs_action&assignee=none"},
		dispute.Filter{View: "needs_action", Unassigned: true})
	count(Tile{Key: "disputes_escalated", Label: "Escalated disputes", Hint: "Near the deadline with no answer started", Link: "/disputes?view=needs_action&escalated=true", Urgent: true},
		dispute.Filter{View: "needs_action", Escalated: true})
}

// net sums the settlement amounts of this month's and last month's payouts
// per currency.
func (s *Service) net(ctx context.Context, sc scope.Scope, month time.Time) ([]NetPayouts, error) {
	last := month.AddDate(0, -1, 0)
	thisT, err := s.o.Settlements.Totals(ctx, sc, settlement.PayoutFilter{From: month, To: month.AddDate(0, 1, 0)})
	if err != nil {
		return nil, err
	}
	lastT, err := s.o.Settlements.Totals(ctx, sc, settlement.PayoutFilter{From: last, To: month})
	if err != nil {
		return nil, err
	}
	by := map[string]*NetPayouts{}
	at := func(cur string) *NetPayouts {
		if by[cur] == nil {
			by[cur] = &NetPayouts{Currency: cur}
		}
		return by[cur]
	}
	for _, t := range thisT {
		n := at(t.Currency)
		n.ThisMonth, n.ThisCount = t.Settlement, t.Payouts
	}
	for _, t := range lastT {
		n := at(t.Currency)
		n.LastMonth, n.LastCount = t.Settlement, t.Payouts
	}
	out := make([]NetPayouts, 0, len(by))
	for _, n := range by {
		out = append(out, *n)
	}
	slices.SortFunc(out, func(a, b NetPayouts) int { return strings.Compare(a.Currency, b.Currency) })
	return out, nil
}

// Late tells whether an expected payout is a day or more overdue (the
// expected date is a day; a payout comes any time during it).
func Late(e settlement.ExpectedPayout, now time.Time) bool {
	return e.ExpectedAt.Add(24 * time.Hour).Before(now)
}

// parallel is how many of a page's reads run at once (each on its own
// pooled connection): the page takes about as long as its slowest reads,
// not their sum.
const parallel = 4

// builder gathers the tiles in page order and the reads that fill them in;
// run does the reads.
type builder struct {
	ctx    context.Context
	scopes Scopes
	tiles  []Tile
	reads  []func() error
}

func (b *builder) add(t Tile) { b.tiles = append(b.tiles, t) }

// read queues a read that fills in part of the page.
func (b *builder) read(fn func() error) { b.reads = append(b.reads, fn) }

// count adds t, its count read by fn.
func (b *builder) count(t Tile, fn func() (int64, error)) {
	i := len(b.tiles)
	b.add(t)
	b.read(func() error {
		n, err := fn()
		if err != nil {
			return fmt.Errorf("home tile %s: %w", t.Key, err)
		}
		b.tiles[i].Count = n
		return nil
	})
}

// run does every read, parallel at a time, and returns the first error.
func (b *builder) run() error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		slots = make(chan struct{}, parallel)
	)
	for _, read := range b.reads {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := read(); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

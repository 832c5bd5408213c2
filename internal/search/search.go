// Package search is the global search (issue 13): one box that takes any
// Klarna id or our reference — a partner account, business entity, payment
// account, store, dispute, payment request, order or payment transaction,
// capture, refund,
// payout payment reference, webhook event — or a partner's name or contact
// e-mail, and answers the matching objects grouped by kind.
//
// Each kind is looked up in the scope of the action that reads it
// (partner:read, dispute:read, settlement:read, webhook:read), in SQL, by
// an exact (or, for names, indexed prefix/trigram) match with a small limit,
// reusing the lists' own store queries where one exists. An object outside
// the caller's scope is never read, so another tenant's id answers exactly
// what an unknown id does.
package search

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/payment"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// Kind is the kind of object a hit is.
type Kind string

const (
	KindPartner        Kind = "partner"
	KindBusinessEntity Kind = partner.KindBusinessEntity
	KindPaymentProduct Kind = partner.KindPaymentProduct
	KindPaymentAccount Kind = partner.KindPaymentAccount
	KindBrand          Kind = partner.KindBrand
	KindStoreGroup     Kind = partner.KindStoreGroup
	KindStore          Kind = partner.KindStore
	KindDispute        Kind = "dispute"
	// KindPayment is a payment request (issue 16).
	KindPayment Kind = "payment"
	KindPayout  Kind = "payout"
	// KindTransaction is a settlement line (a sale, return, fee … of an
	// order, capture or refund).
	KindTransaction  Kind = "transaction"
	KindWebhookEvent Kind = "webhook_event"
)

// Kinds is the order of the groups in an answer.
var Kinds = []Kind{KindPartner, KindBusinessEntity, KindPaymentProduct, KindPaymentAccount, KindBrand, KindStoreGroup, KindStore,
	KindDispute, KindPayment, KindPayout, KindTransaction, KindWebhookEvent}

// PerKind is how many hits of one kind an answer lists.
const PerKind = 5

// MaxQuery is the longest query, in bytes (Klarna's ids are far shorter).
const MaxQuery = 255

// Scopes are the tenants whose objects of each family the caller may read:
// the scope of partner:read, dispute:read, payment:read, settlement:read
// and webhook:read. A family whose scope is empty is not searched at all.
type Scopes struct {
	Partners, Disputes, Payments, Settlements, Webhooks scope.Scope
}

// Hit is one object found.
type Hit struct {
	Kind Kind
	// ID identifies the object in its kind: the Klarna id, the payment
	// reference, the webhook event id, the settlement line's id.
	ID        string
	Label     string
	Secondary string
	// TenantID is the partner the object belongs to (nil for a webhook
	// event of no partner); TenantName its name.
	TenantID   *uuid.UUID
	TenantName string
	// Exact: the query is this object's id or reference (not a name).
	Exact bool
	// Open is what the object's page is found by: the tenant id (partners
	// and their resources), the dispute id, the payment reference, the
	// webhook event's number, the id the transactions were searched by.
	Open string
}

// Group is the hits of one kind; More says there are more than listed.
type Group struct {
	Kind Kind
	Hits []Hit
	More bool
}

// Result is the answer to one query.
type Result struct {
	Q      string
	Groups []Group
	// Exact is the one object the query names exactly, when exactly one
	// does: the UI opens it straight away.
	Exact *Hit
}

// ResourceHit is a resource of a partner's Klarna account whose id or
// reference is the query, with a name read from Klarna's data when it has
// one (a business entity's legal name, a brand's display name, a store's
// URL).
type ResourceHit struct {
	Kind, KlarnaID, Reference, Name string
	TenantID                        uuid.UUID
	TenantName                      string
}

// Store holds the lookups no list of the product already makes.
type Store interface {
	// Resources are the account resources (any kind) whose Klarna id or
	// reference is q, of partners in sc; at most limit.
	Resources(ctx context.Context, sc scope.Scope, q string, limit int) ([]ResourceHit, error)
	// WebhookEvents are the events whose Klarna event id is q, in sc (all
	// tenants includes events of no tenant); at most limit.
	WebhookEvents(ctx context.Context, sc scope.Scope, q string, limit int) ([]webhook.Event, error)
}

// Partners is the partner directory's list (its q search: names, our
// reference, contact e-mail, account ids).
type Partners interface {
	ListPartners(ctx context.Context, sc scope.Scope, f partner.Filter, cursor string, limit int) ([]partner.Summary, string, error)
}

// Disputes is the dispute queue's list (its q search: dispute, order,
// payment transaction id and purchase reference).
type Disputes interface {
	List(ctx context.Context, sc scope.Scope, f dispute.Filter, cursor string, limit int) ([]dispute.Dispute, string, error)
}

// Payments is the payments list (its q: payment request id or reference,
// purchase reference, payment transaction id, order id).
type Payments interface {
	List(ctx context.Context, sc scope.Scope, f payment.Filter, cursor string, limit int) ([]payment.Payment, string, error)
}

// Settlements reads a payout by its payment reference and searches lines
// by order, capture or refund id or merchant reference.
type Settlements interface {
	GetPayout(ctx context.Context, sc scope.Scope, ref string) (settlement.PayoutDetail, error)
	SearchLines(ctx context.Context, sc scope.Scope, q, cursor string, limit int) ([]settlement.Line, string, error)
}

// Options are the service's sources.
type Options struct {
	Store       Store
	Partners    Partners
	Disputes    Disputes
	Payments    Payments
	Settlements Settlements
}

// Service answers searches.
type Service struct{ o Options }

// New returns the search service.
func New(o Options) *Service { return &Service{o: o} }

// Validate trims q and checks it: an empty or too long query is a field
// error on q.
func Validate(q string) (string, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return "", apperr.Validation("Type what to find.", apperr.FieldError{Field: "q", Message: "a Klarna id, a reference, a partner name or an e-mail address"})
	case len(q) > MaxQuery:
		return "", apperr.Validation("That is too long to be an id or a name.", apperr.FieldError{Field: "q", Message: fmt.Sprintf("at most %d characters", MaxQuery)})
	}
	return q, nil
}

// Search finds what q names in each kind the scopes allow.
func (s *Service) Search(ctx context.Context, sc Scopes, q string) (Result, error) {
	q, err := Validate(q)
	if err != nil {
		return Result{}, err
	}
	var hits []Hit
	more := map[Kind]bool{}
	add := func(hs []Hit, m map[Kind]bool, err error) error {
		if err != nil {
			return err
		}
		hits = append(hits, hs...)
		for k, v := range m {
			more[k] = more[k] || v
		}
		return nil
	}
	if !sc.Partners.IsEmpty() {
		if err := add(s.partners(ctx, sc.Partners, q)); err != nil {
			return Result{}, err
		}
		if err := add(s.resources(ctx, sc.Partners, q)); err != nil {
			return Result{}, err
		}
	}
	if !sc.Disputes.IsEmpty() {
		if err := add(s.disputes(ctx, sc.Disputes, q)); err != nil {
			return Result{}, err
		}
	}
	if !sc.Payments.IsEmpty() && s.o.Payments != nil {
		if err := add(s.payments(ctx, sc.Payments, q)); err != nil {
			return Result{}, err
		}
	}
	if !sc.Settlements.IsEmpty() {
		if err := add(s.payout(ctx, sc.Settlements, q)); err != nil {
			return Result{}, err
		}
		if err := add(s.lines(ctx, sc.Settlements, q)); err != nil {
			return Result{}, err
		}
	}
	if !sc.Webhooks.IsEmpty() {
		if err := add(s.events(ctx, sc.Webhooks, q)); err != nil {
			return Result{}, err
		}
	}
	return group(q, hits, more), nil
}

// group orders the hits into groups (Kinds' order, PerKind each) and picks
// the exact match when there is exactly one.
func group(q string, hits []Hit, more map[Kind]bool) Result {
	res := Result{Q: q, Groups: []Group{}}
	byKind := map[Kind][]Hit{}
	for _, h := range hits {
		byKind[h.Kind] = append(byKind[h.Kind], h)
	}
	var exact []Hit
	for _, k := range Kinds {
		hs := byKind[k]
		if len(hs) == 0 {
			continue
		}
		g := Group{Kind: k, More: more[k]}
		if len(hs) > PerKind {
			hs, g.More = hs[:PerKind], true
		}
		g.Hits = hs
		for _, h := range hs {
			if h.Exact {
				exact = append(exact, h)
			}
		}
		res.Groups = append(res.Groups, g)
	}
	if len(exact) == 1 && !moreExact(res.Groups) {
		e := exact[0]
		res.Exact = &e
	}
	return res
}

// moreExact: a group with more hits than listed may hide another exact one.
func moreExact(gs []Group) bool {
	for _, g := range gs {
		if g.More && len(g.Hits) > 0 && g.Hits[0].Exact {
			return true
		}
	}
	return false
}

func tenantPtr(id uuid.UUID) *uuid.UUID { return &id }

// joinParts joins the non-empty parts with " · ".
func joinParts(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " · ")
}

// partners are the directory's matches of q that match the partner itself
// (its name, slug, our reference, account id or contact e-mail); a partner
// the directory finds only by one of its resources is that resource's hit.
func (s *Service) partners(ctx context.Context, sc scope.Scope, q string) ([]Hit, map[Kind]bool, error) {
	ps, next, err := s.o.Partners.ListPartners(ctx, sc, partner.Filter{Q: q}, "", PerKind)
	if err != nil {
		return nil, nil, fmt.Errorf("search partners: %w", err)
	}
	lq := strings.ToLower(q)
	var out []Hit
	for _, p := range ps {
		exact := q == p.KlarnaAccountID || (p.Reference != "" && q == p.Reference) || lq == p.TenantSlug ||
			(p.ContactEmail != "" && lq == strings.ToLower(p.ContactEmail))
		if !exact && !nameMatches(p.Name, q) {
			continue
		}
		out = append(out, Hit{Kind: KindPartner, ID: p.TenantID.String(), Label: p.Name,
			Secondary: joinParts(p.KlarnaAccountID, p.Reference, p.ContactEmail),
			TenantID:  tenantPtr(p.TenantID), TenantName: p.Name, Exact: exact, Open: p.TenantID.String()})
	}
	return out, map[Kind]bool{KindPartner: next != ""}, nil
}

// nameMatches mirrors the directory's name search: a prefix, or from three
// characters contained, ignoring case; a Klarna id or an e-mail address is
// never searched as a name.
func nameMatches(name, q string) bool {
	lq, ln := strings.ToLower(q), strings.ToLower(name)
	if strings.HasPrefix(lq, "krn:") || strings.Contains(q, "@") {
		return false
	}
	if len([]rune(q)) >= 3 {
		return strings.Contains(ln, lq)
	}
	return strings.HasPrefix(ln, lq)
}

// resourceLimit bounds the resource lookup: every kind can fill its group
// (and say there is more) in the common case of an id that names one.
const resourceLimit = 4 * PerKind

var resourceNames = map[string]string{
	partner.KindBusinessEntity: "Business entity",
	partner.KindPaymentProduct: "Payment product",
	partner.KindPaymentAccount: "Payment account",
	partner.KindBrand:          "Brand",
	partner.KindStoreGroup:     "Store group",
	partner.KindStore:          "Store",
}

func (s *Service) resources(ctx context.Context, sc scope.Scope, q string) ([]Hit, map[Kind]bool, error) {
	rs, err := s.o.Store.Resources(ctx, sc, q, resourceLimit+1)
	if err != nil {
		return nil, nil, fmt.Errorf("search partner resources: %w", err)
	}
	more := map[Kind]bool{}
	if len(rs) > resourceLimit {
		rs = rs[:resourceLimit]
		for _, r := range rs {
			more[Kind(r.Kind)] = true // the cut may have left some of any kind out
		}
	}
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].TenantName != rs[j].TenantName {
			return rs[i].TenantName < rs[j].TenantName
		}
		return rs[i].KlarnaID < rs[j].KlarnaID
	})
	out := make([]Hit, 0, len(rs))
	for _, r := range rs {
		label := r.Name
		if label == "" {
			label = r.Reference
		}
		if label == "" {
			label = r.KlarnaID
		}
		ref := r.Reference
		if ref == label {
			ref = ""
		}
		id := r.KlarnaID
		if id == label {
			id = ""
		}
		out = append(out, Hit{Kind: Kind(r.Kind), ID: r.KlarnaID, Label: label, Secondary: joinParts(resourceNames[r.Kind], id, ref),
			TenantID: tenantPtr(r.TenantID), TenantName: r.TenantName, Exact: true, Open: r.TenantID.String()})
	}
	return out, more, nil
}

func (s *Service) disputes(ctx context.Context, sc scope.Scope, q string) ([]Hit, map[Kind]bool, error) {
	ds, next, err := s.o.Disputes.List(ctx, sc, dispute.Filter{Q: q, View: "all"}, "", PerKind)
	if err != nil {
		return nil, nil, fmt.Errorf("search disputes: %w", err)
	}
	out := make([]Hit, 0, len(ds))
	for _, d := range ds {
		var via string
		switch q {
		case d.ID:
		case d.OrderID:
			via = "order " + d.OrderID
		case d.PaymentTransactionID:
			via = "transaction " + d.PaymentTransactionID
		case d.PurchaseReference:
			via = "purchase " + d.PurchaseReference
		}
		out = append(out, Hit{Kind: KindDispute, ID: d.ID, Label: d.ID,
			Secondary: joinParts(humanize(d.State), settlement.FormatMinor(d.Amount, d.Currency), humanize(d.Reason), "opened "+d.OpenedAt.UTC().Format(time.DateOnly), via),
			TenantID:  tenantPtr(d.TenantID), TenantName: d.PartnerName, Exact: true, Open: d.ID})
	}
	return out, map[Kind]bool{KindDispute: next != ""}, nil
}

func (s *Service) payments(ctx context.Context, sc scope.Scope, q string) ([]Hit, map[Kind]bool, error) {
	ps, next, err := s.o.Payments.List(ctx, sc, payment.Filter{Query: q}, "", PerKind)
	if err != nil {
		return nil, nil, fmt.Errorf("search payments: %w", err)
	}
	out := make([]Hit, 0, len(ps))
	for _, p := range ps {
		var via string
		switch q {
		case p.ID:
		case p.Reference:
			via = "reference " + p.Reference
		case p.PurchaseReference:
			via = "purchase " + p.PurchaseReference
		case p.TransactionID:
			via = "transaction " + p.TransactionID
		case p.OrderID:
			via = "order " + p.OrderID
		}
		amount := ""
		if p.Amount != nil {
			amount = settlement.FormatMinor(*p.Amount, p.Currency)
		}
		out = append(out, Hit{Kind: KindPayment, ID: p.ID, Label: joinParts(p.Reference, p.ID),
			Secondary: joinParts(humanize(p.State), amount, "created "+p.CreatedAt.UTC().Format(time.DateOnly), via),
			TenantID:  tenantPtr(p.TenantID), TenantName: p.PartnerName, Exact: true, Open: p.ID})
	}
	return out, map[Kind]bool{KindPayment: next != ""}, nil
}

func (s *Service) payout(ctx context.Context, sc scope.Scope, q string) ([]Hit, map[Kind]bool, error) {
	p, err := s.o.Settlements.GetPayout(ctx, sc, q)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("search payouts: %w", err)
	}
	return []Hit{{Kind: KindPayout, ID: p.PaymentReference, Label: p.PaymentReference,
		Secondary: joinParts("paid "+p.PayoutDate.UTC().Format(time.DateOnly), settlement.FormatMinor(p.Settlement, p.Currency), reconciled(p.Reconciled)),
		TenantID:  tenantPtr(p.TenantID), TenantName: p.PartnerName, Exact: true, Open: p.PaymentReference}}, nil, nil
}

func reconciled(r *bool) string {
	switch {
	case r == nil:
		return ""
	case *r:
		return "reconciled"
	default:
		return "does not reconcile"
	}
}

func (s *Service) lines(ctx context.Context, sc scope.Scope, q string) ([]Hit, map[Kind]bool, error) {
	ls, next, err := s.o.Settlements.SearchLines(ctx, sc, q, "", PerKind)
	if err != nil {
		return nil, nil, fmt.Errorf("search settlement lines: %w", err)
	}
	out := make([]Hit, 0, len(ls))
	for _, l := range ls {
		var via []string
		for _, f := range []struct{ name, v string }{{"order", l.OrderID}, {"capture", l.CaptureID}, {"refund", l.RefundID}, {"reference", l.MerchantReference1}} {
			if f.v != "" && f.v == q {
				via = append(via, f.name)
			}
		}
		label := joinParts(humanize(l.Type), settlement.FormatMinor(l.Amount, l.Currency))
		secondary := joinParts(strings.Join(via, ", ")+" "+q, "payout "+l.PaymentReference+" of "+l.PayoutDate.UTC().Format(time.DateOnly))
		out = append(out, Hit{Kind: KindTransaction, ID: fmt.Sprint(l.ID), Label: label, Secondary: secondary,
			TenantID: tenantPtr(l.TenantID), TenantName: l.PartnerName, Exact: true, Open: q})
	}
	return out, map[Kind]bool{KindTransaction: next != ""}, nil
}

func (s *Service) events(ctx context.Context, sc scope.Scope, q string) ([]Hit, map[Kind]bool, error) {
	es, err := s.o.Store.WebhookEvents(ctx, sc, q, PerKind)
	if err != nil {
		return nil, nil, fmt.Errorf("search webhook events: %w", err)
	}
	out := make([]Hit, 0, len(es))
	for _, e := range es {
		h := Hit{Kind: KindWebhookEvent, ID: e.EventID, Label: e.EventType,
			Secondary:  joinParts(e.EventID, humanize(e.Status), "received "+e.ReceivedAt.UTC().Format("2006-01-02 15:04")+" UTC"),
			TenantName: e.TenantName, Exact: true, Open: fmt.Sprint(e.PK)}
		if e.TenantID != nil {
			h.TenantID = tenantPtr(*e.TenantID)
		}
		out = append(out, h)
	}
	return out, nil, nil
}

// humanize writes a Klarna enum (PRODUCTS_OR_SERVICES_NOT_RECEIVED,
// dead_lettered) as words: "Products or services not received".
func humanize(v string) string {
	if v == "" {
		return ""
	}
	w := strings.ToLower(strings.ReplaceAll(v, "_", " "))
	return strings.ToUpper(w[:1]) + w[1:]
}

// Package dispute owns payment disputes: a local mirror of every partner's
// disputes (kept by webhooks, re-reads and a periodic sync), the queue the
// handlers work by deadline, and each dispute's timeline.
package dispute

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Order is the lifecycle order of states (README §8.2); it breaks ties
// between two reports of the same instant.
var Order = []string{"INITIATED", "REPRESENTMENT", "PRE_ARBITRATION", "ARBITRATION", "CLOSED"}

// Buckets of the queue.
const (
	BucketNeedsPartner = 1 // INITIATED, PRE_ARBITRATION: the partner has a deadline
	BucketWaiting      = 2 // REPRESENTMENT, ARBITRATION and states we do not know
	BucketClosed       = 3
)

// Bucket is the queue bucket of a state (the database computes the same in
// the disputes_queue trigger).
func Bucket(state string) int {
	switch state {
	case "INITIATED", "PRE_ARBITRATION":
		return BucketNeedsPartner
	case "CLOSED":
		return BucketClosed
	}
	return BucketWaiting
}

// Dispute is one row of the mirror.
type Dispute struct {
	ID                   string
	TenantID             uuid.UUID
	PartnerName          string
	KlarnaAccountID      string
	PaymentAccountID     string
	State                string
	PreviousState        string
	RepresentmentState   string
	Reason               string
	Amount               int64 // minor units of Currency
	Currency             string
	OrderID              string
	PaymentTransactionID string
	PurchaseReference    string
	DeadlineAt           *time.Time // the partner's next deadline; nil when none
	Outcome              string
	OutcomeDetailed      string
	OpenedAt             time.Time
	ClosedAt             *time.Time
	AnsweredAt           *time.Time
	StateAt              time.Time // the time of the report the state came from
	KlarnaUpdatedAt      time.Time
	AssigneeID           *uuid.UUID
	AssigneeName         string
	Object               *klarna.Dispute // Klarna's object from the last read; nil before the first
	ReadAt               *time.Time
	UpdatedAt            time.Time
}

// Actions a partner may take on d now: by state, and only before the
// deadline (README §8.2, §8.3).
func Actions(d Dispute, now time.Time) []string {
	open := d.DeadlineAt == nil || now.Before(*d.DeadlineAt)
	if !open {
		return []string{}
	}
	switch d.State {
	case "INITIATED":
		if d.RepresentmentState == "" || d.RepresentmentState == klarna.EvidenceRequested {
			return []string{"represent", "accept_loss"}
		}
	case "PRE_ARBITRATION":
		return []string{"appeal", "accept_loss"}
	}
	return []string{}
}

// Event is one entry of a dispute's timeline.
type Event struct {
	DisputeID  string
	At         time.Time
	Kind       string // webhook, read, action, assignment, reminder, escalation, deadline, draft
	State      string
	Summary    string
	ActorID    *uuid.UUID
	ActorLabel string
	EventID    string // makes the entry unique per (dispute, kind); "" = always a new entry
	Detail     any
}

// Report is what a webhook or a read says about a dispute. Empty fields say
// nothing; the mirror keeps what it knew.
type Report struct {
	Dispute
	// HasDeadline: DeadlineAt is what this report says the deadline is (nil
	// = none any more); otherwise the deadline is kept while the state stays.
	HasDeadline bool
	// UpdateOnly: not a state report (an "updated" event); it fills fields
	// and the deadline of the stored dispute and never changes its state.
	UpdateOnly bool
	// NoRead: the caller does not need the stored dispute back (Apply's
	// answer is then the zero Dispute), which saves a read per webhook.
	NoRead bool
}

// Filter selects disputes for the queue and its export.
type Filter struct {
	View                      string // expires_soon, needs_action, waiting, closed, all
	Tenants                   []uuid.UUID
	States, Reasons, Outcomes []string
	Currencies                []string
	AmountMin, AmountMax      *int64
	CreatedFrom, CreatedTo    time.Time
	ClosedFrom, ClosedTo      time.Time
	UpdatedFrom, UpdatedTo    time.Time
	Assignee                  *uuid.UUID
	Unassigned                bool
	// DueWithin: open, with a deadline from now to now+DueWithin.
	DueWithin time.Duration
	// Escalated: escalated to acquirer support for the current deadline,
	// still ahead.
	Escalated bool
	Q         string
	Now       time.Time // "expires soon" is relative to it
}

// ExpiresSoon is the window of the "Expires soon" view and of the amber badge.
const ExpiresSoon = 72 * time.Hour

// Counts are the queue's views.
type Counts struct {
	ExpiresSoon, NeedsAction, Waiting, Closed, All int64
}

// Assignee is a user a dispute can be assigned to.
type Assignee struct {
	ID          uuid.UUID
	Name, Email string
}

// Store persists the mirror.
type Store interface {
	// Apply stores r: the state fields only when r is newer than what is
	// stored (or the same instant and later in Order), the other fields
	// when r has them. It reports whether the state changed and the dispute
	// as stored.
	Apply(ctx context.Context, r Report) (changed bool, d Dispute, err error)
	AddEvent(ctx context.Context, e Event) error
	// Get reads a dispute of a tenant in sc; NotFound outside sc.
	Get(ctx context.Context, sc scope.Scope, id string) (Dispute, error)
	Timeline(ctx context.Context, id string) ([]TimelineEntry, error)
	List(ctx context.Context, sc scope.Scope, f Filter, cursor string, limit int) ([]Dispute, string, error)
	Stream(ctx context.Context, sc scope.Scope, f Filter, fn func(Dispute) error) error
	Counts(ctx context.Context, sc scope.Scope, f Filter) (Counts, error)
	// Count is the number of disputes List pages through for f.
	Count(ctx context.Context, sc scope.Scope, f Filter) (int64, error)
	// TopOpen are the partners of sc with the most open disputes.
	TopOpen(ctx context.Context, sc scope.Scope, limit int) ([]PartnerCount, error)
	SetAssignee(ctx context.Context, id string, user *uuid.UUID) error
	Assignees(ctx context.Context, tenantID uuid.UUID, roles []string) ([]Assignee, error)
	// TenantOfAccount maps a partner's Klarna account id (or a payment
	// account id) to its tenant; ok=false when unknown.
	TenantOfAccount(ctx context.Context, partnerAccountID, paymentAccountID string) (tenantID uuid.UUID, accountID string, ok bool, err error)
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// SyncMark is the latest updated_at the sync has seen (zero: never ran);
	// SetSyncMark moves it forward only.
	SyncMark(ctx context.Context) (time.Time, error)
	SetSyncMark(ctx context.Context, t time.Time) error
}

// TimelineEntry is an Event as stored.
type TimelineEntry struct {
	At         time.Time
	Kind       string
	State      string
	Summary    string
	ActorLabel string
}

// Fetcher reads disputes from Klarna.
type Fetcher interface {
	GetDispute(ctx context.Context, id string, opts ...klarna.CallOption) (*klarna.Dispute, error)
	ListDisputes(ctx context.Context, params klarna.ListDisputesParams, opts ...klarna.CallOption) (*klarna.DisputeList, error)
	DownloadAttachment(ctx context.Context, disputeID, attachmentID string, opts ...klarna.CallOption) (*klarna.File, error)
}

// Service applies the rules.
type Service struct {
	store  Store
	klarna Fetcher // nil when Klarna is not configured
	now    func() time.Time
	// reread, when set, schedules a re-read of a dispute after a webhook
	// (a River job in the transaction ctx carries).
	reread func(ctx context.Context, id string) error
	// respondRoles are the roles that grant dispute:respond (assignees hold one).
	respondRoles []string
	audit        actor.Recorder
}

// SetRecorder sets where mutations are audited (in their transaction).
func (s *Service) SetRecorder(r actor.Recorder) { s.audit = r }

// SetRespondRoles says which roles grant dispute:respond.
func (s *Service) SetRespondRoles(roles []string) { s.respondRoles = roles }

// NewService wires the service.
func NewService(store Store, k Fetcher) *Service {
	return &Service{store: store, klarna: k, now: time.Now}
}

// OnWebhook sets how a re-read after a webhook is scheduled.
func (s *Service) OnWebhook(reread func(ctx context.Context, id string) error) { s.reread = reread }

// Get reads one dispute in sc.
func (s *Service) Get(ctx context.Context, sc scope.Scope, id string) (Dispute, error) {
	return s.store.Get(ctx, sc, id)
}

// Timeline lists a dispute's entries, oldest first. The caller has read the
// dispute through Get (which checks the scope).
func (s *Service) Timeline(ctx context.Context, id string) ([]TimelineEntry, error) {
	return s.store.Timeline(ctx, id)
}

// AddEvent adds a timeline entry (in the transaction ctx carries, if any).
func (s *Service) AddEvent(ctx context.Context, e Event) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	return s.store.AddEvent(ctx, e)
}

// List is a page of the queue.
func (s *Service) List(ctx context.Context, sc scope.Scope, f Filter, cursor string, limit int) ([]Dispute, string, Counts, error) {
	if f.Now.IsZero() {
		f.Now = s.now()
	}
	items, next, err := s.store.List(ctx, sc, f, cursor, limit)
	if err != nil {
		return nil, "", Counts{}, err
	}
	counts, err := s.store.Counts(ctx, sc, f)
	return items, next, counts, err
}

// Count is the number of disputes of the filtered queue.
func (s *Service) Count(ctx context.Context, sc scope.Scope, f Filter) (int64, error) {
	if f.Now.IsZero() {
		f.Now = s.now()
	}
	return s.store.Count(ctx, sc, f)
}

// PartnerCount is a partner with a number of disputes.
type PartnerCount struct {
	TenantID uuid.UUID
	Name     string
	Count    int64
}

// TopOpen are the partners of sc with the most open disputes, most first.
func (s *Service) TopOpen(ctx context.Context, sc scope.Scope, limit int) ([]PartnerCount, error) {
	return s.store.TopOpen(ctx, sc, limit)
}

// Stream calls fn for every dispute of the filtered queue, in queue order.
func (s *Service) Stream(ctx context.Context, sc scope.Scope, f Filter, fn func(Dispute) error) error {
	if f.Now.IsZero() {
		f.Now = s.now()
	}
	return s.store.Stream(ctx, sc, f, fn)
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// upper keeps unknown values as reported, compared case-insensitively.
func upper(v string) string {
	if slices.Contains(Order, v) {
		return v
	}
	return strings.ToUpper(strings.TrimSpace(v))
}

// Package webhook receives Klarna's webhooks: it verifies each delivery
// before trusting it, stores it raw and de-duplicated by event id together
// with the job that processes it, routes it to the owning domain's handler,
// parks events about accounts not known yet, and dead-letters what keeps
// failing. It also manages the signing keys and subscriptions at Klarna.
package webhook

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Event statuses.
const (
	StatusReceived     = "received"
	StatusProcessed    = "processed"
	StatusFailed       = "failed"
	StatusDeadLettered = "dead_lettered"
	StatusParked       = "parked"
	// StatusQuarantined is not an event status: it filters the inbox to the
	// deliveries that failed verification.
	StatusQuarantined = "quarantined"
)

// Event is one verified delivery.
type Event struct {
	PK               int64
	EventID          string
	EventType        string
	EventVersion     string
	OccurredAt       *time.Time
	ReceivedAt       time.Time
	SubjectAccountID string
	TenantID         *uuid.UUID
	TenantName       string // read from the tenant in List and Get, not stored
	SigningKeyID     string
	Raw              []byte
	Status           string
	Attempts         int
	LastError        string
	Note             string
	Duplicates       int
	ProcessedAt      *time.Time
}

// Attempt is one processing attempt.
type Attempt struct {
	EventPK    int64
	Attempt    int
	StartedAt  time.Time
	FinishedAt time.Time
	Outcome    string
	Error      string
	Worker     string
}

// Quarantined is a delivery that failed verification.
type Quarantined struct {
	ID           int64
	ReceivedAt   time.Time
	Reason       string
	SigningKeyID string
	Signature    string
	RemoteIP     string
	BodySize     int
	Body         []byte // the first QuarantineBodyBytes of the body
	BodySHA256   []byte // of the whole body
}

// Filter selects events in the inbox. Zero fields do not filter. Which
// tenants' events may be seen is not a filter: every read takes a
// scope.Scope (narrow it with Scope.Narrow for a one-tenant filter).
type Filter struct {
	Type     string // exact, or a prefix ending in '.' or '*'
	Status   string
	From, To time.Time
}

// EventDetail is one event with its attempts and the objects it concerns,
// read from its envelope.
type EventDetail struct {
	Event    Event
	Attempts []Attempt
	// CorrelationID and DisputeID are "" when the envelope names none.
	CorrelationID string
	DisputeID     string
}

// Page is a keyset page request.
type Page struct {
	Limit  int
	Cursor string
}

// Counts summarise the inbox.
type Counts struct {
	ByStatus    map[string]int
	ByType      map[string]int
	Quarantined int
	OldestOpen  *time.Time // oldest event still received or failed
}

// SigningKey is a key Partner Desk holds (secret decrypted in memory only).
type SigningKey struct {
	ID          string
	Secret      []byte
	CreatedAt   time.Time
	AcceptUntil *time.Time // set on a previous key during rotation
	FromConfig  bool
}

// Subscription is a webhook subscription at Klarna.
type Subscription struct {
	ID           string
	URL          string
	EventTypes   []string
	EventVersion string
	SigningKeyID string
	Status       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Store persists events, keys and subscriptions. Every read of events takes
// the scope of tenants whose events it may return and filters on it in SQL:
// events of no tenant (not yet resolved, or the acquirer's own) only for
// scope.All; the background pipeline passes scope.All explicitly.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	// Ingest inserts ev unless its event id is known; for a duplicate it
	// counts the duplicate and returns duplicate=true.
	Ingest(ctx context.Context, ev Event, envelope []byte) (pk int64, duplicate bool, err error)
	Quarantine(ctx context.Context, q Quarantined, keep int) error
	// Lock reads an event of sc FOR UPDATE (inside a transaction); NotFound
	// outside sc.
	Lock(ctx context.Context, sc scope.Scope, pk int64) (Event, error)
	SetOutcome(ctx context.Context, ev Event) error
	AddAttempt(ctx context.Context, a Attempt) error
	// Reopen sets events back to received for processing again and returns
	// the ones it reopened.
	Reopen(ctx context.Context, pks []int64) ([]int64, error)
	ParkedFor(ctx context.Context, accountID string) ([]int64, error)
	// Matching locks the ids of the events of sc matching f (FOR UPDATE).
	Matching(ctx context.Context, sc scope.Scope, f Filter, limit int) ([]int64, error)

	List(ctx context.Context, sc scope.Scope, f Filter, p Page) ([]Event, string, error)
	// CountEvents is the number of events List pages through for f.
	CountEvents(ctx context.Context, sc scope.Scope, f Filter) (int64, error)
	// Get returns an event of sc and its attempts; NotFound outside sc.
	Get(ctx context.Context, sc scope.Scope, pk int64) (Event, []Attempt, error)
	// ListQuarantine lists rejected deliveries. They belong to no tenant:
	// only scope.All sees them.
	ListQuarantine(ctx context.Context, sc scope.Scope, p Page) ([]Quarantined, string, error)
	// Counts summarises the events of sc (quarantine only for scope.All).
	Counts(ctx context.Context, sc scope.Scope) (Counts, error)

	TenantOfAccount(ctx context.Context, accountID string) (uuid.UUID, bool, error)
	// HoldAccount takes, until the transaction of ctx ends, a lock that a
	// link of accountID to a partner takes exclusively: an event processed
	// while the account is being linked waits for the link, so it is never
	// parked after the link looked for parked events.
	HoldAccount(ctx context.Context, accountID string) error

	SaveKey(ctx context.Context, id string, sealed []byte) error
	SealedKeys(ctx context.Context) ([]SealedKey, error)
	// SetAcceptUntil limits every key but keep to until (rotation).
	SetAcceptUntil(ctx context.Context, keep string, until time.Time) error
	SaveSubscription(ctx context.Context, s Subscription) error
	Subscriptions(ctx context.Context) ([]Subscription, error)
}

// SealedKey is a stored signing key with its encrypted secret.
type SealedKey struct {
	ID          string
	Sealed      []byte
	CreatedAt   time.Time
	AcceptUntil *time.Time
}

// Enqueuer inserts the processing job in the transaction of ctx.
type Enqueuer interface {
	EnqueueProcess(ctx context.Context, pk int64) error
}

// Delivery is what a handler gets: the event, its parsed envelope and the
// partner tenant it concerns (zero when it concerns the acquirer).
type Delivery struct {
	Event    Event
	Envelope *klarna.WebhookEnvelope
	TenantID uuid.UUID
}

// Handler processes one event type. It runs in the transaction that marks
// the event processed, so its writes happen exactly once; it must tolerate
// events arriving out of order and more than once.
type Handler func(ctx context.Context, d Delivery) error

// ErrUnknownAccount makes the service park the event until the account is
// linked to a partner.
var ErrUnknownAccount = errors.New("webhook: the event is about an account Partner Desk does not know yet")

// Package audit is Partner Desk's audit trail: an append-only, hash-chained
// record of who did what to which object, in which tenant, from where.
//
// Callers describe a change as an Entry and call Service.Record inside the
// same transaction as the change (postgres DB.InTx), so the change and its
// record commit or roll back together; Record outside a transaction fails.
// The HTTP layer puts the request metadata into the context once
// (WithMeta) and Record picks it up. Before/after values are reduced to a
// field-level Diff with secrets redacted.
//
// Every event carries the SHA-256 hash of its content and of the previous
// event's hash (see chain.go), so editing, deleting or inserting a row is
// detected by Verify (`partnerdesk audit verify`), which names the first
// broken event.
package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Actor is who acted: a user (ID set, Label their email), an API token
// (Label "token:<name>") or the system (ID nil, Label "system").
type Actor struct {
	ID    *uuid.UUID
	Label string
}

// System is the actor for work nobody asked for directly (jobs, webhooks).
var System = Actor{Label: "system"}

// Meta is the request an event came from.
type Meta struct {
	RequestID string
	IP        string
	UserAgent string
}

type metaKey struct{}

// WithMeta returns ctx carrying m; the HTTP layer calls it once per request.
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// MetaFrom returns the request metadata in ctx (zero outside a request).
func MetaFrom(ctx context.Context) Meta {
	m, _ := ctx.Value(metaKey{}).(Meta)
	return m
}

// Entry is what a caller records. Action is a domain action such as
// "partner:onboard" or "auth:login". Before and After are the object's state
// before and after the change (nil for a create or delete respectively, nil
// for both when there is nothing to diff); they are marshalled to JSON and
// only changed fields are kept, secrets redacted. Meta fields left empty are
// taken from the context (WithMeta).
type Entry struct {
	Actor      Actor
	TenantID   *uuid.UUID
	Action     string
	TargetType string
	TargetID   string
	Before     any
	After      any
	Meta       Meta
}

// Event is one stored audit record.
type Event struct {
	ID         int64 // position in the chain, from 1, without gaps
	OccurredAt time.Time
	ActorID    *uuid.UUID
	ActorLabel string
	TenantID   *uuid.UUID
	Action     string
	TargetType string
	TargetID   string
	Diff       json.RawMessage // canonical JSON, see Diff
	RequestID  string
	IP         string
	UserAgent  string
	PrevHash   []byte // nil for event #1
	Hash       []byte
	// TenantName is read with the event by List (the tenant's current
	// name); it is not part of the record or its hash.
	TenantName string
}

// Filter selects events. Zero fields do not filter.
type Filter struct {
	ActorID    *uuid.UUID
	ActorLabel string // case-insensitive substring of the actor label
	// Action matches exactly, or as a prefix when it ends in ':'
	// ("dispute:" selects every dispute action).
	Action string
	From   time.Time // inclusive
	To     time.Time // exclusive
}

// ActionIsPrefix reports whether f.Action selects by prefix.
func (f Filter) ActionIsPrefix() bool {
	return len(f.Action) > 0 && f.Action[len(f.Action)-1] == ':'
}

// Page asks for one page of a list, newest first. Cursor is the next cursor
// returned with the previous page ("" for the first page).
type Page struct {
	Limit  int
	Cursor string
}

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Store keeps events. The postgres package implements it. Reads take the
// scope of tenants whose events they may return and filter on it in SQL;
// events without a tenant (logins, system events) only for scope.All, and
// the empty scope returns nothing.
type Store interface {
	// Append assigns ev the next id and prev hash, computes its hash and
	// stores it. It must run inside a transaction (DB.InTx) and serializes
	// with every other Append until that transaction ends.
	Append(ctx context.Context, ev Event) error
	// List returns one page of matching events ordered by (OccurredAt, ID)
	// descending and the cursor of the next page ("" when none follows).
	// page.Limit is already validated.
	List(ctx context.Context, sc scope.Scope, f Filter, page Page) ([]Event, string, error)
	// Stream calls fn for every matching event in List's order without
	// holding them in memory; an error from fn stops it and is returned.
	Stream(ctx context.Context, sc scope.Scope, f Filter, fn func(Event) error) error
	// Verify walks the whole chain in id order (see Verifier).
	Verify(ctx context.Context) (VerifyResult, error)
}

// Recorder is what other domain services need to write the trail.
type Recorder interface {
	Record(ctx context.Context, e Entry) error
}

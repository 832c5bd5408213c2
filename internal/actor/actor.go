// Package actor carries who is acting through a request's context, so that
// services and the audit trail know it without every signature naming it.
package actor

import (
	"context"

	"github.com/google/uuid"
)

// Actor is the user (or the system) on whose behalf code runs.
type Actor struct {
	UserID  uuid.UUID // zero for the system
	Label   string    // email, "system" or "token:<name>"
	TokenID *uuid.UUID
}

// System is the actor of background work.
var System = Actor{Label: "system"}

type key struct{}

// With returns ctx carrying a.
func With(ctx context.Context, a Actor) context.Context { return context.WithValue(ctx, key{}, a) }

// From returns the actor in ctx, or System.
func From(ctx context.Context) Actor {
	if a, ok := ctx.Value(key{}).(Actor); ok {
		return a
	}
	return System
}

// Recorder writes an audit record of a change in the caller's transaction.
// Before and after are the changed object's states (nil for create/delete).
type Recorder func(ctx context.Context, c Change) error

// Change is one audited mutation.
type Change struct {
	Action     string // e.g. "user:grant_role"
	TenantID   *uuid.UUID
	TargetType string
	TargetID   string
	Before     any
	After      any
}

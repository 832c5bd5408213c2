// Package idem describes replay of our own API's mutations by
// Idempotency-Key: the first answer to a key is kept and returned again.
package idem

import "context"

// Response is a first answer kept for replay.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
	// Withheld marks an answer that carried a secret (a new API token's):
	// only the fact is kept, never the body, and a replay is refused.
	Withheld bool
}

// Store keeps the first answer to each (principal, key) for 24 hours and
// purges older ones itself.
type Store interface {
	// Begin claims the key. It returns the stored answer when the key was
	// used before with the same request, apperr.Conflict when it was used
	// with a different request or is still being processed, and nil, nil
	// when the caller now owns the key.
	Begin(ctx context.Context, principal, key, method, path string, requestHash []byte) (*Response, error)
	Complete(ctx context.Context, principal, key string, r Response) error
	Release(ctx context.Context, principal, key string)
}

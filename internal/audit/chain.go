package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// hashDomain starts every hashed encoding so the hashes cannot be confused
// with any other SHA-256 use, and versions the encoding.
const hashDomain = "partnerdesk.audit.v1"

// TimeLayout is how OccurredAt enters the hash (and the CSV export): UTC
// with exactly microseconds, PostgreSQL's timestamp precision.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Normalize truncates t to PostgreSQL's precision (microseconds) in UTC.
func Normalize(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ChainHash is the hash of ev as the successor of prev: SHA-256 over the
// domain tag followed by each field, each written as a 4-byte big-endian
// length and its bytes, in this order: prev hash, id (8 bytes big-endian),
// occurred_at (TimeLayout), actor id (16 bytes, or empty for none), actor
// label, tenant id (16 bytes or empty), action, target type, target id,
// canonical diff JSON (CanonicalJSON), request id, IP, user agent. The
// length prefixes make the encoding unambiguous.
func ChainHash(prev []byte, ev Event) ([]byte, error) {
	diff, err := CanonicalJSON(ev.Diff)
	if err != nil {
		return nil, fmt.Errorf("audit hash: event %d: %w", ev.ID, err)
	}
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint32(n[:4], uint32(len(b)))
		h.Write(n[:4])
		h.Write(b)
	}
	h.Write([]byte(hashDomain))
	field(prev)
	binary.BigEndian.PutUint64(n[:], uint64(ev.ID))
	field(append([]byte(nil), n[:]...))
	field([]byte(Normalize(ev.OccurredAt).Format(TimeLayout)))
	if ev.ActorID != nil {
		field(ev.ActorID[:])
	} else {
		field(nil)
	}
	field([]byte(ev.ActorLabel))
	if ev.TenantID != nil {
		field(ev.TenantID[:])
	} else {
		field(nil)
	}
	field([]byte(ev.Action))
	field([]byte(ev.TargetType))
	field([]byte(ev.TargetID))
	field(diff)
	field([]byte(ev.RequestID))
	field([]byte(ev.IP))
	field([]byte(ev.UserAgent))
	return h.Sum(nil), nil
}

// VerifyResult is the outcome of walking the chain.
type VerifyResult struct {
	OK       bool
	Checked  int64  // events examined (up to and including a broken one)
	BrokenAt int64  // id of the first broken event when !OK
	Reason   string // why it is broken, when !OK
	HeadID   int64  // last verified event (0 for an empty trail)
	HeadHash []byte // its hash: record it elsewhere to detect a truncated tail later
}

// Verifier checks events fed to it in id order, in constant memory.
type Verifier struct {
	res      VerifyResult
	lastID   int64
	lastHash []byte
	broken   bool
}

// NewVerifier starts a walk from event #1.
func NewVerifier() *Verifier { return &Verifier{} }

// Add checks the next event and reports whether the chain is still intact;
// after the first break it returns false without checking further.
//
//   - A stored hash that does not match the event's content (recomputed
//     with its own prev hash) means the row was edited.
//   - An id that is not the previous id + 1 means rows were deleted (or an
//     id was changed).
//   - A prev hash that is not the previous event's hash means a row before
//     it was deleted, inserted or replaced.
func (v *Verifier) Add(ev Event) bool {
	if v.broken {
		return false
	}
	v.res.Checked++
	fail := func(format string, args ...any) bool {
		v.broken = true
		v.res.BrokenAt = ev.ID
		v.res.Reason = fmt.Sprintf(format, args...)
		return false
	}
	want, err := ChainHash(ev.PrevHash, ev)
	if err != nil {
		return fail("cannot hash the row (%v): the row was edited", err)
	}
	if !bytes.Equal(want, ev.Hash) {
		return fail("stored hash does not match the row's content: the row was edited")
	}
	if ev.ID != v.lastID+1 {
		if ev.ID <= v.lastID {
			return fail("id out of order after event #%d: the id was edited", v.lastID)
		}
		if ev.ID == v.lastID+2 {
			return fail("event #%d is missing: deleted", v.lastID+1)
		}
		return fail("events #%d to #%d are missing: deleted", v.lastID+1, ev.ID-1)
	}
	if !bytes.Equal(ev.PrevHash, v.lastHash) {
		if v.lastID == 0 {
			return fail("the first event has a previous hash: events before it were deleted")
		}
		return fail("previous hash does not match event #%d: a row was deleted, inserted or rewritten before it", v.lastID)
	}
	v.lastID, v.lastHash = ev.ID, ev.Hash
	return true
}

// CheckHead compares the end of the walk with the chain head the store
// keeps beside the events (the last appended id and hash, updated in the
// same transaction as each append), so deleting the newest events is
// detected too. Call it after the last Add, with both read in one snapshot.
func (v *Verifier) CheckHead(headID int64, headHash []byte) bool {
	if v.broken {
		return false
	}
	fail := func(at int64, format string, args ...any) bool {
		v.broken = true
		v.res.BrokenAt = at
		v.res.Reason = fmt.Sprintf(format, args...)
		return false
	}
	switch {
	case headID == v.lastID+1:
		return fail(headID, "event #%d is missing: deleted (the chain head records it as the last event)", headID)
	case headID > v.lastID:
		return fail(v.lastID+1, "events #%d to #%d are missing: deleted (the chain head ends at #%d)", v.lastID+1, headID, headID)
	case headID < v.lastID:
		return fail(headID+1, "event #%d is beyond the chain head (#%d): inserted outside the audit service", headID+1, headID)
	case !bytes.Equal(headHash, v.lastHash):
		return fail(headID, "hash does not match the chain head: the event was replaced")
	}
	return true
}

// Result is the outcome so far.
func (v *Verifier) Result() VerifyResult {
	r := v.res
	r.OK = !v.broken
	r.HeadID, r.HeadHash = v.lastID, v.lastHash
	return r
}

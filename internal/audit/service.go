package audit

import (
	"context"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Options tune a Service.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Service records, lists, exports and verifies the audit trail.
type Service struct {
	store Store
	now   func() time.Time
}

var _ Recorder = (*Service)(nil)

// NewService returns a service over store.
func NewService(store Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: store, now: opts.Now}
}

// Length limits for recorded text; longer values are cut (user agents and
// labels come from outside).
const (
	maxLabel     = 256
	maxAction    = 128
	maxTarget    = 256
	maxRequestID = 128
	maxIP        = 64
	maxUserAgent = 512
)

// Record appends e to the trail. It must be called with the ctx of the
// transaction that makes the change (DB.InTx); outside one it fails. An
// empty actor is recorded as System; empty Meta fields come from ctx.
func (s *Service) Record(ctx context.Context, e Entry) error {
	action := clean(e.Action, maxAction)
	if action == "" {
		return apperr.E(apperr.Internal, "audit record: action is required")
	}
	diff, err := Diff(e.Before, e.After)
	if err != nil {
		return fmt.Errorf("audit record %s: %w", action, err)
	}
	m := MetaFrom(ctx)
	if e.Meta.RequestID != "" {
		m.RequestID = e.Meta.RequestID
	}
	if e.Meta.IP != "" {
		m.IP = e.Meta.IP
	}
	if e.Meta.UserAgent != "" {
		m.UserAgent = e.Meta.UserAgent
	}
	actor := e.Actor
	if actor.ID == nil && actor.Label == "" {
		actor = System
	}
	ev := Event{
		OccurredAt: Normalize(s.now()),
		ActorID:    actor.ID,
		ActorLabel: clean(actor.Label, maxLabel),
		TenantID:   e.TenantID,
		Action:     action,
		TargetType: clean(e.TargetType, maxTarget),
		TargetID:   clean(e.TargetID, maxTarget),
		Diff:       diff,
		RequestID:  clean(m.RequestID, maxRequestID),
		IP:         clean(m.IP, maxIP),
		UserAgent:  clean(m.UserAgent, maxUserAgent),
	}
	if err := s.store.Append(ctx, ev); err != nil {
		return fmt.Errorf("audit record %s: %w", action, err)
	}
	return nil
}

// clean makes s storable as PostgreSQL text (valid UTF-8, no NUL) and cuts
// it to at most max bytes on a character boundary.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func validateFilter(f Filter) error {
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return apperr.Validation("invalid audit filter", apperr.FieldError{Field: "to", Message: "must be after from"})
	}
	return nil
}

// List returns one page of the events of sc matching f, newest first, and
// the cursor of the next page ("" on the last page).
func (s *Service) List(ctx context.Context, sc scope.Scope, f Filter, p Page) ([]Event, string, error) {
	if err := validateFilter(f); err != nil {
		return nil, "", err
	}
	switch {
	case p.Limit <= 0:
		p.Limit = DefaultLimit
	case p.Limit > MaxLimit:
		p.Limit = MaxLimit
	}
	if p.Cursor != "" {
		if _, err := keyset.Decode(p.Cursor); err != nil {
			return nil, "", err
		}
	}
	evs, next, err := s.store.List(ctx, sc, f, p)
	if err != nil {
		return nil, "", fmt.Errorf("audit list: %w", err)
	}
	return evs, next, nil
}

// Verify walks the whole chain.
func (s *Service) Verify(ctx context.Context) (VerifyResult, error) {
	res, err := s.store.Verify(ctx)
	if err != nil {
		return res, fmt.Errorf("audit verify: %w", err)
	}
	return res, nil
}

// CSVHeader is the first line of ExportCSV.
var CSVHeader = []string{"id", "occurred_at", "actor_id", "actor_label", "tenant_id", "action", "target_type", "target_id", "diff", "request_id", "ip", "user_agent", "hash"}

// ExportCSV streams the events of sc matching f to w as RFC 4180 CSV (CRLF line
// ends, quoted where needed), newest first, with a header line. Cells that
// a spreadsheet would run as a formula (starting with = + - @, tab or CR)
// are prefixed with a single quote.
func (s *Service) ExportCSV(ctx context.Context, sc scope.Scope, f Filter, w io.Writer) error {
	if err := validateFilter(f); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	{
		rec := make([]string, len(CSVHeader))
		err := s.store.Stream(ctx, sc, f, func(ev Event) error {
			rec[0] = strconv.FormatInt(ev.ID, 10)
			rec[1] = ev.OccurredAt.UTC().Format(TimeLayout)
			rec[2] = uuidString(ev.ActorID)
			rec[3] = ev.ActorLabel
			rec[4] = uuidString(ev.TenantID)
			rec[5] = ev.Action
			rec[6] = ev.TargetType
			rec[7] = ev.TargetID
			rec[8] = string(ev.Diff)
			rec[9] = ev.RequestID
			rec[10] = ev.IP
			rec[11] = ev.UserAgent
			rec[12] = hex.EncodeToString(ev.Hash)
			for i := range rec {
				rec[i] = defuse(rec[i])
			}
			return cw.Write(rec)
		})
		if err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	return nil
}

// defuse keeps spreadsheets from evaluating a cell as a formula.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func uuidString(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

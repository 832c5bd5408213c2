package dispute

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// RegisterWebhooks routes dispute events to this package.
func (s *Service) RegisterWebhooks(r *webhook.Registry) {
	r.Handle("payment.dispute.state-change.*", true, s.onStateChange)
	r.Handle("payment.dispute.updated.*", true, s.onUpdated)
}

// eventState is the state a state-change event names (its last segment).
func eventState(eventType string) string {
	return strings.ToUpper(strings.ReplaceAll(eventType[strings.LastIndex(eventType, ".")+1:], "-", "_"))
}

func (s *Service) onStateChange(ctx context.Context, d webhook.Delivery) error {
	var p klarna.DisputeEventPayload
	if err := d.Envelope.DecodePayload(&p); err != nil {
		return err
	}
	state := string(p.State)
	if state == "" {
		state = eventState(d.Event.EventType)
	}
	// Reports are ordered by the dispute's updated_at, the clock its reads
	// carry too; the event's time stands in when the payload has none.
	at := d.Event.OccurredAt
	if !p.UpdatedAt.IsZero() {
		at = &p.UpdatedAt.Time
	}
	if at == nil {
		at = &d.Event.ReceivedAt
	}
	r := Report{Dispute: Dispute{
		ID: p.PaymentDisputeID, TenantID: d.TenantID, KlarnaAccountID: d.Event.SubjectAccountID,
		PaymentAccountID: p.PaymentAccountID, State: upper(state), PreviousState: upper(string(p.PreviousState)),
		Reason: p.DisputeReason, OrderID: p.OrderID, PaymentTransactionID: p.PaymentTransactionID,
		PurchaseReference: p.PurchaseReference, Outcome: strings.ToUpper(p.DisputeOutcome), OutcomeDetailed: p.DisputeOutcomeDetailed,
		StateAt: *at, KlarnaUpdatedAt: p.UpdatedAt.Time,
	}}
	if p.DisputeDetails != nil {
		r.Amount, r.Currency = p.DisputeDetails.DisputeAmount, strings.ToUpper(p.DisputeDetails.Currency)
	}
	if !p.CreatedAt.IsZero() {
		r.OpenedAt = p.CreatedAt.Time
	}
	if !p.ClosedAt.IsZero() {
		r.ClosedAt = &p.ClosedAt.Time
	}
	if p.Representment != nil {
		r.RepresentmentState = p.Representment.State
	}
	switch r.State {
	case "INITIATED":
		if p.Representment != nil && !p.Representment.ExpiresAt.IsZero() {
			r.DeadlineAt, r.HasDeadline = &p.Representment.ExpiresAt.Time, true
		}
	case "PRE_ARBITRATION":
		if !p.ArbitrationExpiresAt.IsZero() {
			r.DeadlineAt, r.HasDeadline = &p.ArbitrationExpiresAt.Time, true
		}
	default:
		r.HasDeadline = true // no partner deadline outside INITIATED and PRE_ARBITRATION
	}
	summary := "Klarna reported " + stateWords(r.State)
	if r.State == "CLOSED" && r.Outcome != "" {
		summary += " (" + r.Outcome + ")"
	}
	return s.applyWebhook(ctx, d, r, summary)
}

func (s *Service) onUpdated(ctx context.Context, d webhook.Delivery) error {
	var p klarna.DisputeEventPayload
	if err := d.Envelope.DecodePayload(&p); err != nil {
		return err
	}
	at := d.Event.ReceivedAt
	if d.Event.OccurredAt != nil {
		at = *d.Event.OccurredAt
	}
	// An update is not a state report: it fills fields, and the re-read
	// after it settles the rest.
	r := Report{Dispute: Dispute{ID: p.PaymentDisputeID, TenantID: d.TenantID, KlarnaAccountID: d.Event.SubjectAccountID,
		PaymentAccountID: p.PaymentAccountID, OrderID: p.OrderID, PaymentTransactionID: p.PaymentTransactionID,
		PurchaseReference: p.PurchaseReference, State: upper(string(p.State)), StateAt: time.Time{}}}
	summary := "Klarna updated the dispute (" + d.Event.EventType[strings.LastIndex(d.Event.EventType, ".")+1:] + ")"
	if dl := extendedDeadline(p); dl != nil {
		r.DeadlineAt, r.HasDeadline = dl, true
		summary = "Klarna extended the response deadline to " + dl.UTC().Format("2 Jan 2006 15:04 MST")
	}
	if r.State == "" {
		r.State = "INITIATED" // only used when the dispute is new to the mirror
	}
	r.StateAt = at
	r.UpdateOnly = true
	return s.applyWebhook(ctx, d, r, summary)
}

// extendedDeadline reads updated_fields.evidence_response_deadline_at of a
// deadline-extended update (README §8.3).
func extendedDeadline(p klarna.DisputeEventPayload) *time.Time {
	if p.UpdatedFields != nil {
		if v, ok := p.UpdatedFields["evidence_response_deadline_at"].(string); ok {
			if t, err := klarna.ParseTimestamp(v); err == nil {
				return &t
			}
		}
	}
	if p.Representment != nil && !p.Representment.ExpiresAt.IsZero() {
		return &p.Representment.ExpiresAt.Time
	}
	return nil
}

func (s *Service) applyWebhook(ctx context.Context, d webhook.Delivery, r Report, summary string) error {
	if r.ID == "" {
		return apperr.Validation("The event names no dispute.", apperr.FieldError{Field: "payload.payment_dispute_id", Message: "is required"})
	}
	if r.OpenedAt.IsZero() {
		r.OpenedAt = r.StateAt
	}
	if r.KlarnaUpdatedAt.IsZero() {
		r.KlarnaUpdatedAt = r.StateAt
	}
	r.NoRead = true
	if _, _, err := s.store.Apply(ctx, r); err != nil {
		return err
	}
	kind := "webhook"
	if err := s.store.AddEvent(ctx, Event{DisputeID: r.ID, At: r.StateAt, Kind: kind, State: r.State, Summary: summary,
		ActorLabel: "Klarna webhook " + d.Event.EventType, EventID: d.Event.EventID}); err != nil {
		return err
	}
	// Klarna advises to re-read a dispute after a webhook before acting on it.
	if s.reread != nil {
		return s.reread(ctx, r.ID)
	}
	return nil
}

// fromKlarna is what a read says.
func fromKlarna(k *klarna.Dispute, tenantID uuid.UUID, accountID string, at time.Time) Report {
	r := Report{Dispute: Dispute{
		ID: k.PaymentDisputeID, TenantID: tenantID, KlarnaAccountID: accountID, PaymentAccountID: k.PaymentAccountID,
		State: upper(string(k.State)), PreviousState: upper(string(k.PreviousState)), Reason: k.DisputeReason,
		OrderID: k.OrderID, PaymentTransactionID: k.PaymentTransactionID, PurchaseReference: k.PurchaseReference,
		OpenedAt: k.CreatedAt.Time, KlarnaUpdatedAt: k.UpdatedAt.Time, StateAt: k.UpdatedAt.Time, Object: k, ReadAt: &at,
	}, HasDeadline: true}
	if r.StateAt.IsZero() {
		r.StateAt = at
		r.KlarnaUpdatedAt = at
	}
	if r.OpenedAt.IsZero() {
		r.OpenedAt = r.StateAt
	}
	if k.DisputeDetails != nil {
		r.Amount, r.Currency = k.DisputeDetails.DisputeAmount, strings.ToUpper(k.DisputeDetails.Currency)
	}
	if dl := k.Deadline(); !dl.IsZero() {
		r.DeadlineAt = &dl
	}
	rep := k.Representment
	if k.StateContext != nil && k.StateContext.Representment != nil {
		rep = k.StateContext.Representment
	}
	if rep != nil {
		r.RepresentmentState = rep.State
		if rep.PartnerEvidence != nil && !rep.PartnerEvidence.CreatedAt.IsZero() {
			r.AnsweredAt = &rep.PartnerEvidence.CreatedAt.Time
		}
	}
	if k.StateContext != nil {
		if k.StateContext.PartnerEvidence != nil && !k.StateContext.PartnerEvidence.CreatedAt.IsZero() && r.AnsweredAt == nil {
			r.AnsweredAt = &k.StateContext.PartnerEvidence.CreatedAt.Time
		}
		if k.StateContext.DisputeOutcome != "" {
			r.Outcome, r.OutcomeDetailed = strings.ToUpper(k.StateContext.DisputeOutcome), k.StateContext.DisputeOutcomeDetailed
		}
		if !k.StateContext.ClosedAt.IsZero() {
			r.ClosedAt = &k.StateContext.ClosedAt.Time
			if r.RepresentmentState == klarna.EvidenceWaived && r.AnsweredAt == nil {
				r.AnsweredAt = r.ClosedAt // the loss was accepted
			}
		}
	}
	return r
}

// Refresh re-reads a dispute from Klarna and stores it; a changed state
// gets a "read" timeline entry.
func (s *Service) Refresh(ctx context.Context, id string) (Dispute, error) {
	cur, err := s.store.Get(ctx, scope.All(), id)
	if err != nil {
		return Dispute{}, err
	}
	if s.klarna == nil {
		return cur, apperr.E(apperr.Unavailable, "Klarna is not configured, so the dispute cannot be re-read.")
	}
	k, err := s.klarna.GetDispute(ctx, id, klarna.OnBehalfOf(cur.KlarnaAccountID))
	if err != nil {
		return cur, err
	}
	return s.store0(ctx, fromKlarna(k, cur.TenantID, cur.KlarnaAccountID, s.now()), "read")
}

// store0 applies a read and records a state change in the timeline.
func (s *Service) store0(ctx context.Context, r Report, source string) (Dispute, error) {
	var out Dispute
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		changed, d, err := s.store.Apply(ctx, r)
		if err != nil {
			return err
		}
		out = d
		if !changed {
			return nil
		}
		summary := "Read from Klarna: " + stateWords(d.State)
		if source == "sync" {
			summary = "Found by the periodic sync: " + stateWords(d.State)
		}
		if d.State == "CLOSED" && d.Outcome != "" {
			summary += " (" + d.Outcome + ")"
		}
		return s.store.AddEvent(ctx, Event{DisputeID: d.ID, At: d.StateAt, Kind: "read", State: d.State, Summary: summary,
			ActorLabel: "Partner Desk", EventID: "read:" + d.State + ":" + d.StateAt.UTC().Format(time.RFC3339Nano)})
	})
	return out, err
}

// Sync brings every dispute Klarna updated since the last run into the
// mirror, page by page, so nothing depends on webhooks alone. It reads from
// the latest updated_at it has seen (on Klarna's clock, not ours) and
// returns how many disputes it read and how many were of accounts Partner
// Desk does not know (left until they are linked).
func (s *Service) Sync(ctx context.Context) (read, unknown int, err error) {
	if s.klarna == nil {
		return 0, 0, nil
	}
	from, err := s.store.SyncMark(ctx)
	if err != nil {
		return 0, 0, err
	}
	params := klarna.ListDisputesParams{UpdatedAtStart: from, Size: 100}
	seen := from
	for {
		page, err := s.klarna.ListDisputes(ctx, params)
		if err != nil {
			return read, unknown, fmt.Errorf("list disputes: %w", err)
		}
		now := s.now()
		for i := range page.Disputes {
			k := &page.Disputes[i]
			tenant, account, ok, err := s.store.TenantOfAccount(ctx, k.PartnerAccountID, k.PaymentAccountID)
			if err != nil {
				return read, unknown, err
			}
			if !ok {
				unknown++
				continue
			}
			if _, err := s.store0(ctx, fromKlarna(k, tenant, account, now), "sync"); err != nil {
				return read, unknown, err
			}
			read++
			if k.UpdatedAt.After(seen) && unknown == 0 {
				seen = k.UpdatedAt.Time
			}
		}
		if page.Pagination.LastItem == nil || *page.Pagination.LastItem == "" || len(page.Disputes) == 0 {
			break
		}
		params.StartingAfter = *page.Pagination.LastItem
	}
	// A dispute of an unknown account holds the mark, so it is read again
	// once its account is linked.
	if unknown == 0 && seen.After(from) {
		err = s.store.SetSyncMark(ctx, seen)
	}
	return read, unknown, err
}

// Assign sets (or clears, with nil) who works the dispute. The assignee
// must be able to answer it: a user of its partner or of the acquirer who
// holds dispute:respond.
func (s *Service) Assign(ctx context.Context, sc scope.Scope, id string, user *uuid.UUID) (Dispute, error) {
	d, err := s.store.Get(ctx, sc, id)
	if err != nil {
		return d, err
	}
	summary := "Unassigned"
	if user != nil {
		people, err := s.store.Assignees(ctx, d.TenantID, s.respondRoles)
		if err != nil {
			return d, err
		}
		var who *Assignee
		for i := range people {
			if people[i].ID == *user {
				who = &people[i]
			}
		}
		if who == nil {
			return d, apperr.Validation("This user cannot work this dispute.", apperr.FieldError{Field: "user_id", Message: "must be a user of the dispute's partner or of the acquirer who can answer disputes"})
		}
		summary = "Assigned to " + firstNonEmpty(who.Name, who.Email)
	}
	if (d.AssigneeID == nil && user == nil) || (d.AssigneeID != nil && user != nil && *d.AssigneeID == *user) {
		return d, nil // already so: a retry changes nothing
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.SetAssignee(ctx, id, user); err != nil {
			return err
		}
		if s.audit != nil {
			if err := s.audit(ctx, actor.Change{Action: "dispute:assign", TenantID: &d.TenantID, TargetType: "dispute", TargetID: id,
				Before: map[string]any{"assignee_id": d.AssigneeID}, After: map[string]any{"assignee_id": user}}); err != nil {
				return err
			}
		}
		a := actor.From(ctx)
		var actorID *uuid.UUID
		if a.UserID != uuid.Nil {
			actorID = &a.UserID
		}
		return s.store.AddEvent(ctx, Event{DisputeID: id, At: s.now(), Kind: "assignment", State: d.State, Summary: summary, ActorID: actorID, ActorLabel: a.Label})
	})
	if err != nil {
		return d, err
	}
	return s.store.Get(ctx, sc, id)
}

// Assignees lists who can be assigned the dispute (read in sc).
func (s *Service) Assignees(ctx context.Context, sc scope.Scope, id string) ([]Assignee, error) {
	d, err := s.store.Get(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	return s.store.Assignees(ctx, d.TenantID, s.respondRoles)
}

// Download fetches an attachment of a dispute (read in sc) from Klarna.
func (s *Service) Download(ctx context.Context, sc scope.Scope, id, attachmentID string) (*klarna.File, error) {
	d, err := s.store.Get(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	if s.klarna == nil {
		return nil, apperr.E(apperr.Unavailable, "Klarna is not configured.")
	}
	f, err := s.klarna.DownloadAttachment(ctx, id, attachmentID, klarna.OnBehalfOf(d.KlarnaAccountID))
	var ke *klarna.Error
	if errors.As(err, &ke) && ke.HTTPStatus == 404 {
		return nil, apperr.E(apperr.NotFound, "This dispute has no such attachment.")
	}
	return f, err
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// stateWords names a state for people.
func stateWords(state string) string {
	switch state {
	case "INITIATED":
		return "opened, evidence requested"
	case "REPRESENTMENT":
		return "evidence under review"
	case "PRE_ARBITRATION":
		return "preliminary decision against the partner"
	case "ARBITRATION":
		return "in arbitration"
	case "CLOSED":
		return "closed"
	}
	return state
}

// Reread is Refresh for jobs: a dispute Klarna does not know (any more) or
// an unconfigured Klarna ends the job instead of retrying it.
func (s *Service) Reread(ctx context.Context, id string) error {
	if s.klarna == nil {
		return nil
	}
	_, err := s.Refresh(ctx, id)
	var ke *klarna.Error
	if errors.As(err, &ke) && ke.HTTPStatus == 404 || apperr.Is(err, apperr.NotFound) {
		return nil
	}
	return err
}

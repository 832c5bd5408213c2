package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/dispute"
)

// Threshold is how long before a dispute's deadline a reminder goes out.
type Threshold struct {
	Name   string
	Before time.Duration
}

// Thresholds of the dispute reminders, widest first.
var Thresholds = []Threshold{
	{"7d", 7 * 24 * time.Hour}, {"3d", 3 * 24 * time.Hour}, {"1d", 24 * time.Hour}, {"12h", 12 * time.Hour},
}

// EscalateBefore is when a dispute nobody has started answering goes to
// the acquirer's support.
const EscalateBefore = 24 * time.Hour

// DueDispute is a dispute that needs the partner, with its deadline.
type DueDispute struct {
	ID         string
	TenantID   uuid.UUID
	State      string
	DeadlineAt time.Time
	AssigneeID *uuid.UUID
	// Started: answered, or a draft or action on its timeline.
	Started bool
}

// ReminderStore finds disputes and records the reminders sent for them.
type ReminderStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// EachDueDispute calls fn with every dispute in bucket 1 whose deadline
	// is after now and within `within` of it, soonest first, reading them a
	// batch at a time (at a million disputes, a week's worth is hundreds of
	// thousands); fn may write.
	// A dispute whose tightest crossed threshold is claimed, and whose
	// escalation is claimed or not due, is skipped: a run costs the
	// reminders still to send, not every dispute due this week.
	EachDueDispute(ctx context.Context, now time.Time, within time.Duration, fn func(DueDispute) error) error
	// ClaimReminder records (dispute, threshold, deadline) and reports
	// whether it was new; a concurrent claim waits for the first to commit.
	ClaimReminder(ctx context.Context, disputeID, threshold string, deadline time.Time) (bool, error)
	// UsersWithRoles lists enabled users holding one of roles in tenant.
	UsersWithRoles(ctx context.Context, tenantID uuid.UUID, roles []string) ([]uuid.UUID, error)
}

// Timeline adds dispute timeline entries (dispute.Service).
type Timeline interface {
	AddEvent(ctx context.Context, e dispute.Event) error
}

// Reminders sends deadline reminders and escalations for disputes.
type Reminders struct {
	Store    ReminderStore
	Notify   *Service
	Timeline Timeline
	// HandlerRoles are the partner roles granting dispute:respond;
	// SupportRoles the acquirer roles escalations go to.
	HandlerRoles, SupportRoles []string
	Acquirer                   uuid.UUID
	Now                        func() time.Time
}

// Run sends every reminder and escalation due now, each once per dispute,
// threshold and deadline (however many instances run it at once).
func (r *Reminders) Run(ctx context.Context) error {
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	// Who can be told is read once per tenant and run, not once per dispute.
	users := map[uuid.UUID][]uuid.UUID{}
	usersOf := func(tenant uuid.UUID, roles []string) ([]uuid.UUID, error) {
		if u, ok := users[tenant]; ok {
			return u, nil
		}
		u, err := r.Store.UsersWithRoles(ctx, tenant, roles)
		if err == nil {
			users[tenant] = u
		}
		return u, err
	}
	return r.Store.EachDueDispute(ctx, now, Thresholds[0].Before, func(d DueDispute) error {
		handlers := []uuid.UUID{}
		if d.AssigneeID != nil {
			handlers = append(handlers, *d.AssigneeID)
		} else {
			var err error
			if handlers, err = usersOf(d.TenantID, r.HandlerRoles); err != nil {
				return err
			}
		}
		if err := r.remind(ctx, d, handlers, now); err != nil {
			return fmt.Errorf("dispute %s: %w", d.ID, err)
		}
		if !d.Started && d.DeadlineAt.Sub(now) <= EscalateBefore {
			support, err := usersOf(r.Acquirer, r.SupportRoles)
			if err != nil {
				return err
			}
			if err := r.escalate(ctx, d, support, now); err != nil {
				return fmt.Errorf("dispute %s: %w", d.ID, err)
			}
		}
		return nil
	})
}

// remind sends the tightest threshold crossed; the wider ones crossed at the
// same time are claimed silently (a dispute first seen 10 h before its
// deadline gets one reminder, not four).
func (r *Reminders) remind(ctx context.Context, d DueDispute, users []uuid.UUID, now time.Time) error {
	// Nobody to tell yet (no handler has signed in): nothing is claimed, so
	// the next run reminds whoever can answer by then.
	if len(users) == 0 {
		return nil
	}
	left := d.DeadlineAt.Sub(now)
	return r.Store.InTx(ctx, func(ctx context.Context) error {
		var tightest *Threshold
		fresh := false
		for i := range Thresholds {
			t := Thresholds[i]
			if left > t.Before {
				continue
			}
			isNew, err := r.Store.ClaimReminder(ctx, d.ID, t.Name, d.DeadlineAt)
			if err != nil {
				return err
			}
			tightest, fresh = &Thresholds[i], isNew
		}
		if tightest == nil || !fresh {
			return nil
		}
		title := fmt.Sprintf("Dispute %s: deadline in %s", d.ID, humanLeft(left))
		tenant := d.TenantID
		if err := r.Notify.Notify(ctx, users, Notification{TenantID: &tenant, Kind: "dispute_reminder", Title: title,
			Body: "Respond before " + d.DeadlineAt.UTC().Format("2 Jan 2006 15:04 MST") + ".", Link: "/disputes/" + d.ID,
			DedupeKey: "dispute-reminder:" + d.ID + ":" + tightest.Name + ":" + d.DeadlineAt.UTC().Format(time.RFC3339)}); err != nil {
			return err
		}
		return r.Timeline.AddEvent(ctx, dispute.Event{DisputeID: d.ID, At: now, Kind: "reminder", State: d.State,
			Summary: fmt.Sprintf("Reminder sent to %d user(s): deadline in %s", len(users), humanLeft(left)), ActorLabel: "Partner Desk",
			EventID: tightest.Name + ":" + d.DeadlineAt.UTC().Format(time.RFC3339)})
	})
}

func (r *Reminders) escalate(ctx context.Context, d DueDispute, users []uuid.UUID, now time.Time) error {
	if len(users) == 0 {
		return nil // nobody to tell yet: claimed once someone can be told
	}
	return r.Store.InTx(ctx, func(ctx context.Context) error {
		isNew, err := r.Store.ClaimReminder(ctx, d.ID, "escalation", d.DeadlineAt)
		if err != nil || !isNew {
			return err
		}
		left := d.DeadlineAt.Sub(now)
		tenant := d.TenantID
		if err := r.Notify.Notify(ctx, users, Notification{TenantID: &tenant, Kind: "dispute_escalation",
			Title: fmt.Sprintf("Dispute %s unanswered, deadline in %s", d.ID, humanLeft(left)),
			Body:  "The partner has not started a response.", Link: "/disputes/" + d.ID,
			DedupeKey: "dispute-escalation:" + d.ID + ":" + d.DeadlineAt.UTC().Format(time.RFC3339)}); err != nil {
			return err
		}
		return r.Timeline.AddEvent(ctx, dispute.Event{DisputeID: d.ID, At: now, Kind: "escalation", State: d.State,
			Summary:    fmt.Sprintf("Escalated to acquirer support (%d user(s)): no response with %s left", len(users), humanLeft(left)),
			ActorLabel: "Partner Desk", EventID: "escalation:" + d.DeadlineAt.UTC().Format(time.RFC3339)})
	})
}

func humanLeft(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	if d >= time.Hour {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
}

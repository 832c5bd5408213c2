// Package notify delivers in-app notifications to users, and the e-mail that
// their preferences ask for: one message per notice, or one daily digest.
// A notice is stored in the caller's transaction; its e-mail is queued there
// too and sent by a job after the commit, never inside the request.
package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Notification is one notice raised for some users.
type Notification struct {
	TenantID *uuid.UUID // the tenant it is about, if any
	Kind     string     // dispute_reminder, dispute_escalation, …
	Title    string
	Body     string
	Link     string // a UI path, e.g. /disputes/<id>
	// DedupeKey makes the notice land once per user however often it is
	// raised (a retry, a second instance).
	DedupeKey string
}

// Stored is a notification as one user sees it.
type Stored struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	TenantID  *uuid.UUID
	Kind      string
	Title     string
	Body      string
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Preferences are one user's e-mail choices.
type Preferences struct {
	EmailKinds []string // kinds that also go by e-mail
	Digest     bool     // one e-mail a day instead of one per notice
}

// Kinds users can choose to receive by e-mail.
var Kinds = []string{"dispute_reminder", "dispute_escalation", "onboarding_done", "onboarding_failed", "product_state", "payout_arrived"}

// Recipient is a user a notice went to, with what the mail needs.
type Recipient struct {
	UserID uuid.UUID
	Email  string
	Prefs  Preferences
}

// Mail is one message for the outbox.
type Mail struct {
	ID      uuid.UUID
	UserID  uuid.UUID
	To      string
	Subject string
	Body    string
}

// Store persists notifications, preferences and the mail outbox.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// Insert stores n for each user (once per user and DedupeKey) and
	// returns the users it was new for, with their addresses and preferences.
	Insert(ctx context.Context, userIDs []uuid.UUID, n Notification, at time.Time) ([]Recipient, error)
	List(ctx context.Context, userID uuid.UUID, after *Cursor, limit int) (items []Stored, unread int64, err error)
	MarkRead(ctx context.Context, userID, id uuid.UUID, at time.Time) error // NotFound for another user's
	MarkAllRead(ctx context.Context, userID uuid.UUID, at time.Time) error
	Preferences(ctx context.Context, userID uuid.UUID) (Preferences, error)
	SetPreferences(ctx context.Context, userID uuid.UUID, p Preferences) error
	// QueueMail adds m to the outbox for transport.
	QueueMail(ctx context.Context, m Mail, transport string) error
	// DigestDue claims the undigested notices of users who want a digest
	// and whose e-mail kinds they are, created before until, per user.
	DigestDue(ctx context.Context, until time.Time) ([]Digest, error)
	// MailToSend locks an unsent outbox row (nil when it is gone or sent);
	// MarkSent records the attempt.
	MailToSend(ctx context.Context, id uuid.UUID) (*Mail, string, error)
	MarkSent(ctx context.Context, id uuid.UUID, at time.Time, errText string) error
	Outbox(ctx context.Context, limit int) ([]OutboxMail, error)
	// UsersWithRoles lists enabled users holding one of roles in tenant.
	UsersWithRoles(ctx context.Context, tenantID uuid.UUID, roles []string) ([]uuid.UUID, error)
}

// Digest is one user's notices for a digest e-mail.
type Digest struct {
	UserID uuid.UUID
	Email  string
	Items  []Stored
}

// OutboxMail is a row of the dev outbox.
type OutboxMail struct {
	Mail
	CreatedAt time.Time
	SentAt    *time.Time
}

// Cursor is a position in the newest-first list.
type Cursor struct {
	At time.Time
	ID uuid.UUID
}

// Enqueuer queues the sending of an outbox row in the caller's transaction.
type Enqueuer interface {
	EnqueueMail(ctx context.Context, id uuid.UUID) error
}

// Sender delivers one message (SMTP); nil when no mail server is configured.
type Sender interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Event is something that happened that the users who work on it may want
// to hear of: the users holding Action in the partner Tenant, the acquirer's
// users holding it (Acquirer), and Users (whoever started it).
type Event struct {
	Tenant   *uuid.UUID
	Action   string
	Acquirer bool
	Users    []uuid.UUID
	Notification
}

// Announcer raises events as notifications (domain services hold one).
type Announcer interface {
	Announce(ctx context.Context, e Event) error
}

// Audience tells who holds an action: the roles granting it in a partner
// tenant and in the acquirer tenant (from the policy), and that tenant.
type Audience struct {
	Roles    func(action string) (partner, acquirer []string)
	Acquirer uuid.UUID
}

// Options configure the service.
type Options struct {
	Store    Store
	Audience Audience
	Enqueuer Enqueuer
	// Sender is the SMTP transport, nil when unconfigured. DevOutbox keeps
	// mail in the outbox table for the dev page instead.
	Sender    Sender
	DevOutbox bool
	Now       func() time.Time
}

// Service raises notifications and sends their mail.
type Service struct {
	o Options
}

// New returns the service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{o: o}
}

// DevOutbox reports whether mail goes to the dev outbox.
func (s *Service) DevOutbox() bool { return s.o.DevOutbox }

func (s *Service) transport() string {
	switch {
	case s.o.DevOutbox:
		return "dev"
	case s.o.Sender != nil:
		return "smtp"
	}
	return ""
}

// Notify stores n for userIDs in the transaction ctx carries (or one of its
// own) and queues the e-mail the recipients' preferences ask for.
func (s *Service) Notify(ctx context.Context, userIDs []uuid.UUID, n Notification) error {
	if len(userIDs) == 0 {
		return nil
	}
	if n.DedupeKey == "" {
		n.DedupeKey = uuid.NewString()
	}
	return s.o.Store.InTx(ctx, func(ctx context.Context) error {
		recs, err := s.o.Store.Insert(ctx, uniq(userIDs), n, s.o.Now())
		if err != nil {
			return err
		}
		transport := s.transport()
		if transport == "" {
			return nil
		}
		for _, r := range recs {
			if r.Email == "" || r.Prefs.Digest || !slices.Contains(r.Prefs.EmailKinds, n.Kind) {
				continue
			}
			body := n.Body
			if n.Link != "" {
				body += "\n\n" + n.Link
			}
			if err := s.queue(ctx, Mail{UserID: r.UserID, To: r.Email, Subject: n.Title, Body: body}, transport); err != nil {
				return err
			}
		}
		return nil
	})
}

// Announce notifies the users e names, in the transaction ctx carries. A
// notice lands once per user and DedupeKey, so raising it again (a retry,
// the same change seen twice) adds nothing.
func (s *Service) Announce(ctx context.Context, e Event) error {
	users := slices.Clone(e.Users)
	if s.o.Audience.Roles != nil && e.Action != "" {
		partnerRoles, acquirerRoles := s.o.Audience.Roles(e.Action)
		add := func(tenant uuid.UUID, roles []string) error {
			if len(roles) == 0 {
				return nil
			}
			u, err := s.o.Store.UsersWithRoles(ctx, tenant, roles)
			users = append(users, u...)
			return err
		}
		if e.Tenant != nil {
			if err := add(*e.Tenant, partnerRoles); err != nil {
				return err
			}
		}
		if e.Acquirer {
			if err := add(s.o.Audience.Acquirer, acquirerRoles); err != nil {
				return err
			}
		}
	}
	e.TenantID = e.Tenant
	return s.Notify(ctx, users, e.Notification)
}

func (s *Service) queue(ctx context.Context, m Mail, transport string) error {
	m.ID = uuid.New()
	if err := s.o.Store.QueueMail(ctx, m, transport); err != nil {
		return err
	}
	return s.o.Enqueuer.EnqueueMail(ctx, m.ID)
}

// SendDigests gathers each digest user's notices of the day into one e-mail.
func (s *Service) SendDigests(ctx context.Context) error {
	transport := s.transport()
	if transport == "" {
		return nil
	}
	return s.o.Store.InTx(ctx, func(ctx context.Context) error {
		due, err := s.o.Store.DigestDue(ctx, s.o.Now())
		if err != nil {
			return err
		}
		for _, r := range due {
			var b strings.Builder
			for _, n := range r.Items {
				fmt.Fprintf(&b, "- %s\n", n.Title)
				if n.Body != "" {
					fmt.Fprintf(&b, "  %s\n", n.Body)
				}
				if n.Link != "" {
					fmt.Fprintf(&b, "  %s\n", n.Link)
				}
			}
			subject := fmt.Sprintf("Partner Desk: %d notification(s) today", len(r.Items))
			if err := s.queue(ctx, Mail{UserID: r.UserID, To: r.Email, Subject: subject, Body: b.String()}, transport); err != nil {
				return err
			}
		}
		return nil
	})
}

// SendMail delivers one outbox row (the job's work): over SMTP, or, for the
// dev outbox, by marking it delivered there.
func (s *Service) SendMail(ctx context.Context, id uuid.UUID) error {
	return s.o.Store.InTx(ctx, func(ctx context.Context) error {
		m, transport, err := s.o.Store.MailToSend(ctx, id)
		if err != nil || m == nil {
			return err
		}
		if transport == "smtp" {
			if s.o.Sender == nil {
				return s.o.Store.MarkSent(ctx, id, s.o.Now(), "no mail server configured")
			}
			if err := s.o.Sender.Send(ctx, m.To, m.Subject, m.Body); err != nil {
				return err // River retries
			}
		}
		return s.o.Store.MarkSent(ctx, id, s.o.Now(), "")
	})
}

// List is the caller's own notifications, newest first, with the unread count.
func (s *Service) List(ctx context.Context, userID uuid.UUID, after *Cursor, limit int) ([]Stored, int64, error) {
	return s.o.Store.List(ctx, userID, after, limit)
}

// MarkRead marks one of the caller's notifications read.
func (s *Service) MarkRead(ctx context.Context, userID, id uuid.UUID) error {
	return s.o.Store.MarkRead(ctx, userID, id, s.o.Now())
}

// MarkAllRead marks all the caller's notifications read.
func (s *Service) MarkAllRead(ctx context.Context, userID uuid.UUID) error {
	return s.o.Store.MarkAllRead(ctx, userID, s.o.Now())
}

// Preferences are the caller's e-mail choices.
func (s *Service) Preferences(ctx context.Context, userID uuid.UUID) (Preferences, error) {
	return s.o.Store.Preferences(ctx, userID)
}

// SetPreferences replaces the caller's e-mail choices (unknown kinds are a
// validation error of the caller's making; the handler checks them).
func (s *Service) SetPreferences(ctx context.Context, userID uuid.UUID, p Preferences) error {
	return s.o.Store.SetPreferences(ctx, userID, p)
}

// Outbox is the dev outbox, newest first.
func (s *Service) Outbox(ctx context.Context, limit int) ([]OutboxMail, error) {
	return s.o.Store.Outbox(ctx, limit)
}

func uniq(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(out)
}

package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/notify"
)

// NotifyStore implements notify.Store and notify.ReminderStore.
type NotifyStore struct{ db *DB }

// Notifications returns the notifications store.
func (db *DB) Notifications() *NotifyStore { return &NotifyStore{db: db} }

var (
	_ notify.Store         = (*NotifyStore)(nil)
	_ notify.ReminderStore = (*NotifyStore)(nil)
)

// InTx runs fn in one transaction.
func (s *NotifyStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

func (s *NotifyStore) Insert(ctx context.Context, userIDs []uuid.UUID, n notify.Notification, at time.Time) ([]notify.Recipient, error) {
	var out []notify.Recipient
	for _, u := range userIDs {
		var rows []struct {
			Email      string
			EmailKinds pq.StringArray `gorm:"type:text[]"`
			Digest     bool
		}
		err := s.db.conn(ctx).Raw(`WITH ins AS (
			INSERT INTO notifications (id, user_id, tenant_id, kind, title, body, link, dedupe_key, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING user_id)
			SELECT u.email, coalesce(p.email_kinds, '{}') AS email_kinds, coalesce(p.digest, false) AS digest
			FROM ins JOIN users u ON u.id = ins.user_id LEFT JOIN notification_preferences p ON p.user_id = ins.user_id`,
			uuid.New(), u, n.TenantID, n.Kind, n.Title, n.Body, n.Link, n.DedupeKey, at).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		for _, r := range rows {
			out = append(out, notify.Recipient{UserID: u, Email: r.Email, Prefs: notify.Preferences{EmailKinds: r.EmailKinds, Digest: r.Digest}})
		}
	}
	return out, nil
}

type notificationRow struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	TenantID  *uuid.UUID
	Kind      string
	Title     string
	Body      string
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
	Email     string
}

func (r notificationRow) stored() notify.Stored {
	return notify.Stored{ID: r.ID, UserID: r.UserID, TenantID: r.TenantID, Kind: r.Kind, Title: r.Title, Body: r.Body, Link: r.Link, CreatedAt: r.CreatedAt, ReadAt: r.ReadAt}
}

func (s *NotifyStore) List(ctx context.Context, userID uuid.UUID, after *notify.Cursor, limit int) ([]notify.Stored, int64, error) {
	q := s.db.conn(ctx).Table("notifications").Where("user_id = ?", userID)
	if after != nil {
		q = q.Where("(created_at, id) < (?, ?)", after.At, after.ID)
	}
	var rows []notificationRow
	if err := q.Order("created_at DESC, id DESC").Limit(limit).
		Select("id, user_id, tenant_id, kind, title, body, link, created_at, read_at").Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("notifications: %w", err)
	}
	var unread int64
	if err := s.db.conn(ctx).Table("notifications").Where("user_id = ? AND read_at IS NULL", userID).Count(&unread).Error; err != nil {
		return nil, 0, fmt.Errorf("notifications: %w", err)
	}
	out := make([]notify.Stored, len(rows))
	for i, r := range rows {
		out[i] = r.stored()
	}
	return out, unread, nil
}

func (s *NotifyStore) MarkRead(ctx context.Context, userID, id uuid.UUID, at time.Time) error {
	res := s.db.conn(ctx).Exec(`UPDATE notifications SET read_at = coalesce(read_at, ?) WHERE id = ? AND user_id = ?`, at, id, userID)
	if res.Error != nil {
		return fmt.Errorf("notification read: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.E(apperr.NotFound, "No such notification.")
	}
	return nil
}

func (s *NotifyStore) MarkAllRead(ctx context.Context, userID uuid.UUID, at time.Time) error {
	return s.db.conn(ctx).Exec(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, at, userID).Error
}

func (s *NotifyStore) Preferences(ctx context.Context, userID uuid.UUID) (notify.Preferences, error) {
	var rows []struct {
		EmailKinds pq.StringArray `gorm:"type:text[]"`
		Digest     bool
	}
	if err := s.db.conn(ctx).Raw(`SELECT email_kinds, digest FROM notification_preferences WHERE user_id = ?`, userID).Scan(&rows).Error; err != nil {
		return notify.Preferences{}, fmt.Errorf("notification preferences: %w", err)
	}
	p := notify.Preferences{EmailKinds: []string{}}
	if len(rows) == 1 {
		p = notify.Preferences{EmailKinds: append([]string{}, rows[0].EmailKinds...), Digest: rows[0].Digest}
	}
	return p, nil
}

func (s *NotifyStore) SetPreferences(ctx context.Context, userID uuid.UUID, p notify.Preferences) error {
	kinds := p.EmailKinds
	if kinds == nil {
		kinds = []string{}
	}
	return s.db.conn(ctx).Exec(`INSERT INTO notification_preferences (user_id, email_kinds, digest, updated_at) VALUES (?, ?, ?, now())
		ON CONFLICT (user_id) DO UPDATE SET email_kinds = EXCLUDED.email_kinds, digest = EXCLUDED.digest, updated_at = now()`,
		userID, pq.StringArray(kinds), p.Digest).Error
}

func (s *NotifyStore) QueueMail(ctx context.Context, m notify.Mail, transport string) error {
	return s.db.conn(ctx).Exec(`INSERT INTO mail_outbox (id, user_id, to_addr, subject, body, transport) VALUES (?, ?, ?, ?, ?, ?)`,
		m.ID, m.UserID, m.To, m.Subject, m.Body, transport).Error
}

// DigestDue claims (marks digested) the unread-or-not notices of digest
// users, of the kinds they want by e-mail, created before until.
func (s *NotifyStore) DigestDue(ctx context.Context, until time.Time) ([]notify.Digest, error) {
	var rows []notificationRow
	err := s.db.conn(ctx).Raw(`UPDATE notifications n SET digested_at = ?
		FROM notification_preferences p, users u
		WHERE p.user_id = n.user_id AND u.id = n.user_id AND p.digest AND n.kind = ANY (p.email_kinds)
		  AND n.digested_at IS NULL AND n.created_at <= ? AND u.email <> '' AND u.disabled_at IS NULL
		RETURNING n.id, n.user_id, n.tenant_id, n.kind, n.title, n.body, n.link, n.created_at, n.read_at, u.email`, until, until).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	byUser := map[uuid.UUID]int{}
	var out []notify.Digest
	for _, r := range rows {
		i, ok := byUser[r.UserID]
		if !ok {
			i = len(out)
			byUser[r.UserID] = i
			out = append(out, notify.Digest{UserID: r.UserID, Email: r.Email})
		}
		out[i].Items = append(out[i].Items, r.stored())
	}
	return out, nil
}

func (s *NotifyStore) MailToSend(ctx context.Context, id uuid.UUID) (*notify.Mail, string, error) {
	var rows []struct {
		UserID    uuid.UUID
		ToAddr    string
		Subject   string
		Body      string
		Transport string
	}
	if err := s.db.conn(ctx).Raw(`SELECT coalesce(user_id, '00000000-0000-0000-0000-000000000000') AS user_id, to_addr, subject, body, transport
		FROM mail_outbox WHERE id = ? AND sent_at IS NULL FOR UPDATE SKIP LOCKED`, id).Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("outbox: %w", err)
	}
	if len(rows) == 0 {
		return nil, "", nil
	}
	r := rows[0]
	return &notify.Mail{ID: id, UserID: r.UserID, To: r.ToAddr, Subject: r.Subject, Body: r.Body}, r.Transport, nil
}

func (s *NotifyStore) MarkSent(ctx context.Context, id uuid.UUID, at time.Time, errText string) error {
	return s.db.conn(ctx).Exec(`UPDATE mail_outbox SET sent_at = ?, error = ? WHERE id = ?`, at, errText, id).Error
}

func (s *NotifyStore) Outbox(ctx context.Context, limit int) ([]notify.OutboxMail, error) {
	var rows []struct {
		ID        uuid.UUID
		UserID    *uuid.UUID
		ToAddr    string
		Subject   string
		Body      string
		CreatedAt time.Time
		SentAt    *time.Time
	}
	if err := s.db.conn(ctx).Raw(`SELECT id, user_id, to_addr, subject, body, created_at, sent_at FROM mail_outbox
		WHERE transport = 'dev' ORDER BY created_at DESC, id DESC LIMIT ?`, limit).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	out := make([]notify.OutboxMail, len(rows))
	for i, r := range rows {
		m := notify.OutboxMail{Mail: notify.Mail{ID: r.ID, To: r.ToAddr, Subject: r.Subject, Body: r.Body}, CreatedAt: r.CreatedAt, SentAt: r.SentAt}
		if r.UserID != nil {
			m.UserID = *r.UserID
		}
		out[i] = m
	}
	return out, nil
}

// dueBatch is how many due disputes EachDueDispute reads at a time.
const dueBatch = 500

// EachDueDispute: bucket 1, deadline after now and within `within`, read in
// the queue index's order (queue_key is the deadline in ms in bucket 1) a
// batch at a time, keyset after the last one; Started when answered or a
// draft or action is on the timeline.
func (s *NotifyStore) EachDueDispute(ctx context.Context, now time.Time, within time.Duration, fn func(notify.DueDispute) error) error {
	type dueRow struct {
		DisputeID  string
		TenantID   uuid.UUID
		State      string
		DeadlineAt time.Time
		AssigneeID *uuid.UUID
		Started    bool
		QueueKey   int64
	}
	// queue_key rounds the deadline to the ms: the bounds allow for it, the
	// deadline_at conditions are the exact ones.
	key, id, last := ms(now)-1, "", ms(now.Add(within))+1
	var names []string
	var msBefore []int64
	for _, t := range notify.Thresholds {
		names, msBefore = append(names, t.Name), append(msBefore, t.Before.Milliseconds())
	}
	for {
		var rows []dueRow
		// tightest is the name of the narrowest threshold the deadline has
		// crossed; a dispute is done for now when that one is claimed and its
		// escalation is claimed, not due yet, or not needed (started).
		err := s.db.conn(ctx).Raw(`SELECT q.* FROM (SELECT d.dispute_id, d.tenant_id, d.state, d.deadline_at, d.assignee_id,
				(d.answered_at IS NOT NULL OR EXISTS (SELECT 1 FROM dispute_drafts r WHERE r.dispute_id = d.dispute_id)
					OR EXISTS (SELECT 1 FROM dispute_actions a WHERE a.dispute_id = d.dispute_id)) AS started, d.queue_key,
				(SELECT t.name FROM unnest(?::text[], ?::bigint[]) AS t(name, ms) WHERE d.deadline_at <= ?::timestamptz + t.ms * interval '1 millisecond'
					ORDER BY t.ms LIMIT 1) AS tightest
			FROM disputes d WHERE d.bucket = 1 AND (d.queue_key, d.dispute_id) > (?, ?) AND d.queue_key <= ?
				AND d.deadline_at > ? AND d.deadline_at <= ?
			ORDER BY d.queue_key, d.dispute_id) q
			WHERE NOT (EXISTS (SELECT 1 FROM dispute_reminders m WHERE m.dispute_id = q.dispute_id AND m.threshold = q.tightest AND m.deadline_at = q.deadline_at)
				AND (q.started OR q.deadline_at > ?::timestamptz + ? * interval '1 millisecond'
					OR EXISTS (SELECT 1 FROM dispute_reminders m WHERE m.dispute_id = q.dispute_id AND m.threshold = 'escalation' AND m.deadline_at = q.deadline_at)))
			ORDER BY q.queue_key, q.dispute_id LIMIT ?`, pq.StringArray(names), pq.Int64Array(msBefore), now, key, id, last, now, now.Add(within), now, notify.EscalateBefore.Milliseconds(), dueBatch).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("due disputes: %w", err)
		}
		for _, r := range rows {
			if err := fn(notify.DueDispute{ID: r.DisputeID, TenantID: r.TenantID, State: r.State, DeadlineAt: r.DeadlineAt, AssigneeID: r.AssigneeID, Started: r.Started}); err != nil {
				return err
			}
		}
		if len(rows) < dueBatch {
			return nil
		}
		key, id = rows[len(rows)-1].QueueKey, rows[len(rows)-1].DisputeID
	}
}

func (s *NotifyStore) ClaimReminder(ctx context.Context, disputeID, threshold string, deadline time.Time) (bool, error) {
	res := s.db.conn(ctx).Exec(`INSERT INTO dispute_reminders (dispute_id, threshold, deadline_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		disputeID, threshold, deadline)
	if res.Error != nil {
		return false, fmt.Errorf("claim reminder: %w", res.Error)
	}
	if res.RowsAffected == 1 && threshold == "escalation" {
		// The dispute says for which deadline it was escalated, so the
		// escalated ones are an index of their own (migration 00025).
		if err := s.db.conn(ctx).Exec(`UPDATE disputes SET escalated_for = ? WHERE dispute_id = ?`, deadline, disputeID).Error; err != nil {
			return false, fmt.Errorf("mark escalated: %w", err)
		}
	}
	return res.RowsAffected == 1, nil
}

func (s *NotifyStore) UsersWithRoles(ctx context.Context, tenantID uuid.UUID, roles []string) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.conn(ctx).Raw(`SELECT DISTINCT u.id FROM memberships m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id
		WHERE m.tenant_id = ? AND m.role = ANY (?) AND u.disabled_at IS NULL AND t.access_closed_at IS NULL ORDER BY u.id`,
		tenantID, pq.StringArray(roles)).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("dispute handlers: %w", err)
	}
	return ids, nil
}

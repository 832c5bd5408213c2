package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/notify"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// outboxJobs stands in for River in these tests: it records the mail the
// service queued, and send() runs the job's work on each.
type outboxJobs struct {
	mu  sync.Mutex
	ids []uuid.UUID
}

func (o *outboxJobs) EnqueueMail(_ context.Context, id uuid.UUID) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ids = append(o.ids, id)
	return nil
}

func (o *outboxJobs) send(t *testing.T, svc *notify.Service) {
	t.Helper()
	o.mu.Lock()
	ids := o.ids
	o.ids = nil
	o.mu.Unlock()
	for _, id := range ids {
		if err := svc.SendMail(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
}

type world struct {
	db        *postgres.DB
	jobs      *outboxJobs
	svc       *notify.Service
	rem       *notify.Reminders
	now       time.Time
	partner   uuid.UUID
	acquirer  uuid.UUID
	handlers  []uuid.UUID // partner users with merchant-disputes
	finance   uuid.UUID   // partner user without dispute:respond
	support   uuid.UUID   // acquirer-support
	assignee  uuid.UUID
	disputeNo int
}

func setup(t *testing.T) *world {
	t.Helper()
	db := pgtest.New(t)
	w := &world{db: db, jobs: &outboxJobs{}, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return w.now }
	w.svc = notify.New(notify.Options{Store: db.Notifications(), Enqueuer: w.jobs, DevOutbox: true, Now: clock})
	w.partner, w.acquirer = uuid.New(), uuid.New()
	exec(t, db, `INSERT INTO tenants (id, kind, slug, name) VALUES (?, 'acquirer', 'acq', 'Acquirer'), (?, 'partner', 'shop', 'Shop')`, w.acquirer, w.partner)
	user := func(tenant uuid.UUID, role, email string) uuid.UUID {
		id := uuid.New()
		exec(t, db, `INSERT INTO users (id, issuer, subject, email, name) VALUES (?, 'test', ?, ?, ?)`, id, id.String(), email, email)
		exec(t, db, `INSERT INTO memberships (user_id, tenant_id, role, source) VALUES (?, ?, ?, 'seed')`, id, tenant, role)
		return id
	}
	w.handlers = []uuid.UUID{user(w.partner, "merchant-disputes", "d1@shop.test"), user(w.partner, "merchant-admin", "admin@shop.test")}
	w.finance = user(w.partner, "merchant-finance", "fin@shop.test")
	w.support = user(w.acquirer, "acquirer-support", "support@acq.test")
	w.assignee = user(w.partner, "merchant-disputes", "assignee@shop.test")
	w.rem = &notify.Reminders{Store: db.Notifications(), Notify: w.svc, Timeline: dispute.NewService(db.Disputes(), nil),
		HandlerRoles: []string{"merchant-admin", "merchant-disputes"}, SupportRoles: []string{"acquirer-support"}, Acquirer: w.acquirer, Now: clock}
	return w
}

func exec(t *testing.T, db *postgres.DB, q string, args ...any) {
	t.Helper()
	if err := db.Gorm.Exec(q, args...).Error; err != nil {
		t.Fatal(err)
	}
}

func (w *world) dispute(t *testing.T, deadline time.Time, assignee *uuid.UUID) string {
	w.disputeNo++
	id := "dsp_" + uuid.NewString()[:8]
	exec(t, w.db, `INSERT INTO disputes (dispute_id, tenant_id, klarna_account_id, state, deadline_at, opened_at, state_at, klarna_updated_at, assignee_id)
		VALUES (?, ?, 'krn:acc', 'INITIATED', ?, ?, ?, ?, ?)`, id, w.partner, deadline, w.now, w.now, w.now, assignee)
	return id
}

func (w *world) run(t *testing.T) {
	t.Helper()
	if err := w.rem.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (w *world) inbox(t *testing.T, user uuid.UUID) ([]notify.Stored, int64) {
	t.Helper()
	items, unread, err := w.svc.List(context.Background(), user, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	return items, unread
}

func (w *world) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := w.db.Gorm.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEachThresholdRemindsOnceWithConcurrentRunsAndARestart(t *testing.T) {
	w := setup(t)
	deadline := w.now.Add(8 * 24 * time.Hour)
	id := w.dispute(t, deadline, nil)
	// walk the clock through the thresholds; at each, two instances run the
	// job at once, then a restarted one runs it again
	for _, left := range []time.Duration{6*24*time.Hour + 23*time.Hour, 2 * 24 * time.Hour, 20 * time.Hour, 11 * time.Hour} {
		w.now = deadline.Add(-left)
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for range 2 {
			wg.Add(1)
			go func() { defer wg.Done(); errs <- w.rem.Run(context.Background()) }()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		restarted := &notify.Reminders{Store: w.db.Notifications(), Notify: w.svc, Timeline: w.rem.Timeline,
			HandlerRoles: w.rem.HandlerRoles, SupportRoles: w.rem.SupportRoles, Acquirer: w.acquirer, Now: w.rem.Now}
		if err := restarted.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range w.handlers {
		items, unread := w.inbox(t, h)
		if len(items) != 4 || unread != 4 {
			t.Fatalf("handler got %d notices (%d unread), want one per threshold (4)", len(items), unread)
		}
		if items[0].Link != "/disputes/"+id || items[0].Kind != "dispute_reminder" {
			t.Fatalf("newest notice = %+v", items[0])
		}
	}
	if items, _ := w.inbox(t, w.finance); len(items) != 0 {
		t.Fatalf("a user without dispute:respond was reminded: %+v", items)
	}
	if n := w.count(t, `SELECT count(*) FROM dispute_events WHERE dispute_id = ? AND kind = 'reminder'`, id); n != 4 {
		t.Fatalf("timeline has %d reminders, want 4", n)
	}
	// unanswered under 24 h: one escalation to the acquirer's support
	items, _ := w.inbox(t, w.support)
	if len(items) != 1 || items[0].Kind != "dispute_escalation" {
		t.Fatalf("support got %+v, want one escalation", items)
	}
	if n := w.count(t, `SELECT count(*) FROM dispute_events WHERE dispute_id = ? AND kind = 'escalation'`, id); n != 1 {
		t.Fatalf("timeline has %d escalations, want 1", n)
	}
	// The queue's "escalated" filter (the home tile) holds it now.
	if n, err := w.db.Disputes().Count(t.Context(), scope.All(), dispute.Filter{View: "all", Escalated: true, Now: w.now}); err != nil || n != 1 {
		t.Fatalf("%d escalated disputes (%v), want 1", n, err)
	}
}

func TestAReminderGoesToTheAssigneeOnly(t *testing.T) {
	w := setup(t)
	a := w.assignee
	w.dispute(t, w.now.Add(5*24*time.Hour), &a)
	w.run(t)
	if items, _ := w.inbox(t, w.assignee); len(items) != 1 {
		t.Fatalf("assignee got %d notices, want 1", len(items))
	}
	for _, h := range w.handlers {
		if items, _ := w.inbox(t, h); len(items) != 0 {
			t.Fatalf("another handler was reminded of an assigned dispute")
		}
	}
}

func TestADeadlineExtensionGivesNewReminders(t *testing.T) {
	w := setup(t)
	deadline := w.now.Add(20 * time.Hour)
	id := w.dispute(t, deadline, nil)
	w.run(t) // 1d reminder (7d, 3d crossed silently)
	w.run(t)
	items, _ := w.inbox(t, w.handlers[0])
	if len(items) != 1 {
		t.Fatalf("got %d notices before the extension, want 1", len(items))
	}
	extended := deadline.Add(5 * 24 * time.Hour)
	exec(t, w.db, `UPDATE disputes SET deadline_at = ? WHERE dispute_id = ?`, extended, id)
	w.run(t) // within 7d of the new deadline
	items, _ = w.inbox(t, w.handlers[0])
	if len(items) != 2 {
		t.Fatalf("got %d notices after the extension, want 2", len(items))
	}
	if n := w.count(t, `SELECT count(*) FROM dispute_reminders WHERE dispute_id = ? AND deadline_at = ?`, id, extended); n == 0 {
		t.Fatal("no reminder recorded for the new deadline")
	}
}

func TestAStartedResponseIsNotEscalated(t *testing.T) {
	w := setup(t)
	id := w.dispute(t, w.now.Add(10*time.Hour), nil)
	exec(t, w.db, `INSERT INTO dispute_drafts (dispute_id, kind, information) VALUES (?, 'represent', 'Tracking 00340434')`, id)
	w.run(t)
	if items, _ := w.inbox(t, w.support); len(items) != 0 {
		t.Fatalf("support got %d escalations for a dispute with a draft", len(items))
	}
}

func TestAUserNeverReadsAnotherUsersNotifications(t *testing.T) {
	w := setup(t)
	ctx := context.Background()
	a, b := w.handlers[0], w.handlers[1]
	if err := w.svc.Notify(ctx, []uuid.UUID{a}, notify.Notification{Kind: "dispute_reminder", Title: "for a", Link: "/disputes/x"}); err != nil {
		t.Fatal(err)
	}
	items, _ := w.inbox(t, a)
	if len(items) != 1 {
		t.Fatalf("a has %d notices", len(items))
	}
	if items, _ := w.inbox(t, b); len(items) != 0 {
		t.Fatalf("b sees a's notice: %+v", items)
	}
	if err := w.svc.MarkRead(ctx, b, items0(t, w, a).ID); err == nil {
		t.Fatal("b marked a's notice read")
	}
	if err := w.svc.MarkAllRead(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, unread := w.inbox(t, a); unread != 1 {
		t.Fatalf("b's read-all changed a's unread count to %d", unread)
	}
	if err := w.svc.MarkRead(ctx, a, items0(t, w, a).ID); err != nil {
		t.Fatal(err)
	}
	if _, unread := w.inbox(t, a); unread != 0 {
		t.Fatalf("unread after marking read = %d", unread)
	}
}

func items0(t *testing.T, w *world, u uuid.UUID) notify.Stored {
	items, _ := w.inbox(t, u)
	return items[0]
}

func TestTheDevOutboxReceivesTheMailOfEmailKinds(t *testing.T) {
	w := setup(t)
	ctx := context.Background()
	if err := w.svc.SetPreferences(ctx, w.handlers[0], notify.Preferences{EmailKinds: []string{"dispute_reminder"}}); err != nil {
		t.Fatal(err)
	}
	id := w.dispute(t, w.now.Add(2*24*time.Hour), nil)
	w.run(t)
	w.jobs.send(t, w.svc)
	out, err := w.svc.Outbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].To != "d1@shop.test" || out[0].SentAt == nil {
		t.Fatalf("outbox = %+v, want one delivered mail to the handler who asked for it", out)
	}
	if want := "/disputes/" + id; !contains(out[0].Body, want) {
		t.Fatalf("mail body %q has no link %s", out[0].Body, want)
	}
}

func TestTheDigestGathersTheDaysMailIntoOne(t *testing.T) {
	w := setup(t)
	ctx := context.Background()
	u := w.handlers[0]
	if err := w.svc.SetPreferences(ctx, u, notify.Preferences{EmailKinds: []string{"dispute_reminder"}, Digest: true}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		w.dispute(t, w.now.Add(time.Duration(2+i)*24*time.Hour), nil)
	}
	w.run(t)
	w.jobs.send(t, w.svc)
	if out, _ := w.svc.Outbox(ctx, 10); len(out) != 0 {
		t.Fatalf("a digest user got %d single mails", len(out))
	}
	if err := w.svc.SendDigests(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.SendDigests(ctx); err != nil { // the next run finds nothing new
		t.Fatal(err)
	}
	w.jobs.send(t, w.svc)
	out, _ := w.svc.Outbox(ctx, 10)
	if len(out) != 1 || out[0].To != "d1@shop.test" {
		t.Fatalf("outbox = %+v, want one digest", out)
	}
	for _, n := range []string{"3 notification"} {
		if !contains(out[0].Subject, n) {
			t.Fatalf("digest subject %q", out[0].Subject)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// The due disputes are read a batch at a time: more than a batch, many with
// the same deadline, are each reminded exactly once, and a dispute due
// later than the widest threshold is not.
func TestEveryDueDisputeIsRemindedOnceAcrossBatches(t *testing.T) {
	w := setup(t)
	const n = 1201 // two full batches of 500 and a part
	exec(t, w.db, `INSERT INTO disputes (dispute_id, tenant_id, klarna_account_id, state, deadline_at, opened_at, state_at, klarna_updated_at)
		SELECT 'dsp_many_' || lpad(i::text, 5, '0'), ?, 'krn:acc', 'INITIATED', ?::timestamptz + (i % 7) * interval '1 minute', ?, ?, ?
		FROM generate_series(1, ?) AS i`, w.partner, w.now.Add(5*24*time.Hour), w.now, w.now, w.now, n)
	later := w.dispute(t, w.now.Add(8*24*time.Hour), nil)
	w.run(t)
	if got := w.count(t, `SELECT count(DISTINCT dispute_id) FROM dispute_reminders WHERE dispute_id LIKE 'dsp_many_%'`); got != n {
		t.Fatalf("%d of %d due disputes were reminded", got, n)
	}
	if got := w.count(t, `SELECT count(*) FROM dispute_reminders WHERE dispute_id LIKE 'dsp_many_%'`); got != n {
		t.Fatalf("%d reminders for %d disputes: some twice", got, n)
	}
	if got := w.count(t, `SELECT count(*) FROM dispute_reminders WHERE dispute_id = ?`, later); got != 0 {
		t.Fatalf("a dispute due in 8 days was reminded")
	}
	// A run reads only the disputes with a reminder still to send: none
	// right after, all of them once a tighter threshold is crossed.
	visits := func() int {
		n := 0
		if err := w.db.Notifications().EachDueDispute(context.Background(), w.now, notify.Thresholds[0].Before, func(notify.DueDispute) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := visits(); got != 0 {
		t.Fatalf("a run right after the first still reads %d disputes", got)
	}
	w.now = w.now.Add(3 * 24 * time.Hour) // 2 days left: the 3d threshold
	if got := visits(); got != n+1 {
		t.Fatalf("with the 3d threshold crossed, a run reads %d disputes, want %d", got, n+1)
	}
	w.run(t)
	if got := w.count(t, `SELECT count(*) FROM dispute_reminders WHERE dispute_id LIKE 'dsp_many_%' AND threshold = '3d'`); got != n {
		t.Fatalf("%d of %d disputes got their 3d reminder", got, n)
	}
}

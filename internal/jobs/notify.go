package jobs

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// SendMailArgs sends one row of the mail outbox.
type SendMailArgs struct {
	MailID uuid.UUID `json:"mail_id"`
}

// Kind implements river.JobArgs.
func (SendMailArgs) Kind() string { return "notify.send_mail" }

// DisputeRemindersArgs looks for disputes whose deadline reminders are due.
type DisputeRemindersArgs struct{}

// Kind implements river.JobArgs.
func (DisputeRemindersArgs) Kind() string { return "notify.dispute_reminders" }

// InsertOpts implements river.JobArgsWithInsertOpts: one job per period
// across instances (the reminders are once-only either way).
func (DisputeRemindersArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// DigestArgs sends the daily digests.
type DigestArgs struct{}

// Kind implements river.JobArgs.
func (DigestArgs) Kind() string { return "notify.digest" }

// InsertOpts implements river.JobArgsWithInsertOpts: one per period.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// EnqueueMail queues the sending of an outbox row in the transaction that
// queued it, so it runs after the commit.
func (e *Enqueuer) EnqueueMail(ctx context.Context, id uuid.UUID) error {
	return e.inTx(ctx, func(tx pgx.Tx) error {
		_, err := e.client.InsertTx(ctx, tx, SendMailArgs{MailID: id}, nil)
		return err
	})
}

// Notifier is what the notification jobs run.
type Notifier interface {
	SendMail(ctx context.Context, id uuid.UUID) error
	SendDigests(ctx context.Context) error
}

// Reminder runs the dispute reminders.
type Reminder interface {
	Run(ctx context.Context) error
}

// RegisterNotifications registers the mail sender, the daily digest and
// the dispute reminders (every remindEvery).
func RegisterNotifications(k *Kinds, n Notifier, r Reminder, remindEvery time.Duration) {
	Add(k, &sendMailWorker{n: n})
	Add(k, &digestWorker{n: n})
	Add(k, &remindersWorker{r: r})
	Every(k, 24*time.Hour, func() DigestArgs { return DigestArgs{} })
	Every(k, remindEvery, func() DisputeRemindersArgs { return DisputeRemindersArgs{} })
}

type sendMailWorker struct {
	river.WorkerDefaults[SendMailArgs]
	n Notifier
}

func (w *sendMailWorker) Work(ctx context.Context, job *river.Job[SendMailArgs]) error {
	return w.n.SendMail(ctx, job.Args.MailID)
}

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	n Notifier
}

func (w *digestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	return w.n.SendDigests(ctx)
}

type remindersWorker struct {
	river.WorkerDefaults[DisputeRemindersArgs]
	r Reminder
}

func (w *remindersWorker) Work(ctx context.Context, _ *river.Job[DisputeRemindersArgs]) error {
	return w.r.Run(ctx)
}

package partner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// BulkRowFilter selects rows of a run: "" every row, or invalid, pending
// (valid and not finished: not sent yet or waiting on Klarna), succeeded,
// failed.
type BulkRowFilter string

// BulkStore persists bulk runs and their rows. Runs are the acquirer's:
// they create new partners, so they belong to no tenant.
type BulkStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// CreateBulkRun stores the run and all its rows (COPY).
	CreateBulkRun(ctx context.Context, run *BulkRun, rows []BulkRow) error
	BulkRun(ctx context.Context, id uuid.UUID) (BulkRun, error)
	// LockBulkRun reads a run for update (inside InTx).
	LockBulkRun(ctx context.Context, id uuid.UUID) (BulkRun, error)
	// LockBulkRunStatus reads a run's status and keeps it from changing
	// until the transaction ends (inside InTx).
	LockBulkRunStatus(ctx context.Context, id uuid.UUID) (BulkRunStatus, error)
	// BulkBacklog counts a run's valid rows not sent yet and its drafts
	// waiting on Klarna (cheaper than the full progress).
	BulkBacklog(ctx context.Context, id uuid.UUID) (pending, submitted int, err error)
	BulkRuns(ctx context.Context, cursor string, limit int) ([]BulkRun, string, error)
	UpdateBulkRun(ctx context.Context, run *BulkRun) error
	BulkRows(ctx context.Context, runID uuid.UUID, f BulkRowFilter, cursor string, limit int) ([]BulkRowResult, string, error)
	// EachBulkRow calls fn with every row of the run in file order.
	EachBulkRow(ctx context.Context, runID uuid.UUID, fn func(BulkRowResult) error) error
	// NextBulkRows locks up to limit valid rows never sent (inside InTx).
	NextBulkRows(ctx context.Context, runID uuid.UUID, limit int) ([]BulkRow, error)
	// MarkBulkRowSent records the row's draft; MarkBulkRowInvalid the
	// errors that kept it from being sent.
	MarkBulkRowSent(ctx context.Context, runID uuid.UUID, row int, draftID uuid.UUID) error
	MarkBulkRowInvalid(ctx context.Context, runID uuid.UUID, row int, errs []apperr.FieldError) error
	// TakenReferences returns which of refs a partner account or an
	// onboarding (not refused by Klarna) already uses.
	TakenReferences(ctx context.Context, refs []string) (map[string]bool, error)
}

// DraftSubmitter creates a submitted draft for a new partner, and its
// onboard job, in the caller's transaction (OnboardingService).
type DraftSubmitter interface {
	CreateSubmitted(ctx context.Context, o Onboarding) (uuid.UUID, error)
}

// BulkFeedEnqueuer queues the job that feeds a run's rows to onboarding.
type BulkFeedEnqueuer interface {
	EnqueueBulkFeed(ctx context.Context, runID uuid.UUID) error
}

// BulkOptions wire the bulk service.
type BulkOptions struct {
	Store    BulkStore
	Drafts   DraftSubmitter
	Enqueuer BulkFeedEnqueuer
	Audit    actor.Recorder
	// Ready says whether rows can be sent at all (Klarna configured); nil
	// means yes.
	Ready func() error
	// Window is how many of a run's drafts may wait on Klarna at once
	// (default 200): rows become drafts only as earlier ones finish, so a
	// cancel stops the rest and the onboarding queue stays short.
	Window int
	// Batch is how many drafts one transaction creates (default 10), and
	// Senders how many such transactions run at once (default 4).
	Batch   int
	Senders int
	// RoundTime bounds one feeding round (default 3 s), so a stopping
	// process is not held up; FeedEvery is the pause before the next
	// round (default 500 ms).
	RoundTime time.Duration
	FeedEvery time.Duration
	Now       func() time.Time
}

// BulkService runs bulk onboarding: upload and dry run, start, cancel,
// progress and results.
type BulkService struct{ o BulkOptions }

// NewBulkService wires the service.
func NewBulkService(o BulkOptions) *BulkService {
	if o.Window <= 0 {
		o.Window = 200
	}
	if o.Batch <= 0 {
		o.Batch = 10
	}
	if o.Senders <= 0 {
		o.Senders = 4
	}
	if o.RoundTime <= 0 {
		o.RoundTime = 3 * time.Second
	}
	if o.FeedEvery <= 0 {
		o.FeedEvery = 500 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &BulkService{o: o}
}

func (s *BulkService) audit(ctx context.Context, action string, run *BulkRun, after map[string]any) error {
	return s.o.Audit(ctx, actor.Change{Action: action, TargetType: "onboarding_bulk_run", TargetID: run.ID.String(), After: after})
}

// Upload reads a CSV, validates every row (the dry run) and stores the run
// with its rows; nothing is sent to Klarna. A row whose partner reference
// Partner Desk already knows is refused: a bulk run onboards new partners.
func (s *BulkService) Upload(ctx context.Context, filename string, in io.Reader) (BulkRun, error) {
	rows, err := ParseBulkCSV(in)
	if err != nil {
		return BulkRun{}, err
	}
	refs := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.Reference != "" {
			refs = append(refs, r.Reference)
		}
	}
	taken, err := s.o.Store.TakenReferences(ctx, refs)
	if err != nil {
		return BulkRun{}, err
	}
	if filename == "" {
		filename = "upload.csv"
	}
	run := BulkRun{ID: uuid.New(), Filename: filename, Status: BulkValidated, TotalRows: len(rows), CreatedBy: userOf(ctx), CreatedAt: s.o.Now()}
	for i := range rows {
		if taken[rows[i].Reference] {
			rows[i].Errors = append([]apperr.FieldError{{Field: "partner_account_reference",
				Message: "Partner Desk already has a partner or an onboarding with this reference; a bulk upload creates new partners only (add to an existing one from its page)."}}, rows[i].Errors...)
		}
		if len(rows[i].Errors) > 0 {
			run.InvalidRows++
		} else {
			run.ValidRows++
		}
	}
	run.Progress.Pending = run.ValidRows
	err = s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.o.Store.CreateBulkRun(ctx, &run, rows); err != nil {
			return err
		}
		return s.audit(ctx, "partner:bulk_upload", &run, map[string]any{"filename": filename, "total_rows": run.TotalRows, "valid_rows": run.ValidRows, "invalid_rows": run.InvalidRows})
	})
	if err != nil {
		return BulkRun{}, err
	}
	return s.o.Store.BulkRun(ctx, run.ID)
}

// Run reads one run with its live progress.
func (s *BulkService) Run(ctx context.Context, id uuid.UUID) (BulkRun, error) {
	return s.o.Store.BulkRun(ctx, id)
}

// Runs lists the runs, newest first.
func (s *BulkService) Runs(ctx context.Context, cursor string, limit int) ([]BulkRun, string, error) {
	return s.o.Store.BulkRuns(ctx, cursor, limit)
}

// Rows lists a run's rows in file order.
func (s *BulkService) Rows(ctx context.Context, runID uuid.UUID, f BulkRowFilter, cursor string, limit int) ([]BulkRowResult, string, error) {
	switch f {
	case "", "invalid", "pending", "succeeded", "failed":
	default:
		return nil, "", apperr.Validation("Unknown row status.", apperr.FieldError{Field: "status", Message: "one of invalid, pending, succeeded, failed"})
	}
	if _, err := s.o.Store.BulkRun(ctx, runID); err != nil {
		return nil, "", err
	}
	return s.o.Store.BulkRows(ctx, runID, f, cursor, limit)
}

// EachRow streams every row of a run with its result (the results CSV).
func (s *BulkService) EachRow(ctx context.Context, runID uuid.UUID, fn func(BulkRowResult) error) error {
	if _, err := s.o.Store.BulkRun(ctx, runID); err != nil {
		return err
	}
	return s.o.Store.EachBulkRow(ctx, runID, fn)
}

// Start submits the run's valid rows: the run turns running and its feeding
// job is queued in the same transaction. Starting a running or finished run
// again changes nothing (a running run's feeding job is queued again if it
// was lost).
func (s *BulkService) Start(ctx context.Context, id uuid.UUID) (BulkRun, error) {
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		run, err := s.o.Store.LockBulkRun(ctx, id)
		if err != nil {
			return err
		}
		switch run.Status {
		case BulkRunning:
			// Queue the feeding again, in case its job was lost (one live
			// job per run: this is a no-op while it lives).
			return s.o.Enqueuer.EnqueueBulkFeed(ctx, run.ID)
		case BulkDone:
			return nil
		case BulkCanceled:
			return apperr.E(apperr.Conflict, "This run was canceled; upload the file again to onboard its rows.")
		}
		if run.ValidRows == 0 {
			return apperr.E(apperr.Conflict, "No row of this file is valid, so there is nothing to onboard; fix the rows and upload the file again.")
		}
		if s.o.Ready != nil {
			if err := s.o.Ready(); err != nil {
				return err
			}
		}
		now := s.o.Now()
		run.Status, run.StartedAt = BulkRunning, &now
		if err := s.o.Store.UpdateBulkRun(ctx, &run); err != nil {
			return err
		}
		if err := s.o.Enqueuer.EnqueueBulkFeed(ctx, run.ID); err != nil {
			return fmt.Errorf("queue bulk run: %w", err)
		}
		return s.audit(ctx, "partner:bulk_start", &run, map[string]any{"filename": run.Filename, "valid_rows": run.ValidRows})
	})
	if err != nil {
		return BulkRun{}, err
	}
	return s.o.Store.BulkRun(ctx, id)
}

// Cancel stops a run: rows not yet sent are never sent; drafts already
// waiting on Klarna finish. Canceling a canceled run changes nothing; a
// finished run cannot be canceled.
func (s *BulkService) Cancel(ctx context.Context, id uuid.UUID) (BulkRun, error) {
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		run, err := s.o.Store.LockBulkRun(ctx, id)
		if err != nil {
			return err
		}
		switch run.Status {
		case BulkCanceled:
			return nil
		case BulkDone:
			return apperr.E(apperr.Conflict, "This run has finished; there is nothing left to cancel.")
		}
		before := run.Status
		now := s.o.Now()
		run.Status, run.FinishedAt = BulkCanceled, &now
		if err := s.o.Store.UpdateBulkRun(ctx, &run); err != nil {
			return err
		}
		return s.audit(ctx, "partner:bulk_cancel", &run, map[string]any{"filename": run.Filename, "status_before": before, "not_sent": run.Progress.Pending})
	})
	if err != nil {
		return BulkRun{}, err
	}
	return s.o.Store.BulkRun(ctx, id)
}

// FeedResult says what the feeding job does next.
type FeedResult struct {
	Done  bool          // the run is finished (or canceled): no more rounds
	Again time.Duration // otherwise: run the next round after this
}

// Feed is one round of a running run (the feeding job), of at most
// RoundTime: while fewer than Window of its drafts wait on Klarna, the next
// valid rows become submitted drafts. Rows are sent Batch to a
// transaction: each row's draft, its onboard job and the mark on the row
// commit together, so a row is sent once however often the round runs or
// the process restarts, and the audit trail (one writer at a time) is
// never held for long. It acts as the user who uploaded the file. The run
// is done once every valid row was sent and finished.
func (s *BulkService) Feed(ctx context.Context, id uuid.UUID) (FeedResult, error) {
	end := s.o.Now().Add(s.o.RoundTime)
	run, err := s.o.Store.BulkRun(ctx, id)
	if err != nil {
		return FeedResult{}, err
	}
	who := actor.Actor{UserID: deref(run.CreatedBy), Label: "bulk onboarding " + run.Filename}
	for {
		var (
			res  FeedResult
			room int
		)
		err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
			status, err := s.o.Store.LockBulkRunStatus(ctx, id)
			if err != nil {
				return err
			}
			if status != BulkRunning {
				res.Done = true
				return nil
			}
			pending, submitted, err := s.o.Store.BulkBacklog(ctx, id)
			if err != nil {
				return err
			}
			if pending == 0 && submitted == 0 {
				now := s.o.Now()
				run.Status, run.FinishedAt = BulkDone, &now
				res.Done = true
				return s.o.Store.UpdateBulkRun(ctx, &run)
			}
			room = min(s.o.Window-submitted, pending)
			return nil
		})
		if err != nil || res.Done {
			return res, err
		}
		exhausted, err := s.sendRoom(actor.With(ctx, who), id, room, end)
		if err != nil || exhausted {
			return FeedResult{Again: s.o.FeedEvery}, err
		}
		if s.o.Now().After(end) {
			return FeedResult{Again: s.o.FeedEvery}, nil
		}
		// The window is full: wait for drafts to finish.
		t := time.NewTimer(s.o.FeedEvery / 5)
		select {
		case <-ctx.Done():
			t.Stop()
			return FeedResult{Again: s.o.FeedEvery}, nil
		case <-t.C:
		}
	}
}

// sendRoom sends up to room rows from Senders parallel transactions (the
// rows' own work overlaps; only the audit append is one at a time) until
// room is used or end passes; exhausted says no row is left to send (or the
// run stopped running).
func (s *BulkService) sendRoom(ctx context.Context, id uuid.UUID, room int, end time.Time) (exhausted bool, err error) {
	var (
		mu   sync.Mutex
		left = room
		errs []error
		wg   sync.WaitGroup
	)
	take := func() int {
		mu.Lock()
		defer mu.Unlock()
		if exhausted || len(errs) > 0 || left <= 0 || s.o.Now().After(end) {
			return 0
		}
		n := min(left, s.o.Batch)
		left -= n
		return n
	}
	for range min(s.o.Senders, (room+s.o.Batch-1)/s.o.Batch) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := take(); n > 0; n = take() {
				sent, err := s.sendNext(ctx, id, n)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				if sent < n && err == nil {
					exhausted = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return exhausted, errors.Join(errs...)
}

// sendNext turns up to n of the run's unsent rows into submitted drafts in
// one transaction and says how many it sent: 0 when the run is no longer
// running or no row is left.
func (s *BulkService) sendNext(ctx context.Context, id uuid.UUID, n int) (int, error) {
	sent := 0
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		sent = 0
		status, err := s.o.Store.LockBulkRunStatus(ctx, id)
		if err != nil || status != BulkRunning {
			return err
		}
		rows, err := s.o.Store.NextBulkRows(ctx, id, n)
		if err != nil {
			return err
		}
		for _, r := range rows {
			sent++
			draftID, err := s.o.Drafts.CreateSubmitted(ctx, r.Payload)
			var ae *apperr.Error
			if errors.As(err, &ae) && ae.Code == apperr.Invalid {
				// The rules changed since the dry run: the row is kept
				// back with the reasons, like an invalid row.
				errs := make([]apperr.FieldError, 0, len(ae.Fields))
				for _, fe := range ae.Fields {
					errs = append(errs, apperr.FieldError{Field: bulkColumnOf(fe.Field), Message: fe.Message})
				}
				if err := s.o.Store.MarkBulkRowInvalid(ctx, id, r.Row, errs); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("row %d: %w", r.Row, err)
			}
			if err := s.o.Store.MarkBulkRowSent(ctx, id, r.Row, draftID); err != nil {
				return err
			}
		}
		return nil
	})
	return sent, err
}

// FeedRound is Feed for the job queue.
func (s *BulkService) FeedRound(ctx context.Context, id uuid.UUID) (bool, time.Duration, error) {
	r, err := s.Feed(ctx, id)
	return r.Done, r.Again, err
}

func deref(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

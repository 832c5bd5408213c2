package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/jobs"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

// newChanges wires the service that pushes partner changes to Klarna: the
// changes in PostgreSQL, each applied by a River job, the account re-read
// by the directory once Klarna has applied one. Each area registers the
// Klarna calls of its resources on it.
func newChanges(db *postgres.DB, kl *klarna.Client, jc *jobs.Client, acc *access, dir *partner.Directory, log *slog.Logger, retryBase time.Duration) *partner.ChangeService {
	return partner.NewChangeService(partner.ChangeOptions{
		Store:     db.Changes(),
		Enqueuer:  jobs.NewEnqueuer(jc, postgres.PgxTx, 0),
		Klarna:    kl,
		Audit:     acc.record,
		RetryBase: retryBase,
		Applied: func(ctx context.Context, c partner.Change) {
			if err := dir.Sync(ctx, c.AccountID); err != nil {
				log.Warn("re-read the account after a change", "account", c.AccountID, "change", c.ID, "err", err)
			}
		},
	})
}

// lateChanger lets the job queue be built before the change service it
// runs; svc is set before the queue starts.
type lateChanger struct{ svc *partner.ChangeService }

func (l *lateChanger) Apply(ctx context.Context, id uuid.UUID) error { return l.svc.Apply(ctx, id) }

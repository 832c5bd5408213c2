package app

import (
	"context"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/jobs"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

// newOffboarding wires the guided offboarding: its runs in PostgreSQL, each
// carried by a River job, its steps done by the product service (through
// the change core), the credentials service and identity.
func newOffboarding(db *postgres.DB, jc *jobs.Client, acc *access, products *partner.ProductService) *partner.OffboardingService {
	return partner.NewOffboardingService(partner.OffboardingOptions{
		Store:    db.Offboardings(),
		Partners: db.Directory(),
		Enqueuer: jobs.NewEnqueuer(jc, postgres.PgxTx, 0),
		Products: products,
		Access:   acc.Identity,
		Audit:    acc.record,
	})
}

// lateOffboarder lets the job queue be built before the offboarding
// service it runs; svc is set before the queue starts.
type lateOffboarder struct{ svc *partner.OffboardingService }

func (l *lateOffboarder) Run(ctx context.Context, id uuid.UUID) error { return l.svc.Run(ctx, id) }

package app

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/jobs"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

// newDisputes wires the dispute mirror: webhooks re-read the dispute by a
// River job queued in the webhook's transaction, mutations are audited, and
// assignees are the users holding a role that grants dispute:respond.
func newDisputes(db *postgres.DB, k dispute.Fetcher, jc *jobs.Client, acc *access) *dispute.Service {
	svc := dispute.NewService(db.Disputes(), k)
	enq := jobs.NewEnqueuer(jc, postgres.PgxTx, 0)
	svc.OnWebhook(enq.EnqueueDisputeReread)
	svc.SetRecorder(acc.record)
	var roles []string
	for _, r := range acc.Authz.Roles() {
		if slices.Contains(r.Actions, "dispute:respond") {
			roles = append(roles, r.Name)
		}
	}
	svc.SetRespondRoles(roles)
	return svc
}

// lateDisputes lets the job kinds, registered before the service exists,
// reach it.
type lateDisputes struct{ svc *dispute.Service }

func (l *lateDisputes) Reread(ctx context.Context, id string) error { return l.svc.Reread(ctx, id) }
func (l *lateDisputes) Sync(ctx context.Context) (int, int, error)  { return l.svc.Sync(ctx) }

// newResponder wires the answers to disputes: drafts and files in
// PostgreSQL, each submitted answer sent by a River job queued in the
// transaction that records it.
func newResponder(db *postgres.DB, disputes *dispute.Service, k dispute.Answerer, jc *jobs.Client) *dispute.Responder {
	return dispute.NewResponder(disputes, db.DisputeResponses(), k, jobs.NewEnqueuer(jc, postgres.PgxTx, 0).EnqueueDisputeAction)
}

// lateResponder lets the action job, registered before the responder
// exists, reach it.
type lateResponder struct{ svc *dispute.Responder }

func (l *lateResponder) Apply(ctx context.Context, id uuid.UUID) error { return l.svc.Apply(ctx, id) }

package app

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/jobs"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/scope"
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

// readinessSources are where a partner's interoperability checklist reads
// what its Klarna tree does not hold.
func readinessSources(db *postgres.DB, acc *access, portal *partner.Portal) partner.ReadinessSources {
	return partner.ReadinessSources{
		PortalConfigured: func() bool { return portal.Ready() == nil },
		// The client identifiers as last read from Klarna (the mirror the
		// credentials tab and inventory keep); the tenant was checked by
		// the tree's read.
		ClientIdentifiers: func(ctx context.Context, tenantID uuid.UUID) ([]partner.ClientIdentifierInfo, error) {
			cs, _, err := db.Credentials().Credentials(ctx, scope.Tenants(tenantID), partner.CredentialFilter{TenantID: tenantID, Kind: partner.CredentialClientIdentifier}, "", 100)
			if err != nil {
				return nil, err
			}
			out := make([]partner.ClientIdentifierInfo, 0, len(cs))
			for _, c := range cs {
				out = append(out, partner.ClientIdentifierInfo{ID: c.CredentialID, Status: c.Status, Origins: c.Origins})
			}
			return out, nil
		},
		PortalUsers: func(ctx context.Context, tenantID uuid.UUID) (int, error) {
			n := 0
			for _, r := range acc.Authz.Roles() {
				if r.Scope != "partner" || !slices.Contains(r.Actions, "portal:open") {
					continue
				}
				c, err := db.Identity().CountEnabledWithRole(ctx, tenantID, r.Name)
				if err != nil {
					return 0, err
				}
				n += c
			}
			return n, nil
		},
	}
}

// lateChanger lets the job queue be built before the change service it
// runs; svc is set before the queue starts.
type lateChanger struct{ svc *partner.ChangeService }

func (l *lateChanger) Apply(ctx context.Context, id uuid.UUID) error { return l.svc.Apply(ctx, id) }

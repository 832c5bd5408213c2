package app

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/jobs"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/notify"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

// newOnboarding wires the onboarding service: drafts in PostgreSQL, the
// onboard call through the Klarna client as a River job, the new partner's
// tenant from the identity service and its account linked by the partner
// service.
func newOnboarding(cfg *config.Config, db *postgres.DB, kl *klarna.Client, jc *jobs.Client, acc *access, partners *partner.Service, announce notify.Announcer, retryBase time.Duration) *partner.OnboardingService {
	var k partner.OnboardingKlarna
	if kl != nil {
		k = kl
	}
	var salt []byte
	if cfg.KlarnaBankAccountSalt != "" {
		salt = []byte(cfg.KlarnaBankAccountSalt)
	}
	return partner.NewOnboardingService(partner.OnboardingOptions{
		Store:    db.Onboarding(),
		Klarna:   k,
		Enqueuer: jobs.NewEnqueuer(jc, postgres.PgxTx, 0),
		Tenants: func(ctx context.Context, slug, name string) (uuid.UUID, error) {
			t, err := acc.Identity.EnsurePartnerTenant(ctx, slug, name)
			return t.ID, err
		},
		Partners:    partners,
		Audit:       acc.record,
		Announce:    announce,
		Salt:        salt,
		MaxAttempts: cfg.OnboardingMaxAttempts,
		RetryBase:   retryBase,
	})
}

// lateOnboarder lets the job queue be built before the onboarding service
// it runs; svc is set before the queue starts.
type lateOnboarder struct{ svc *partner.OnboardingService }

func (l *lateOnboarder) Run(ctx context.Context, draftID uuid.UUID) error {
	return l.svc.Run(ctx, draftID)
}

// lateBulkFeeder lets the job queue be built before the bulk service it
// runs; svc is set before the queue starts.
type lateBulkFeeder struct{ svc *partner.BulkService }

func (l *lateBulkFeeder) FeedRound(ctx context.Context, runID uuid.UUID) (bool, time.Duration, error) {
	return l.svc.FeedRound(ctx, runID)
}

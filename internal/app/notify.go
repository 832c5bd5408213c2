package app

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/authz"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/notify"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

// newNotify is the notification service: SMTP when configured, the dev
// outbox under `partnerdesk dev`.
func newNotify(cfg *config.Config, db *postgres.DB, enq notify.Enqueuer, dev bool, audience notify.Audience) *notify.Service {
	o := notify.Options{Store: db.Notifications(), Audience: audience, Enqueuer: enq, DevOutbox: dev}
	if cfg.SMTPHost != "" {
		o.Sender = notify.SMTP{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, From: cfg.SMTPFrom}
	}
	return notify.New(o)
}

// rolesWith are the roles granting action in a partner tenant and in the
// acquirer tenant, from the policy: who hears of an event about it.
func rolesWith(e *authz.Enforcer) func(action string) (partner, acquirer []string) {
	return func(action string) (partner, acquirer []string) {
		for _, r := range e.Roles() {
			if !slices.Contains(r.Actions, action) {
				continue
			}
			if r.Scope == "partner" {
				partner = append(partner, r.Name)
			} else {
				acquirer = append(acquirer, r.Name)
			}
		}
		return partner, acquirer
	}
}

// disputeRoles are the partner roles that may respond to disputes (the
// handlers reminders go to) and the acquirer's support role(s) escalations
// go to, from the policy.
func disputeRoles(e *authz.Enforcer) (handlers, support []string) {
	handlers, _ = rolesWith(e)("dispute:respond")
	if e.RoleExists("acquirer-support") {
		support = []string{"acquirer-support"}
	}
	return handlers, support
}

// lateNotifier and lateReminder let the job queue be built before the
// services it runs.
type lateNotifier struct{ svc *notify.Service }

func (l *lateNotifier) SendMail(ctx context.Context, id uuid.UUID) error {
	return l.svc.SendMail(ctx, id)
}
func (l *lateNotifier) SendDigests(ctx context.Context) error { return l.svc.SendDigests(ctx) }

type lateReminder struct{ r *notify.Reminders }

func (l *lateReminder) Run(ctx context.Context) error { return l.r.Run(ctx) }

// devOnly is run under `partnerdesk dev` and nil elsewhere.
func devOnly(dev bool, run func(context.Context) error) func(context.Context) error {
	if !dev {
		return nil
	}
	return run
}

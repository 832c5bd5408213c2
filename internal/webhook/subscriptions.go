package webhook

import (
	"context"
	"fmt"
	"slices"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// EventVersion is the schema version Partner Desk subscribes with
// (README §7.1: dispute and account events are v1).
const EventVersion = "v1"

func (s *Service) needKlarna() error {
	if s.o.Klarna == nil {
		return apperr.E(apperr.Unavailable, "Klarna is not configured (PARTNERDESK_KLARNA_API_KEY).")
	}
	if s.o.Box == nil {
		return apperr.E(apperr.Unavailable, "PARTNERDESK_ENCRYPTION_KEY is not set, so signing keys cannot be stored.")
	}
	return nil
}

// newKey creates a signing key at Klarna and stores its secret encrypted.
// Klarna shows the secret only in this answer, so it is stored before
// anything else can fail.
func (s *Service) newKey(ctx context.Context) (string, error) {
	k, err := s.o.Klarna.CreateSigningKey(ctx)
	if err != nil {
		return "", fmt.Errorf("create signing key: %w", err)
	}
	if k.SigningKeyID == "" || k.SigningKey == "" {
		return "", apperr.E(apperr.Unavailable, "Klarna's answer to creating a signing key lacked the key.")
	}
	if err := s.o.Store.SaveKey(context.WithoutCancel(ctx), k.SigningKeyID, s.o.Box.Seal([]byte(k.SigningKey), k.SigningKeyID)); err != nil {
		return "", err
	}
	return k.SigningKeyID, nil
}

// EnsureSubscription makes sure Klarna delivers the consumed event types to
// url: it creates a signing key and a subscription when there is none for
// url, and returns the subscription.
func (s *Service) EnsureSubscription(ctx context.Context, url string) (Subscription, error) {
	if err := s.needKlarna(); err != nil {
		return Subscription{}, err
	}
	subs, err := s.o.Store.Subscriptions(ctx)
	if err != nil {
		return Subscription{}, err
	}
	for _, sub := range subs {
		if sub.URL == url && sub.Status != "DISABLED" {
			if _, ok := s.key(ctx, sub.SigningKeyID); ok {
				return s.followEventTypes(ctx, sub)
			}
		}
	}
	keyID, err := s.newKey(ctx)
	if err != nil {
		return Subscription{}, err
	}
	w, err := s.o.Klarna.CreateWebhook(ctx, klarna.Webhook{URL: url, EventTypes: s.o.EventTypes, EventVersion: EventVersion, SigningKeyID: keyID})
	if err != nil {
		return Subscription{}, fmt.Errorf("create webhook: %w", err)
	}
	sub := fromKlarna(*w)
	err = s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.o.Store.SaveSubscription(ctx, sub); err != nil {
			return err
		}
		return s.o.Audit(ctx, actor.Change{Action: "webhook:subscribe", TargetType: "webhook_subscription", TargetID: sub.ID,
			After: map[string]any{"url": sub.URL, "event_types": sub.EventTypes, "signing_key_id": keyID}})
	})
	if err != nil {
		return Subscription{}, err
	}
	return sub, s.reloadKeys(ctx)
}

// followEventTypes updates an existing subscription to the configured
// event types, so an upgrade that handles more events (payment.request.*)
// receives them without a new subscription.
func (s *Service) followEventTypes(ctx context.Context, sub Subscription) (Subscription, error) {
	want := slices.Clone(s.o.EventTypes)
	have := slices.Clone(sub.EventTypes)
	slices.Sort(want)
	slices.Sort(have)
	if len(want) == 0 || slices.Equal(want, have) {
		return sub, nil
	}
	w, err := s.o.Klarna.UpdateWebhook(ctx, sub.ID, klarna.Webhook{EventTypes: s.o.EventTypes})
	if err != nil {
		return Subscription{}, fmt.Errorf("update webhook %s to the event types %v: %w", sub.ID, s.o.EventTypes, err)
	}
	updated := fromKlarna(*w)
	updated.CreatedAt, updated.UpdatedAt = sub.CreatedAt, s.o.Now()
	err = s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.o.Store.SaveSubscription(ctx, updated); err != nil {
			return err
		}
		return s.o.Audit(ctx, actor.Change{Action: "webhook:update_event_types", TargetType: "webhook_subscription", TargetID: sub.ID,
			Before: map[string]any{"event_types": sub.EventTypes}, After: map[string]any{"event_types": updated.EventTypes}})
	})
	if err != nil {
		return Subscription{}, err
	}
	return updated, nil
}

func fromKlarna(w klarna.Webhook) Subscription {
	st := w.Status
	if st == "" {
		st = "ENABLED"
	}
	return Subscription{ID: w.WebhookID, URL: w.URL, EventTypes: w.EventTypes, EventVersion: w.EventVersion, SigningKeyID: w.SigningKeyID, Status: st, CreatedAt: w.CreatedAt.Time, UpdatedAt: w.CreatedAt.Time}
}

// RotateKey creates a new signing key, switches every subscription to it,
// and keeps the previous keys accepted for the grace period, so deliveries
// signed before the switch still verify.
func (s *Service) RotateKey(ctx context.Context) (string, error) {
	if err := s.needKlarna(); err != nil {
		return "", err
	}
	subs, err := s.o.Store.Subscriptions(ctx)
	if err != nil {
		return "", err
	}
	if len(subs) == 0 {
		return "", apperr.E(apperr.Conflict, "There is no subscription whose key could be rotated; create one first.")
	}
	keyID, err := s.newKey(ctx)
	if err != nil {
		return "", err
	}
	if err := s.reloadKeys(ctx); err != nil { // accept the new key before Klarna signs with it
		return "", err
	}
	until := s.o.Now().Add(s.o.KeyGrace)
	err = s.o.Store.InTx(ctx, func(ctx context.Context) error {
		for _, sub := range subs {
			w, err := s.o.Klarna.UpdateWebhook(ctx, sub.ID, klarna.Webhook{SigningKeyID: keyID})
			if err != nil {
				return fmt.Errorf("switch webhook %s to the new key: %w", sub.ID, err)
			}
			updated := fromKlarna(*w)
			updated.CreatedAt = sub.CreatedAt
			updated.UpdatedAt = s.o.Now()
			if err := s.o.Store.SaveSubscription(ctx, updated); err != nil {
				return err
			}
		}
		if err := s.o.Store.SetAcceptUntil(ctx, keyID, until); err != nil {
			return err
		}
		return s.o.Audit(ctx, actor.Change{Action: "webhook:rotate_key", TargetType: "webhook_signing_key", TargetID: keyID,
			After: map[string]any{"previous_keys_accepted_until": until}})
	})
	if err != nil {
		return "", err
	}
	return keyID, s.reloadKeys(ctx)
}

// Subscriptions lists the subscriptions, refreshed from Klarna when it
// answers. They are the acquirer's configuration, of no partner: only
// scope.All sees them.
func (s *Service) Subscriptions(ctx context.Context, sc scope.Scope) ([]Subscription, []SigningKey, error) {
	if !sc.IsAll() {
		return []Subscription{}, []SigningKey{}, nil
	}
	subs, err := s.o.Store.Subscriptions(ctx)
	if err != nil {
		return nil, nil, err
	}
	if s.o.Klarna != nil && len(subs) > 0 {
		if remote, err := s.o.Klarna.ListWebhooks(ctx); err == nil {
			for i, sub := range subs {
				idx := slices.IndexFunc(remote, func(w klarna.Webhook) bool { return w.WebhookID == sub.ID })
				if idx < 0 {
					subs[i].Status = "MISSING_AT_KLARNA"
				} else if remote[idx].Status != "" {
					subs[i].Status = remote[idx].Status
				}
			}
		}
	}
	s.keysMu.RLock()
	keys := make([]SigningKey, 0, len(s.keys))
	for _, k := range s.keys {
		keys = append(keys, SigningKey{ID: k.ID, CreatedAt: k.CreatedAt, AcceptUntil: k.AcceptUntil, FromConfig: k.FromConfig}) // no secrets
	}
	s.keysMu.RUnlock()
	slices.SortFunc(keys, func(a, b SigningKey) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return subs, keys, nil
}

// Simulate asks Klarna to send a sample event to a subscription (audited).
func (s *Service) Simulate(ctx context.Context, subscriptionID, eventType string) error {
	if err := s.needKlarna(); err != nil {
		return err
	}
	if eventType == "" {
		return apperr.Validation("Choose an event type.", apperr.FieldError{Field: "event_type", Message: "is required"})
	}
	subs, err := s.o.Store.Subscriptions(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(subs, func(x Subscription) bool { return x.ID == subscriptionID }) {
		return apperr.E(apperr.NotFound, "No such subscription.")
	}
	if err := s.o.Klarna.SimulateWebhook(ctx, subscriptionID, eventType, EventVersion); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	return s.o.Store.InTx(ctx, func(ctx context.Context) error {
		return s.o.Audit(ctx, actor.Change{Action: "webhook:simulate", TargetType: "webhook_subscription", TargetID: subscriptionID, After: map[string]string{"event_type": eventType}})
	})
}

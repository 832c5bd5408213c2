package klarnasim

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Webhook behaviour (README §7).
const (
	maxSigningKeys = 50
	maxEventLog    = 500
	maxDeliveryLog = 1000
)

// retrySchedule is the delay after each failed attempt (README §7.2).
var retrySchedule = []time.Duration{10 * time.Second, 2 * time.Minute, 15 * time.Minute, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour}

// Delivery is one webhook delivery attempt as shown by GET /_sim/webhooks/deliveries.
type Delivery struct {
	DeliveryID string    `json:"delivery_id"`
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	WebhookID  string    `json:"webhook_id"`
	URL        string    `json:"url"`
	Attempt    int       `json:"attempt"`
	Status     int       `json:"status"`
	Outcome    string    `json:"outcome"` // delivered, failed, dropped, gave_up
	At         time.Time `json:"at"`
	Error      string    `json:"error,omitempty"`
}

type pendingDelivery struct {
	id        string
	webhookID string
	url       string
	keyID     string
	secret    string
	eventID   string
	eventType string
	body      []byte
	attempt   int
	dropped   bool
}

type deliveryLog struct {
	mu      sync.Mutex
	pending map[string]*pendingDelivery
	log     []Delivery
}

func (l *deliveryLog) record(d Delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = append(l.log, d)
	if len(l.log) > maxDeliveryLog {
		l.log = l.log[len(l.log)-maxDeliveryLog:]
	}
}

func (s *Sim) notificationHandlers() map[klarna.Operation]handler {
	return map[klarna.Operation]handler{
		klarna.OpListSigningKeys:  s.hListSigningKeys,
		klarna.OpCreateSigningKey: s.hCreateSigningKey,
		klarna.OpGetSigningKey:    s.hGetSigningKey,
		klarna.OpDeleteSigningKey: s.hDeleteSigningKey,
		klarna.OpListWebhooks:     s.hListWebhooks,
		klarna.OpCreateWebhook:    s.hCreateWebhook,
		klarna.OpGetWebhook:       s.hGetWebhook,
		klarna.OpUpdateWebhook:    s.hUpdateWebhook,
		klarna.OpDeleteWebhook:    s.hDeleteWebhook,
		klarna.OpSimulateWebhook:  s.hSimulateWebhook,
	}
}

func publicKey(k *klarna.SigningKey) klarna.SigningKey {
	cp := *k
	cp.SigningKey = ""
	return cp
}

func (s *Sim) hListSigningKeys(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := klarna.SigningKeyList{Items: []klarna.SigningKey{}}
	for _, id := range sortedKeys(s.st.SigningKeys) {
		out.Items = append(out.Items, publicKey(s.st.SigningKeys[id]))
	}
	return jsonReply(200, out)
}

// hCreateSigningKey returns the secret exactly once; at most 50 keys (§7.1).
func (s *Sim) hCreateSigningKey(c *rctx) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.st.SigningKeys) >= maxSigningKeys {
		return conflict("An account can have at most 50 signing keys; delete one first")
	}
	k := &klarna.SigningKey{
		SigningKeyID: "krn:partner:global:notification:signing-key:" + uuidv4(),
		SigningKey:   "sk_" + randHex(32),
		CreatedAt:    klarna.At(s.clock.Now()),
	}
	s.st.SigningKeys[k.SigningKeyID] = k
	return jsonReply(201, k)
}

func (s *Sim) hGetSigningKey(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id := c.r.PathValue("signing_key_id")
	k := s.st.SigningKeys[id]
	if k == nil {
		return notFound("Signing key " + id)
	}
	return jsonReply(200, publicKey(k))
}

func (s *Sim) hDeleteSigningKey(c *rctx) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.r.PathValue("signing_key_id")
	if s.st.SigningKeys[id] == nil {
		return notFound("Signing key " + id)
	}
	for _, w := range s.st.Webhooks {
		if w.SigningKeyID == id {
			return conflict("Signing key is used by webhook " + w.WebhookID)
		}
	}
	delete(s.st.SigningKeys, id)
	return &reply{status: 204}
}

func (s *Sim) validateWebhook(w *klarna.Webhook, create bool) []klarna.ValidationError {
	var ve []klarna.ValidationError
	if create || w.URL != "" {
		u, err := url.Parse(w.URL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			ve = append(ve, vErr("url", "must be an absolute URL"))
		case s.opts.StrictWebhookURLs && (u.Scheme != "https" || (u.Port() != "" && u.Port() != "443" && u.Port() != "8443")):
			ve = append(ve, vErr("url", "must be HTTPS on port 443 or 8443"))
		}
	}
	if create && len(w.EventTypes) == 0 {
		ve = append(ve, vErr("event_types", "is required"))
	}
	seen := map[string]bool{}
	for _, e := range w.EventTypes {
		if seen[e] {
			ve = append(ve, vErr("event_types", "must be unique"))
		}
		seen[e] = true
	}
	if create && w.EventVersion == "" {
		ve = append(ve, vErr("event_version", "is required"))
	}
	if create && w.SigningKeyID == "" {
		ve = append(ve, vErr("signing_key_id", "is required"))
	}
	if w.Status != "" && w.Status != "ENABLED" && w.Status != "DISABLED" {
		ve = append(ve, vErr("status", "must be ENABLED or DISABLED"))
	}
	return ve
}

func (s *Sim) hListWebhooks(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := klarna.WebhookList{Items: []klarna.Webhook{}}
	for _, id := range sortedKeys(s.st.Webhooks) {
		out.Items = append(out.Items, *s.st.Webhooks[id])
	}
	return jsonReply(200, out)
}

func (s *Sim) hCreateWebhook(c *rctx) *reply {
	var in klarna.Webhook
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if ve := s.validateWebhook(&in, true); len(ve) > 0 {
		return invalid(ve...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.SigningKeys[in.SigningKeyID] == nil {
		return invalid(vErr("signing_key_id", "does not exist"))
	}
	for _, w := range s.st.Webhooks {
		if w.URL == in.URL && canon(w.EventTypes) == canon(in.EventTypes) && w.EventVersion == in.EventVersion {
			return conflict("The webhook configuration already exists")
		}
	}
	if in.Status == "" {
		in.Status = "ENABLED"
	}
	in.WebhookID = "krn:partner:global:notification:webhook:" + uuidv4()
	in.CreatedAt = klarna.At(s.clock.Now())
	s.st.Webhooks[in.WebhookID] = &in
	return jsonReply(201, in)
}

func (s *Sim) hGetWebhook(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id := c.r.PathValue("webhook_id")
	w := s.st.Webhooks[id]
	if w == nil {
		return notFound("Webhook " + id)
	}
	return jsonReply(200, w)
}

func (s *Sim) hUpdateWebhook(c *rctx) *reply {
	var in klarna.Webhook
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if ve := s.validateWebhook(&in, false); len(ve) > 0 {
		return invalid(ve...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.r.PathValue("webhook_id")
	w := s.st.Webhooks[id]
	if w == nil {
		return notFound("Webhook " + id)
	}
	if in.SigningKeyID != "" {
		if s.st.SigningKeys[in.SigningKeyID] == nil {
			return invalid(vErr("signing_key_id", "does not exist"))
		}
		w.SigningKeyID = in.SigningKeyID
	}
	if in.URL != "" {
		w.URL = in.URL
	}
	if in.EventTypes != nil {
		w.EventTypes = in.EventTypes
	}
	if in.EventVersion != "" {
		w.EventVersion = in.EventVersion
	}
	if in.Status != "" {
		w.Status = in.Status
	}
	return jsonReply(200, w)
}

func (s *Sim) hDeleteWebhook(c *rctx) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.r.PathValue("webhook_id")
	if s.st.Webhooks[id] == nil {
		return notFound("Webhook " + id)
	}
	delete(s.st.Webhooks, id)
	return &reply{status: 204}
}

// hSimulateWebhook delivers a sample event of the requested type to one webhook.
func (s *Sim) hSimulateWebhook(c *rctx) *reply {
	var in klarna.SimulateWebhookRequest
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if in.EventType == "" {
		return invalid(vErr("event_type", "is required"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.r.PathValue("webhook_id")
	w := s.st.Webhooks[id]
	if w == nil {
		return notFound("Webhook " + id)
	}
	payload := samplePayload(in.EventType)
	s.emitToLocked(in.EventType, s.opts.AcquirerAccountID, "", "", payload, []*klarna.Webhook{w}, true, time.Time{})
	return &reply{status: 204}
}

func samplePayload(eventType string) any {
	switch {
	case strings.HasPrefix(eventType, "payment.dispute."):
		return klarna.DisputeEventPayload{PaymentDisputeID: "krn:network:eu1:test:payment:dispute:1", OrderID: uuidv4(), PaymentTransactionID: "krn:payment:eu1:transaction:" + uuidv4(), State: klarna.DisputeInitiated, UpdatedAt: klarna.At(time.Now())}
	case strings.HasPrefix(eventType, klarna.EventPaymentRequestPrefix):
		order := uuidv4()
		now := time.Now().UTC().Truncate(time.Second)
		p := klarna.PaymentRequestEventPayload{PaymentRequestID: "krn:payment:eu1:request:" + uuidv4(), PaymentRequestReference: "pr-sample",
			State:     strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(eventType, klarna.EventPaymentRequestPrefix), "-", "_")),
			CreatedAt: klarna.At(now.Add(-2 * time.Minute)), UpdatedAt: klarna.At(now), Amount: i64(49900), Currency: "EUR", PurchaseReference: "ORD-SAMPLE",
			RequestContext: &klarna.PaymentRequestContext{IntegrationPath: klarna.IntegrationHosted, PaymentType: klarna.PaymentOneTime}}
		if p.State == klarna.PaymentAuthorized || p.State == klarna.PaymentCompleted {
			p.StateContext = &klarna.PaymentRequestStateContext{PaymentTransactionID: "krn:payment:eu1:authorization:" + order, OrderID: order}
		}
		return p
	case strings.HasPrefix(eventType, "settlement."):
		return klarna.SettlementEventPayload{SettlementID: "krn:partner:global:settlement:test:" + uuidv4(), Currency: "EUR"}
	default:
		return klarna.AccountEventPayload{PartnerAccountID: "krn:partner:global:account:test:SAMPLE01", State: string(klarna.AccountOperational)}
	}
}

// emitLocked records an event and queues a signed delivery to every enabled
// webhook whose event types match. Caller holds s.mu.
func (s *Sim) emitLocked(eventType, subject, productInstance, merchantID string, payload any) {
	s.emitToLocked(eventType, subject, productInstance, merchantID, payload, s.targetsLocked(eventType), false, time.Time{})
}

// targetsLocked are the enabled webhooks whose event types match.
func (s *Sim) targetsLocked(eventType string) []*klarna.Webhook {
	var targets []*klarna.Webhook
	for _, id := range sortedKeys(s.st.Webhooks) {
		w := s.st.Webhooks[id]
		if w.Status != "ENABLED" {
			continue
		}
		for _, p := range w.EventTypes {
			if klarna.MatchEventType(p, eventType) {
				targets = append(targets, w)
				break
			}
		}
	}
	return targets
}

// emitToLocked records an event and queues its deliveries now; occurred
// (zero: now) is the event's occurred_at, earlier for an event sent late.
func (s *Sim) emitToLocked(eventType, subject, productInstance, merchantID string, payload any, targets []*klarna.Webhook, force bool, occurred time.Time) {
	now := s.clock.Now()
	if occurred.IsZero() {
		occurred = now
	}
	eventID := uuidv4()
	rawPayload, _ := json.Marshal(payload)
	s.st.Events = append(s.st.Events, eventRec{EventID: eventID, EventType: eventType, Subject: subject, At: occurred})
	if len(s.st.Events) > maxEventLog {
		s.st.Events = s.st.Events[len(s.st.Events)-maxEventLog:]
	}
	f := s.faults.snapshot()
	for _, w := range targets {
		key := s.st.SigningKeys[w.SigningKeyID]
		if key == nil {
			continue
		}
		env := klarna.WebhookEnvelope{
			Metadata: klarna.WebhookMetadata{
				EventID: eventID, EventType: eventType, EventVersion: w.EventVersion, OccurredAt: klarna.At(occurred),
				CorrelationID: uuidv4(), SubjectAccountID: subject, RecipientAccountID: s.opts.AcquirerAccountID,
				ProductInstanceID: productInstance, WebhookID: w.WebhookID, Live: false, MerchantID: merchantID,
			},
			Payload: rawPayload,
		}
		body, _ := json.Marshal(env)
		d := &pendingDelivery{id: uuidv4(), webhookID: w.WebhookID, url: w.URL, keyID: key.SigningKeyID, secret: key.SigningKey,
			eventID: eventID, eventType: eventType, body: body}
		at := now
		if !force && f.WebhookDropRate > 0 && rand.Float64() < f.WebhookDropRate {
			d.dropped = true
		}
		if !force && f.WebhookReorderRate > 0 && rand.Float64() < f.WebhookReorderRate {
			at = at.Add(time.Duration(rand.Int64N(int64(5 * time.Second))))
		}
		s.hooks.mu.Lock()
		if s.hooks.pending == nil {
			s.hooks.pending = map[string]*pendingDelivery{}
		}
		s.hooks.pending[d.id] = d
		if !force && f.WebhookDuplicateRate > 0 && rand.Float64() < f.WebhookDuplicateRate {
			dup := *d
			dup.id = uuidv4()
			s.hooks.pending[dup.id] = &dup
			s.sched.add(at, "delivery", dup.id)
		}
		s.hooks.mu.Unlock()
		s.sched.add(at, "delivery", d.id)
	}
}

// fireDelivery makes one attempt in the background and schedules the next
// per the retry schedule on failure.
func (s *Sim) fireDelivery(id string) {
	s.hooks.mu.Lock()
	d := s.hooks.pending[id]
	s.hooks.mu.Unlock()
	if d == nil {
		return
	}
	if d.dropped {
		s.hooks.mu.Lock()
		delete(s.hooks.pending, id)
		s.hooks.mu.Unlock()
		s.hooks.record(Delivery{DeliveryID: d.id, EventID: d.eventID, EventType: d.eventType, WebhookID: d.webhookID, URL: d.url, Attempt: d.attempt + 1, Outcome: "dropped", At: s.clock.Now()})
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.sem <- struct{}{}
		defer func() { <-s.sem }()
		d.attempt++
		status, err := s.post(d)
		rec := Delivery{DeliveryID: d.id, EventID: d.eventID, EventType: d.eventType, WebhookID: d.webhookID, URL: d.url, Attempt: d.attempt, Status: status, At: s.clock.Now()}
		if err != nil {
			rec.Error = err.Error()
		}
		ok := err == nil && (status == 200 || status == 201 || status == 202 || status == 204)
		switch {
		case ok:
			rec.Outcome = "delivered"
		case d.attempt > len(retrySchedule):
			rec.Outcome = "gave_up"
		default:
			rec.Outcome = "failed"
		}
		s.hooks.record(rec)
		if ok || d.attempt > len(retrySchedule) {
			s.hooks.mu.Lock()
			delete(s.hooks.pending, d.id)
			s.hooks.mu.Unlock()
			return
		}
		s.sched.add(s.clock.Now().Add(retrySchedule[d.attempt-1]), "delivery", d.id)
	}()
}

func (s *Sim) post(d *pendingDelivery) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), webhookAttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(klarna.HeaderSignature, klarna.Sign([]byte(d.secret), d.body))
	req.Header.Set(klarna.HeaderSigningKeyID, d.keyID)
	req.Header.Set("User-Agent", "klarna-simulator-webhooks/1")
	resp, err := s.opts.WebhookClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// Deliveries returns the recent delivery attempts, oldest first.
func (s *Sim) Deliveries() []Delivery {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return append([]Delivery(nil), s.hooks.log...)
}

// ---- brand logo check (README §5.2: brand.data-incomplete) ----

// A logo URL "resolves" without the internet by this rule (override with
// Options.LogoResolver):
//   - a loopback host (localhost, 127.0.0.0/8, ::1) is fetched for real and
//     resolves when it answers 2xx within 2 s;
//   - a host under the reserved TLD ".invalid" never resolves, nor does a
//     path containing "/404" (so demos can trigger the event);
//   - any other well-formed http(s) URL resolves.
func defaultLogoResolver(ctx context.Context, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := u.Hostname()
	if strings.HasSuffix(host, ".invalid") || host == "invalid" || strings.Contains(u.Path, "/404") {
		return false
	}
	ip := net.ParseIP(host)
	if host == "localhost" || (ip != nil && ip.IsLoopback()) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
		if err != nil {
			return false
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode >= 200 && resp.StatusCode < 300
	}
	return true
}

func (s *Sim) scheduleBrandCheck(a *account, b *klarna.Brand) {
	if b.Element == nil || b.Element.LogoURL == "" {
		return
	}
	s.sched.add(s.clock.Now(), "brandcheck", a.A.PartnerAccountID+"|"+b.BrandID)
}

func (s *Sim) fireBrandCheck(id string) {
	accountID, brandID, _ := strings.Cut(id, "|")
	s.mu.RLock()
	a := s.st.Accounts[accountID]
	var logo, ref string
	if a != nil {
		if b := findBrand(a.Brands, brandID, ""); b != nil && b.Element != nil {
			logo, ref = b.Element.LogoURL, b.BrandReference
		}
	}
	s.mu.RUnlock()
	if logo == "" {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		resolve := s.opts.LogoResolver
		if resolve == nil {
			resolve = defaultLogoResolver
		}
		if resolve(context.Background(), logo) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.emitLocked(klarna.EventBrandDataIncomplete, accountID, "", "", klarna.AccountEventPayload{
			PartnerAccountID: accountID, BrandID: brandID, BrandReference: ref, Reason: "logo_url could not be retrieved: " + logo,
		})
	}()
}

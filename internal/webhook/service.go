package webhook

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/safetext"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/secretbox"
)

// Options configure the service.
type Options struct {
	Store       Store
	Enqueuer    Enqueuer
	Registry    *Registry
	Box         *secretbox.Box    // nil: no stored keys (only configured ones)
	ConfigKeys  map[string]string // signing_key_id → secret, from configuration
	Klarna      *klarna.Client    // nil: subscriptions cannot be managed
	Audit       actor.Recorder
	Logger      *slog.Logger
	Registerer  prometheus.Registerer
	MaxAttempts int
	KeyGrace    time.Duration
	Quarantine  int // rows kept
	// QuarantinePerMinute is how many rejected deliveries are kept per
	// source address and minute; <= 0: no limit.
	QuarantinePerMinute int
	EventTypes          []string
	Now                 func() time.Time
	// Batching group-commits received events when Store and Enqueuer
	// implement BatchStore and BatchEnqueuer.
	Batching Batching
}

// Service is the webhook pipeline.
type Service struct {
	o        Options
	m        *metrics
	host     string
	qlimit   *quarantineLimiter
	qdropped prometheus.Counter

	keysMu      sync.RWMutex
	keys        map[string]SigningKey
	keysLoaded  time.Time
	refreshLock sync.Mutex

	batch *batcher // nil: one transaction per event
}

// New builds the service and loads the signing keys.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	host, _ := os.Hostname()
	s := &Service{o: o, host: fmt.Sprintf("%s/%d", host, os.Getpid()), qlimit: &quarantineLimiter{limit: o.QuarantinePerMinute},
		qdropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "partnerdesk_webhooks_quarantine_dropped_total",
			Help: "Rejected deliveries not stored because their source address passed its quarantine limit."})}
	if o.Registerer != nil {
		m, err := newMetrics(o.Registerer, o.Store)
		if err != nil {
			return nil, err
		}
		if err := o.Registerer.Register(s.qdropped); err != nil {
			return nil, err
		}
		s.m = m
	} else {
		s.m = newMetricsUnregistered()
	}
	if err := s.reloadKeys(ctx); err != nil {
		return nil, err
	}
	bs, okS := o.Store.(BatchStore)
	be, okE := o.Enqueuer.(BatchEnqueuer)
	if o.Batching.MaxSize > 1 && okS && okE {
		s.batch = newBatcher(o.Batching, func(ctx context.Context, ps []pending) { s.flush(ctx, bs, be, ps) })
	}
	return s, nil
}

// Close stops the group commit; events not yet in a transaction are
// answered with an error (their senders retry).
func (s *Service) Close() {
	if s.batch != nil {
		s.batch.close()
	}
}

// flush stores a batch and its processing jobs in one transaction and
// answers every sender. When the batch fails as a whole, each event is
// retried alone so that one event cannot fail the others.
func (s *Service) flush(ctx context.Context, bs BatchStore, be BatchEnqueuer, ps []pending) {
	evs := make([]Event, len(ps))
	envs := make([][]byte, len(ps))
	for i, p := range ps {
		evs[i], envs[i] = p.ev, p.ev.Raw
	}
	var rs []Receipt
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if rs, err = bs.IngestBatch(ctx, evs, envs); err != nil {
			return err
		}
		pks := make([]int64, 0, len(rs))
		for _, r := range rs {
			if !r.Duplicate {
				pks = append(pks, r.EventPK)
			}
		}
		if len(pks) == 0 {
			return nil
		}
		return be.EnqueueProcessMany(ctx, pks)
	})
	s.m.batches.Observe(float64(len(ps)))
	if err == nil {
		for i, p := range ps {
			p.result <- batchResult{r: rs[i]}
		}
		return
	}
	if len(ps) > 1 {
		s.o.Logger.Warn("a webhook batch failed; storing its events one by one", "events", len(ps), "error", err)
		for _, p := range ps {
			r, err := s.storeOne(ctx, p.ev)
			p.result <- batchResult{r: r, err: err}
		}
		return
	}
	ps[0].result <- batchResult{err: err}
}

// storeOne stores one event with its processing job in its own transaction.
func (s *Service) storeOne(ctx context.Context, ev Event) (Receipt, error) {
	var r Receipt
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		pk, dup, err := s.o.Store.Ingest(ctx, ev, ev.Raw)
		if err != nil {
			return err
		}
		r = Receipt{EventPK: pk, Duplicate: dup}
		if dup {
			return nil
		}
		return s.o.Enqueuer.EnqueueProcess(ctx, pk)
	})
	return r, err
}

// Registry returns the handler registry.
func (s *Service) Registry() *Registry { return s.o.Registry }

func (s *Service) reloadKeys(ctx context.Context) error {
	keys := map[string]SigningKey{}
	for id, secret := range s.o.ConfigKeys {
		keys[id] = SigningKey{ID: id, Secret: []byte(secret), FromConfig: true}
	}
	sealed, err := s.o.Store.SealedKeys(ctx)
	if err != nil {
		return fmt.Errorf("webhook: load signing keys: %w", err)
	}
	for _, k := range sealed {
		if s.o.Box == nil {
			s.o.Logger.Warn("a stored signing key cannot be opened: PARTNERDESK_ENCRYPTION_KEY is not set", "signing_key_id", k.ID)
			continue
		}
		secret, err := s.o.Box.Open(k.Sealed, k.ID)
		if err != nil {
			s.o.Logger.Error("a stored signing key cannot be opened (was PARTNERDESK_ENCRYPTION_KEY changed?)", "signing_key_id", k.ID)
			continue
		}
		keys[k.ID] = SigningKey{ID: k.ID, Secret: secret, CreatedAt: k.CreatedAt, AcceptUntil: k.AcceptUntil}
	}
	s.keysMu.Lock()
	s.keys, s.keysLoaded = keys, s.o.Now()
	s.keysMu.Unlock()
	return nil
}

// key finds a signing key. An unknown id reloads the keys from the database
// (another instance may have created it), at most once a second.
func (s *Service) key(ctx context.Context, id string) (SigningKey, bool) {
	s.keysMu.RLock()
	k, ok := s.keys[id]
	loaded := s.keysLoaded
	s.keysMu.RUnlock()
	if ok || s.o.Now().Sub(loaded) < time.Second {
		return k, ok
	}
	s.refreshLock.Lock()
	defer s.refreshLock.Unlock()
	s.keysMu.RLock()
	fresh := s.o.Now().Sub(s.keysLoaded) < time.Second
	s.keysMu.RUnlock()
	if !fresh {
		if err := s.reloadKeys(ctx); err != nil {
			s.o.Logger.Error("reloading signing keys", "error", err)
		}
	}
	s.keysMu.RLock()
	defer s.keysMu.RUnlock()
	k, ok = s.keys[id]
	return k, ok
}

// Receipt is the outcome of an accepted delivery.
type Receipt struct {
	EventPK   int64
	Duplicate bool
}

// Reasons a delivery is rejected.
const (
	RejectUnknownKey   = "unknown_signing_key"
	RejectRetiredKey   = "retired_signing_key"
	RejectBadSignature = "bad_signature"
	RejectMalformed    = "malformed_body"
)

// Receive verifies and stores one delivery. A delivery that fails
// verification is quarantined and answered with an Invalid error; nothing of
// it is trusted. A valid event is stored with its processing job in one
// transaction; a repeated event id is counted and acknowledged, nothing more.
func (s *Service) Receive(ctx context.Context, keyID, signature string, raw []byte, remoteIP string) (Receipt, error) {
	reject := func(reason, msg string) (Receipt, error) {
		s.m.rejected.WithLabelValues(reason).Inc()
		if !s.qlimit.allow(s.o.Now(), remoteIP) {
			s.qdropped.Inc()
			return Receipt{}, apperr.E(apperr.Invalid, "%s", msg)
		}
		sum := sha256.Sum256(raw)
		q := Quarantined{ReceivedAt: s.o.Now(), Reason: reason, SigningKeyID: safetext.Clean(keyID, 300), Signature: safetext.Clean(signature, 200), RemoteIP: safetext.Clean(remoteIP, 64),
			BodySize: len(raw), Body: raw[:min(len(raw), QuarantineBodyBytes)], BodySHA256: sum[:]}
		if err := s.o.Store.Quarantine(context.WithoutCancel(ctx), q, s.o.Quarantine); err != nil {
			s.o.Logger.Error("quarantining a rejected webhook", "error", err)
		}
		return Receipt{}, apperr.E(apperr.Invalid, "%s", msg)
	}
	if keyID == "" {
		return reject(RejectUnknownKey, "The Klarna-Signing-Key-Id header is missing.")
	}
	k, ok := s.key(ctx, keyID)
	if !ok {
		return reject(RejectUnknownKey, "Unknown signing key.")
	}
	if k.AcceptUntil != nil && s.o.Now().After(*k.AcceptUntil) {
		return reject(RejectRetiredKey, "This signing key was rotated out.")
	}
	if !klarna.VerifySignature(k.Secret, raw, signature) {
		return reject(RejectBadSignature, "The signature does not match the body.")
	}
	env, err := klarna.ParseWebhook(raw)
	if err != nil {
		return reject(RejectMalformed, "The body is not a Klarna webhook envelope.")
	}
	s.m.verified.WithLabelValues(metricType(env.Metadata.EventType)).Inc()
	// The envelope's fields become text columns: a NUL (from \u0000) or a
	// cut in the middle of a character would make the row unstorable and
	// lose a verified event, so they are made storable. Raw keeps the bytes.
	ev := Event{
		EventID: safetext.Clean(env.Metadata.EventID, 200), EventType: safetext.Clean(env.Metadata.EventType, 200), EventVersion: safetext.Clean(env.Metadata.EventVersion, 20),
		ReceivedAt: s.o.Now(), SubjectAccountID: safetext.Clean(env.Metadata.SubjectAccountID, 300), SigningKeyID: keyID, Raw: raw, Status: StatusReceived,
	}
	if t := env.Metadata.OccurredAt.Time; !t.IsZero() {
		ev.OccurredAt = &t
	}
	var r Receipt
	if s.batch != nil {
		r, err = s.batch.submit(ctx, ev)
	} else {
		// Not cancelled with the request: a sender hanging up mid-commit
		// must not turn a committed event into a 500.
		r, err = s.storeOne(context.WithoutCancel(ctx), ev)
	}
	if err != nil {
		return Receipt{}, fmt.Errorf("webhook: store event: %w", err)
	}
	if r.Duplicate {
		s.m.duplicates.WithLabelValues(metricType(ev.EventType)).Inc()
	} else {
		s.m.received.WithLabelValues(metricType(ev.EventType)).Inc()
	}
	return r, nil
}

// Process runs the handler of one stored event. It is the River worker's
// body: attempt counts from 1; the last attempt dead-letters on failure.
// Processing and the handler's writes commit together, so a crash mid-way
// leaves the event to be processed again and never half-applied.
func (s *Service) Process(ctx context.Context, pk int64, attempt, maxAttempts int) error {
	started := s.o.Now()
	var ev Event
	var finished time.Time
	outcome, procErr := "", error(nil)
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		ev, err = s.o.Store.Lock(ctx, scope.All(), pk) // the pipeline works for every tenant
		if err != nil {
			return err
		}
		if ev.Status == StatusProcessed || ev.Status == StatusDeadLettered || ev.Status == StatusParked {
			outcome = "skipped" // a job left over from before a replay or a rescue after commit
			return nil
		}
		ev.Attempts++
		outcome, procErr = s.run(ctx, &ev)
		if procErr != nil {
			return procErr // roll the handler's writes back; the failure is recorded below
		}
		if err := s.o.Store.SetOutcome(ctx, ev); err != nil {
			return err
		}
		// The attempt commits with the outcome: a process dying after the
		// commit cannot leave a processed event without its attempt.
		finished = s.o.Now()
		return s.o.Store.AddAttempt(ctx, Attempt{EventPK: pk, Attempt: ev.Attempts, StartedAt: started, FinishedAt: finished, Outcome: outcome, Worker: s.host})
	})
	if outcome == "skipped" && err == nil {
		return nil
	}
	if err != nil {
		finished = s.o.Now()
		if procErr == nil {
			procErr = err
		}
		outcome = StatusFailed
		if attempt >= maxAttempts {
			outcome = StatusDeadLettered
		}
		// Record the failure in its own transaction: the handler's writes
		// are gone, the attempt and its error stay visible.
		recErr := s.o.Store.InTx(ctx, func(ctx context.Context) error {
			cur, err := s.o.Store.Lock(ctx, scope.All(), pk)
			if err != nil {
				return err
			}
			cur.Attempts++
			cur.Status, cur.LastError = outcome, safetext.Clean(procErr.Error(), 2000)
			if err := s.o.Store.SetOutcome(ctx, cur); err != nil {
				return err
			}
			return s.o.Store.AddAttempt(ctx, Attempt{EventPK: pk, Attempt: cur.Attempts, StartedAt: started, FinishedAt: finished, Outcome: outcome, Error: cur.LastError, Worker: s.host})
		})
		if recErr != nil {
			s.o.Logger.Error("recording a failed webhook attempt", "event_pk", pk, "error", recErr)
		}
		s.m.processed.WithLabelValues(metricType(ev.EventType), outcome).Inc()
		if outcome == StatusDeadLettered {
			s.m.deadLettered.WithLabelValues(metricType(ev.EventType)).Inc()
			s.o.Logger.Error("webhook event dead-lettered", "event_pk", pk, "event_type", ev.EventType, "attempts", attempt, "error", procErr)
			return nil // nothing more to retry: the event waits for a replay
		}
		return fmt.Errorf("webhook event %d: %w", pk, procErr)
	}
	s.m.processed.WithLabelValues(metricType(ev.EventType), outcome).Inc()
	if outcome == StatusProcessed {
		s.m.lag.Observe(finished.Sub(ev.ReceivedAt).Seconds())
	}
	return nil
}

// NoteNoHandler is the note of an event whose type has no handler: it is
// marked processed (nothing to retry) but nothing was done with it. The UI
// matches this exact text to show "no handler" instead of "processed", so
// change both together.
const NoteNoHandler = "no handler for this event type; stored for reference"

// run resolves the event's tenant and calls its handler, setting the
// event's new status. It returns the outcome, or an error to retry.
func (s *Service) run(ctx context.Context, ev *Event) (string, error) {
	env, err := klarna.ParseWebhook(ev.Raw)
	if err != nil { // verified and parsed at receipt; cannot happen unless the row was edited
		return "", fmt.Errorf("parse stored event: %w", err)
	}
	now := s.o.Now()
	rt, ok := s.o.Registry.lookup(ev.EventType)
	if !ok {
		ev.Status, ev.Note, ev.ProcessedAt, ev.LastError = StatusProcessed, NoteNoHandler, &now, ""
		return StatusProcessed, nil
	}
	if ev.SubjectAccountID != "" {
		if err := s.o.Store.HoldAccount(ctx, ev.SubjectAccountID); err != nil {
			return "", err
		}
	}
	d := Delivery{Event: *ev, Envelope: env}
	if rt.account {
		tid, known, err := s.o.Store.TenantOfAccount(ctx, ev.SubjectAccountID)
		if err != nil {
			return "", err
		}
		if !known {
			ev.Status, ev.Note, ev.LastError = StatusParked, "waiting for account "+ev.SubjectAccountID+" to be linked to a partner", ""
			return StatusParked, nil
		}
		d.TenantID, ev.TenantID = tid, &tid
	}
	if err := rt.handler(ctx, d); err != nil {
		if errors.Is(err, ErrUnknownAccount) {
			ev.Status, ev.Note, ev.LastError = StatusParked, err.Error(), ""
			return StatusParked, nil
		}
		return "", err
	}
	ev.Status, ev.Note, ev.ProcessedAt, ev.LastError = StatusProcessed, "", &now, ""
	return StatusProcessed, nil
}

// Unpark queues the parked events of an account for processing; the partner
// package calls it, in its transaction, when it links the account.
func (s *Service) Unpark(ctx context.Context, accountID string) (int, error) {
	pks, err := s.o.Store.ParkedFor(ctx, accountID)
	if err != nil || len(pks) == 0 {
		return 0, err
	}
	return s.requeue(ctx, pks)
}

func (s *Service) requeue(ctx context.Context, pks []int64) (int, error) {
	opened, err := s.o.Store.Reopen(ctx, pks)
	if err != nil {
		return 0, err
	}
	for _, pk := range opened {
		if err := s.o.Enqueuer.EnqueueProcess(ctx, pk); err != nil {
			return 0, err
		}
	}
	return len(opened), nil
}

// Replay processes one stored event of sc again (audited); an event outside
// sc is NotFound.
func (s *Service) Replay(ctx context.Context, sc scope.Scope, pk int64) error {
	return s.o.Store.InTx(ctx, func(ctx context.Context) error {
		ev, err := s.o.Store.Lock(ctx, sc, pk)
		if err != nil {
			return err
		}
		if _, err := s.requeue(ctx, []int64{pk}); err != nil {
			return err
		}
		return s.o.Audit(ctx, actor.Change{Action: "webhook:replay", TenantID: ev.TenantID, TargetType: "webhook_event", TargetID: ev.EventID,
			Before: map[string]string{"status": ev.Status}, After: map[string]string{"status": StatusReceived}})
	})
}

// MaxBulkReplay bounds one replay-by-filter.
const MaxBulkReplay = 10000

// ReplayMatching replays every event of sc matching f (at most
// MaxBulkReplay), as one audited action.
func (s *Service) ReplayMatching(ctx context.Context, sc scope.Scope, f Filter) (int, error) {
	var n int
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		pks, err := s.o.Store.Matching(ctx, sc, f, MaxBulkReplay)
		if err != nil {
			return err
		}
		if n, err = s.requeue(ctx, pks); err != nil {
			return err
		}
		var tenants any = "all"
		if !sc.IsAll() {
			tenants = sc.IDs()
		}
		return s.o.Audit(ctx, actor.Change{Action: "webhook:replay", TargetType: "webhook_events", TargetID: "filter",
			After: map[string]any{"type": f.Type, "status": f.Status, "tenants": tenants, "from": f.From, "to": f.To, "replayed": n}})
	})
	return n, err
}

// Count is the number of events of sc matching f.
func (s *Service) Count(ctx context.Context, sc scope.Scope, f Filter) (int64, error) {
	return s.o.Store.CountEvents(ctx, sc, f)
}

// List returns one page of the events of sc matching f, newest first.
func (s *Service) List(ctx context.Context, sc scope.Scope, f Filter, p Page) ([]Event, string, error) {
	if p.Limit <= 0 || p.Limit > 200 {
		p.Limit = 50
	}
	evs, next, err := s.o.Store.List(ctx, sc, f, p)
	if err != nil {
		return nil, "", fmt.Errorf("list webhook events: %w", err)
	}
	return evs, next, nil
}

// Get returns one event of sc and its attempts.
func (s *Service) Get(ctx context.Context, sc scope.Scope, pk int64) (Event, []Attempt, error) {
	return s.o.Store.Get(ctx, sc, pk)
}

// Detail returns one event of sc with its attempts and what its envelope
// says it concerns (correlation id, dispute).
func (s *Service) Detail(ctx context.Context, sc scope.Scope, pk int64) (EventDetail, error) {
	ev, attempts, err := s.o.Store.Get(ctx, sc, pk)
	if err != nil {
		return EventDetail{}, err
	}
	d := EventDetail{Event: ev, Attempts: attempts}
	if env, err := klarna.ParseWebhook(ev.Raw); err == nil {
		d.CorrelationID = env.Metadata.CorrelationID
		var dp klarna.DisputeEventPayload
		if strings.HasPrefix(ev.EventType, "payment.dispute.") && env.DecodePayload(&dp) == nil {
			d.DisputeID = dp.PaymentDisputeID
		}
	}
	return d, nil
}

// ListQuarantine returns rejected deliveries, newest first; they belong to
// no tenant, so only scope.All sees any.
func (s *Service) ListQuarantine(ctx context.Context, sc scope.Scope, p Page) ([]Quarantined, string, error) {
	if p.Limit <= 0 || p.Limit > 200 {
		p.Limit = 50
	}
	return s.o.Store.ListQuarantine(ctx, sc, p)
}

// Counts summarises the inbox as sc sees it.
func (s *Service) Counts(ctx context.Context, sc scope.Scope) (Counts, error) {
	return s.o.Store.Counts(ctx, sc)
}

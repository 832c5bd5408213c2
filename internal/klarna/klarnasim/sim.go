// Package klarnasim is a faithful in-memory stand-in for Klarna's test
// environment: the Management, Credentials, Notifications, Payment Dispute,
// Settlements v1 and Portal deep-link APIs on the same paths as the client's
// path table, with Klarna's auth, errors, idempotency, rate limits,
// asynchronous state machines, signed webhooks, fault injection and a
// control API under /_sim/ (see control.go).
package klarnasim

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Options configures a Sim. Durations are simulated time unless noted.
type Options struct {
	// APIKey is the initial acquirer API key; generated (klarna_test_api_…) when empty.
	APIKey string
	Logger *slog.Logger
	// SnapshotFile, when set, is loaded by New and written by Close and
	// periodically by Start, so restarts keep the state.
	SnapshotFile string
	// ClockSpeed: simulated seconds per real second (default 1).
	ClockSpeed float64
	// Start sets the initial simulated time (default: now).
	Start time.Time
	// RealNow is the real-time source (tests); default time.Now.
	RealNow func() time.Time
	// OperationalDelay: PARTIALLY_OPERATIONAL → OPERATIONAL (default 5 s).
	OperationalDelay time.Duration
	// DisputeReviewDelay: REPRESENTMENT → decision (default 48 h).
	DisputeReviewDelay time.Duration
	// ArbitrationDelay: ARBITRATION → CLOSED (default 5 days).
	ArbitrationDelay time.Duration
	// RateLimits per category (klarna.Category*); nil → DefaultRateLimits.
	RateLimits map[string]RateLimit
	// DisableRateLimits turns the limiter off (load tests).
	DisableRateLimits bool
	// StrictWebhookURLs enforces Klarna's HTTPS on port 443/8443 rule; off by
	// default so local receivers (http://127.0.0.1:port) work.
	StrictWebhookURLs bool
	// LogoResolver decides whether a brand logo URL "resolves" (see logo.go);
	// nil uses the default offline rule.
	LogoResolver func(ctx context.Context, rawURL string) bool
	// Traffic enables the demo traffic generator; TrafficInterval is real time
	// between ticks (default 2 s).
	Traffic         bool
	TrafficInterval time.Duration
	// AcquirerAccountID is the acquirer's own account (webhook recipient, JWT iss).
	AcquirerAccountID string
	// PublicURL prefixes links inside webhook payloads (e.g. http://127.0.0.1:8090); "" gives relative links.
	PublicURL string
	// WebhookClient delivers webhooks (default: 10 s timeout client).
	WebhookClient *http.Client
}

// RateLimit is a token bucket: PerSecond refill and Burst capacity.
type RateLimit struct {
	PerSecond float64 `json:"per_second"`
	Burst     int     `json:"burst"`
}

// DefaultRateLimits per category. Klarna's KN numbers are UNCONFIRMED
// (README §3.6); the legacy playground/dispute numbers inspire these.
func DefaultRateLimits() map[string]RateLimit {
	return map[string]RateLimit{
		klarna.CategoryOnboarding:        {PerSecond: 5, Burst: 20},
		klarna.CategoryPartnerManagement: {PerSecond: 50, Burst: 100},
		klarna.CategoryDispute:           {PerSecond: 200, Burst: 400},
		klarna.CategorySettlement:        {PerSecond: 50, Burst: 100},
	}
}

// Sim is a running simulator.
type Sim struct {
	opts  Options
	log   *slog.Logger
	clock *Clock
	sched scheduler
	mux   *http.ServeMux

	mu sync.RWMutex
	st *state

	idem    idemStore
	limiter limiter
	faults  faultState

	ca        *x509.Certificate
	caKey     *ecdsa.PrivateKey
	hooks     deliveryLog
	wg        sync.WaitGroup
	sem       chan struct{}
	cancel    context.CancelFunc
	closed    bool
	trafficOn bool
}

// New builds a simulator, loading the snapshot when configured.
func New(opts Options) (*Sim, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.OperationalDelay <= 0 {
		opts.OperationalDelay = 5 * time.Second
	}
	if opts.DisputeReviewDelay <= 0 {
		opts.DisputeReviewDelay = 48 * time.Hour
	}
	if opts.ArbitrationDelay <= 0 {
		opts.ArbitrationDelay = 5 * 24 * time.Hour
	}
	if opts.TrafficInterval <= 0 {
		opts.TrafficInterval = 2 * time.Second
	}
	if opts.AcquirerAccountID == "" {
		opts.AcquirerAccountID = "krn:partner:global:account:test:SIMACQ01"
	}
	if opts.RateLimits == nil {
		opts.RateLimits = DefaultRateLimits()
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{Timeout: webhookAttemptTimeout}
	}
	s := &Sim{
		opts:      opts,
		log:       opts.Logger,
		clock:     NewClock(opts.RealNow, opts.Start, opts.ClockSpeed),
		st:        newState(),
		sem:       make(chan struct{}, 8),
		trafficOn: opts.Traffic,
	}
	s.limiter.init(opts.RateLimits, !opts.DisableRateLimits)
	s.idem.m = map[string]*idemRecord{}
	if opts.SnapshotFile != "" {
		if err := s.loadSnapshot(opts.SnapshotFile); err != nil {
			return nil, fmt.Errorf("klarnasim: load snapshot: %w", err)
		}
	}
	if s.caKey == nil {
		if err := s.newCA(); err != nil {
			return nil, fmt.Errorf("klarnasim: %w", err)
		}
	}
	if len(s.st.Catalogue.Profiles) == 0 {
		s.seedCatalogue()
	}
	if opts.APIKey != "" {
		s.addAPIKey(opts.APIKey, "initial key", "", time.Time{})
	} else if len(s.st.APIKeys) == 0 {
		s.issueAPIKey("initial key")
	}
	s.rebuildTimers()
	s.routes()
	return s, nil
}

// Clock exposes the simulated clock (tests advance it).
func (s *Sim) Clock() *Clock { return s.clock }

// Handler serves the Klarna APIs and the /_sim/ control API.
func (s *Sim) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(klarna.HeaderSimulator, "1") // lets production clients refuse the simulator
		s.mux.ServeHTTP(w, r)
	})
}

// InitialAPIKey returns the acquirer's first active API key (to print at start).
func (s *Sim) InitialAPIKey() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var first *apiKeyRec
	for _, k := range s.st.APIKeys {
		if k.Status == "ENABLED" && s.st.Owners[k.ID] == "" && (first == nil || k.Created.Before(first.Created)) {
			first = k
		}
	}
	if first == nil {
		return ""
	}
	return first.Secret
}

// Start runs the background loops (timers, webhook delivery, traffic,
// snapshots) until ctx ends or Close is called.
func (s *Sim) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		lastSnap := time.Now()
		lastTraffic := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			s.RunDue()
			if s.opts.SnapshotFile != "" && time.Since(lastSnap) > 30*time.Second {
				lastSnap = time.Now()
				if err := s.SaveSnapshot(); err != nil {
					s.log.Warn("klarnasim snapshot", "err", err)
				}
			}
			s.mu.RLock()
			on := s.trafficOn
			s.mu.RUnlock()
			if on && time.Since(lastTraffic) >= s.opts.TrafficInterval {
				lastTraffic = time.Now()
				s.trafficTick()
			}
		}
	}()
}

// Close stops the loops, waits for in-flight deliveries and writes the snapshot.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
	if s.opts.SnapshotFile != "" {
		return s.SaveSnapshot()
	}
	return nil
}

// RunDue fires every timer due at the current simulated time. Start calls it
// continuously; tests call it after Clock().Advance.
func (s *Sim) RunDue() {
	for _, t := range s.sched.due(s.clock.Now()) {
		s.fire(t)
	}
}

// Advance moves simulated time forward and fires what became due.
func (s *Sim) Advance(d time.Duration) {
	s.clock.Advance(d)
	s.RunDue()
}

func (s *Sim) fire(t timer) {
	switch t.kind {
	case "account":
		s.fireAccount(t.id)
	case "dispute":
		s.fireDispute(t.id)
	case "delivery":
		s.fireDelivery(t.id)
	case "brandcheck":
		s.fireBrandCheck(t.id)
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randAlnum(n int) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func uuidv4() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

var errNotFound = errors.New("not found")

func hasPrefixFold(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }

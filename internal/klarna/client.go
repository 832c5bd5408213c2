// Package klarna is Partner Desk's typed client for the Klarna APIs an
// acquiring partner's dashboard uses: the Klarna Network Management API,
// credentials, notifications, the Payment Dispute API, Settlements v1 and the
// Partner Portal deep link. Paths live in one table (paths.go); facts and
// their confidence come from the shared Klarna reference README.
package klarna

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/partnerdesk/partnerdesk/internal/metrics"
)

// Config configures a Client. GatewayURL, DisputesURL and SettlementsURL are
// base URLs without a trailing path (for settlements the "/settlements/v1"
// prefix is part of the path table and is trimmed from the URL if present).
type Config struct {
	GatewayURL     string
	DisputesURL    string
	SettlementsURL string
	APIKey         string
	ClientCertFile string // optional mTLS certificate (PEM)
	ClientKeyFile  string // optional mTLS private key (PEM)
	// Timeout bounds one attempt (default 60 s, README §3.7). MaxRetryTime
	// bounds a logical call including retries and back-off (default 2 min).
	Timeout      time.Duration
	MaxRetryTime time.Duration
	Logger       *slog.Logger
	Registerer   prometheus.Registerer
	HTTPClient   *http.Client // optional; its Transport is used as is
	// RetryBaseDelay and RetryMaxDelay shape the full-jitter back-off
	// (defaults 250 ms and 10 s).
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// DeepLinkSigner signs Portal deep links; when nil, the mTLS certificate
	// and key are used if they hold a P-256 key.
	DeepLinkSigner *DeepLinkSigner
	// AllowSimulator accepts answers from Partner Desk's Klarna simulator
	// (they carry HeaderSimulator). Only dev and demos set it, so a
	// production instance can never run against the simulator by mistake.
	AllowSimulator bool
	// RateLimits paces the calls of each rate-limit category (key:
	// Category*) on our side, so Klarna's quota is used without 429s. Every
	// category, configured or not, pauses all its callers when Klarna
	// answers 429 or says the quota is used up (README §3.6).
	RateLimits map[string]RateLimit
	// Recorder, when set, receives a record of every call for the call
	// log (record.go). It must not block.
	Recorder Recorder
}

// HeaderSimulator marks every answer of the Klarna simulator.
const HeaderSimulator = "Partnerdesk-Klarna-Simulator"

// ErrSimulator refuses the simulator outside dev and demos.
var ErrSimulator = errors.New("the Klarna base URL points at the Partner Desk simulator; set PARTNERDESK_DEMO=true for a demo, or configure Klarna's real base URLs")

// Client calls Klarna. It is safe for concurrent use.
type Client struct {
	bases   [3]string
	apiKey  string
	hc      *http.Client
	timeout time.Duration
	maxTime time.Duration
	base    time.Duration
	cap     time.Duration
	log     *slog.Logger
	m       *callMetrics
	signer  *DeepLinkSigner
	sim     bool
	limits  *limiters
	rec     Recorder
}

type callMetrics struct {
	calls    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	retries  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *callMetrics {
	m := &callMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partnerdesk_klarna_calls_total",
			Help: "Klarna API calls by operation and outcome.",
		}, []string{"operation", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "partnerdesk_klarna_call_duration_seconds",
			Help:    "Duration of Klarna API calls including retries.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"operation", "outcome"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partnerdesk_klarna_retries_total",
			Help: "Klarna API call attempts that were retried, by operation.",
		}, []string{"operation"}),
	}
	if reg != nil {
		m.calls = metrics.Register(reg, m.calls)
		m.duration = metrics.Register(reg, m.duration)
		m.retries = metrics.Register(reg, m.retries)
	}
	return m
}

// New validates cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	if cfg.GatewayURL == "" {
		return nil, errors.New("klarna: config: GatewayURL is required")
	}
	if cfg.DisputesURL == "" {
		cfg.DisputesURL = cfg.GatewayURL
	}
	if cfg.SettlementsURL == "" {
		cfg.SettlementsURL = cfg.GatewayURL
	}
	if cfg.APIKey == "" {
		return nil, errors.New("klarna: config: APIKey is required")
	}
	c := &Client{
		apiKey:  cfg.APIKey,
		timeout: cfg.Timeout,
		maxTime: cfg.MaxRetryTime,
		base:    cfg.RetryBaseDelay,
		cap:     cfg.RetryMaxDelay,
		log:     cfg.Logger,
		m:       newMetrics(cfg.Registerer),
		signer:  cfg.DeepLinkSigner,
		sim:     cfg.AllowSimulator,
		limits:  newLimiters(cfg.RateLimits, cfg.Registerer),
		rec:     cfg.Recorder,
	}
	for i, raw := range []string{cfg.GatewayURL, cfg.DisputesURL, cfg.SettlementsURL} {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("klarna: config: invalid base URL %q", raw)
		}
		s := strings.TrimRight(raw, "/")
		if Host(i) == HostSettlements {
			s = strings.TrimSuffix(s, "/settlements/v1")
		}
		c.bases[i] = s
	}
	if c.timeout <= 0 {
		c.timeout = 60 * time.Second
	}
	if c.maxTime <= 0 {
		c.maxTime = 2 * time.Minute
	}
	if c.base <= 0 {
		c.base = 250 * time.Millisecond
	}
	if c.cap <= 0 {
		c.cap = 10 * time.Second
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.hc = cfg.HTTPClient
	if cfg.ClientCertFile != "" || cfg.ClientKeyFile != "" {
		if cfg.ClientCertFile == "" || cfg.ClientKeyFile == "" {
			return nil, errors.New("klarna: config: ClientCertFile and ClientKeyFile must be set together")
		}
		cert, err := tls.LoadX509KeyPair(cfg.ClientCertFile, cfg.ClientKeyFile)
		if err != nil {
			return nil, fmt.Errorf("klarna: config: load client certificate: %w", err)
		}
		base, _ := http.DefaultTransport.(*http.Transport)
		tr := base.Clone()
		if c.hc != nil {
			if t, ok := c.hc.Transport.(*http.Transport); ok {
				tr = t.Clone()
			}
		}
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
		hc := &http.Client{Transport: tr}
		if c.hc != nil {
			hc.Jar = c.hc.Jar
		}
		c.hc = hc
		if c.signer == nil {
			if s, err := signerFromTLS(cert); err == nil {
				c.signer = s
			}
		}
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	return c, nil
}

// CallOption adjusts one call.
type CallOption func(*callOptions)

type callOptions struct {
	idempotencyKey string
	partnerAccount string
	correlationID  string
	timeout        time.Duration
	objectKind     string
	objectID       string
	logPartner     string
}

// WithIdempotencyKey sets the Klarna-Idempotency-Key of a POST/PATCH. Without
// it the client generates one per logical call and reuses it across retries.
func WithIdempotencyKey(key string) CallOption {
	return func(o *callOptions) { o.idempotencyKey = key }
}

// OnBehalfOf sends Klarna-Partner-Account (README §2.1) to act for a partner.
func OnBehalfOf(partnerAccountID string) CallOption {
	return func(o *callOptions) { o.partnerAccount = partnerAccountID }
}

// WithCorrelationID sets Partner-Correlation-Id (alphanumeric, ≤255).
func WithCorrelationID(id string) CallOption {
	return func(o *callOptions) { o.correlationID = id }
}

// WithTimeout overrides the per-attempt timeout of this call.
func WithTimeout(d time.Duration) CallOption {
	return func(o *callOptions) { o.timeout = d }
}

var idempotencyNamespace = uuid.MustParse("5b0c3f0e-6a55-4c1b-9a57-9b6c1f3b2e10")

// DeriveIdempotencyKey turns our own idempotency inputs (for example the
// Idempotency-Key a user sent plus the operation) into a stable UUIDv5, the
// format Klarna asks for (README §3.4).
func DeriveIdempotencyKey(parts ...string) string {
	return uuid.NewSHA1(idempotencyNamespace, []byte(strings.Join(parts, "\x1f"))).String()
}

// call describes one logical request.
type call struct {
	op          Operation
	params      []string
	query       url.Values
	body        []byte
	contentType string
	in          any // JSON body, encoded once
	out         any // JSON target, or *File for raw downloads
}

func (c *Client) do(ctx context.Context, cl call, opts []CallOption) error {
	route, ok := Routes[cl.op]
	if !ok {
		return fmt.Errorf("klarna: unknown operation %q", cl.op)
	}
	var o callOptions
	for _, fn := range opts {
		fn(&o)
	}
	if cl.in != nil {
		b, err := json.Marshal(cl.in)
		if err != nil {
			return fmt.Errorf("klarna %s: encode request: %w", cl.op, err)
		}
		cl.body, cl.contentType = b, "application/json"
	}
	mutation := route.Method == http.MethodPost || route.Method == http.MethodPatch
	if mutation && o.idempotencyKey == "" {
		o.idempotencyKey = uuid.NewString()
	}
	if o.correlationID == "" {
		var b [16]byte
		_, _ = crand.Read(b[:])
		o.correlationID = hex.EncodeToString(b[:])
	}
	timeout := c.timeout
	if o.timeout > 0 {
		timeout = o.timeout
	}
	target := c.bases[route.Host] + route.Expand(cl.params...)
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}

	start := time.Now()
	var (
		lastErr    *Error
		status     int
		corr       = o.correlationID
		klarnaCorr string
		retries    int
	)
	defer func() {
		outcome := outcomeOf(status, lastErr)
		d := time.Since(start)
		if c.rec != nil {
			c.record(route, cl, &o, start, d, status, outcome, retries, klarnaCorr, lastErr)
		}
		c.m.calls.WithLabelValues(string(cl.op), outcome).Inc()
		c.m.duration.WithLabelValues(string(cl.op), outcome).Observe(d.Seconds())
		level := slog.LevelInfo
		if lastErr != nil {
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{
			slog.String("operation", string(cl.op)),
			slog.Int("status", status),
			slog.String("outcome", outcome),
			slog.Duration("duration", d),
			slog.Int("retries", retries),
			slog.String("correlation_id", corr),
		}
		if lastErr != nil && lastErr.ErrorCode != "" {
			attrs = append(attrs, slog.String("error_code", lastErr.ErrorCode), slog.String("error_id", lastErr.ErrorID))
		}
		c.log.LogAttrs(ctx, level, "klarna call", attrs...)
	}()

	lim := c.limits.of(route.Category)
	for attempt := 0; ; attempt++ {
		retries = attempt
		waited, werr := lim.wait(ctx)
		c.limits.waited.WithLabelValues(route.Category).Add(waited.Seconds())
		lim.recent.add(time.Now(), 0, waited)
		if werr != nil {
			status = 0
			lastErr = &Error{Operation: cl.op, Err: fmt.Errorf("%w (waiting for the %s rate limit)", werr, route.Category), CorrelationID: corr, Retries: attempt}
			return lastErr
		}
		resp, err := c.attempt(ctx, route, target, cl, &o, timeout)
		var wait time.Duration
		if err != nil {
			status = 0
			lastErr = &Error{Operation: cl.op, Err: err, CorrelationID: corr, Retries: attempt}
			if ctx.Err() != nil {
				lastErr.Err = fmt.Errorf("%w (%v)", ctx.Err(), err)
				return lastErr
			}
		} else {
			status = resp.status
			if resp.header.Get(HeaderSimulator) != "" && !c.sim {
				lastErr = &Error{Operation: cl.op, Err: ErrSimulator, CorrelationID: corr}
				return lastErr
			}
			if rc := resp.header.Get(HeaderCorrelationID); rc != "" {
				corr, klarnaCorr = rc, rc
			}
			// Klarna's word on the quota holds every caller of the
			// category, this one's retry included.
			paused := lim.observe(status, resp.header, c.expBackoff(attempt))
			if status == http.StatusTooManyRequests {
				c.limits.limited.WithLabelValues(route.Category).Inc()
				lim.recent.add(time.Now(), 1, 0)
			}
			if status >= 200 && status < 300 {
				lastErr = nil
				return c.decode(cl, resp)
			}
			var body ErrorBody
			_ = json.Unmarshal(resp.body, &body)
			lastErr = newErrorFromBody(cl.op, status, body)
			if klarnaCorr == "" && body.CorrelationID != "" {
				klarnaCorr = body.CorrelationID
			}
			if lastErr.CorrelationID == "" {
				lastErr.CorrelationID = corr
			}
			lastErr.Retries = attempt
			if !retryable(status) {
				return lastErr
			}
			if status == http.StatusTooManyRequests {
				// The limiter's pause is the back-off: the callers
				// resume one by one at the paced rate, not in a storm.
				if time.Since(start)+paused > c.maxTime {
					return lastErr
				}
				c.m.retries.WithLabelValues(string(cl.op)).Inc()
				continue
			}
			wait = retryAfter(resp.header, time.Now())
			lastErr.RetryAfter = wait
		}
		if jitter := c.backoff(attempt); jitter > wait {
			wait = jitter
		}
		if time.Since(start)+wait > c.maxTime {
			return lastErr
		}
		c.m.retries.WithLabelValues(string(cl.op)).Inc()
		c.log.LogAttrs(ctx, slog.LevelDebug, "klarna retry",
			slog.String("operation", string(cl.op)), slog.Int("status", status),
			slog.Int("attempt", attempt+1), slog.Duration("wait", wait), slog.String("correlation_id", corr))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			lastErr.Err = ctx.Err()
			return lastErr
		case <-t.C:
		}
	}
}

// record hands the call's record to the Recorder.
func (c *Client) record(route Route, cl call, o *callOptions, start time.Time, d time.Duration, status int, outcome string, retries int, klarnaCorr string, lastErr *Error) {
	rec := CallRecord{
		At: start, Operation: cl.op, Method: route.Method, Path: route.Path, Host: route.Host.String(),
		PartnerAccount: cleanField(o.partnerAccount), ObjectKind: cleanField(o.objectKind), ObjectID: cleanField(o.objectID),
		Status: status, Outcome: outcome, Duration: d, Attempts: retries + 1,
		IdempotencyKey: cleanField(o.idempotencyKey), CorrelationID: o.correlationID, KlarnaCorrelationID: cleanField(klarnaCorr),
	}
	if rec.PartnerAccount == "" {
		rec.PartnerAccount = o.logPartner
	}
	recordDefaults(route, cl.params, &rec)
	if lastErr == nil {
		answerIDs(cl.out, &rec)
	}
	rec.PartnerAccount, rec.ObjectID = cleanField(rec.PartnerAccount), cleanField(rec.ObjectID)
	errorFields(lastErr, &rec)
	c.rec.RecordCall(rec)
}

type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// maxResponse bounds a response body (reports and attachments included).
const maxResponse = 64 << 20

func (c *Client) attempt(ctx context.Context, route Route, target string, cl call, o *callOptions, timeout time.Duration) (*rawResponse, error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(actx, route.Method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Basic "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "partnerdesk-klarna/1")
	req.Header.Set(HeaderPartnerCorrelationID, o.correlationID)
	if cl.contentType != "" {
		req.Header.Set("Content-Type", cl.contentType)
	}
	if o.idempotencyKey != "" {
		req.Header.Set(HeaderIdempotencyKey, o.idempotencyKey)
	}
	if o.partnerAccount != "" {
		req.Header.Set(HeaderPartnerAccount, o.partnerAccount)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	return &rawResponse{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func (c *Client) decode(cl call, resp *rawResponse) error {
	switch out := cl.out.(type) {
	case nil:
		return nil
	case *File:
		out.ContentType = resp.header.Get("Content-Type")
		out.Filename = filenameFrom(resp.header.Get("Content-Disposition"))
		out.Data = resp.body
		return nil
	default:
		if len(bytes.TrimSpace(resp.body)) == 0 {
			return nil
		}
		if err := json.Unmarshal(resp.body, out); err != nil {
			return &Error{Operation: cl.op, HTTPStatus: resp.status, Err: fmt.Errorf("decode response: %w", err)}
		}
		return nil
	}
}

func filenameFrom(cd string) string {
	for _, part := range strings.Split(cd, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(k, "filename") {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// retryable: 5xx (including TECHNICAL_ERROR/TIMEOUT, README §3.7) and 429.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || (status >= 500 && status != http.StatusNotImplemented)
}

// backoff is full-jitter exponential: uniform in [0, min(cap, base·2^n)].
func (c *Client) backoff(attempt int) time.Duration {
	return time.Duration(rand.Int64N(int64(c.expBackoff(attempt)) + 1))
}

// expBackoff is the deterministic exponential delay min(cap, base·2^n), the
// pause after a 429 that says nothing of when to come back.
func (c *Client) expBackoff(attempt int) time.Duration {
	d := c.base << min(attempt, 20)
	if d <= 0 || d > c.cap {
		d = c.cap
	}
	return d
}

// retryAfter reads Retry-After (seconds or HTTP date) and, failing that,
// X-Ratelimit-Reset (seconds to the window reset, README §3.6) when the
// remaining quota is zero.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	if rem := strings.TrimSpace(h.Get("X-Ratelimit-Remaining")); rem == "0" {
		if s, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-Ratelimit-Reset")), 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second))
		}
	}
	return 0
}

func outcomeOf(status int, err *Error) string {
	switch {
	case err == nil:
		return "ok"
	case status == 0:
		if errors.Is(err.Err, context.Canceled) || errors.Is(err.Err, context.DeadlineExceeded) {
			return "canceled"
		}
		return "network_error"
	case status == http.StatusTooManyRequests:
		return "rate_limited"
	case status >= 500:
		return "server_error"
	default:
		return "client_error"
	}
}

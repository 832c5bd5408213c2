package klarnasim

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Limits (README §3.3–3.5).
const (
	maxJSONBody     = 1 << 20 // 1 MB → 413
	maxUploadBody   = 8 << 20 // multipart envelope around a ≤7 MB file
	maxHeaderBytes  = 6 << 10 // one header name+value
	maxHeadersTotal = 20 << 10
	idempotencyTTL  = 24 * time.Hour
)

// rctx is one API request as a handler sees it.
type rctx struct {
	r       *http.Request
	body    []byte
	key     *apiKeyRec
	partner string // Klarna-Partner-Account, "" when acting as the acquirer
	op      klarna.Operation
	legacy  bool // Settlements v1 error shape
	base    string
}

// reply is a handler's answer; the wrapper writes it (and stores it for
// idempotent replay).
type reply struct {
	status int
	ctype  string
	body   []byte
	header http.Header
}

type handler func(*rctx) *reply

func jsonReply(status int, v any) *reply {
	b, err := json.Marshal(v)
	if err != nil {
		return &reply{status: 500, ctype: "application/json", body: []byte(`{"error_type":"TECHNICAL_ERROR","error_code":"INTERNAL_ERROR","error_message":"encode"}`)}
	}
	return &reply{status: status, ctype: "application/json", body: b}
}

// kerr builds a Klarna Network error (README §3.5).
func kerr(status int, typ, code, msg string, ve ...klarna.ValidationError) *reply {
	return jsonReply(status, klarna.ErrorBody{
		ErrorID: uuidv4(), ErrorType: typ, ErrorCode: code, ErrorMessage: msg, ValidationErrors: ve,
	})
}

func notFound(what string) *reply {
	return kerr(404, klarna.ErrTypeResource, klarna.CodeResourceNotFound, what+" does not exist")
}

func conflict(msg string) *reply {
	return kerr(409, klarna.ErrTypeResource, klarna.CodeResourceConflict, msg)
}

func invalid(ve ...klarna.ValidationError) *reply {
	return kerr(400, klarna.ErrTypeInput, klarna.CodeValidation, "Request failed validation", ve...)
}

func vErr(param, reason string) klarna.ValidationError {
	return klarna.ValidationError{Parameter: param, Reason: reason}
}

// legacyErr converts a KN error reply into the Settlements v1 shape.
func legacyErr(rp *reply) *reply {
	var eb klarna.ErrorBody
	_ = json.Unmarshal(rp.body, &eb)
	msgs := []string{eb.ErrorMessage}
	for _, v := range eb.ValidationErrors {
		msgs = append(msgs, v.Parameter+": "+v.Reason)
	}
	out := jsonReply(rp.status, map[string]any{"error_code": eb.ErrorCode, "error_messages": msgs, "correlation_id": uuidv4()})
	out.header = rp.header
	return out
}

func decodeJSON(c *rctx, v any) *reply {
	if len(bytes.TrimSpace(c.body)) == 0 {
		c.body = []byte("{}")
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return kerr(400, klarna.ErrTypeInput, klarna.CodeInvalidContentType, "Request body is not valid JSON: "+err.Error())
	}
	return nil
}

func (s *Sim) routes() {
	s.mux = http.NewServeMux()
	h := s.handlers()
	for op, rt := range klarna.Routes {
		fn, ok := h[op]
		if !ok {
			panic("klarnasim: no handler for " + string(op))
		}
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(op, rt, fn))
	}
	s.controlRoutes()
	s.mux.HandleFunc("GET /portal/deep-link/{token}", s.portalPage)
	s.mux.HandleFunc("GET "+demoImagesPath+"{name}", s.serveDemoImage)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeReply(w, kerr(404, "", klarna.CodeOperationNotFound, "No operation for "+r.Method+" "+r.URL.Path))
	})
}

func writeReply(w http.ResponseWriter, rp *reply) {
	for k, vs := range rp.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if rp.ctype != "" {
		w.Header().Set("Content-Type", rp.ctype)
	}
	w.WriteHeader(rp.status)
	_, _ = w.Write(rp.body)
}

func (s *Sim) wrap(op klarna.Operation, rt klarna.Route, fn handler) http.Handler {
	legacy := rt.Host == klarna.HostSettlements
	limit := int64(maxJSONBody)
	if op == klarna.OpUploadAttachment {
		limit = maxUploadBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		corr := randHex(16)
		w.Header().Set(klarna.HeaderCorrelationID, corr)
		if pc := r.Header.Get(klarna.HeaderPartnerCorrelationID); pc != "" {
			w.Header().Set(klarna.HeaderPartnerCorrelationID, pc)
		}
		rp := s.serve(op, rt, limit, r, fn)
		if legacy && rp.status >= 400 {
			rp = legacyErr(rp)
		}
		writeReply(w, rp)
	})
}

func (s *Sim) serve(op klarna.Operation, rt klarna.Route, limit int64, r *http.Request, fn handler) *reply {
	legacy := rt.Host == klarna.HostSettlements
	f := s.faults.snapshot()
	if f.LatencyMS > 0 && f.matches(r.Method, r.URL.Path) {
		t := time.NewTimer(time.Duration(f.LatencyMS) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return timeoutReply()
		}
	}
	// header limits (README §3.3)
	total := 0
	for k, vs := range r.Header {
		for _, v := range vs {
			n := len(k) + len(v)
			total += n
			if n > maxHeaderBytes {
				return kerr(400, klarna.ErrTypeInput, klarna.CodeValidation, "Header "+k+" exceeds 6 KB", vErr(k, "header too large"))
			}
		}
	}
	if total > maxHeadersTotal {
		return kerr(400, klarna.ErrTypeInput, klarna.CodeValidation, "Headers exceed 20 KB")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return kerr(400, klarna.ErrTypeInput, klarna.CodeInvalidContentType, "Could not read body")
	}
	if int64(len(body)) > limit {
		return kerr(413, klarna.ErrTypeInput, klarna.CodePayloadTooLarge, "Request body exceeds the size limit")
	}
	key := s.authenticate(r)
	if key == nil {
		return kerr(401, klarna.ErrTypeAccess, klarna.CodeUnauthorized, "The presented credentials failed authentication")
	}
	partner := r.Header.Get(klarna.HeaderPartnerAccount)
	// A partner's own key acts for that partner, and for no other.
	if own := s.keyAccount(key); own != "" {
		if partner != "" && partner != own {
			return kerr(403, klarna.ErrTypeResource, klarna.CodeOperationForbidden, "Not allowed to act for "+partner)
		}
		partner = own
	}
	if rp := s.limiter.check(rt.Category, key.ID, partner); rp != nil {
		return rp
	}
	if rp := s.faults.before(r.Method, r.URL.Path); rp != nil {
		return rp
	}
	c := &rctx{r: r, body: body, key: key, partner: partner, op: op, legacy: legacy, base: baseURL(r)}
	if partner != "" {
		s.mu.RLock()
		_, ok := s.st.Accounts[partner]
		s.mu.RUnlock()
		if !ok {
			return kerr(403, klarna.ErrTypeResource, klarna.CodeOperationForbidden, "Not allowed to act for "+partner)
		}
	}
	if rp := s.checkAccountWrite(c); rp != nil {
		return rp
	}
	var rp *reply
	if idk := r.Header.Get(klarna.HeaderIdempotencyKey); idk != "" && (r.Method == http.MethodPost || r.Method == http.MethodPatch) {
		rp = s.idem.do(key.ID+"\x00"+r.Method+" "+r.URL.Path+"\x00"+idk, body, s.clock.Now(), func() *reply { return fn(c) })
	} else {
		rp = fn(c)
	}
	if after := s.faults.after(r.Method, r.URL.Path); after != nil {
		return after
	}
	if h := s.limiter.headers(rt.Category, key.ID); rp.header == nil {
		rp.header = h
	} else {
		for k, v := range h {
			rp.header[k] = v
		}
	}
	return rp
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// authenticate accepts "Basic <key>" (scheme case-insensitive) or the bare key (README §2.1).
func (s *Sim) authenticate(r *http.Request) *apiKeyRec {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return nil
	}
	key := h
	if hasPrefixFold(h, "basic ") {
		key = strings.TrimSpace(h[6:])
	} else if strings.Contains(h, " ") {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.st.APIKeys[key]
	if k == nil {
		return nil
	}
	s.expireUnused(k)
	if k.Status != "ENABLED" {
		return nil
	}
	k.LastUsed = s.clock.Now()
	return k
}

// keyAccount is the partner account an API key belongs to ("" for the acquirer's own).
func (s *Sim) keyAccount(k *apiKeyRec) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.Owners[k.ID]
}

// ---- idempotency (README §3.4) ----

type idemRecord struct {
	hash  [32]byte
	at    time.Time
	done  bool
	reply *reply
}

type idemStore struct {
	mu    sync.Mutex
	m     map[string]*idemRecord
	sweep int
}

// do runs fn once per key: a replay with the same body returns the stored
// reply; a different body, or a replay while the first is in flight, is 409.
func (st *idemStore) do(key string, body []byte, now time.Time, fn func() *reply) *reply {
	h := sha256.Sum256(body)
	st.mu.Lock()
	st.sweep++
	if st.sweep%1024 == 0 {
		for k, rec := range st.m {
			if now.Sub(rec.at) > idempotencyTTL {
				delete(st.m, k)
			}
		}
	}
	if rec, ok := st.m[key]; ok && now.Sub(rec.at) <= idempotencyTTL {
		st.mu.Unlock()
		if rec.hash != h {
			return conflict("Idempotent operation failed: the idempotency key was used with a different request body")
		}
		if !rec.done {
			return conflict("Idempotent operation failed: a request with this idempotency key is still being processed")
		}
		return rec.reply
	}
	rec := &idemRecord{hash: h, at: now}
	st.m[key] = rec
	st.mu.Unlock()
	rp := fn()
	st.mu.Lock()
	if rp.status >= 400 {
		// Failures changed nothing and are not remembered: a retry executes
		// again, and a payload fixed after a 400 (or a 409 conflict) may be
		// sent with the same key (README §3.4, "fix the payload and retry
		// with the same key"; UNCONFIRMED for 4xx, see unconfirmed.go).
		delete(st.m, key)
	} else {
		rec.done, rec.reply = true, rp
	}
	st.mu.Unlock()
	return rp
}

// ---- rate limiting (README §3.6) ----

type bucket struct {
	tokens float64
	last   time.Time
}

type limiter struct {
	mu      sync.Mutex
	on      bool
	limits  map[string]RateLimit
	buckets map[string]*bucket
}

func (l *limiter) init(limits map[string]RateLimit, on bool) {
	l.limits, l.on, l.buckets = limits, on, map[string]*bucket{}
}

func (l *limiter) set(limits map[string]RateLimit, on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, v := range limits {
		l.limits[k] = v
	}
	l.on = on
	l.buckets = map[string]*bucket{}
}

func (l *limiter) take(id string, lim RateLimit, now time.Time) (ok bool, remaining float64, reset float64) {
	b := l.buckets[id]
	if b == nil {
		b = &bucket{tokens: float64(lim.Burst), last: now}
		l.buckets[id] = b
	}
	b.tokens = math.Min(float64(lim.Burst), b.tokens+now.Sub(b.last).Seconds()*lim.PerSecond)
	b.last = now
	if b.tokens < 1 {
		return false, 0, (1 - b.tokens) / lim.PerSecond
	}
	b.tokens--
	return true, b.tokens, (float64(lim.Burst) - b.tokens) / lim.PerSecond
}

// check enforces the acquirer-level and the partner-level bucket of a category.
func (l *limiter) check(category, keyID, partner string) *reply {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.limits[category]
	if !l.on || !ok || lim.PerSecond <= 0 {
		return nil
	}
	now := time.Now()
	ids := []string{category + "|ap|" + keyID}
	if partner != "" {
		ids = append(ids, category+"|partner|"+partner)
	}
	for _, id := range ids {
		if ok, _, wait := l.take(id, lim, now); !ok {
			return rateLimited(lim, wait)
		}
	}
	return nil
}

// checkOne enforces one bucket of a category.
func (l *limiter) checkOne(category, id string) *reply {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.limits[category]
	if !l.on || !ok || lim.PerSecond <= 0 {
		return nil
	}
	if ok, _, wait := l.take(id, lim, time.Now()); !ok {
		return rateLimited(lim, wait)
	}
	return nil
}

func rateLimited(lim RateLimit, wait float64) *reply {
	rp := kerr(429, klarna.ErrTypeAccess, klarna.CodeRateLimited, "Too many requests - please try again later")
	secs := int(math.Ceil(wait))
	rp.header = http.Header{
		"Retry-After":           {strconv.Itoa(max(secs, 1))},
		"X-Ratelimit-Limit":     {fmt.Sprintf("%d, %d;w=1", lim.Burst, lim.Burst)},
		"X-Ratelimit-Remaining": {"0"},
		"X-Ratelimit-Reset":     {strconv.Itoa(max(secs, 1))},
	}
	return rp
}

func (l *limiter) headers(category, keyID string) http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.limits[category]
	if !l.on || !ok || lim.PerSecond <= 0 {
		return nil
	}
	b := l.buckets[category+"|ap|"+keyID]
	if b == nil {
		return nil
	}
	return http.Header{
		"X-Ratelimit-Limit":     {fmt.Sprintf("%d, %d;w=1", lim.Burst, lim.Burst)},
		"X-Ratelimit-Remaining": {strconv.Itoa(int(b.tokens))},
		"X-Ratelimit-Reset":     {strconv.Itoa(int(math.Ceil((float64(lim.Burst) - b.tokens) / lim.PerSecond)))},
	}
}

// ---- fault injection ----

// Faults is the fault configuration of the control API (PUT /_sim/faults).
type Faults struct {
	// ErrorRate and TimeoutRate: fraction of API requests answered 500
	// INTERNAL_ERROR / 500 TIMEOUT.
	ErrorRate   float64 `json:"error_rate"`
	TimeoutRate float64 `json:"timeout_rate"`
	// FailNext, TimeoutNext, RateLimitNext: the next N matching requests get
	// 500 INTERNAL_ERROR, 500 TIMEOUT, or 429 RATE_LIMITED (a burst).
	FailNext      int `json:"fail_next"`
	TimeoutNext   int `json:"timeout_next"`
	RateLimitNext int `json:"rate_limit_next"`
	// AfterProcessing applies the 500/TIMEOUT faults after the request was
	// executed (the side effect happens, the caller sees a failure), as a
	// real timeout can.
	AfterProcessing bool `json:"after_processing"`
	// LatencyMS delays every matching request (real milliseconds).
	LatencyMS int `json:"latency_ms"`
	// PathPrefix limits the faults to matching paths ("" = all API paths);
	// Method, when set, to requests of that method (e.g. DELETE: a
	// credential's disable fails while listing works).
	PathPrefix string `json:"path_prefix"`
	Method     string `json:"method"`
	// Webhook delivery faults: fraction of deliveries dropped (never sent),
	// duplicated (sent twice) or reordered (delayed by up to 5 s simulated).
	WebhookDropRate      float64 `json:"webhook_drop_rate"`
	WebhookDuplicateRate float64 `json:"webhook_duplicate_rate"`
	WebhookReorderRate   float64 `json:"webhook_reorder_rate"`
}

func (f Faults) matches(method, path string) bool {
	return strings.HasPrefix(path, f.PathPrefix) && (f.Method == "" || strings.EqualFold(f.Method, method))
}

type faultState struct {
	mu sync.Mutex
	f  Faults
}

func (fs *faultState) set(f Faults) {
	fs.mu.Lock()
	fs.f = f
	fs.mu.Unlock()
}

func (fs *faultState) snapshot() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.f
}

func timeoutReply() *reply {
	return kerr(500, klarna.ErrTypeTechnical, klarna.CodeTimeout, "Request processing timed out")
}

func internalReply() *reply {
	return kerr(500, klarna.ErrTypeTechnical, klarna.CodeInternal, "Unknown error, please retry later")
}

func (fs *faultState) pick(method, path string, afterPhase bool) *reply {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := &fs.f
	if !f.matches(method, path) {
		return nil
	}
	if !afterPhase && f.RateLimitNext > 0 {
		f.RateLimitNext--
		rp := kerr(429, klarna.ErrTypeAccess, klarna.CodeRateLimited, "Too many requests - please try again later")
		rp.header = http.Header{"Retry-After": {"0"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"0"}}
		return rp
	}
	if f.AfterProcessing != afterPhase {
		return nil
	}
	switch {
	case f.FailNext > 0:
		f.FailNext--
		return internalReply()
	case f.TimeoutNext > 0:
		f.TimeoutNext--
		return timeoutReply()
	case f.ErrorRate > 0 && rand.Float64() < f.ErrorRate:
		return internalReply()
	case f.TimeoutRate > 0 && rand.Float64() < f.TimeoutRate:
		return timeoutReply()
	}
	return nil
}

func (fs *faultState) before(method, path string) *reply { return fs.pick(method, path, false) }
func (fs *faultState) after(method, path string) *reply  { return fs.pick(method, path, true) }

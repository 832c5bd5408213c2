package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/audit"
	"github.com/partnerdesk/partnerdesk/internal/safetext"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyLogger
)

// validRequestID is what a client may send as X-Request-Id; anything else is
// replaced, so logs and audit rows never carry arbitrary text from it.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// requestIDs gives every request an id (kept from a sane incoming
// X-Request-Id), echoes it, and puts it and a request-scoped logger into the
// request context.
func requestIDs(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		// The user agent is stored (sessions, audit): keep it valid UTF-8
		// and short, cut at a character boundary.
		if ua := c.Request.UserAgent(); ua != "" {
			c.Request.Header.Set("User-Agent", safetext.Clean(ua, 300))
		}
		id := c.GetHeader("X-Request-Id")
		if !validRequestID.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Header("X-Request-Id", id)
		ctx := context.WithValue(c.Request.Context(), keyRequestID, id)
		ctx = context.WithValue(ctx, keyLogger, log.With("request_id", id))
		ctx = audit.WithMeta(ctx, audit.Meta{RequestID: id, IP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

func requestID(c *gin.Context) string {
	id, _ := c.Request.Context().Value(keyRequestID).(string)
	return id
}

// RequestID returns the request id stored in ctx by the HTTP layer.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

func loggerFrom(c *gin.Context) *slog.Logger {
	if l, ok := c.Request.Context().Value(keyLogger).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// accessLog writes one JSON line per request. The query string is left out:
// it can carry authorization codes and state.
func accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		loggerFrom(c).LogAttrs(c.Request.Context(), slog.LevelInfo, "http request",
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", c.Writer.Size()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("remote_ip", c.ClientIP()),
		)
	}
}

// recovery answers a panic with a problem+json 500 and logs the panic.
func recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				writeProblem(c, &apperr.Error{Code: apperr.Internal, Err: fmt.Errorf("panic: %v", r)})
			}
		}()
		c.Next()
	}
}

// contentSecurityPolicy fits the embedded SPA: scripts and styles from our
// origin only (Mantine sets inline styles), no framing. Images may come
// from any https origin (partners' brand logos) and from imageOrigins (the
// Klarna simulator's demo images in dev, served over http).
func contentSecurityPolicy(imageOrigins []string) string {
	img := strings.Join(append([]string{"'self'", "data:", "https:"}, imageOrigins...), " ")
	return "default-src 'self'; img-src " + img + "; style-src 'self' 'unsafe-inline'; " +
		"script-src 'self'; connect-src 'self'; font-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
}

func securityHeaders(tls bool, imageOrigins []string) gin.HandlerFunc {
	csp := contentSecurityPolicy(imageOrigins)
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		c.Next()
	}
}

// bodyLimit refuses declared oversize bodies at once and caps the rest, so a
// handler reading past the limit fails with *http.MaxBytesError. A route
// in larger ("METHOD /full/path") has a limit of its own (a CSV upload).
func bodyLimit(limit int64, larger map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		max := limit
		if n, ok := larger[c.Request.Method+" "+c.FullPath()]; ok {
			max = n
		}
		if c.Request.ContentLength > max {
			writeProblem(c, apperr.E(apperr.TooLarge, "The request body is larger than %d bytes.", max))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// httpMetrics records request latency by route, method and status.
func httpMetrics(reg prometheus.Registerer) gin.HandlerFunc {
	lat := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "partnerdesk_http_request_duration_seconds",
		Help:    "HTTP request latency by route, method and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "status"})
	inflight := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "partnerdesk_http_requests_in_flight",
		Help: "HTTP requests being served.",
	})
	reg.MustRegister(lat, inflight)
	return func(c *gin.Context) {
		start := time.Now()
		inflight.Inc()
		c.Next()
		inflight.Dec()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		lat.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Observe(time.Since(start).Seconds())
	}
}

// validInput is the one check of the request line: every query parameter
// (name and value), every path parameter and the stored headers must be
// UTF-8 text without NUL characters, which PostgreSQL cannot store or
// compare. A malformed query
// string is refused too, instead of silently losing parameters.
func validInput(c *gin.Context) {
	var fields []apperr.FieldError
	bad := func(name string) {
		fields = append(fields, apperr.FieldError{Field: safetext.Clean(name, 100), Message: "must be UTF-8 text without NUL characters"})
	}
	for _, p := range c.Params {
		if !safetext.Valid(p.Value) {
			bad(p.Key)
		}
	}
	q, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		writeProblem(c, apperr.E(apperr.Invalid, "The query string is malformed (check its %%-escapes)."))
		return
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ok := safetext.Valid(k)
		for _, v := range q[k] {
			ok = ok && safetext.Valid(v)
		}
		if !ok {
			bad(k)
		}
	}
	// Headers whose value is stored as text (the user agent is cleaned in
	// requestIDs instead: browsers send what they send).
	for _, h := range []string{"Idempotency-Key"} {
		if !safetext.Valid(c.GetHeader(h)) {
			bad(h)
		}
	}
	if len(fields) > 0 {
		writeProblem(c, apperr.Validation("The request has parameters that are not valid text.", fields...))
		return
	}
	c.Next()
}

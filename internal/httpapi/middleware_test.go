package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

type fakeDB struct{ err error }

func (f fakeDB) Ping(context.Context) error { return f.err }

func testEngine(t *testing.T, logs io.Writer) *gin.Engine {
	t.Helper()
	return testEngineWith(t, logs, nil)
}

func testEngineWith(t *testing.T, logs io.Writer, tweak func(*Options)) *gin.Engine {
	t.Helper()
	o := Options{
		Logger:       slog.New(slog.NewJSONHandler(logs, nil)),
		Registry:     prometheus.NewRegistry(),
		DB:           fakeDB{},
		UI:           fstest.MapFS{"index.html": {Data: []byte("<html>app</html>")}, "assets/app.js": {Data: []byte("x")}},
		MaxBodyBytes: 1024,
		TLS:          true,
		Version:      "test",
	}
	if tweak != nil {
		tweak(&o)
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return h.(*gin.Engine)
}

func TestRecoveryAnswersProblem500WithoutLeaking(t *testing.T) {
	var logs bytes.Buffer
	e := testEngine(t, &logs)
	e.GET("/api/v1/boom", func(c *gin.Context) { panic("db password is hunter2") })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/boom", nil))
	if w.Code != 500 || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("got %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if strings.Contains(w.Body.String(), "hunter2") {
		t.Fatal("panic detail sent to the client")
	}
	if !strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), w.Header().Get("X-Request-Id")) {
		t.Fatal("panic not logged with the request id")
	}
}

func TestHSTSOnlyWithTLS(t *testing.T) {
	w := httptest.NewRecorder()
	testEngine(t, io.Discard).ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
	if !strings.HasPrefix(w.Header().Get("Strict-Transport-Security"), "max-age=") {
		t.Fatal("HSTS missing with TLS on")
	}
}

func TestReadyzReportsDatabaseDown(t *testing.T) {
	h, _ := New(Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Registry: prometheus.NewRegistry(),
		DB: fakeDB{err: io.ErrUnexpectedEOF}, UI: fstest.MapFS{}, MaxBodyBytes: 1024})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	if w.Code != 503 {
		t.Fatalf("readyz = %d, want 503", w.Code)
	}
}

func TestSPAServing(t *testing.T) {
	e := testEngine(t, io.Discard)
	for _, tc := range []struct {
		name, path, wantBody string
		wantStatus           int
	}{
		{"OK_Index", "/", "app", 200},
		{"OK_ClientRouteFallsBackToIndex", "/partners/42", "app", 200},
		{"OK_Asset", "/assets/app.js", "x", 200},
		{"ErrMissingAssetIs404", "/assets/missing.js", "not_found", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest("GET", tc.path, nil))
			if w.Code != tc.wantStatus || !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Fatalf("%s = %d %q", tc.path, w.Code, w.Body.String())
			}
		})
	}
}

func TestBindJSON(t *testing.T) {
	type in struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	tests := []struct {
		name      string
		body      string
		code      apperr.Code
		wantField string
	}{
		{"OK", `{"name":"a","count":1}`, "", ""},
		{"ErrEmpty", ``, apperr.Invalid, ""},
		{"ErrSyntax", `{"name":`, apperr.Invalid, ""},
		{"ErrWrongType", `{"count":"many"}`, apperr.Invalid, "count"},
		{"ErrUnknownField", `{"nme":"a"}`, apperr.Invalid, "nme"},
		{"ErrTwoValues", `{} {}`, apperr.Invalid, ""},
		{"ErrTooLarge", `{"name":"` + strings.Repeat("a", 2000) + `"}`, apperr.TooLarge, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
			c.Request.Body = http.MaxBytesReader(w, c.Request.Body, 1024)
			var v in
			err := bindJSON(c, &v)
			if got := apperr.CodeOf(err); got != tc.code {
				t.Fatalf("code = %q, want %q (%v)", got, tc.code, err)
			}
			if tc.wantField != "" {
				e := apperr.As(err)
				if len(e.Fields) != 1 || e.Fields[0].Field != tc.wantField {
					t.Fatalf("fields = %+v, want %s", e.Fields, tc.wantField)
				}
			}
		})
	}
}

func TestProblemCarriesFieldErrors(t *testing.T) {
	e := testEngine(t, io.Discard)
	e.POST("/api/v1/things", func(c *gin.Context) {
		writeProblem(c, apperr.Validation("Check the highlighted fields.", apperr.FieldError{Field: "store.url", Message: "must be https"}))
	})
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("POST", "/api/v1/things", strings.NewReader("{}")))
	var p struct {
		Status int
		Detail string
		Errors []apperr.FieldError
	}
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != 400 || p.Status != 400 || p.Detail != "Check the highlighted fields." || len(p.Errors) != 1 || p.Errors[0].Field != "store.url" {
		t.Fatalf("got %d %s", w.Code, w.Body.String())
	}
}

func TestClientIPTrustsForwardingHeadersOnlyFromTrustedProxies(t *testing.T) {
	tests := []struct {
		name    string
		trusted []string
		remote  string
		headers map[string]string
		want    string
	}{
		{"OK_NoProxyByDefaultIgnoresXFF", nil, "192.0.2.10:4321", map[string]string{"X-Forwarded-For": "203.0.113.9"}, "192.0.2.10"},
		{"OK_NoProxyByDefaultIgnoresXRealIP", nil, "192.0.2.10:4321", map[string]string{"X-Real-IP": "203.0.113.9"}, "192.0.2.10"},
		{"OK_TrustedProxyGivesClient", []string{"192.0.2.0/24"}, "192.0.2.10:4321", map[string]string{"X-Forwarded-For": "203.0.113.9"}, "203.0.113.9"},
		{"OK_ForgedHopBeforeProxyIgnored", []string{"192.0.2.10"}, "192.0.2.10:4321", map[string]string{"X-Forwarded-For": "10.9.9.9, 203.0.113.9"}, "203.0.113.9"},
		{"OK_UntrustedPeerIgnored", []string{"198.51.100.0/24"}, "192.0.2.10:4321", map[string]string{"X-Forwarded-For": "203.0.113.9"}, "192.0.2.10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := testEngineWith(t, io.Discard, func(o *Options) { o.TrustedProxies = tc.trusted })
			e.GET("/ip", func(c *gin.Context) { c.String(200, c.ClientIP()) })
			req := httptest.NewRequest("GET", "/ip", nil)
			req.RemoteAddr = tc.remote
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, req)
			if w.Body.String() != tc.want {
				t.Fatalf("client IP = %q, want %q", w.Body.String(), tc.want)
			}
		})
	}
	if _, err := New(Options{Logger: slog.Default(), Registry: prometheus.NewRegistry(), TrustedProxies: []string{"not-an-ip"}}); err == nil || !strings.Contains(err.Error(), "PARTNERDESK_TRUSTED_PROXIES") {
		t.Fatalf("a bad proxy entry: %v", err)
	}
}

func TestRetryAfterOnEvery429(t *testing.T) {
	e := testEngine(t, io.Discard)
	e.GET("/api/v1/limited", func(c *gin.Context) {
		writeProblem(c, apperr.WithRetryAfter(apperr.E(apperr.RateLimited, "slow down"), 1500*time.Millisecond))
	})
	e.GET("/api/v1/limited-plain", func(c *gin.Context) { writeProblem(c, apperr.E(apperr.RateLimited, "slow down")) })
	for path, want := range map[string]string{"/api/v1/limited": "2", "/api/v1/limited-plain": "60"} {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != 429 || w.Header().Get("Retry-After") != want {
			t.Fatalf("%s: %d Retry-After=%q, want 429 %s", path, w.Code, w.Header().Get("Retry-After"), want)
		}
	}
}

func TestRequestIDFromClientValidated(t *testing.T) {
	e := testEngine(t, io.Discard)
	for _, tc := range []struct {
		name, sent string
		kept       bool
	}{
		{"OK_Kept", "trace-1.2:abc_DEF", true},
		{"OK_64Chars", strings.Repeat("a", 64), true},
		{"ErrTooLong", strings.Repeat("a", 65), false},
		{"ErrSpace", "a b", false},
		{"ErrSlash", "a/b", false},
		{"ErrNonASCII", "é", false},
		{"ErrInjection", `x","admin":true`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/healthz", nil)
			req.Header.Set("X-Request-Id", tc.sent)
			w := httptest.NewRecorder()
			e.ServeHTTP(w, req)
			got := w.Header().Get("X-Request-Id")
			if (got == tc.sent) != tc.kept || got == "" || len(got) > 64 {
				t.Fatalf("sent %q, got %q (kept=%v)", tc.sent, got, tc.kept)
			}
		})
	}
}

func TestParametersMustBeText(t *testing.T) {
	e := testEngine(t, io.Discard)
	e.GET("/api/v1/things/:thing", func(c *gin.Context) { c.String(200, "ok") })
	for _, tc := range []struct{ name, target, field string }{
		{"ErrNULInQuery", "/api/v1/things/x?actor=%00", "actor"},
		{"ErrNULInsideValue", "/api/v1/things/x?type=a%00b", "type"},
		{"ErrInvalidUTF8InQuery", "/api/v1/things/x?q=%ff", "q"},
		{"ErrNULInQueryName", "/api/v1/things/x?a%00=1", "a\uFFFD"},
		{"ErrNULInPath", "/api/v1/things/a%00b", "thing"},
		{"ErrInvalidUTF8InPath", "/api/v1/things/%c3%28", "thing"},
		{"ErrOnUnknownRoutesToo", "/api/v1/nothing?x=%00", "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest("GET", tc.target, nil))
			var p struct{ Errors []apperr.FieldError }
			_ = json.Unmarshal(w.Body.Bytes(), &p)
			if w.Code != 400 || w.Header().Get("Content-Type") != "application/problem+json" || len(p.Errors) != 1 || p.Errors[0].Field != tc.field {
				t.Fatalf("%s = %d %s", tc.target, w.Code, w.Body.String())
			}
		})
	}
	req := httptest.NewRequest("POST", "/api/v1/things/x", strings.NewReader("{}"))
	req.Header.Set("Idempotency-Key", "k\xff")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	if w.Code != 400 || !strings.Contains(w.Body.String(), `"field":"Idempotency-Key"`) {
		t.Fatalf("an Idempotency-Key that is not UTF-8 = %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/things/x?a=%zz", nil))
	if w.Code != 400 {
		t.Fatalf("a malformed escape = %d", w.Code)
	}
	w = httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/things/caf%C3%A9?q=%E2%9C%93", nil))
	if w.Code != 200 {
		t.Fatalf("valid UTF-8 refused: %d %s", w.Code, w.Body.String())
	}
}

func TestUserAgentStoredAsValidText(t *testing.T) {
	e := testEngine(t, io.Discard)
	e.GET("/ua", func(c *gin.Context) { c.String(200, c.Request.UserAgent()) })
	req := httptest.NewRequest("GET", "/ua", nil)
	req.Header.Set("User-Agent", "bot\xff"+strings.Repeat("é", 200))
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	if ua := w.Body.String(); !utf8.ValidString(ua) || len(ua) > 300 || !strings.HasPrefix(ua, "bot\uFFFD") {
		t.Fatalf("user agent = %q (%d bytes)", ua, len(ua))
	}
}

func TestMetricsBehindTokenOrElsewhere(t *testing.T) {
	const token = "scrape-0123456789abcdef"
	e := testEngineWith(t, io.Discard, func(o *Options) { o.MetricsToken = token })
	for _, tc := range []struct {
		name, auth string
		want       int
	}{{"ErrNoToken", "", 401}, {"ErrWrongToken", "Bearer nope", 401}, {"OK", "Bearer " + token, 200}} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != tc.want {
			t.Fatalf("%s: /metrics = %d, want %d", tc.name, w.Code, tc.want)
		}
	}
	e = testEngineWith(t, io.Discard, func(o *Options) { o.MetricsElsewhere = true })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 404 {
		t.Fatalf("/metrics still served on the main listener: %d", w.Code)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "partnerdesk_test_total", Help: "x"}))
	w = httptest.NewRecorder()
	MetricsHandler(slog.Default(), reg, "").ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "partnerdesk_test_total") {
		t.Fatalf("metrics listener = %d", w.Code)
	}
}

func TestBindJSONSpeaksJSONAndNamesEveryField(t *testing.T) {
	type nested struct {
		Zip string `json:"zip"`
	}
	type in struct {
		Name    string     `json:"name"`
		Count   int        `json:"count"`
		Ratio   float64    `json:"ratio"`
		On      *bool      `json:"on"`
		Roles   []string   `json:"roles"`
		Tenant  uuid.UUID  `json:"tenant_id"`
		From    *time.Time `json:"from"`
		Address nested     `json:"address"`
	}
	tests := []struct {
		name   string
		body   string
		fields map[string]string // field → message fragment
	}{
		{"ErrNULInString", `{"name":"a\u0000"}`, map[string]string{"name": "NUL"}},
		{"ErrInvalidUTF8", "{\"name\":\"a\xffb\"}", map[string]string{"name": "UTF-8"}},
		{"ErrNULInNestedArray", `{"roles":["ok","b\u0000"]}`, map[string]string{"roles[1]": "NUL"}},
		{"ErrNULInKey", `{"na\u0000me":"x"}`, map[string]string{"na\uFFFDme": "NUL"}},
		{"ErrStringForNumber", `{"count":"many"}`, map[string]string{"count": "must be a whole number"}},
		{"ErrHugeNumber", `{"count":1e400}`, map[string]string{"count": "must be a whole number"}},
		{"ErrFraction", `{"count":1.5}`, map[string]string{"count": "must be a whole number"}},
		{"ErrNumberForString", `{"name":5}`, map[string]string{"name": "must be a string"}},
		{"ErrNumberForBool", `{"on":1}`, map[string]string{"on": "true or false"}},
		{"ErrObjectForArray", `{"roles":{}}`, map[string]string{"roles": "must be an array"}},
		{"ErrBadUUID", `{"tenant_id":"x"}`, map[string]string{"tenant_id": "UUID"}},
		{"ErrNumberForUUID", `{"tenant_id":7}`, map[string]string{"tenant_id": "UUID"}},
		{"ErrBadTime", `{"from":"yesterday"}`, map[string]string{"from": "time such as"}},
		{"ErrNestedType", `{"address":{"zip":12}}`, map[string]string{"address.zip": "must be a string"}},
		{"ErrNestedUnknown", `{"address":{"zap":"1"}}`, map[string]string{"address.zap": "not a known field"}},
		{"ErrUnknownField", `{"nme":"a"}`, map[string]string{"nme": "not a known field"}},
		{"ErrTrailingData", `{} {}`, map[string]string{"body": "nothing after it"}},
		{"ErrTrailingGarbage", `{}x`, nil},
		{"ErrNull", `null`, map[string]string{"body": "JSON object"}},
		{"ErrArray", `[1]`, map[string]string{"body": "JSON object"}},
		{"ErrDeepNesting", `{"address":` + strings.Repeat(`[`, 100) + strings.Repeat(`]`, 100) + `}`, map[string]string{"address" + strings.Repeat("[0]", 31): "nested too deeply"}},
		{"ErrEveryFieldAtOnce", `{"name":1,"count":"x","ratio":"y","bogus":0}`, map[string]string{"name": "string", "count": "whole number", "ratio": "must be a number", "bogus": "not a known"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v in
			err := decodeJSON([]byte(tc.body), &v)
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			if strings.Contains(e.Message, "Go") || strings.Contains(e.Message, "struct") {
				t.Fatalf("message speaks Go: %q", e.Message)
			}
			if tc.fields == nil {
				return
			}
			got := map[string]string{}
			for _, f := range e.Fields {
				got[f.Field] = f.Message
				for _, leak := range []string{"Go ", "struct", "int", "float64", "uuid.", "openapi_types", "time.Time"} {
					if strings.Contains(f.Message, leak) {
						t.Errorf("field %s message %q exposes %q", f.Field, f.Message, leak)
					}
				}
			}
			if len(got) != len(tc.fields) {
				t.Fatalf("fields = %+v, want %v", e.Fields, tc.fields)
			}
			for f, frag := range tc.fields {
				if !strings.Contains(got[f], frag) {
					t.Errorf("field %q = %q, want it to mention %q (all: %+v)", f, got[f], frag, e.Fields)
				}
			}
		})
	}
	var ok in
	if err := decodeJSON([]byte(`{"name":"é ✓","count":3,"roles":["a"],"tenant_id":"6f1c1f0e-8a39-4f5e-9a55-0c7e6f6b2f11","from":"2026-11-21T10:00:00Z","address":{"zip":"1"}}`), &ok); err != nil || ok.Name != "é ✓" || ok.Count != 3 {
		t.Fatalf("valid body: %v %+v", err, ok)
	}
	var m map[string]string
	if err := decodeJSON([]byte(`{"type":5}`), &m); err == nil || apperr.As(err).Fields[0].Field != "type" {
		t.Fatalf("map member of the wrong type: %v", err)
	}
}

// A request its client abandoned is not an error on our side: no 500 and no
// ERROR line, just an info line (status 499 in the access log).
func TestAbandonedRequestIsNotLoggedAsAnError(t *testing.T) {
	var logs bytes.Buffer
	e := testEngine(t, &logs)
	e.GET("/api/v1/slow", func(c *gin.Context) {
		<-c.Request.Context().Done()
		writeProblem(c, fmt.Errorf("tenant: %w", c.Request.Context().Err()))
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/slow", nil).WithContext(ctx))
	if w.Code != statusClientClosed {
		t.Fatalf("status %d, want %d", w.Code, statusClientClosed)
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), "request canceled by the client") {
		t.Fatalf("logs:\n%s", logs.String())
	}

	// A middleware's problem ends the chain there, as for any other problem
	// (found by make bench: a session lookup cut off by the client went on
	// into authorize without a principal, which panicked).
	e.GET("/api/v1/guarded", func(c *gin.Context) {
		writeProblem(c, fmt.Errorf("session: %w", c.Request.Context().Err()))
	}, func(c *gin.Context) {
		t.Error("the handler after the middleware ran")
	})
	w = httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/guarded", nil).WithContext(ctx))
	if w.Code != statusClientClosed {
		t.Fatalf("guarded: status %d, want %d", w.Code, statusClientClosed)
	}
}

package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

type fakeDB struct{ err error }

func (f fakeDB) Ping(context.Context) error { return f.err }

func testEngine(t *testing.T, logs io.Writer) *gin.Engine {
	t.Helper()
	h, err := New(Options{
		Logger:       slog.New(slog.NewJSONHandler(logs, nil)),
		Registry:     prometheus.NewRegistry(),
		DB:           fakeDB{},
		UI:           fstest.MapFS{"index.html": {Data: []byte("<html>app</html>")}, "assets/app.js": {Data: []byte("x")}},
		MaxBodyBytes: 1024,
		TLS:          true,
		Version:      "test",
	})
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

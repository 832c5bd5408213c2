package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pglocal"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type problem struct {
	Type, Title, Detail, Code string
	Status                    int
	RequestID                 string `json:"request_id"`
}

func decodeProblem(t *testing.T, r *apitest.Response) problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServerEndpoints(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	c := apitest.New(t, a.URL())

	t.Run("OK_Health", func(t *testing.T) {
		if r := c.Get("/healthz"); r.Status != 200 {
			t.Fatalf("healthz = %d", r.Status)
		}
		if r := c.Get("/readyz"); r.Status != 200 {
			t.Fatalf("readyz = %d %s", r.Status, r.Body)
		}
	})
	t.Run("OK_MetaMatchesDocument", func(t *testing.T) {
		r := c.Get("/api/v1/meta")
		if r.Status != 200 || !bytes.Contains(r.Body, []byte(`"environment":"dev"`)) {
			t.Fatalf("meta = %d %s", r.Status, r.Body)
		}
	})
	t.Run("OK_OpenAPIServedAsJSON", func(t *testing.T) {
		r := c.Get("/api/v1/openapi.json")
		var doc struct {
			OpenAPI string         `json:"openapi"`
			Paths   map[string]any `json:"paths"`
		}
		if err := json.Unmarshal(r.Body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Paths["/meta"] == nil {
			t.Fatalf("openapi.json: %v %s", err, r.Body[:min(200, len(r.Body))])
		}
	})
	t.Run("OK_RequestIDEchoedOrGenerated", func(t *testing.T) {
		req, _ := http.NewRequest("GET", a.URL()+"/healthz", nil)
		req.Header.Set("X-Request-Id", "abc-123")
		if r := c.Do(req); r.Header.Get("X-Request-Id") != "abc-123" {
			t.Fatalf("incoming request id not kept: %q", r.Header.Get("X-Request-Id"))
		}
		req.Header.Set("X-Request-Id", "bad id with spaces")
		if r := c.Do(req); r.Header.Get("X-Request-Id") == "" || strings.Contains(r.Header.Get("X-Request-Id"), " ") {
			t.Fatalf("unsafe request id echoed: %q", r.Header.Get("X-Request-Id"))
		}
	})
	t.Run("OK_SecurityHeaders", func(t *testing.T) {
		r := c.Get("/")
		csp := r.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "script-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("X-Content-Type-Options missing")
		}
		if r.Header.Get("Strict-Transport-Security") != "" {
			t.Error("HSTS sent without TLS")
		}
	})
	t.Run("OK_SPAFallbackForClientRoutes", func(t *testing.T) {
		r := c.Get("/disputes/some-id")
		if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("client route = %d %s", r.Status, r.Header.Get("Content-Type"))
		}
	})
	t.Run("ErrUnknownAPIRouteIsProblem404", func(t *testing.T) {
		r := c.Get("/api/v1/no-such-thing")
		p := decodeProblem(t, r)
		if r.Status != 404 || p.Status != 404 || p.Code != "not_found" || p.RequestID != r.Header.Get("X-Request-Id") {
			t.Fatalf("got %d %+v", r.Status, p)
		}
	})
	t.Run("ErrWrongMethodIsProblem405", func(t *testing.T) {
		r := c.Send("DELETE", "/api/v1/meta", "", nil)
		if p := decodeProblem(t, r); r.Status != 405 || p.Code != "method_not_allowed" {
			t.Fatalf("got %d %+v", r.Status, p)
		}
	})
	t.Run("ErrBodyTooLargeIs413", func(t *testing.T) {
		r := c.Send("POST", "/api/v1/meta", "application/json", bytes.Repeat([]byte("x"), 2<<20))
		if p := decodeProblem(t, r); r.Status != 413 || p.Code != "too_large" {
			t.Fatalf("got %d %+v", r.Status, p)
		}
	})
	t.Run("OK_MetricsExposeHTTPDBAndJobs", func(t *testing.T) {
		r := c.Get("/metrics")
		// The heartbeat job runs at start; wait for its outcome to be counted.
		for deadline := time.Now().Add(15 * time.Second); !bytes.Contains(r.Body, []byte("partnerdesk_jobs_finished_total")) && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
			r = c.Get("/metrics")
		}
		for _, want := range []string{
			`partnerdesk_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200"`,
			"partnerdesk_db_pool_max_connections",
			"partnerdesk_jobs_finished_total",
		} {
			if !bytes.Contains(r.Body, []byte(want)) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

// The heartbeat periodic job is scheduled, worked and recorded: the queue works.
func TestHeartbeatJobRuns(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		hb, ok, err := a.DB.LastHeartbeat(context.Background(), "heartbeat")
		if err != nil {
			t.Fatal(err)
		}
		if ok && hb.Runs >= 2 {
			return // ran at start and again on its 1 s schedule
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("the heartbeat job did not run twice within 20 s")
}

// Stopping the database turns /readyz to 503 and starting it brings it back
// without restarting the app.
func TestReadinessFollowsDatabase(t *testing.T) {
	t.Parallel()
	tmp, err := pglocal.TempDir() // a place the postgres user can reach, even as root with a private TMPDIR
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.MkdirTemp(tmp, "partnerdesk-readyz-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	_ = os.Chmod(base, 0o755) // the postgres user must reach its data directory
	dir := filepath.Join(base, "pg")
	ctx := context.Background()
	cl, err := pglocal.Start(ctx, pglocal.Options{Dir: dir, Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Remove() }) // the last started cluster: stops it and removes its files
	cfg := apptest.Config(t)
	cfg.DatabaseURL = cl.DSN("postgres")
	a := apptest.Start(t, cfg, nil)
	c := apitest.New(t, a.URL())

	if r := c.Get("/readyz"); r.Status != 200 {
		t.Fatalf("readyz before = %d", r.Status)
	}
	if err := cl.Stop(); err != nil {
		t.Fatal(err)
	}
	r := c.Get("/readyz")
	if p := decodeProblem(t, r); r.Status != 503 || p.Code != "unavailable" {
		t.Fatalf("readyz with database down = %d %+v", r.Status, p)
	}
	if r := c.Get("/healthz"); r.Status != 200 {
		t.Fatalf("healthz with database down = %d, want 200 (the process is up)", r.Status)
	}
	if cl, err = pglocal.Start(ctx, pglocal.Options{Dir: dir, Ephemeral: true}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for c.Get("/readyz").Status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover after the database came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Shutdown closes the listener and returns without error.
func TestShutdownClosesListener(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	cfg.DatabaseURL = pgtest.DSN(t)
	a, err := app.New(context.Background(), cfg, app.Options{Logger: app.NewLogger(&bytes.Buffer{}, "error"), Listener: apptest.Listener(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	addr := a.Addr()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		_ = conn.Close()
		t.Fatal("still accepting connections after shutdown")
	}
}

// Package apptest starts the whole application for a test: its own migrated
// PostgreSQL database (pgtest) and an HTTP listener on 127.0.0.1:0. The test
// package must declare `func TestMain(m *testing.M) { pgtest.Main(m) }`.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/ui"
)

// Config is the default test configuration: free port, fast heartbeat.
func Config(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		switch k {
		case config.Prefix + "HTTP_ADDR":
			return "127.0.0.1:0"
		case config.Prefix + "HEARTBEAT_INTERVAL":
			return "1s"
		case config.Prefix + "SHUTDOWN_TIMEOUT":
			return "5s"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Start runs the app on a fresh database until the test ends. Logs go to
// logs if non-nil, else nowhere.
func Start(t testing.TB, cfg *config.Config, logs io.Writer) *app.App {
	t.Helper()
	if cfg == nil {
		cfg = Config(t)
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = pgtest.DSN(t)
	}
	if logs == nil {
		logs = io.Discard
	}
	assets, _ := ui.Assets()
	ctx := context.Background()
	a, err := app.New(ctx, cfg, app.Options{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), UI: assets, Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return a
}

package jobs

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// A rescue window shorter than River's default job timeout (1 minute) is a
// valid configuration (PARTNERDESK_JOB_RESCUE_AFTER accepts 1s and more).
func TestNewAcceptsShortRescueWindow(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none") // never dialled: New does not connect
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, rescue := range []time.Duration{time.Second, 3 * time.Second, 2 * time.Minute} {
		if _, err := New(pool, Options{Workers: 1, HeartbeatEvery: time.Minute, RescueAfter: rescue, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
			t.Errorf("RescueAfter %s: %v", rescue, err)
		}
	}
}

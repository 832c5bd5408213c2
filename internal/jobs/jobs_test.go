package jobs

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// A rescue window shorter than River's default job timeout (1 minute) is a
// valid configuration (PARTNERDESK_JOB_RESCUE_AFTER accepts 1s and more).
func TestNewAcceptsShortRescueWindow(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none") // never dialled: New does not connect
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, rescue := range []time.Duration{time.Second, 3 * time.Second, 2 * time.Minute} {
		kinds := &Kinds{}
		RegisterHeartbeat(kinds, nil, time.Minute)
		if _, err := New(pool, Options{Workers: 1, Kinds: kinds, RescueAfter: rescue, Logger: quiet()}); err != nil {
			t.Errorf("RescueAfter %s: %v", rescue, err)
		}
	}
}

// pingArgs is a kind this test registers the way an area would.
type pingArgs struct {
	N int `json:"n"`
}

func (pingArgs) Kind() string { return "test.ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	got chan int
}

func (w *pingWorker) Work(_ context.Context, job *river.Job[pingArgs]) error {
	w.got <- job.Args.N
	return nil
}

type heartbeatRecorder struct {
	mu    sync.Mutex
	names []string
	ran   chan struct{}
}

func (r *heartbeatRecorder) RecordHeartbeat(_ context.Context, name, _ string) error {
	r.mu.Lock()
	r.names = append(r.names, name)
	r.mu.Unlock()
	select {
	case r.ran <- struct{}{}:
	default:
	}
	return nil
}

// Registered kinds run without the queue knowing them: a kind added by a
// registration gets its inserted jobs worked and its schedule run on start,
// next to the built-in heartbeat.
func TestRegisteredKindsRun(t *testing.T) {
	db := pgtest.New(t)
	kinds := &Kinds{}
	hb := &heartbeatRecorder{ran: make(chan struct{}, 1)}
	RegisterHeartbeat(kinds, hb, time.Hour)
	ping := &pingWorker{got: make(chan int, 4)}
	Add(kinds, ping)
	Every(kinds, time.Hour, func() pingArgs { return pingArgs{N: 7} })
	if got := strings.Join(kinds.Names(), ","); got != "heartbeat,test.ping" {
		t.Fatalf("kinds %s", got)
	}
	client, err := New(db.Pool, Options{Workers: 2, Kinds: kinds, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	if _, err := client.Insert(ctx, pingArgs{N: 1}, nil); err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for len(seen) < 2 {
		select {
		case n := <-ping.got:
			seen[n] = true
		case <-ctx.Done():
			t.Fatalf("registered kind not worked: saw %v, want the inserted 1 and the scheduled 7", seen)
		}
	}
	if !seen[1] || !seen[7] {
		t.Fatalf("saw %v, want 1 (inserted) and 7 (scheduled)", seen)
	}
	select {
	case <-hb.ran:
	case <-ctx.Done():
		t.Fatal("the heartbeat did not run on start")
	}
	hb.mu.Lock()
	defer hb.mu.Unlock()
	if hb.names[0] != "heartbeat" {
		t.Fatalf("heartbeat recorded as %q", hb.names[0])
	}
}

func TestRegisteringAKindTwiceFails(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	kinds := &Kinds{}
	RegisterWebhookProcessing(kinds, nil)
	RegisterWebhookProcessing(kinds, nil)
	if _, err := New(pool, Options{Workers: 1, Kinds: kinds, Logger: quiet()}); err == nil || !strings.Contains(err.Error(), ProcessWebhookArgs{}.Kind()) {
		t.Fatalf("two workers for one kind: %v, want an error naming the kind", err)
	}
}

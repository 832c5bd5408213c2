package webhook

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// The batcher never puts more than MaxSize events in one transaction, and a
// lone event waits about MaxWait, not for a full batch.
func TestBatcher_SizeAndWaitBounded(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	bt := newBatcher(Batching{MaxSize: 8, MaxWait: 20 * time.Millisecond, Flushers: 2}, func(_ context.Context, ps []pending) {
		mu.Lock()
		sizes = append(sizes, len(ps))
		mu.Unlock()
		for i, p := range ps {
			p.result <- batchResult{r: Receipt{EventPK: int64(i)}}
		}
	})
	defer bt.close()

	start := time.Now()
	if _, err := bt.submit(context.Background(), Event{EventID: "lone"}); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 20*time.Millisecond || waited > 2*time.Second {
		t.Errorf("a lone event was answered after %s, want about the 20ms wait", waited)
	}

	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := bt.submit(context.Background(), Event{EventID: fmt.Sprint(i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	total, batched := 0, false
	for _, n := range sizes {
		if n > 8 {
			t.Errorf("a batch of %d events, above MaxSize 8", n)
		}
		if n > 1 {
			batched = true
		}
		total += n
	}
	if total != 101 || !batched {
		t.Errorf("batches %v: want 101 events, some sharing a transaction", sizes)
	}
}

// A sender that hangs up gets its context's error; the batch goes on and
// the others are answered.
func TestBatcher_SenderGoneDoesNotCancelBatch(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{}, 2)
	bt := newBatcher(Batching{MaxSize: 4, MaxWait: 5 * time.Millisecond, Flushers: 1}, func(ctx context.Context, ps []pending) {
		started <- struct{}{}
		<-release
		if ctx.Err() != nil {
			t.Errorf("the batch's context was cancelled: %v", ctx.Err())
		}
		for _, p := range ps {
			p.result <- batchResult{}
		}
	})
	defer bt.close()
	gone, hangUp := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, err := bt.submit(gone, Event{EventID: "gone"}); errs <- err }()
	<-started // the hung-up sender's event is in a transaction
	go func() { _, err := bt.submit(context.Background(), Event{EventID: "stays"}); errs <- err }()
	hangUp()
	if err := <-errs; err == nil {
		t.Error("the sender that hung up got an answer as if stored")
	}
	close(release)
	if err := <-errs; err != nil {
		t.Errorf("the other sender: %v", err)
	}
}

package webhook

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// BatchStore is implemented by a Store that can store many verified events
// in the transaction of ctx (a group commit).
type BatchStore interface {
	// IngestBatch stores evs (envelopes[i] is the body of evs[i]) de-duplicated
	// by event id: a repeated id, inside evs or already stored, is counted as a
	// duplicate. It returns one Receipt per event, in order.
	IngestBatch(ctx context.Context, evs []Event, envelopes [][]byte) ([]Receipt, error)
}

// BatchEnqueuer inserts many processing jobs in the transaction of ctx.
type BatchEnqueuer interface {
	EnqueueProcessMany(ctx context.Context, pks []int64) error
}

// Batching bounds the group commit of received events. The zero value
// stores each event in its own transaction.
type Batching struct {
	MaxSize  int           // events per transaction; <= 1: no batching
	MaxWait  time.Duration // how long the first event of a batch waits for others
	Flushers int           // transactions in flight at once
}

type pending struct {
	ev     Event
	result chan batchResult // buffered: a flusher never blocks on a gone sender
}

type batchResult struct {
	r   Receipt
	err error
}

// batcher gathers verified events into one transaction each MaxWait or
// MaxSize events, and answers each sender only once that transaction
// committed (or failed).
type batcher struct {
	b     Batching
	in    chan pending
	flush func(ctx context.Context, ps []pending)
	stop  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

func newBatcher(b Batching, flush func(ctx context.Context, ps []pending)) *batcher {
	if b.Flushers < 1 {
		b.Flushers = 1
	}
	if b.MaxWait <= 0 {
		b.MaxWait = time.Millisecond
	}
	bt := &batcher{b: b, in: make(chan pending, b.MaxSize*b.Flushers), flush: flush, stop: make(chan struct{})}
	for range b.Flushers {
		bt.wg.Add(1)
		go bt.loop()
	}
	return bt
}

// loop takes the first waiting event, gathers what arrives within MaxWait
// up to MaxSize, and commits the batch.
func (bt *batcher) loop() {
	defer bt.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var first pending
		select {
		case first = <-bt.in:
		case <-bt.stop:
			return
		}
		batch := make([]pending, 1, bt.b.MaxSize)
		batch[0] = first
		timer.Reset(bt.b.MaxWait)
	gather:
		for len(batch) < bt.b.MaxSize {
			select {
			case p := <-bt.in:
				batch = append(batch, p)
			case <-timer.C:
				break gather
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		// The transaction is the batch's, not one sender's: a sender
		// hanging up must not cancel the others' commit.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		bt.flush(ctx, batch)
		cancel()
	}
}

// submit hands ev to the batcher and waits for its transaction.
func (bt *batcher) submit(ctx context.Context, ev Event) (Receipt, error) {
	p := pending{ev: ev, result: make(chan batchResult, 1)}
	select {
	case bt.in <- p:
	case <-ctx.Done():
		return Receipt{}, ctx.Err()
	case <-bt.stop:
		return Receipt{}, fmt.Errorf("webhook: the receiver is stopping")
	}
	select {
	case res := <-p.result:
		return res.r, res.err
	case <-ctx.Done():
		// The event may still commit; the sender gets no 2xx and Klarna's
		// retry is then counted as a duplicate.
		return Receipt{}, ctx.Err()
	}
}

func (bt *batcher) close() {
	bt.once.Do(func() { close(bt.stop) })
	bt.wg.Wait()
	for {
		select {
		case p := <-bt.in:
			p.result <- batchResult{err: fmt.Errorf("webhook: the receiver stopped")}
		default:
			return
		}
	}
}

package postgres

import (
	"context"
	"log/slog"
	"time"
)

// Listen calls onChange for every NOTIFY on channel until ctx ends. It holds
// one connection; after a lost connection it reconnects with backoff and
// calls onChange once, since notifications may have been missed meanwhile.
func (db *DB) Listen(ctx context.Context, channel string, log *slog.Logger, onChange func(ctx context.Context)) {
	backoff := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		conn, err := db.Pool.Acquire(ctx)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+channel)
		}
		if err == nil {
			if !first {
				onChange(ctx)
			}
			first = false
			backoff = 100 * time.Millisecond
			for {
				_, err = conn.Conn().WaitForNotification(ctx)
				if err != nil {
					break
				}
				onChange(ctx)
			}
		}
		if conn != nil {
			conn.Hijack().Close(context.Background()) // never return a LISTENing connection to the pool
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("notification listener reconnecting", "channel", channel, "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

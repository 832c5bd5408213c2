package postgres

import (
	"context"
	"fmt"
	"time"
)

// Heartbeat is the last run of a periodic job.
type Heartbeat struct {
	Name      string
	Runs      int64
	LastRunAt time.Time
	LastHost  string
}

// RecordHeartbeat counts one run of the named job.
func (db *DB) RecordHeartbeat(ctx context.Context, name, host string) error {
	err := db.conn(ctx).Exec(`
		INSERT INTO job_heartbeats (name, runs, last_run_at, last_host) VALUES (?, 1, now(), ?)
		ON CONFLICT (name) DO UPDATE SET runs = job_heartbeats.runs + 1, last_run_at = now(), last_host = EXCLUDED.last_host`,
		name, host).Error
	if err != nil {
		return fmt.Errorf("record heartbeat: %w", err)
	}
	return nil
}

// LastHeartbeat returns the named job's last run, or ok=false if it never ran.
func (db *DB) LastHeartbeat(ctx context.Context, name string) (hb Heartbeat, ok bool, err error) {
	res := db.conn(ctx).Raw(`SELECT name, runs, last_run_at, last_host FROM job_heartbeats WHERE name = ?`, name).Scan(&hb)
	if res.Error != nil {
		return hb, false, fmt.Errorf("last heartbeat: %w", res.Error)
	}
	return hb, res.RowsAffected > 0, nil
}

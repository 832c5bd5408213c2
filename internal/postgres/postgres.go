// Package postgres owns the database: the pgx pool, GORM on top of it,
// migrations (ours through goose, River's through rivermigrate) and the
// stores that implement the domain packages' interfaces. It is the only
// package that imports GORM.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	gormpg "gorm.io/driver/postgres"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"

	"github.com/partnerdesk/partnerdesk/migrations"
)

// DB is the application's database handle.
type DB struct {
	Pool *pgxpool.Pool
	Gorm *gorm.DB
	sql  *sql.DB
	// deadlineCounts keeps the queue's time-dependent counts for a moment
	// (DisputeStore.Counts).
	deadlineCounts *deadlineCounts
}

// Options tune the pool.
type Options struct {
	MaxConns int32
}

// Open connects to dsn and checks the server answers.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	g, err := gorm.Open(gormpg.New(gormpg.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 gormlogger.Discard,
		SkipDefaultTransaction: true,
		TranslateError:         true,
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: gorm: %w", err)
	}
	return &DB{Pool: pool, Gorm: g, sql: sqlDB, deadlineCounts: newDeadlineCounts()}, nil
}

// SQL is the database/sql handle over the same pool.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close releases the pool.
func (db *DB) Close() {
	_ = db.sql.Close()
	db.Pool.Close()
}

// Ping reports whether the database answers within ctx.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

func (db *DB) goose() (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectPostgres, db.sql, migrations.FS)
}

// MigrateUp applies River's migrations and then ours.
func (db *DB) MigrateUp(ctx context.Context, log *slog.Logger) error {
	m, err := rivermigrate.New(riverpgxv5.New(db.Pool), &rivermigrate.Config{Logger: quiet()})
	if err != nil {
		return fmt.Errorf("migrate: river: %w", err)
	}
	rres, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate: river: %w", err)
	}
	for _, v := range rres.Versions {
		log.Info("migration applied", "set", "river", "version", v.Version)
	}
	p, err := db.goose()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		log.Info("migration applied", "set", "partnerdesk", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// MigrateDown rolls back our newest migration (River's schema is left alone).
func (db *DB) MigrateDown(ctx context.Context, log *slog.Logger) error {
	p, err := db.goose()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	r, err := p.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return errors.New("migrate: nothing to roll back")
	}
	if err != nil {
		return fmt.Errorf("migrate: down: %w", err)
	}
	log.Info("migration rolled back", "version", r.Source.Version, "file", r.Source.Path)
	return nil
}

// MigrationStatus lists our migrations and whether each is applied.
type MigrationStatus struct {
	Version   int64
	File      string
	Applied   bool
	AppliedAt time.Time
}

// MigrateStatus reports every migration's state.
func (db *DB) MigrateStatus(ctx context.Context) ([]MigrationStatus, error) {
	p, err := db.goose()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{Version: s.Source.Version, File: s.Source.Path, Applied: s.State == goose.StateApplied, AppliedAt: s.AppliedAt})
	}
	return out, nil
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

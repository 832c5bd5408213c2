package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

type txKey struct{}

// txState is one open transaction: the database/sql connection it runs on,
// and GORM bound to it.
type txState struct {
	conn *sql.Conn
	gorm *gorm.DB
}

// InTx runs fn in one transaction. Every store method called with the ctx
// that fn receives joins that transaction, and so do River jobs inserted
// through PgxTx, so a change, its audit record and the jobs it causes commit
// or roll back together. Nested calls reuse the outer transaction.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	g := db.Gorm.Session(&gorm.Session{Context: ctx, NewDB: true})
	g.Statement.ConnPool = sqlTx
	done := false
	defer func() {
		if !done {
			_ = sqlTx.Rollback() // fn failed or panicked
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, &txState{conn: conn, gorm: g})); err != nil {
		return err
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// conn is the connection for ctx: its transaction, or the pool.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return st.gorm
	}
	return db.Gorm.WithContext(ctx)
}

// mustTx fails when ctx carries no transaction: for writes that are only
// correct inside one (audit records).
func mustTx(ctx context.Context, op string) (*gorm.DB, error) {
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return nil, fmt.Errorf("%s: must run inside DB.InTx", op)
	}
	return st.gorm, nil
}

// ErrNoTx is returned by PgxTx outside DB.InTx.
var ErrNoTx = errors.New("postgres: must run inside DB.InTx")

// PgxTx runs fn with the transaction of ctx seen through pgx (for River's
// InsertTx): the same PostgreSQL session, so the same transaction. fn must
// not commit or roll back; a nested Begin makes a savepoint.
func PgxTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return ErrNoTx
	}
	return st.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres: unexpected driver connection %T", driverConn)
		}
		return fn(&borrowedTx{conn: c.Conn()})
	})
}

// borrowedTx is a pgx.Tx view of a transaction that database/sql owns.
type borrowedTx struct {
	conn  *pgx.Conn
	depth int
}

func (t *borrowedTx) Begin(ctx context.Context) (pgx.Tx, error) {
	n := t.depth + 1
	if _, err := t.conn.Exec(ctx, fmt.Sprintf("SAVEPOINT pd_sp_%d", n)); err != nil {
		return nil, err
	}
	return &savepointTx{borrowedTx: borrowedTx{conn: t.conn, depth: n}}, nil
}

// Commit and Rollback belong to the owner of the transaction.
func (t *borrowedTx) Commit(context.Context) error   { return nil }
func (t *borrowedTx) Rollback(context.Context) error { return nil }

func (t *borrowedTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.conn.CopyFrom(ctx, table, cols, src)
}
func (t *borrowedTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.conn.SendBatch(ctx, b)
}
func (t *borrowedTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }
func (t *borrowedTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.conn.Prepare(ctx, name, sql)
}
func (t *borrowedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.conn.Exec(ctx, sql, args...)
}
func (t *borrowedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.conn.Query(ctx, sql, args...)
}
func (t *borrowedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.conn.QueryRow(ctx, sql, args...)
}
func (t *borrowedTx) Conn() *pgx.Conn { return t.conn }

// savepointTx is a nested transaction inside a borrowed one.
type savepointTx struct{ borrowedTx }

func (t *savepointTx) Commit(ctx context.Context) error {
	_, err := t.conn.Exec(ctx, fmt.Sprintf("RELEASE SAVEPOINT pd_sp_%d", t.depth))
	return err
}

func (t *savepointTx) Rollback(ctx context.Context) error {
	_, err := t.conn.Exec(ctx, fmt.Sprintf("ROLLBACK TO SAVEPOINT pd_sp_%d", t.depth))
	return err
}

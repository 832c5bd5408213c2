package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"
)

type txKey struct{}

// InTx runs fn in one transaction. Every store method called with the ctx
// that fn receives joins that transaction, so a change, its audit record and
// the jobs it causes commit or roll back together. Nested calls reuse the
// outer transaction.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// conn is the connection for ctx: its transaction, or the pool.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.Gorm.WithContext(ctx)
}

// SQLTx returns the database/sql transaction bound to ctx, if any, so that
// River's database/sql driver can insert jobs inside it.
func SQLTx(ctx context.Context) (*sql.Tx, bool) {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return nil, false
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	return sqlTx, ok
}

// mustTx fails when ctx carries no transaction: for writes that are only
// correct inside one (audit records).
func mustTx(ctx context.Context, op string) (*gorm.DB, error) {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return nil, fmt.Errorf("%s: must run inside DB.InTx", op)
	}
	return tx, nil
}

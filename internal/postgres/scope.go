package postgres

import (
	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// scopeCond is the SQL condition that limits column (a tenant id) to s:
// TRUE for every tenant (rows of no tenant included), FALSE for the empty
// scope, and a membership test otherwise. Every tenant-scoped query uses it,
// so an empty or forgotten scope returns nothing.
func scopeCond(column string, s scope.Scope) (string, []any) {
	switch {
	case s.IsAll():
		return "TRUE", nil
	case s.IsEmpty():
		return "FALSE", nil
	default:
		return inCond(column, uuidStrings(s.IDs()))
	}
}

// inCond is column's membership in values: an equality for one value, so
// PostgreSQL can read an index on (column, sort keys) in list order, which
// it does not do for = ANY.
func inCond(column string, values []string) (string, []any) {
	if len(values) == 1 {
		return column + " = ?", []any{values[0]}
	}
	return column + " = ANY(?)", []any{pq.Array(values)}
}

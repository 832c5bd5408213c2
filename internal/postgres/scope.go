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
		return column + " = ANY(?)", []any{pq.Array(uuidStrings(s.IDs()))}
	}
}

package postgres

import (
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// DirectoryListSQL is the store's SQL of a directory page with PostgreSQL
// placeholders ($1…), for the benchmark's baseline through pgx.
func DirectoryListSQL(sc scope.Scope, f partner.Filter, limit int) (string, []any, error) {
	q, args, err := listSQL(sc, f, "", limit)
	if err != nil {
		return "", nil, err
	}
	q, _, err = PgxSQL(q, nil)
	return q, args, err
}

package postgres

import (
	"database/sql/driver"
	"strconv"
	"strings"
)

// PgxSQL turns a store query's `?` placeholders into PostgreSQL's $n and its
// database/sql argument values (lib/pq arrays) into the values they stand
// for, so that a baseline speaking pgx directly (`make bench`, benchmarks)
// runs exactly the SQL the store runs. The store's queries hold no literal
// question marks.
func PgxSQL(q string, args []any) (string, []any, error) {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	out := make([]any, len(args))
	for i, a := range args {
		if v, ok := a.(driver.Valuer); ok {
			dv, err := v.Value()
			if err != nil {
				return "", nil, err
			}
			a = dv
		}
		out[i] = a
	}
	return b.String(), out, nil
}

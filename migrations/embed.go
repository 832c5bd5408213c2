// Package migrations holds the numbered SQL migrations (goose format),
// embedded into the binary.
package migrations

import "embed"

// FS holds the *.sql files.
//
//go:embed *.sql
var FS embed.FS

// Package keyset is the cursor of the newest-first lists (audit trail,
// webhook inbox): the (time, id) of a page's last row, opaque to clients.
package keyset

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// Cursor is a position in (At, ID) descending order.
type Cursor struct {
	At time.Time
	ID int64
}

// Encode makes the opaque cursor string. Times keep PostgreSQL's
// microsecond precision.
func Encode(c Cursor) string {
	raw := strconv.FormatInt(c.At.UnixMicro(), 10) + "." + strconv.FormatInt(c.ID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// Decode parses a cursor made by Encode; anything else is a field error.
func Decode(s string) (Cursor, error) {
	bad := apperr.Validation("The cursor is not valid; start from the first page.", apperr.FieldError{Field: "cursor", Message: "is not a cursor this list returned"})
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	at, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return Cursor{}, bad
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, bad
	}
	return Cursor{At: time.UnixMicro(us).UTC(), ID: n}, nil
}

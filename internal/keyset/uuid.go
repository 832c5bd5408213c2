package keyset

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// UUIDCursor is a position in (At, ID) descending order for lists keyed
// by UUID (onboarding drafts).
type UUIDCursor struct {
	At time.Time
	ID uuid.UUID
}

// EncodeUUID makes the opaque cursor string of c.
func EncodeUUID(c UUIDCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixMicro(), 10) + "." + c.ID.String()))
}

// DecodeUUID parses a cursor made by EncodeUUID; anything else is a field error.
func DecodeUUID(s string) (UUIDCursor, error) {
	bad := apperr.Validation("The cursor is not valid; start from the first page.", apperr.FieldError{Field: "cursor", Message: "is not a cursor this list returned"})
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return UUIDCursor{}, bad
	}
	at, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return UUIDCursor{}, bad
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	u, err2 := uuid.Parse(id)
	if err1 != nil || err2 != nil {
		return UUIDCursor{}, bad
	}
	return UUIDCursor{At: time.UnixMicro(us).UTC(), ID: u}, nil
}

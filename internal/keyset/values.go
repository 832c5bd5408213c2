package keyset

import (
	"encoding/base64"
	"encoding/json"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// Values is a position in a list sorted on several columns (a sort key,
// then unique tie-breakers): the last row's values, as text, in sort order.
// Lists with a choice of sort use it; the key names which sort made it, so a
// cursor is not applied to another order.
type Values struct {
	Key    string   `json:"k"`
	Values []string `json:"v"`
}

// EncodeValues makes the opaque cursor string.
func EncodeValues(v Values) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeValues parses a cursor made by EncodeValues for the sort key with n
// values; anything else is a field error.
func DecodeValues(s, key string, n int) (Values, error) {
	bad := apperr.Validation("The cursor is not valid; start from the first page.", apperr.FieldError{Field: "cursor", Message: "is not a cursor this list returned with this sort"})
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Values{}, bad
	}
	var v Values
	if json.Unmarshal(raw, &v) != nil || v.Key != key || len(v.Values) != n {
		return Values{}, bad
	}
	return v, nil
}

package keyset

import (
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

func TestRoundTrip(t *testing.T) {
	c := Cursor{At: time.Date(2026, 11, 21, 10, 0, 0, 123456000, time.UTC), ID: 42}
	got, err := Decode(Encode(c))
	if err != nil || !got.At.Equal(c.At) || got.ID != 42 {
		t.Fatalf("Decode(Encode(%v)) = %v, %v", c, got, err)
	}
	for _, bad := range []string{"", "!!", "bm9wZQ", Encode(Cursor{At: c.At, ID: 0})} {
		if _, err := Decode(bad); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("Decode(%q) = %v, want invalid", bad, err)
		}
	}
}

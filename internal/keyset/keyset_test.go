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

func TestValuesRoundTripAndRefuseAnotherSort(t *testing.T) {
	v := Values{Key: "name", Values: []string{"Aurora", "3f1c"}}
	got, err := DecodeValues(EncodeValues(v), "name", 2)
	if err != nil || got.Values[0] != "Aurora" || got.Values[1] != "3f1c" {
		t.Fatalf("DecodeValues(EncodeValues(%v)) = %v, %v", v, got, err)
	}
	for _, bad := range []string{"", "!!", EncodeValues(Values{Key: "state", Values: v.Values}), EncodeValues(Values{Key: "name", Values: v.Values[:1]})} {
		if _, err := DecodeValues(bad, "name", 2); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("DecodeValues(%q) = %v, want invalid", bad, err)
		}
	}
}

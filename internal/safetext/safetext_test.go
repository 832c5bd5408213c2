package safetext_test

import (
	"testing"
	"unicode/utf8"

	"github.com/partnerdesk/partnerdesk/internal/safetext"
)

func TestCleanIsStorableAndBounded(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"plain", 10, "plain"},
		{"a\x00b", 10, "a\uFFFDb"},
		{"a\xffb", 10, "a\uFFFDb"},
		{"héllo", 2, "h"}, // never half a character
		{"héllo", 3, "hé"},
	} {
		got := safetext.Clean(tc.in, tc.n)
		if got != tc.want || !safetext.Valid(got) || !utf8.ValidString(got) {
			t.Errorf("Clean(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	if safetext.Valid("a\x00") || safetext.Valid("\xff") || !safetext.Valid("ok ✓") {
		t.Error("Valid must refuse NUL and invalid UTF-8 and accept text")
	}
}

// Package safetext checks and cleans text that comes from outside before it
// is stored or shown: PostgreSQL text holds neither NUL nor invalid UTF-8.
package safetext

import (
	"strings"
	"unicode/utf8"
)

// Valid reports whether s is UTF-8 without NUL characters.
func Valid(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// Clean makes s valid UTF-8 without NUL (each bad byte or NUL becomes
// U+FFFD) and at most n bytes long, cut at a character boundary.
func Clean(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

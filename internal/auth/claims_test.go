package auth

import (
	"encoding/json"
	"testing"
)

// email_verified is read from the ID token: only true (or "true", which some
// IdPs send) counts; absent or anything else is unverified.
func TestEmailVerifiedClaim(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"email_verified":true}`: true, `{"email_verified":"true"}`: true, `{"email_verified":false}`: false,
		`{"email_verified":"false"}`: false, `{}`: false, `{"email_verified":1}`: false,
	} {
		var c idClaims
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatal(err)
		}
		if got := verified(c.EmailVerified); got != want {
			t.Errorf("%s: verified = %v, want %v", raw, got, want)
		}
	}
}

package auth

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// email_verified is true or "true" (some IdPs send a string); absent or
// anything else is unverified.
func TestEmailVerifiedClaim(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"email_verified":true}`: true, `{"email_verified":"true"}`: true, `{"email_verified":false}`: false,
		`{"email_verified":"false"}`: false, `{}`: false, `{"email_verified":1}`: false,
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		if got := mergeClaims(m, nil, "groups").EmailVerified; got != want {
			t.Errorf("%s: verified = %v, want %v", raw, got, want)
		}
	}
}

func claimsOf(t *testing.T, raw string) map[string]any {
	t.Helper()
	if raw == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// UserInfo wins where it has a value; the ID token fills the rest; the
// groups claim may be a list, one string, or nested; only names are kept.
func TestMergeClaims(t *testing.T) {
	for _, tc := range []struct {
		idt, ui, claim      string
		email, name, groups string
		verified            bool
		names               string
	}{
		{`{"sub":"a","email":"a@x","email_verified":true,"name":"A","groups":["g1","g2"]}`, ``, "groups", "a@x", "A", "g1,g2", true, "email,email_verified,groups,name,sub"},
		{`{"sub":"a"}`, `{"sub":"a","email":"a@x","email_verified":"true","given_name":"Ann","family_name":"Bo","groups":"g1"}`, "groups", "a@x", "Ann Bo", "g1", true, "email,email_verified,family_name,given_name,groups,sub"},
		{`{"sub":"a","email":"old@x","name":"Old","groups":["old"]}`, `{"sub":"a","email":"new@x","name":"","groups":[]}`, "groups", "new@x", "Old", "old", false, "email,groups,name,sub"},
		{`{"sub":"a","realm_access":{"roles":["r1"]}}`, `{"sub":"a","email":"a@x"}`, "realm_access.roles", "a@x", "", "r1", false, "email,realm_access,sub"},
		{`{"sub":"a","roles":"admins","groups":["x"]}`, ``, "roles", "", "", "admins", false, "groups,roles,sub"},
	} {
		c := mergeClaims(claimsOf(t, tc.idt), claimsOf(t, tc.ui), tc.claim)
		if c.Email != tc.email || c.Name != tc.name || strings.Join(c.Groups, ",") != tc.groups || c.EmailVerified != tc.verified || strings.Join(c.Names, ",") != tc.names {
			t.Errorf("%s + %s (%s): got %+v names %v", tc.idt, tc.ui, tc.claim, c.Claims, c.Names)
		}
	}
}

// A session's amr is what the login's ID token said, nothing assumed: a
// list, one string, or nothing.
func TestSessionAMRIsTheLoginsOwn(t *testing.T) {
	tok := func(payload string) string {
		return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
	}
	for payload, want := range map[string]string{
		`{"sub":"a","amr":["pwd","otp"]}`: "pwd,otp", `{"sub":"a","amr":"mfa"}`: "mfa", `{"sub":"a"}`: "", `{"amr":[]}`: "",
	} {
		if got := strings.Join(Session{IDToken: tok(payload)}.AMR(), ","); got != want {
			t.Errorf("%s: amr = %q, want %q", payload, got, want)
		}
	}
	if got := (Session{IDToken: "not a jwt"}).AMR(); got != nil {
		t.Errorf("a malformed token: %v", got)
	}
}

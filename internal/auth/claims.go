package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/identity"
)

// ErrNoEmail refuses a login whose claims (ID token and UserInfo together)
// carry no e-mail address: such a user could never match an invitation.
var ErrNoEmail = apperr.E(apperr.Unauthenticated, "Your identity provider did not tell us your e-mail address, so you cannot sign in. Ask your administrator to release the email claim to Partner Desk.")

// ErrUserInfoSubject refuses a login whose UserInfo response describes
// another user than the ID token (OpenID Connect Core 5.3.2).
var ErrUserInfoSubject = apperr.E(apperr.Unauthenticated, "The identity provider's user information belongs to another user than the login; sign-in refused.")

// userInfo fetches the UserInfo claims with the access token. A provider
// without a userinfo endpoint yields nil (the ID token alone is used).
func (s *Service) userInfo(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, subject string) (map[string]any, error) {
	if p.UserInfoEndpoint() == "" {
		return nil, nil
	}
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unauthenticated, "The identity provider's user information cannot be read; try again.")
	}
	if ui.Subject != subject {
		return nil, ErrUserInfoSubject
	}
	var m map[string]any
	if err := ui.Claims(&m); err != nil {
		return nil, apperr.Wrap(err, apperr.Unauthenticated, "The identity provider's user information cannot be read.")
	}
	return m, nil
}

// loginClaims are the identity claims of a login and the names (never the
// values) of every claim the provider released.
type loginClaims struct {
	identity.Claims
	Names []string
}

// mergeClaims combines ID token and UserInfo claims; for each claim UserInfo
// wins when it carries a value.
func mergeClaims(idToken, userInfo map[string]any, groupsClaim string) loginClaims {
	pick := func(read func(map[string]any) (any, bool)) any {
		if v, ok := read(userInfo); ok {
			return v
		}
		v, _ := read(idToken)
		return v
	}
	top := func(name string) func(map[string]any) (any, bool) {
		return func(m map[string]any) (any, bool) { return present(m[name]) }
	}
	var c loginClaims
	c.Email, _ = pick(top("email")).(string)
	c.EmailVerified = verified(pick(top("email_verified")))
	c.Name, _ = pick(func(m map[string]any) (any, bool) {
		if n, _ := m["name"].(string); strings.TrimSpace(n) != "" {
			return strings.TrimSpace(n), true
		}
		given, _ := m["given_name"].(string)
		family, _ := m["family_name"].(string)
		return present(strings.TrimSpace(strings.TrimSpace(given) + " " + strings.TrimSpace(family)))
	}).(string)
	c.Groups = groupList(pick(func(m map[string]any) (any, bool) { return present(lookupPath(m, groupsClaim)) }))
	seen := map[string]bool{}
	for _, m := range []map[string]any{idToken, userInfo} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				c.Names = append(c.Names, k)
			}
		}
	}
	sort.Strings(c.Names)
	return c
}

// present reports whether v is a value worth taking (not absent, null, "" or
// an empty list).
func present(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case string:
		return x, x != ""
	case []any:
		return x, len(x) > 0
	}
	return v, true
}

// lookupPath reads a claim by name; a name that is not a claim itself but
// holds dots walks nested objects ("realm_access.roles").
func lookupPath(m map[string]any, path string) any {
	if v, ok := m[path]; ok {
		return v
	}
	var cur any = m
	for _, part := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[part]
	}
	return cur
}

// groupList reads a groups claim: a list of strings or one string.
func groupList(v any) []string {
	switch x := v.(type) {
	case string:
		if x = strings.TrimSpace(x); x != "" {
			return []string{x}
		}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// AMR is the authentication methods (amr) of the session's login, read from
// the ID token the login was verified with (kept with the session); nil when
// the IdP did not say. Only the IdP's words count: nothing is assumed here.
func (s Session) AMR() []string {
	parts := strings.Split(s.IDToken, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var c struct {
		AMR any `json:"amr"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return nil
	}
	return groupList(c.AMR)
}

package oidctest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
)

func TestRelyingPartyFlow(t *testing.T) {
	tests := []struct {
		name     string
		clientID string
		secret   string
		style    oauth2.AuthStyle
	}{
		{"ClientSecretBasic", rpClientID, rpSecret, oauth2.AuthStyleInHeader},
		{"ClientSecretPost", rpClientID, rpSecret, oauth2.AuthStyleInParams},
		{"PublicClientWithPKCE", publicClient, "", oauth2.AuthStyleInParams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRP(t, oidctest.Options{})
			r.cfg.ClientID, r.cfg.ClientSecret, r.cfg.Endpoint.AuthStyle = tc.clientID, tc.secret, tc.style
			r.verifier = r.oidc.Verifier(&oidc.Config{ClientID: tc.clientID, Now: r.clock.Now})

			var disc struct {
				EndSession string   `json:"end_session_endpoint"`
				Userinfo   string   `json:"userinfo_endpoint"`
				PKCE       []string `json:"code_challenge_methods_supported"`
			}
			if err := r.oidc.Claims(&disc); err != nil {
				t.Fatal(err)
			}
			if disc.EndSession != r.idp.Issuer()+"/end-session" || disc.Userinfo == "" || !slices.Equal(disc.PKCE, []string{"S256"}) {
				t.Fatalf("discovery document incomplete: %+v", disc)
			}

			tok, idt, claims := r.login("merchant-admin")
			if idt.Subject != "dev|merchant-admin" || idt.Issuer != r.idp.Issuer() {
				t.Errorf("sub, iss = %q, %q", idt.Subject, idt.Issuer)
			}
			if claims.Email != "admin@aurora.example" || !claims.EmailVerified || claims.Name == "" {
				t.Errorf("identity claims = %+v", claims)
			}
			if !slices.Equal(claims.Groups, []string{"pd-partner-a-admins"}) {
				t.Errorf("groups = %v", claims.Groups)
			}
			if claims.AuthTime != r.clock.Now().Unix() {
				t.Errorf("auth_time = %d, want %d", claims.AuthTime, r.clock.Now().Unix())
			}
			if claims.ACR == "" || len(claims.AMR) == 0 || claims.Azp != tc.clientID {
				t.Errorf("acr, amr, azp = %q, %v, %q", claims.ACR, claims.AMR, claims.Azp)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}

			ui, err := r.oidc.UserInfo(r.ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			var uiClaims struct {
				Groups []string `json:"groups"`
			}
			_ = ui.Claims(&uiClaims)
			if ui.Subject != idt.Subject || ui.Email != "admin@aurora.example" || !slices.Equal(uiClaims.Groups, claims.Groups) {
				t.Errorf("userinfo = %+v groups %v", ui, uiClaims.Groups)
			}

			// Refresh: a new refresh token each time, same subject and auth_time.
			r.clock.Advance(5 * time.Minute)
			stale := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: r.clock.Now().Add(-time.Hour)}
			refreshed, err := r.cfg.TokenSource(r.ctx, stale).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if refreshed.RefreshToken == "" || refreshed.RefreshToken == tok.RefreshToken || refreshed.AccessToken == tok.AccessToken {
				t.Fatalf("refresh did not rotate tokens")
			}
			idt2, claims2 := r.verifyID(refreshed)
			if idt2.Subject != idt.Subject || claims2.AuthTime != claims.AuthTime {
				t.Errorf("refreshed id token sub %q auth_time %d", idt2.Subject, claims2.AuthTime)
			}
			if _, err := r.oidc.UserInfo(r.ctx, oauth2.StaticTokenSource(refreshed)); err != nil {
				t.Errorf("userinfo with refreshed token: %v", err)
			}
		})
	}
}

func TestRefreshTokenRotation(t *testing.T) {
	r := newRP(t, oidctest.Options{})
	tok, _, _ := r.login("acquirer-finance")
	refresh := func(rt string) (*oauth2.Token, error) {
		return r.cfg.TokenSource(r.ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Unix(1, 0)}).Token()
	}
	next, err := refresh(tok.RefreshToken)
	if err != nil {
		t.Fatalf("first refresh: %v", err)
	}
	// Replaying the rotated token fails and revokes the whole grant.
	if _, err := refresh(tok.RefreshToken); oauthErr(t, err) != "invalid_grant" {
		t.Fatalf("replayed refresh token: %v", err)
	}
	if _, err := refresh(next.RefreshToken); oauthErr(t, err) != "invalid_grant" {
		t.Fatalf("refresh after replay should be revoked, got %v", err)
	}
}

func TestRefreshTokenExpires(t *testing.T) {
	r := newRP(t, oidctest.Options{RefreshTTL: time.Hour})
	tok, _, _ := r.login("auditor")
	r.clock.Advance(time.Hour + time.Second)
	_, err := r.cfg.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	if oauthErr(t, err) != "invalid_grant" {
		t.Fatalf("expired refresh token: %v", err)
	}
}

func TestPKCE(t *testing.T) {
	t.Run("ErrPlainChallengeRejected", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		l := newLogin()
		res := r.get(r.cfg.AuthCodeURL(l.state, hint("auditor"),
			oauth2.SetAuthURLParam("code_challenge", l.verifier), oauth2.SetAuthURLParam("code_challenge_method", "plain")))
		if res.param("error") != "invalid_request" || res.param("code") != "" || res.param("state") != l.state {
			t.Fatalf("plain challenge: redirect %v", res.location)
		}
	})
	t.Run("ErrMissingChallengeRejected", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		res := r.get(r.cfg.AuthCodeURL("st", hint("auditor")))
		if res.param("error") != "invalid_request" || res.param("code") != "" {
			t.Fatalf("no PKCE: redirect %v", res.location)
		}
	})
	for _, tc := range []struct {
		name string
		opts []oauth2.AuthCodeOption
	}{
		{"ErrWrongVerifier", []oauth2.AuthCodeOption{oauth2.VerifierOption(oauth2.GenerateVerifier())}},
		{"ErrMissingVerifier", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRP(t, oidctest.Options{})
			l := newLogin()
			code := r.authorize(l, hint("auditor"))
			_, err := r.cfg.Exchange(r.ctx, code, tc.opts...)
			if oauthErr(t, err) != "invalid_grant" {
				t.Fatalf("exchange: %v", err)
			}
			// The failed attempt burnt the code.
			if _, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(l.verifier)); oauthErr(t, err) != "invalid_grant" {
				t.Fatalf("retry with the right verifier: %v", err)
			}
		})
	}
}

func TestAuthorizationCode(t *testing.T) {
	t.Run("ErrReused", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		l := newLogin()
		code := r.authorize(l, hint("merchant-disputes"))
		tok, _, _ := r.exchange(l, code)
		_, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(l.verifier))
		if oauthErr(t, err) != "invalid_grant" {
			t.Fatalf("second exchange: %v", err)
		}
		// Tokens issued with a replayed code are revoked.
		_, err = r.cfg.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
		if oauthErr(t, err) != "invalid_grant" {
			t.Fatalf("refresh after code replay: %v", err)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		l := newLogin()
		code := r.authorize(l, hint("merchant-disputes"))
		r.clock.Advance(2 * time.Minute)
		if _, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(l.verifier)); oauthErr(t, err) != "invalid_grant" {
			t.Fatalf("late exchange: %v", err)
		}
	})
	t.Run("ErrOtherClient", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		l := newLogin()
		code := r.authorize(l, hint("merchant-disputes"))
		other := r.cfg
		other.ClientID, other.ClientSecret = publicClient, ""
		if _, err := other.Exchange(r.ctx, code, oauth2.VerifierOption(l.verifier)); oauthErr(t, err) != "invalid_grant" {
			t.Fatalf("exchange by another client: %v", err)
		}
	})
	t.Run("ErrWrongClientSecret", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		l := newLogin()
		code := r.authorize(l, hint("merchant-disputes"))
		r.cfg.ClientSecret = "not-the-secret"
		if _, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(l.verifier)); oauthErr(t, err) != "invalid_client" {
			t.Fatalf("bad secret: %v", err)
		}
	})
	t.Run("ErrRedirectURIMismatch", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		l := newLogin()
		code := r.authorize(l, hint("merchant-disputes"))
		r.cfg.RedirectURL = "https://rp.example/elsewhere"
		if _, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(l.verifier)); oauthErr(t, err) != "invalid_grant" {
			t.Fatalf("redirect_uri mismatch: %v", err)
		}
	})
}

func TestRedirectURIValidation(t *testing.T) {
	tests := []struct {
		name     string
		clientID string
		redirect string
		wantOK   bool
	}{
		{"OKExactMatch", rpClientID, rpRedirect, true},
		{"ErrUnregistered", rpClientID, "https://attacker.example/auth/callback", false},
		{"ErrPrefixOfRegistered", rpClientID, rpRedirect + "/x", false},
		{"ErrExtraQuery", rpClientID, rpRedirect + "?next=/", false},
		{"OKLoopbackAnyPort", "loopback-app", "http://127.0.0.1:49152/auth/callback", true},
		{"OKLoopbackLocalhost", "loopback-app", "http://localhost:3000/auth/callback", true},
		{"ErrLoopbackOtherPath", "loopback-app", "http://127.0.0.1:49152/other", false},
		{"ErrLoopbackHTTPS", "loopback-app", "https://127.0.0.1:49152/auth/callback", false},
		{"ErrLoopbackNotLoopbackHost", "loopback-app", "http://192.0.2.1:8080/auth/callback", false},
		{"ErrLoopbackNotAllowedForClient", rpClientID, "http://127.0.0.1:49152/auth/callback", false},
		{"ErrUnknownClient", "nobody", rpRedirect, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRP(t, oidctest.Options{})
			r.cfg.ClientID, r.cfg.RedirectURL = tc.clientID, tc.redirect
			res := r.get(r.authURL(newLogin(), hint("acquirer-admin")))
			if tc.wantOK {
				if res.location == nil || !strings.HasPrefix(res.location.String(), tc.redirect+"?") || res.param("code") == "" {
					t.Fatalf("want a code at %s, got %d %v", tc.redirect, res.status, res.location)
				}
				return
			}
			if res.location != nil {
				t.Fatalf("must not redirect, got Location %v", res.location)
			}
			if res.status != http.StatusBadRequest || !strings.Contains(res.body, "<h1>") {
				t.Fatalf("want a 400 error page, got %d: %.200s", res.status, res.body)
			}
		})
	}
}

func TestAuthorizeErrorsRedirectToClient(t *testing.T) {
	tests := []struct {
		name  string
		opts  []oauth2.AuthCodeOption
		error string
	}{
		{"ErrResponseTypeToken", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("response_type", "token")}, "unsupported_response_type"},
		{"ErrNoOpenIDScope", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("scope", "email")}, "invalid_scope"},
		{"ErrBadMaxAge", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("max_age", "-1")}, "invalid_request"},
		{"ErrPromptNoneWithLogin", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "none login")}, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRP(t, oidctest.Options{})
			l := newLogin()
			res := r.get(r.authURL(l, append([]oauth2.AuthCodeOption{hint("auditor")}, tc.opts...)...))
			if res.param("error") != tc.error || res.param("state") != l.state || res.param("code") != "" {
				t.Fatalf("want error=%s with state, got %v", tc.error, res.location)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	r := newRP(t, oidctest.Options{KeyGracePeriod: time.Hour})
	before, _, _ := r.login("acquirer-admin")
	oldKid := kidOf(t, before.Extra("id_token").(string))

	r.idp.Rotate()
	after, _, _ := r.login("acquirer-support")
	newKid := kidOf(t, after.Extra("id_token").(string))
	if newKid == oldKid {
		t.Fatalf("token after rotation still signed with %s", oldKid)
	}
	if kids := jwksKids(t, r); !slices.Equal(kids, []string{oldKid, newKid}) {
		t.Fatalf("JWKS kids = %v, want old and new", kids)
	}
	// Both verify: the old one against the retired key still published.
	r.verifyID(before)
	r.verifyID(after)
	if _, err := r.oidc.UserInfo(r.ctx, oauth2.StaticTokenSource(before)); err != nil {
		t.Errorf("userinfo with access token signed before rotation: %v", err)
	}

	// After the grace period the old key is withdrawn.
	r.clock.Advance(time.Hour + time.Minute)
	if kids := jwksKids(t, r); !slices.Equal(kids, []string{newKid}) {
		t.Fatalf("JWKS kids after grace = %v, want only %s", kids, newKid)
	}
}

func kidOf(t *testing.T, jwt string) string {
	t.Helper()
	head, _, _ := strings.Cut(jwt, ".")
	raw, err := base64URLDecode(head)
	if err != nil {
		t.Fatalf("jwt header: %v", err)
	}
	var h struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(raw, &h); err != nil || h.Alg != "RS256" || h.Kid == "" {
		t.Fatalf("jwt header %s: %v", raw, err)
	}
	return h.Kid
}

func jwksKids(t *testing.T, r *rp) []string {
	t.Helper()
	resp, err := http.Get(r.idp.Issuer() + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Kty string `json:"kty"`
			Alg string `json:"alg"`
			Use string `json:"use"`
			D   string `json:"d"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.D != "" {
			t.Fatalf("unexpected JWK %+v (private part must never be published)", k)
		}
		kids = append(kids, k.Kid)
	}
	return kids
}

func TestReauthentication(t *testing.T) {
	const persona = "merchant-finance"
	tests := []struct {
		name string
		opts []oauth2.AuthCodeOption
		// fresh: auth_time must be now (re-authenticated); otherwise the
		// original login's auth_time is kept (single sign-on).
		fresh bool
	}{
		{"SessionReusedWithoutHint", nil, false},
		{"SessionReusedWithSameHint", []oauth2.AuthCodeOption{hint(persona)}, false},
		{"PromptLoginWithHintIsFresh", []oauth2.AuthCodeOption{hint(persona), oauth2.SetAuthURLParam("prompt", "login")}, true},
		{"MaxAgeExceededWithHintIsFresh", []oauth2.AuthCodeOption{hint(persona), oauth2.SetAuthURLParam("max_age", "300")}, true},
		{"MaxAgeZeroWithHintIsFresh", []oauth2.AuthCodeOption{hint(persona), oauth2.SetAuthURLParam("max_age", "0")}, true},
		{"MaxAgeSatisfiedReusesSession", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("max_age", "3600")}, false},
		{"PromptNoneWithSession", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "none")}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRP(t, oidctest.Options{})
			_, _, first := r.login(persona)
			r.clock.Advance(10 * time.Minute)
			_, idt, again := r.login2(tc.opts...)
			if idt.Subject != "dev|"+persona {
				t.Fatalf("sub = %s", idt.Subject)
			}
			want := first.AuthTime
			if tc.fresh {
				want = r.clock.Now().Unix()
			}
			if again.AuthTime != want {
				t.Fatalf("auth_time = %d, want %d (first login %d)", again.AuthTime, want, first.AuthTime)
			}
		})
	}

	t.Run("PromptLoginWithoutHintShowsPicker", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		r.login(persona)
		res := r.get(r.authURL(newLogin(), oauth2.SetAuthURLParam("prompt", "login")))
		if res.status != http.StatusOK || !strings.Contains(res.body, `name="persona"`) {
			t.Fatalf("want the picker, got %d %v", res.status, res.location)
		}
	})
	t.Run("MaxAgeExceededWithoutHintShowsPicker", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		r.login(persona)
		r.clock.Advance(10 * time.Minute)
		res := r.get(r.authURL(newLogin(), oauth2.SetAuthURLParam("max_age", "60")))
		if res.status != http.StatusOK || !strings.Contains(res.body, `name="persona"`) {
			t.Fatalf("want the picker, got %d %v", res.status, res.location)
		}
	})
	for _, tc := range []struct {
		name  string
		login bool
		opts  []oauth2.AuthCodeOption
	}{
		{"ErrPromptNoneWithoutSession", false, nil},
		{"ErrPromptNoneMaxAgeExceeded", true, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("max_age", "60")}},
		{"ErrPromptNoneOtherPersona", true, []oauth2.AuthCodeOption{hint("auditor")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRP(t, oidctest.Options{})
			if tc.login {
				r.login(persona)
			}
			r.clock.Advance(10 * time.Minute)
			l := newLogin()
			res := r.get(r.authURL(l, append([]oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "none")}, tc.opts...)...))
			if res.param("error") != "login_required" || res.param("state") != l.state {
				t.Fatalf("want login_required, got %d %v", res.status, res.location)
			}
		})
	}
}

// login2 authorizes with exactly opts (no implicit login_hint).
func (r *rp) login2(opts ...oauth2.AuthCodeOption) (*oauth2.Token, *oidc.IDToken, idClaims) {
	r.t.Helper()
	l := newLogin()
	return r.exchange(l, r.authorize(l, opts...))
}

func TestEndSession(t *testing.T) {
	endSession := func(r *rp, params url.Values) authResult {
		return r.get(r.idp.Issuer() + "/end-session?" + params.Encode())
	}
	t.Run("OKRedirectsToRegisteredURIWithState", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		tok, _, _ := r.login("merchant-admin")
		res := endSession(r, url.Values{
			"id_token_hint": {tok.Extra("id_token").(string)}, "post_logout_redirect_uri": {rpLoggedOut}, "state": {"bye-123"},
		})
		if res.location == nil || res.location.String() != rpLoggedOut+"?state=bye-123" {
			t.Fatalf("want redirect to %s with state, got %d %v", rpLoggedOut, res.status, res.location)
		}
		// The IdP session is gone: silent login now fails.
		again := r.get(r.authURL(newLogin(), oauth2.SetAuthURLParam("prompt", "none")))
		if again.param("error") != "login_required" {
			t.Fatalf("after logout prompt=none gave %v", again.location)
		}
	})
	t.Run("OKExpiredHintAccepted", func(t *testing.T) {
		r := newRP(t, oidctest.Options{IDTokenTTL: time.Minute})
		tok, _, _ := r.login("merchant-admin")
		r.clock.Advance(time.Hour)
		res := endSession(r, url.Values{"id_token_hint": {tok.Extra("id_token").(string)}, "post_logout_redirect_uri": {rpLoggedOut}})
		if res.location == nil || res.location.String() != rpLoggedOut {
			t.Fatalf("got %d %v", res.status, res.location)
		}
	})
	t.Run("OKClientIDInsteadOfHint", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		r.login("merchant-admin")
		res := endSession(r, url.Values{"client_id": {rpClientID}, "post_logout_redirect_uri": {rpLoggedOut}})
		if res.location == nil || res.location.String() != rpLoggedOut {
			t.Fatalf("got %d %v", res.status, res.location)
		}
	})
	t.Run("OKNoRedirectShowsSignedOutPage", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		r.login("merchant-admin")
		res := endSession(r, url.Values{})
		if res.location != nil || res.status != http.StatusOK || !strings.Contains(res.body, "signed out") {
			t.Fatalf("got %d %v", res.status, res.location)
		}
	})
	for _, tc := range []struct {
		name   string
		params func(idToken string) url.Values
	}{
		{"ErrUnregisteredURI", func(id string) url.Values {
			return url.Values{"id_token_hint": {id}, "post_logout_redirect_uri": {"https://attacker.example/"}}
		}},
		{"ErrLoginRedirectIsNotALogoutURI", func(id string) url.Values {
			return url.Values{"id_token_hint": {id}, "post_logout_redirect_uri": {rpRedirect}}
		}},
		{"ErrURIWithoutClient", func(string) url.Values {
			return url.Values{"post_logout_redirect_uri": {rpLoggedOut}}
		}},
		{"ErrForgedHint", func(id string) url.Values {
			parts := strings.Split(id, ".")
			return url.Values{"id_token_hint": {parts[0] + "." + parts[1] + ".AAAA"}, "post_logout_redirect_uri": {rpLoggedOut}}
		}},
		{"ErrHintForOtherClient", func(id string) url.Values {
			return url.Values{"id_token_hint": {id}, "client_id": {publicClient}, "post_logout_redirect_uri": {rpLoggedOut}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRP(t, oidctest.Options{})
			tok, _, _ := r.login("merchant-admin")
			res := endSession(r, tc.params(tok.Extra("id_token").(string)))
			if res.location != nil || res.status != http.StatusBadRequest {
				t.Fatalf("want 400 error page without redirect, got %d %v", res.status, res.location)
			}
		})
	}
}

func TestUserinfoRejectsBadTokens(t *testing.T) {
	r := newRP(t, oidctest.Options{AccessTokenTTL: time.Minute})
	tok, _, _ := r.login("auditor")
	for _, tc := range []struct {
		name  string
		auth  string
		delay time.Duration
	}{
		{"ErrNoToken", "", 0},
		{"ErrGarbage", "Bearer not-a-token", 0},
		{"ErrIDTokenIsNotAnAccessToken", "Bearer " + tok.Extra("id_token").(string), 0},
		{"ErrExpired", "Bearer " + tok.AccessToken, 2 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.clock.Advance(tc.delay)
			req, _ := http.NewRequest(http.MethodGet, r.idp.Issuer()+"/userinfo", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("status %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

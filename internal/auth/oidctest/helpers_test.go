package oidctest_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
)

const (
	rpRedirect   = "https://rp.example/auth/callback"
	rpLoggedOut  = "https://rp.example/signed-out"
	rpClientID   = "partnerdesk-test"
	rpSecret     = "test-secret-value"
	publicClient = "partnerdesk-spa"
)

// clock is a settable time source shared by provider and verifier.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// rp is a relying party wired to a running provider, plus a browser.
type rp struct {
	t        *testing.T
	idp      *oidctest.Provider
	clock    *clock
	oidc     *oidc.Provider
	cfg      oauth2.Config
	verifier *oidc.IDTokenVerifier
	browser  *http.Client
	ctx      context.Context
}

func defaultClients() []oidctest.Client {
	return []oidctest.Client{
		{ID: rpClientID, Secret: rpSecret, RedirectURIs: []string{rpRedirect}, PostLogoutRedirectURIs: []string{rpLoggedOut}},
		{ID: publicClient, RedirectURIs: []string{rpRedirect}},
		{ID: "loopback-app", Secret: "loopback-secret", RedirectURIs: []string{"http://127.0.0.1:8080/auth/callback"},
			PostLogoutRedirectURIs: []string{"http://127.0.0.1:8080/"}, AllowLoopbackRedirects: true},
	}
}

// newRP starts a provider (default clients unless opts has some) and a
// confidential relying party using client_secret_basic.
func newRP(t *testing.T, opts oidctest.Options) *rp {
	t.Helper()
	clk := newClock()
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	if opts.Clients == nil {
		opts.Clients = defaultClients()
	}
	return rpFor(t, oidctest.Start(t, opts), clk)
}

// rpFor wires a relying party and a browser to a running provider.
func rpFor(t *testing.T, idp *oidctest.Provider, clk *clock) *rp {
	t.Helper()
	ctx := t.Context()
	op, err := oidc.NewProvider(ctx, idp.Issuer())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	jar, _ := cookiejar.New(nil)
	iu, _ := url.Parse(idp.Issuer())
	idpHost := iu.Host
	browser := &http.Client{
		Jar: jar,
		// Follow redirects inside the IdP; stop when leaving it, as the
		// relying party's callback is not served in these tests.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != idpHost {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	r := &rp{
		t: t, idp: idp, clock: clk, oidc: op, browser: browser, ctx: ctx,
		cfg: oauth2.Config{
			ClientID: rpClientID, ClientSecret: rpSecret, RedirectURL: rpRedirect,
			Endpoint: oauth2.Endpoint{AuthURL: op.Endpoint().AuthURL, TokenURL: op.Endpoint().TokenURL, AuthStyle: oauth2.AuthStyleInHeader},
			Scopes:   []string{oidc.ScopeOpenID, "profile", "email", "groups"},
		},
	}
	r.verifier = op.Verifier(&oidc.Config{ClientID: rpClientID, Now: clk.Now})
	return r
}

// authResult is what the browser ended on after an authorization request.
type authResult struct {
	status   int
	location *url.URL // set when redirected out of the IdP
	body     string
}

func (a authResult) param(k string) string {
	if a.location == nil {
		return ""
	}
	return a.location.Query().Get(k)
}

// get fetches rawURL with the browser, following redirects within the IdP.
func (r *rp) get(rawURL string) authResult {
	r.t.Helper()
	resp, err := r.browser.Get(rawURL)
	if err != nil {
		r.t.Fatalf("GET %s: %v", rawURL, err)
	}
	return r.result(resp)
}

func (r *rp) postForm(rawURL string, form url.Values) authResult {
	r.t.Helper()
	resp, err := r.browser.PostForm(rawURL, form)
	if err != nil {
		r.t.Fatalf("POST %s: %v", rawURL, err)
	}
	return r.result(resp)
}

func (r *rp) result(resp *http.Response) authResult {
	r.t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	res := authResult{status: resp.StatusCode, body: string(body)}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		u, err := resp.Location()
		if err != nil {
			r.t.Fatalf("bad Location %q: %v", loc, err)
		}
		res.location = u
	}
	return res
}

// pkceLogin is one authorization request with PKCE S256, state and nonce.
type pkceLogin struct {
	state, nonce, verifier string
}

func newLogin() pkceLogin {
	return pkceLogin{state: oauth2.GenerateVerifier()[:20], nonce: oauth2.GenerateVerifier()[:24], verifier: oauth2.GenerateVerifier()}
}

func (r *rp) authURL(l pkceLogin, extra ...oauth2.AuthCodeOption) string {
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce(l.nonce), oauth2.S256ChallengeOption(l.verifier)}, extra...)
	return r.cfg.AuthCodeURL(l.state, opts...)
}

func hint(persona string) oauth2.AuthCodeOption {
	return oauth2.SetAuthURLParam("login_hint", persona)
}

// authorize runs an authorization request that must come back to the RP
// with a code, and returns the code.
func (r *rp) authorize(l pkceLogin, extra ...oauth2.AuthCodeOption) string {
	r.t.Helper()
	res := r.get(r.authURL(l, extra...))
	if res.location == nil {
		r.t.Fatalf("authorize: want redirect to the RP, got %d: %.300s", res.status, res.body)
	}
	if got := res.location.Scheme + "://" + res.location.Host + res.location.Path; got != rpRedirect {
		r.t.Fatalf("authorize redirected to %s, want %s", got, rpRedirect)
	}
	if e := res.param("error"); e != "" {
		r.t.Fatalf("authorize: error %s: %s", e, res.param("error_description"))
	}
	if res.param("state") != l.state {
		r.t.Fatalf("state = %q, want %q", res.param("state"), l.state)
	}
	if res.param("iss") != r.idp.Issuer() {
		r.t.Fatalf("iss = %q, want %q", res.param("iss"), r.idp.Issuer())
	}
	return res.param("code")
}

// idClaims are the ID token claims the tests look at.
type idClaims struct {
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name"`
	Groups        []string `json:"groups"`
	AuthTime      int64    `json:"auth_time"`
	ACR           string   `json:"acr"`
	AMR           []string `json:"amr"`
	Azp           string   `json:"azp"`
}

// exchange redeems a code and verifies the ID token (including nonce).
func (r *rp) exchange(l pkceLogin, code string) (*oauth2.Token, *oidc.IDToken, idClaims) {
	r.t.Helper()
	tok, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		r.t.Fatalf("exchange: %v", err)
	}
	idt, claims := r.verifyID(tok)
	if idt.Nonce != l.nonce {
		r.t.Fatalf("nonce = %q, want %q", idt.Nonce, l.nonce)
	}
	return tok, idt, claims
}

func (r *rp) verifyID(tok *oauth2.Token) (*oidc.IDToken, idClaims) {
	r.t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		r.t.Fatalf("token response has no id_token")
	}
	idt, err := r.verifier.Verify(r.ctx, raw)
	if err != nil {
		r.t.Fatalf("verify id token: %v", err)
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		r.t.Fatalf("id token claims: %v", err)
	}
	return idt, c
}

// login signs persona in through login_hint and returns the verified claims.
func (r *rp) login(persona string, extra ...oauth2.AuthCodeOption) (*oauth2.Token, *oidc.IDToken, idClaims) {
	r.t.Helper()
	l := newLogin()
	return r.exchange(l, r.authorize(l, append([]oauth2.AuthCodeOption{hint(persona)}, extra...)...))
}

// oauthErr returns the RFC 6749 error code of a failed token request.
func oauthErr(t *testing.T, err error) string {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("want an OAuth error response, got %v", err)
	}
	return re.ErrorCode
}

func base64URLDecode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

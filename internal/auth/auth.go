// Package auth logs users in through OpenID Connect (authorization code flow
// with PKCE, state and nonce) and keeps server-side sessions in PostgreSQL.
// It is the only package that imports go-oidc.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/identity"
)

// Config is the relying party's configuration.
type Config struct {
	Issuer          string
	ClientID        string
	ClientSecret    string
	RedirectURL     string // our /auth/callback
	PostLogoutURL   string // where the IdP sends the browser after logout
	Scopes          []string
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	StepUpMaxAge    time.Duration
	LoginRateLimit  int // login starts per client per minute
	// GroupsClaim names the claim holding the user's groups ("groups" when
	// empty); a dotted name reaches into nested objects ("realm_access.roles").
	GroupsClaim string
	// AllowDevProvider permits an IdP whose discovery document carries
	// DevMarker (the development provider): only in dev and demos.
	AllowDevProvider bool
}

// DevMarker is the discovery field of the development provider (oidctest).
const DevMarker = "partnerdesk_development_provider"

// Flow is a login in progress. BrowserHash binds it (and so its PKCE
// verifier) to the browser that started it: a hash of that browser's login
// cookie.
type Flow struct {
	State, Nonce, CodeVerifier, ReturnTo string
	BrowserHash                          []byte
	CreatedAt                            time.Time
}

// FlowTTL is how long a started login may take; the login cookie lives as long.
const FlowTTL = 10 * time.Minute

// NewBrowserBinding returns a fresh value for the login cookie.
func NewBrowserBinding() string { return random(24) }

// Session is a logged-in browser.
type Session struct {
	IDHash     []byte
	UserID     uuid.UUID
	CSRFToken  string
	AuthTime   time.Time
	IDToken    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	IP         string
	UserAgent  string
}

// Store persists flows and sessions.
type Store interface {
	SaveFlow(ctx context.Context, f Flow) error
	TakeFlow(ctx context.Context, state string) (Flow, error)
	CreateSession(ctx context.Context, s Session) error
	// SessionByHash returns the session and its user.
	SessionByHash(ctx context.Context, hash []byte) (Session, identity.User, error)
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	RevokeSession(ctx context.Context, hash []byte, at time.Time) (Session, error)
	RevokeUserSessions(ctx context.Context, userID uuid.UUID, at time.Time) error
	CountLoginAttempt(ctx context.Context, client string, window time.Time) (int, error)
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Service is the login and session service.
type Service struct {
	cfg   Config
	store Store
	ident *identity.Service
	audit actor.Recorder
	log   *slog.Logger
	now   func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider
}

// ErrDevProvider refuses the development IdP outside dev and demos.
var ErrDevProvider = errors.New("PARTNERDESK_OIDC_ISSUER points at the development identity provider, which is only for dev and demos (set PARTNERDESK_DEMO=true for a demo)")

// CheckProvider discovers the IdP now, so misconfiguration shows at start.
func (s *Service) CheckProvider(ctx context.Context) error {
	_, err := s.discover(ctx)
	return err
}

// New returns the service. The IdP is discovered at first use, so a server
// starts even while its IdP is briefly unreachable.
func New(cfg Config, store Store, ident *identity.Service, audit actor.Recorder, log *slog.Logger) *Service {
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "profile", "email", "groups"}
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	return &Service{cfg: cfg, store: store, ident: ident, audit: audit, log: log, now: time.Now}
}

func (s *Service) discover(ctx context.Context) (*oidc.Provider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.provider != nil {
		return s.provider, nil
	}
	p, err := oidc.NewProvider(ctx, s.cfg.Issuer)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "The identity provider cannot be reached; try again in a moment.")
	}
	var meta map[string]any
	if err := p.Claims(&meta); err == nil && meta[DevMarker] == true && !s.cfg.AllowDevProvider {
		return nil, apperr.Wrap(ErrDevProvider, apperr.Unavailable, "Login is disabled: the configured identity provider is the development one.")
	}
	s.provider = p
	return p, nil
}

func (s *Service) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret, RedirectURL: s.cfg.RedirectURL, Endpoint: p.Endpoint(), Scopes: s.cfg.Scopes}
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SafeReturnTo accepts only same-origin paths ("/disputes?x=1"), never
// another host, a scheme, or protocol-relative "//evil".
func SafeReturnTo(raw string) (string, error) {
	if raw == "" {
		return "/", nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") || strings.HasPrefix(raw, "/\\") || strings.ContainsAny(raw, "\r\n") {
		return "", apperr.Validation("The return address must be a path on this site.", apperr.FieldError{Field: "return_to", Message: "must be a path such as /disputes"})
	}
	return raw, nil
}

// BeginLogin starts a login and returns the IdP URL to send the browser to.
// browser is the value of the login cookie the caller sets on this browser
// (NewBrowserBinding); FinishLogin only completes the flow for the same
// value. stepUp forces a fresh authentication (prompt=login, max_age=0).
func (s *Service) BeginLogin(ctx context.Context, client, browser, returnTo, loginHint string, stepUp bool) (string, error) {
	if browser == "" {
		return "", apperr.E(apperr.Internal, "begin login: no browser binding")
	}
	rt, err := SafeReturnTo(returnTo)
	if err != nil {
		return "", err
	}
	if s.cfg.LoginRateLimit > 0 {
		n, err := s.store.CountLoginAttempt(ctx, client, s.now().Truncate(time.Minute))
		if err != nil {
			return "", err
		}
		if n > s.cfg.LoginRateLimit {
			next := s.now().Truncate(time.Minute).Add(time.Minute)
			return "", apperr.WithRetryAfter(apperr.E(apperr.RateLimited, "Too many login attempts from your address; wait a minute and try again."), next.Sub(s.now()))
		}
	}
	p, err := s.discover(ctx)
	if err != nil {
		return "", err
	}
	f := Flow{State: random(24), Nonce: random(24), CodeVerifier: oauth2.GenerateVerifier(), ReturnTo: rt, BrowserHash: hashSecret(browser), CreatedAt: s.now()}
	if err := s.store.SaveFlow(ctx, f); err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.CodeVerifier)}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	if stepUp {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("max_age", "0"))
	}
	return s.oauth(p).AuthCodeURL(f.State, opts...), nil
}

// ClientInfo describes the browser, for the session record and audit.
type ClientInfo struct{ IP, UserAgent string }

// NewSession is a freshly created session and its secret (the cookie value).
type NewSession struct {
	Session  Session
	Secret   string
	ReturnTo string
}

// ErrOtherBrowser refuses a callback in a browser that did not start the
// login (login CSRF: a callback URL handed to someone else).
var ErrOtherBrowser = apperr.E(apperr.Invalid, "This login was started in another browser or window, or it expired; start the login again here.")

// FinishLogin completes the code flow: it checks state and that the browser
// holds the login cookie the flow was started with, exchanges the code with
// the PKCE verifier, verifies the ID token (issuer, audience, expiry, nonce),
// provisions the user and creates a session with a new id.
func (s *Service) FinishLogin(ctx context.Context, browser, state, code string, ci ClientInfo) (NewSession, error) {
	if state == "" || code == "" {
		return NewSession{}, apperr.E(apperr.Invalid, "The login response is incomplete; start the login again.")
	}
	if browser == "" {
		return NewSession{}, ErrOtherBrowser
	}
	f, err := s.store.TakeFlow(ctx, state)
	if err != nil {
		return NewSession{}, apperr.E(apperr.Invalid, "This login has expired or was already used; start the login again.")
	}
	if len(f.BrowserHash) == 0 || subtle.ConstantTimeCompare(f.BrowserHash, hashSecret(browser)) != 1 {
		return NewSession{}, ErrOtherBrowser
	}
	if s.now().Sub(f.CreatedAt) > FlowTTL {
		return NewSession{}, apperr.E(apperr.Invalid, "This login took too long; start the login again.")
	}
	p, err := s.discover(ctx)
	if err != nil {
		return NewSession{}, err
	}
	tok, err := s.oauth(p).Exchange(ctx, code, oauth2.VerifierOption(f.CodeVerifier))
	if err != nil {
		return NewSession{}, apperr.Wrap(err, apperr.Unauthenticated, "The identity provider refused the login.")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return NewSession{}, apperr.E(apperr.Unauthenticated, "The identity provider sent no ID token.")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: s.cfg.ClientID, Now: s.now}).Verify(ctx, raw)
	if err != nil {
		return NewSession{}, apperr.Wrap(err, apperr.Unauthenticated, "The ID token is not valid.")
	}
	if idt.Nonce != f.Nonce {
		return NewSession{}, apperr.E(apperr.Unauthenticated, "The ID token does not belong to this login.")
	}
	var idc map[string]any
	if err := idt.Claims(&idc); err != nil {
		return NewSession{}, apperr.Wrap(err, apperr.Unauthenticated, "The ID token's claims cannot be read.")
	}
	uic, err := s.userInfo(ctx, p, tok, idt.Subject)
	if err != nil {
		return NewSession{}, err
	}
	c := mergeClaims(idc, uic, s.cfg.GroupsClaim)
	c.Issuer, c.Subject = idt.Issuer, idt.Subject
	if c.Email == "" {
		return NewSession{}, ErrNoEmail
	}
	c.ClaimNames = c.Names
	u, err := s.ident.Login(ctx, c.Claims)
	if err != nil {
		return NewSession{}, err
	}
	authTime := s.now()
	if at, ok := idc["auth_time"].(float64); ok && at > 0 {
		authTime = time.Unix(int64(at), 0)
	}
	secret := random(32)
	now := s.now()
	sess := Session{IDHash: hashSecret(secret), UserID: u.ID, CSRFToken: random(24), AuthTime: authTime, IDToken: raw,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.AbsoluteTimeout), IP: ci.IP, UserAgent: truncate(ci.UserAgent, 300)}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateSession(ctx, sess); err != nil {
			return err
		}
		ctx = actor.With(ctx, actor.Actor{UserID: u.ID, Label: labelOf(u)})
		return s.audit(ctx, actor.Change{Action: "session:login", TargetType: "user", TargetID: u.ID.String(),
			After: map[string]any{"auth_time": authTime.UTC(), "ip": ci.IP}})
	})
	if err != nil {
		return NewSession{}, err
	}
	return NewSession{Session: sess, Secret: secret, ReturnTo: f.ReturnTo}, nil
}

// verified reads email_verified: true or "true"; anything else (absent,
// false, a number) is unverified.
func verified(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

func labelOf(u identity.User) string {
	if u.Email != "" {
		return u.Email
	}
	return u.Subject
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Lookup returns the live session for a cookie value and its user. Revoked,
// expired and idle sessions are refused, and so are disabled users; last use
// is recorded at most once a minute.
func (s *Service) Lookup(ctx context.Context, secret string) (Session, identity.User, error) {
	expired := apperr.E(apperr.Unauthenticated, "Your session has expired; log in again.")
	if secret == "" {
		return Session{}, identity.User{}, apperr.E(apperr.Unauthenticated, "You are not logged in.")
	}
	sess, u, err := s.store.SessionByHash(ctx, hashSecret(secret))
	if apperr.Is(err, apperr.NotFound) {
		return Session{}, identity.User{}, expired
	}
	if err != nil {
		return Session{}, identity.User{}, err
	}
	now := s.now()
	if sess.RevokedAt != nil || now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.cfg.IdleTimeout {
		return Session{}, identity.User{}, expired
	}
	if u.DisabledAt != nil {
		return Session{}, identity.User{}, apperr.E(apperr.Unauthenticated, "Your account is disabled.")
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, sess.IDHash, now); err != nil {
			s.log.Warn("session touch failed", "error", err)
		}
	}
	return sess, u, nil
}

// RequireRecentAuth refuses sensitive actions when the login is older than
// the step-up age; the UI then sends the user through the IdP again.
func (s *Service) RequireRecentAuth(sess Session) error {
	if s.now().Sub(sess.AuthTime) > s.cfg.StepUpMaxAge {
		return apperr.E(apperr.StepUp, "This action needs a recent login. Confirm it's you to continue.")
	}
	return nil
}

// Logout revokes the session and returns the IdP's end-session URL (or "/"
// when the IdP has none).
func (s *Service) Logout(ctx context.Context, secret string) (string, error) {
	var sess Session
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		sess, err = s.store.RevokeSession(ctx, hashSecret(secret), s.now())
		if err != nil {
			return err
		}
		label := sess.UserID.String()
		if u, err := s.ident.User(ctx, sess.UserID); err == nil {
			label = labelOf(u)
		}
		ctx = actor.With(ctx, actor.Actor{UserID: sess.UserID, Label: label})
		return s.audit(ctx, actor.Change{Action: "session:logout", TargetType: "user", TargetID: sess.UserID.String()})
	})
	if apperr.Is(err, apperr.NotFound) {
		return "/", nil // already gone: logging out again is fine
	}
	if err != nil {
		return "", err
	}
	p, err := s.discover(ctx)
	if err != nil {
		return "/", nil
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil || meta.EndSession == "" {
		return "/", nil
	}
	q := url.Values{"client_id": {s.cfg.ClientID}}
	if sess.IDToken != "" {
		q.Set("id_token_hint", sess.IDToken)
	}
	if s.cfg.PostLogoutURL != "" {
		q.Set("post_logout_redirect_uri", s.cfg.PostLogoutURL)
	}
	sep := "?"
	if strings.Contains(meta.EndSession, "?") {
		sep = "&"
	}
	return meta.EndSession + sep + q.Encode(), nil
}

// RevokeUser ends every session of a user (used when they are disabled).
func (s *Service) RevokeUser(ctx context.Context, userID uuid.UUID) error {
	if err := s.store.RevokeUserSessions(ctx, userID, s.now()); err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// Provider describes the configured IdP for the Settings page.
type Provider struct {
	Issuer      string
	Scopes      []string
	GroupsClaim string
}

// ProviderInfo is the configured issuer, requested scopes and groups claim.
func (s *Service) ProviderInfo() Provider {
	return Provider{Issuer: s.cfg.Issuer, Scopes: append([]string(nil), s.cfg.Scopes...), GroupsClaim: s.cfg.GroupsClaim}
}

// StepUpMaxAge is the longest a login may be ago for sensitive actions.
func (s *Service) StepUpMaxAge() time.Duration { return s.cfg.StepUpMaxAge }

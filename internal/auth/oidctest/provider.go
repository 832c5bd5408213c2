// Package oidctest is Partner Desk's development OpenID Provider: a small,
// standards-conforming OIDC server (discovery, JWKS with key rotation,
// authorization code flow with mandatory PKCE S256, refresh token rotation,
// userinfo, RP-initiated logout) whose users are configurable personas chosen
// on an HTML picker or by login_hint. It is used by `partnerdesk dev`,
// `partnerdesk dev-idp`, Go tests and e2e tests. All state is in memory.
//
// Endpoints, relative to the issuer URL:
//
//	GET  /.well-known/openid-configuration  discovery
//	GET  /jwks                               RS256 keys (current + rotated-out within the grace period)
//	GET|POST /authorize                      persona picker, or straight to the client with login_hint
//	POST /authorize/select                   the picker's form
//	POST /token                              authorization_code (PKCE S256 required), refresh_token
//	GET|POST /userinfo                       Bearer access token
//	GET|POST /end-session                    RP-initiated logout
//
// It is a development and test tool: there are no passwords. Never expose it
// as a production identity provider.
package oidctest

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client is a relying party registered with the provider. A client with an
// empty Secret is public (it authenticates with PKCE alone); otherwise it
// must authenticate at the token endpoint with client_secret_basic or
// client_secret_post. PKCE S256 is required for every client.
type Client struct {
	ID                     string
	Secret                 string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// AllowLoopbackRedirects also accepts http://127.0.0.1:<any port>,
	// http://localhost:<any port> and http://[::1]:<any port> redirect and
	// post-logout URIs whose path and query equal a registered URI's, so
	// tests on random ports need not know the port up front.
	AllowLoopbackRedirects bool
}

// Options configures a Provider. Zero durations get the defaults below.
type Options struct {
	// Issuer is the full URL the provider is reachable at, e.g.
	// "http://127.0.0.1:8091" or "http://127.0.0.1:8080/dev-idp". Handler
	// serves paths under the issuer's path, so mount it without stripping.
	Issuer         string
	Clients        []Client
	Personas       []Persona     // nil means DefaultPersonas()
	AccessTokenTTL time.Duration // default 15m
	IDTokenTTL     time.Duration // default 15m
	RefreshTTL     time.Duration // default 24h
	// KeyGracePeriod is how long a rotated-out signing key stays in the JWKS
	// (default 24h).
	KeyGracePeriod time.Duration
	// SessionTTL is how long the IdP session cookie is honoured (default 12h).
	SessionTTL time.Duration
	// ProfileClaimsAtUserInfo releases the profile claims (email,
	// email_verified, name, preferred_username, groups and each persona's
	// Claims) only at the userinfo endpoint: the ID token then carries sub
	// and the protocol claims alone, as many providers do by default.
	ProfileClaimsAtUserInfo bool
	Logger                  *slog.Logger     // default discards
	Now                     func() time.Time // default time.Now
}

const (
	codeTTL       = 60 * time.Second
	pendingTTL    = 10 * time.Minute
	sweepInterval = time.Minute
	sessionCookie = "pd_devidp_session"
	pathDiscovery = "/.well-known/openid-configuration"

	// DevelopmentMarker is a discovery field that says "this is the
	// development provider"; `partnerdesk serve` refuses such an issuer
	// unless it runs as a demo.
	DevelopmentMarker = "partnerdesk_development_provider"
	pathJWKS          = "/jwks"
	pathAuthorize     = "/authorize"
	pathSelect        = "/authorize/select"
	pathToken         = "/token"
	pathUserinfo      = "/userinfo"
	pathEndSession    = "/end-session"
)

// Provider is a running development OpenID Provider.
type Provider struct {
	issuer     string
	issuerURL  *url.URL
	basePath   string // issuer path without trailing slash
	clients    map[string]*Client
	personas   []Persona
	byID       map[string]*Persona
	bySubject  map[string]*Persona
	accessTTL  time.Duration
	idTTL      time.Duration
	refreshTTL time.Duration
	sessionTTL time.Duration
	atUserInfo bool
	log        *slog.Logger
	now        func() time.Time
	keys       *keyRing
	handler    http.Handler

	mu        sync.Mutex
	codes     map[string]*authCode
	refresh   map[string]*refreshToken
	families  map[string]*grantFamily
	sessions  map[string]*idpSession
	pending   map[string]*authRequest
	lastSweep time.Time
}

// New validates opts, generates the first signing key and returns a Provider.
func New(opts Options) (*Provider, error) {
	iu, err := url.Parse(opts.Issuer)
	if err != nil || (iu.Scheme != "http" && iu.Scheme != "https") || iu.Host == "" || iu.RawQuery != "" || iu.Fragment != "" {
		return nil, fmt.Errorf("oidctest: issuer %q must be an absolute http(s) URL without query or fragment", opts.Issuer)
	}
	issuer := strings.TrimSuffix(opts.Issuer, "/")
	p := &Provider{
		issuer:     issuer,
		issuerURL:  iu,
		basePath:   strings.TrimSuffix(iu.Path, "/"),
		clients:    map[string]*Client{},
		byID:       map[string]*Persona{},
		bySubject:  map[string]*Persona{},
		accessTTL:  orDefault(opts.AccessTokenTTL, 15*time.Minute),
		idTTL:      orDefault(opts.IDTokenTTL, 15*time.Minute),
		refreshTTL: orDefault(opts.RefreshTTL, 24*time.Hour),
		sessionTTL: orDefault(opts.SessionTTL, 12*time.Hour),
		atUserInfo: opts.ProfileClaimsAtUserInfo,
		log:        opts.Logger,
		now:        opts.Now,
		codes:      map[string]*authCode{},
		refresh:    map[string]*refreshToken{},
		families:   map[string]*grantFamily{},
		sessions:   map[string]*idpSession{},
		pending:    map[string]*authRequest{},
	}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if p.now == nil {
		p.now = time.Now
	}
	if len(opts.Clients) == 0 {
		return nil, fmt.Errorf("oidctest: at least one client is required")
	}
	for i := range opts.Clients {
		c := opts.Clients[i]
		if c.ID == "" {
			return nil, fmt.Errorf("oidctest: client %d has no ID", i)
		}
		if _, dup := p.clients[c.ID]; dup {
			return nil, fmt.Errorf("oidctest: duplicate client %q", c.ID)
		}
		if len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("oidctest: client %q has no redirect URIs", c.ID)
		}
		for _, u := range append(append([]string{}, c.RedirectURIs...), c.PostLogoutRedirectURIs...) {
			pu, err := url.Parse(u)
			if err != nil || !pu.IsAbs() || pu.Fragment != "" {
				return nil, fmt.Errorf("oidctest: client %q: redirect URI %q must be absolute without fragment", c.ID, u)
			}
		}
		p.clients[c.ID] = &c
	}
	personas := opts.Personas
	if personas == nil {
		personas = DefaultPersonas()
	}
	if p.personas, err = normalizePersonas(personas); err != nil {
		return nil, fmt.Errorf("oidctest: %w", err)
	}
	for i := range p.personas {
		p.byID[p.personas[i].ID] = &p.personas[i]
		p.bySubject[p.personas[i].Subject] = &p.personas[i]
	}
	p.keys = &keyRing{now: p.now, grace: orDefault(opts.KeyGracePeriod, 24*time.Hour)}
	if err := p.keys.rotate(); err != nil {
		return nil, fmt.Errorf("oidctest: %w", err)
	}
	p.handler = p.routes()
	return p, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Issuer returns the issuer URL (without trailing slash).
func (p *Provider) Issuer() string { return p.issuer }

// Personas returns a copy of the configured personas in picker order.
func (p *Provider) Personas() []Persona {
	out, _ := normalizePersonas(p.personas)
	return out
}

// Handler returns the provider's HTTP handler. It serves every endpoint
// under the issuer's path (see Options.Issuer).
func (p *Provider) Handler() http.Handler { return p.handler }

// Rotate generates a new signing key and signs all new tokens with it. The
// previous key stays published in the JWKS for the grace period, so tokens
// it signed keep verifying.
func (p *Provider) Rotate() {
	if err := p.keys.rotate(); err != nil {
		// Key generation only fails if the system's randomness does.
		panic(fmt.Sprintf("oidctest: rotate: %v", err))
	}
	p.log.Info("dev idp rotated signing key", "kid", p.keys.active().kid)
}

func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	b := p.basePath
	mux.HandleFunc("GET "+b+pathDiscovery, p.handleDiscovery)
	mux.HandleFunc("GET "+b+pathJWKS, p.handleJWKS)
	mux.HandleFunc(b+pathAuthorize, p.handleAuthorize)
	mux.HandleFunc("POST "+b+pathSelect, p.handleSelect)
	mux.HandleFunc(b+pathToken, p.handleToken)
	mux.HandleFunc(b+pathUserinfo, p.handleUserinfo)
	mux.HandleFunc(b+pathEndSession, p.handleEndSession)
	return securityHeaders(mux)
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

func (p *Provider) endpoint(path string) string { return p.issuer + path }

func (p *Provider) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	doc := map[string]any{
		"issuer":                                p.issuer,
		"authorization_endpoint":                p.endpoint(pathAuthorize),
		"token_endpoint":                        p.endpoint(pathToken),
		"userinfo_endpoint":                     p.endpoint(pathUserinfo),
		"jwks_uri":                              p.endpoint(pathJWKS),
		"end_session_endpoint":                  p.endpoint(pathEndSession),
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "groups", "offline_access"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":      []string{"S256"},
		"prompt_values_supported":               []string{"none", "login", "select_account"},
		"claims_supported": []string{
			"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash",
			"email", "email_verified", "name", "preferred_username", "groups",
		},
		"claims_parameter_supported":                     false,
		"request_parameter_supported":                    false,
		"request_uri_parameter_supported":                false,
		"authorization_response_iss_parameter_supported": true,
		"frontchannel_logout_supported":                  false,
		"backchannel_logout_supported":                   false,
		// Lets Partner Desk refuse this provider outside demos.
		DevelopmentMarker: true,
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, doc)
}

func (p *Provider) handleJWKS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "no-cache")
	_ = json.NewEncoder(w).Encode(p.keys.jwks())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

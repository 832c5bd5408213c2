package oidctest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

var codeVerifierPattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// tokenError is an RFC 6749 section 5.2 error response.
type tokenError struct {
	status int
	code   string
	desc   string
}

func (p *Provider) writeTokenError(w http.ResponseWriter, e tokenError, c *Client) {
	clientID := ""
	if c != nil {
		clientID = c.ID
	}
	p.log.Info("dev idp token error", "client_id", clientID, "error", e.code, "error_description", e.desc)
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.desc})
}

func (p *Provider) handleToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		p.writeTokenError(w, tokenError{http.StatusMethodNotAllowed, "invalid_request", "the token endpoint accepts POST only"}, nil)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		p.writeTokenError(w, tokenError{http.StatusBadRequest, "invalid_request", "body must be application/x-www-form-urlencoded"}, nil)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		p.writeTokenError(w, tokenError{http.StatusBadRequest, "invalid_request", "body could not be parsed"}, nil)
		return
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			p.writeTokenError(w, tokenError{http.StatusBadRequest, "invalid_request", "parameter " + k + " repeated"}, nil)
			return
		}
	}
	c, terr := p.authenticateClient(w, r)
	if terr != nil {
		p.writeTokenError(w, *terr, nil)
		return
	}
	var (
		resp map[string]any
		err  *tokenError
	)
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		resp, err = p.exchangeCode(c, r.PostForm)
	case "refresh_token":
		resp, err = p.exchangeRefresh(c, r.PostForm)
	case "":
		err = &tokenError{http.StatusBadRequest, "invalid_request", "grant_type is required"}
	default:
		err = &tokenError{http.StatusBadRequest, "unsupported_grant_type", "grant_type " + gt + " is not supported"}
	}
	if err != nil {
		p.writeTokenError(w, *err, c)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// authenticateClient identifies the client by client_secret_basic,
// client_secret_post, or (public clients) client_id alone.
func (p *Provider) authenticateClient(w http.ResponseWriter, r *http.Request) (*Client, *tokenError) {
	form := r.PostForm
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, &tokenError{http.StatusBadRequest, "invalid_request", "malformed Basic credentials"}
		}
		if form.Has("client_secret") {
			return nil, &tokenError{http.StatusBadRequest, "invalid_request", "use one client authentication method, not two"}
		}
		if form.Has("client_id") && form.Get("client_id") != id {
			return nil, &tokenError{http.StatusBadRequest, "invalid_request", "client_id does not match the Basic credentials"}
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	fail := func() *tokenError {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="partnerdesk-dev-idp"`)
		}
		return &tokenError{http.StatusUnauthorized, "invalid_client", "client authentication failed"}
	}
	c := p.clients[id]
	if id == "" || c == nil {
		return nil, fail()
	}
	if c.Secret == "" {
		if secret != "" {
			return nil, fail()
		}
		return c, nil
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return nil, fail()
	}
	return c, nil
}

func (p *Provider) exchangeCode(c *Client, form url.Values) (map[string]any, *tokenError) {
	now := p.now()
	invalid := func(desc string) *tokenError {
		return &tokenError{http.StatusBadRequest, "invalid_grant", desc}
	}
	p.mu.Lock()
	code := p.codes[form.Get("code")]
	if code == nil || form.Get("code") == "" {
		p.mu.Unlock()
		return nil, invalid("authorization code is invalid or expired")
	}
	if code.used {
		// A replayed code: revoke whatever was issued with it (RFC 6749 4.1.2).
		if f := p.families[code.family]; f != nil {
			f.revoked = true
		}
		p.mu.Unlock()
		p.log.Warn("dev idp authorization code replayed; tokens issued with it revoked", "client_id", c.ID)
		return nil, invalid("authorization code was already used")
	}
	// Any attempt burns the code, successful or not.
	code.used = true
	code.family = randomToken()
	p.families[code.family] = &grantFamily{expires: now.Add(p.refreshTTL)}
	p.mu.Unlock()

	switch {
	case now.After(code.expires):
		return nil, invalid("authorization code expired")
	case code.req.clientID != c.ID:
		return nil, invalid("authorization code was issued to another client")
	case form.Get("redirect_uri") != code.req.redirectURI:
		return nil, invalid("redirect_uri does not match the authorization request")
	case form.Get("code_verifier") == "":
		return nil, invalid("code_verifier is required (PKCE)")
	case !codeVerifierPattern.MatchString(form.Get("code_verifier")):
		return nil, invalid("code_verifier is malformed")
	}
	sum := sha256.Sum256([]byte(form.Get("code_verifier")))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(code.req.codeChallenge)) != 1 {
		return nil, invalid("code_verifier does not match the code_challenge")
	}
	return p.issueTokens(c, grant{
		persona: code.persona, scope: code.req.scope, nonce: code.req.nonce,
		authTime: code.authTime, family: code.family, kind: "authorization_code",
	})
}

func (p *Provider) exchangeRefresh(c *Client, form url.Values) (map[string]any, *tokenError) {
	now := p.now()
	invalid := func(desc string) *tokenError {
		return &tokenError{http.StatusBadRequest, "invalid_grant", desc}
	}
	tok := form.Get("refresh_token")
	p.mu.Lock()
	rt := p.refresh[tok]
	if tok == "" || rt == nil {
		p.mu.Unlock()
		return nil, invalid("refresh token is invalid or expired")
	}
	fam := p.families[rt.family]
	switch {
	case rt.clientID != c.ID:
		p.mu.Unlock()
		return nil, invalid("refresh token was issued to another client")
	case fam == nil || fam.revoked:
		p.mu.Unlock()
		return nil, invalid("refresh token was revoked")
	case rt.rotated:
		fam.revoked = true
		p.mu.Unlock()
		p.log.Warn("dev idp rotated refresh token replayed; grant revoked", "client_id", c.ID)
		return nil, invalid("refresh token was already used")
	case now.After(rt.expires):
		p.mu.Unlock()
		return nil, invalid("refresh token expired")
	}
	scope := rt.scope
	if form.Has("scope") {
		granted := strings.Fields(rt.scope)
		for _, s := range strings.Fields(form.Get("scope")) {
			if !slices.Contains(granted, s) {
				p.mu.Unlock()
				return nil, &tokenError{http.StatusBadRequest, "invalid_scope", "scope exceeds the original grant"}
			}
		}
		scope = form.Get("scope")
	}
	rt.rotated = true
	p.mu.Unlock()
	return p.issueTokens(c, grant{
		persona: rt.persona, scope: scope, authTime: rt.authTime, family: rt.family, kind: "refresh_token",
	})
}

type grant struct {
	persona  string
	scope    string
	nonce    string
	authTime time.Time
	family   string
	kind     string
}

// issueTokens mints an access token, ID token and a fresh refresh token.
func (p *Provider) issueTokens(c *Client, g grant) (map[string]any, *tokenError) {
	ps := p.byID[g.persona]
	if ps == nil {
		return nil, &tokenError{http.StatusBadRequest, "invalid_grant", "the user no longer exists"}
	}
	now := p.now().Truncate(time.Second)
	internal := &tokenError{http.StatusInternalServerError, "server_error", "could not sign tokens"}

	access, err := p.keys.sign(typAccessToken, map[string]any{
		"iss": p.issuer, "sub": ps.Subject, "aud": c.ID, "client_id": c.ID,
		"iat": now.Unix(), "exp": now.Add(p.accessTTL).Unix(), "jti": randomToken(),
		"scope": g.scope, "auth_time": g.authTime.Unix(),
	})
	if err != nil {
		p.log.Error("dev idp sign access token", "err", err)
		return nil, internal
	}
	idClaims := map[string]any{"sub": ps.Subject}
	if !p.atUserInfo {
		idClaims = p.userClaims(ps)
	}
	for k, v := range map[string]any{
		"iss": p.issuer, "aud": c.ID, "azp": c.ID,
		"iat": now.Unix(), "exp": now.Add(p.idTTL).Unix(), "auth_time": g.authTime.Unix(),
		"acr": ps.ACR, "amr": ps.AMR, "at_hash": leftHalfHash(access),
	} {
		idClaims[k] = v
	}
	if g.nonce != "" {
		idClaims["nonce"] = g.nonce
	}
	idToken, err := p.keys.sign(typIDToken, idClaims)
	if err != nil {
		p.log.Error("dev idp sign id token", "err", err)
		return nil, internal
	}

	refresh := randomToken()
	p.mu.Lock()
	p.sweepLocked(now)
	if f := p.families[g.family]; f != nil {
		f.expires = now.Add(p.refreshTTL)
	}
	p.refresh[refresh] = &refreshToken{
		clientID: c.ID, persona: ps.ID, scope: g.scope, authTime: g.authTime,
		expires: now.Add(p.refreshTTL), family: g.family,
	}
	p.mu.Unlock()
	p.log.Info("dev idp tokens issued", "client_id", c.ID, "persona", ps.ID, "grant_type", g.kind)
	return map[string]any{
		"access_token":  access,
		"token_type":    "Bearer",
		"expires_in":    int(p.accessTTL / time.Second),
		"id_token":      idToken,
		"refresh_token": refresh,
		"scope":         g.scope,
	}, nil
}

// userClaims are the persona's identity claims, shared by ID token and
// userinfo (only userinfo with ProfileClaimsAtUserInfo). All are released
// regardless of scope so that role mapping by groups works whatever scopes
// the application asks for. A persona's Claims are added (they may replace
// the standard ones, but never sub).
func (p *Provider) userClaims(ps *Persona) map[string]any {
	claims := map[string]any{
		"sub":                ps.Subject,
		"preferred_username": ps.ID,
	}
	if ps.Name != "" {
		claims["name"] = ps.Name
	}
	if ps.Groups != nil {
		claims["groups"] = ps.Groups
	}
	if ps.Email != "" {
		claims["email"] = ps.Email
		claims["email_verified"] = ps.EmailVerified
	}
	for k, v := range ps.Claims {
		if k != "sub" {
			claims[k] = v
		}
	}
	return claims
}

// leftHalfHash is the at_hash of an RS256-signed token (OIDC Core 3.1.3.6).
func leftHalfHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

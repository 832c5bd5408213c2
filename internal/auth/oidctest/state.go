package oidctest

import (
	"crypto/rand"
	"net/http"
	"time"
)

// authRequest is a validated authorization request.
type authRequest struct {
	id            string // pending request id (picker only)
	clientID      string
	redirectURI   string
	state         string
	nonce         string
	scope         string
	codeChallenge string
	expires       time.Time // pending requests only
}

// authCode is an issued authorization code.
type authCode struct {
	req      authRequest
	persona  string
	authTime time.Time
	expires  time.Time
	used     bool
	family   string // grant family of the tokens issued with this code
}

// grantFamily links the refresh tokens descending from one code so a replay
// of the code or of a rotated refresh token revokes them all.
type grantFamily struct {
	revoked bool
	expires time.Time
}

type refreshToken struct {
	clientID string
	persona  string
	scope    string
	authTime time.Time
	expires  time.Time
	family   string
	rotated  bool
}

type idpSession struct {
	persona  string
	authTime time.Time
	expires  time.Time
}

func randomToken() string { return rand.Text() }

// sweepLocked drops expired state at most once per sweepInterval. p.mu must
// be held.
func (p *Provider) sweepLocked(now time.Time) {
	if now.Sub(p.lastSweep) < sweepInterval {
		return
	}
	p.lastSweep = now
	for k, v := range p.codes {
		if now.After(v.expires) {
			delete(p.codes, k)
		}
	}
	for k, v := range p.refresh {
		if now.After(v.expires) {
			delete(p.refresh, k)
		}
	}
	for k, v := range p.families {
		if now.After(v.expires) {
			delete(p.families, k)
		}
	}
	for k, v := range p.sessions {
		if now.After(v.expires) {
			delete(p.sessions, k)
		}
	}
	for k, v := range p.pending {
		if now.After(v.expires) {
			delete(p.pending, k)
		}
	}
}

// currentSession returns the IdP session named by the request's cookie, or
// nil when there is none or it expired.
func (p *Provider) currentSession(r *http.Request) (string, *idpSession) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return "", nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[c.Value]
	if s == nil || p.now().After(s.expires) {
		return "", nil
	}
	cp := *s
	return c.Value, &cp
}

// startSession signs persona in now and sets the session cookie.
func (p *Provider) startSession(w http.ResponseWriter, r *http.Request, persona string) idpSession {
	now := p.now()
	s := idpSession{persona: persona, authTime: now.Truncate(time.Second), expires: now.Add(p.sessionTTL)}
	sid := randomToken()
	p.mu.Lock()
	if old, err := r.Cookie(sessionCookie); err == nil {
		delete(p.sessions, old.Value)
	}
	p.sweepLocked(now)
	p.sessions[sid] = &s
	p.mu.Unlock()
	http.SetCookie(w, p.cookie(sid, int(p.sessionTTL/time.Second)))
	return s
}

func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		p.mu.Lock()
		delete(p.sessions, c.Value)
		p.mu.Unlock()
	}
	http.SetCookie(w, p.cookie("", -1))
}

func (p *Provider) cookie(value string, maxAge int) *http.Cookie {
	path := p.basePath
	if path == "" {
		path = "/"
	}
	return &http.Cookie{
		Name: sessionCookie, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: p.issuerURL.Scheme == "https", SameSite: http.SameSiteLaxMode,
	}
}

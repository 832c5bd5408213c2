package oidctest

import (
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var codeChallengePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// handleAuthorize implements the authorization endpoint (GET and POST).
func (p *Provider) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		p.errorPage(w, http.StatusMethodNotAllowed, "Method not allowed", "The authorization endpoint accepts GET and POST.")
		return
	}
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, http.StatusBadRequest, "Invalid sign-in request", "The request could not be parsed.")
		return
	}
	q := r.Form
	// Until client and redirect URI are trusted, errors are shown here and
	// never redirected (an open redirector otherwise).
	if len(q["client_id"]) != 1 || len(q["redirect_uri"]) != 1 {
		p.errorPage(w, http.StatusBadRequest, "Invalid sign-in request", "client_id and redirect_uri must each be given exactly once.")
		return
	}
	c := p.clients[q.Get("client_id")]
	if c == nil {
		p.errorPage(w, http.StatusBadRequest, "Unknown application", "The application asking you to sign in (client_id "+strconv.Quote(q.Get("client_id"))+") is not registered with this identity provider.")
		return
	}
	ar := &authRequest{clientID: c.ID, redirectURI: q.Get("redirect_uri")}
	if !uriAllowed(c, ar.redirectURI, c.RedirectURIs) {
		p.log.Warn("dev idp rejected unregistered redirect_uri", "client_id", c.ID)
		p.errorPage(w, http.StatusBadRequest, "Redirect URI not registered", "The redirect_uri "+strconv.Quote(ar.redirectURI)+" is not registered for application "+strconv.Quote(c.ID)+".")
		return
	}
	for k, v := range q {
		if len(v) > 1 {
			p.redirectError(w, r, ar, "invalid_request", "parameter "+k+" repeated")
			return
		}
	}
	ar.state = q.Get("state")
	ar.nonce = q.Get("nonce")
	ar.scope = q.Get("scope")
	ar.codeChallenge = q.Get("code_challenge")

	switch {
	case q.Get("request") != "":
		p.redirectError(w, r, ar, "request_not_supported", "request objects are not supported")
		return
	case q.Get("request_uri") != "":
		p.redirectError(w, r, ar, "request_uri_not_supported", "request_uri is not supported")
		return
	case q.Get("response_type") != "code":
		p.redirectError(w, r, ar, "unsupported_response_type", "only response_type=code is supported")
		return
	case q.Has("response_mode") && q.Get("response_mode") != "query":
		p.redirectError(w, r, ar, "invalid_request", "only response_mode=query is supported")
		return
	case !slices.Contains(strings.Fields(ar.scope), "openid"):
		p.redirectError(w, r, ar, "invalid_scope", "scope must include openid")
		return
	case ar.codeChallenge == "":
		p.redirectError(w, r, ar, "invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256")
		return
	case q.Get("code_challenge_method") != "S256":
		p.redirectError(w, r, ar, "invalid_request", "code_challenge_method must be S256 (plain is not accepted)")
		return
	case !codeChallengePattern.MatchString(ar.codeChallenge):
		p.redirectError(w, r, ar, "invalid_request", "code_challenge must be a base64url SHA-256 digest (43 characters)")
		return
	}

	prompts := map[string]bool{}
	for _, v := range strings.Fields(q.Get("prompt")) {
		switch v {
		case "none", "login", "consent", "select_account":
			prompts[v] = true
		default:
			p.redirectError(w, r, ar, "invalid_request", "unsupported prompt value "+strconv.Quote(v))
			return
		}
	}
	if prompts["none"] && len(prompts) > 1 {
		p.redirectError(w, r, ar, "invalid_request", "prompt=none cannot be combined with other values")
		return
	}
	maxAge := -1
	if q.Has("max_age") {
		n, err := strconv.Atoi(q.Get("max_age"))
		if err != nil || n < 0 {
			p.redirectError(w, r, ar, "invalid_request", "max_age must be a non-negative integer")
			return
		}
		maxAge = n
	}

	_, sess := p.currentSession(r)
	now := p.now()
	// A session is reusable unless the RP asked for a fresh login.
	reusable := sess != nil && !prompts["login"] && !prompts["select_account"] && maxAge != 0 &&
		(maxAge < 0 || now.Sub(sess.authTime) <= time.Duration(maxAge)*time.Second)

	hint := q.Get("login_hint")
	var hinted *Persona
	if hint != "" {
		hinted = p.lookupPersona(hint)
	}

	if prompts["none"] {
		if !reusable || (hint != "" && (hinted == nil || hinted.ID != sess.persona)) {
			p.redirectError(w, r, ar, "login_required", "no current sign-in at the identity provider")
			return
		}
		p.issueCode(w, r, ar, sess.persona, sess.authTime)
		return
	}
	if hinted != nil {
		if reusable && sess.persona == hinted.ID {
			p.issueCode(w, r, ar, sess.persona, sess.authTime)
			return
		}
		s := p.startSession(w, r, hinted.ID)
		p.log.Info("dev idp login", "persona", hinted.ID, "client_id", c.ID, "via", "login_hint")
		p.issueCode(w, r, ar, s.persona, s.authTime)
		return
	}
	if hint == "" && reusable {
		p.issueCode(w, r, ar, sess.persona, sess.authTime)
		return
	}
	notice := ""
	if hint != "" {
		notice = "No persona matches the login hint " + strconv.Quote(hint) + "; choose one below."
	}
	p.showPicker(w, ar, notice)
}

// lookupPersona finds a persona by id, subject or email.
func (p *Provider) lookupPersona(hint string) *Persona {
	if ps := p.byID[hint]; ps != nil {
		return ps
	}
	if ps := p.bySubject[hint]; ps != nil {
		return ps
	}
	for i := range p.personas {
		if strings.EqualFold(p.personas[i].Email, hint) {
			return &p.personas[i]
		}
	}
	return nil
}

func (p *Provider) showPicker(w http.ResponseWriter, ar *authRequest, notice string) {
	now := p.now()
	ar.id = randomToken()
	ar.expires = now.Add(pendingTTL)
	p.mu.Lock()
	p.sweepLocked(now)
	p.pending[ar.id] = ar
	p.mu.Unlock()
	p.renderPicker(w, ar, notice)
}

// handleSelect receives the picker form.
func (p *Provider) handleSelect(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, http.StatusBadRequest, "Invalid sign-in request", "The form could not be parsed.")
		return
	}
	id := r.PostForm.Get("request_id")
	p.mu.Lock()
	ar := p.pending[id]
	delete(p.pending, id)
	p.mu.Unlock()
	if ar == nil || p.now().After(ar.expires) {
		p.errorPage(w, http.StatusBadRequest, "Sign-in request expired", "This sign-in page has expired or was already used. Go back to the application and sign in again.")
		return
	}
	if r.PostForm.Get("action") == "cancel" {
		p.redirectError(w, r, ar, "access_denied", "the user cancelled sign-in")
		return
	}
	persona := p.byID[r.PostForm.Get("persona")]
	if persona == nil {
		p.showPicker(w, ar, "Choose one of the personas below.")
		return
	}
	s := p.startSession(w, r, persona.ID)
	p.log.Info("dev idp login", "persona", persona.ID, "client_id", ar.clientID, "via", "picker")
	p.issueCode(w, r, ar, s.persona, s.authTime)
}

func (p *Provider) issueCode(w http.ResponseWriter, r *http.Request, ar *authRequest, persona string, authTime time.Time) {
	now := p.now()
	code := randomToken()
	p.mu.Lock()
	p.sweepLocked(now)
	p.codes[code] = &authCode{req: *ar, persona: persona, authTime: authTime, expires: now.Add(codeTTL)}
	p.mu.Unlock()
	p.redirect(w, r, ar.redirectURI, url.Values{"code": {code}}, ar.state)
}

func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, ar *authRequest, code, desc string) {
	p.log.Info("dev idp authorization error", "client_id", ar.clientID, "error", code, "error_description", desc)
	p.redirect(w, r, ar.redirectURI, url.Values{"error": {code}, "error_description": {desc}}, ar.state)
}

// redirect sends the browser to target with params, state and iss added to
// its query (RFC 9207).
func (p *Provider) redirect(w http.ResponseWriter, r *http.Request, target string, params url.Values, state string) {
	u, _ := url.Parse(target) // validated against the registered URIs
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if state != "" {
		q.Set("state", state)
	}
	q.Set("iss", p.issuer)
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// uriAllowed reports whether uri exactly equals one of registered, or, for
// clients allowing loopback redirects, is an http loopback URI on any port
// whose path and query equal a registered URI's.
func uriAllowed(c *Client, uri string, registered []string) bool {
	if uri == "" {
		return false
	}
	if slices.Contains(registered, uri) {
		return true
	}
	if !c.AllowLoopbackRedirects {
		return false
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" || !isLoopback(u.Hostname()) {
		return false
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	for _, reg := range registered {
		ru, err := url.Parse(reg)
		if err != nil {
			continue
		}
		if ru.EscapedPath() == u.EscapedPath() && ru.RawQuery == u.RawQuery {
			return true
		}
	}
	return false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

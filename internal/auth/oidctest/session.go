package oidctest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// accessClaims are the claims of an access token the provider issued.
type accessClaims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Exp int64  `json:"exp"`
}

func (p *Provider) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request"})
		return
	}
	token := ""
	if scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(rest)
	} else if r.Method == http.MethodPost && r.Header.Get("Authorization") == "" {
		token = r.PostFormValue("access_token")
	}
	unauthorized := func(code, desc string) {
		v := `Bearer realm="partnerdesk-dev-idp"`
		if code != "" {
			v += `, error="` + code + `", error_description="` + desc + `"`
		}
		w.Header().Set("WWW-Authenticate", v)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": code, "error_description": desc})
	}
	if token == "" {
		unauthorized("invalid_request", "a Bearer access token is required")
		return
	}
	var ac accessClaims
	if err := p.keys.verify(token, typAccessToken, &ac); err != nil || ac.Iss != p.issuer {
		unauthorized("invalid_token", "the access token is invalid")
		return
	}
	if p.now().Unix() >= ac.Exp {
		unauthorized("invalid_token", "the access token expired")
		return
	}
	ps := p.bySubject[ac.Sub]
	if ps == nil {
		unauthorized("invalid_token", "the user no longer exists")
		return
	}
	claims := p.userClaims(ps)
	for k, v := range ps.UserInfoClaims {
		claims[k] = v
	}
	writeJSON(w, http.StatusOK, claims)
}

// idTokenHint holds the claims of an id_token_hint that matter for logout.
type idTokenHint struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Aud any    `json:"aud"` // string or array
}

func (h idTokenHint) audiences() []string {
	switch v := h.Aud.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, a := range v {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// handleEndSession implements RP-initiated logout (OpenID Connect
// RP-Initiated Logout 1.0). An expired id_token_hint is accepted, as the
// spec allows; its signature and issuer must be ours.
func (p *Provider) handleEndSession(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		p.errorPage(w, http.StatusMethodNotAllowed, "Method not allowed", "The logout endpoint accepts GET and POST.")
		return
	}
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, http.StatusBadRequest, "Invalid logout request", "The request could not be parsed.")
		return
	}
	q := r.Form
	var c *Client
	if q.Has("client_id") {
		if c = p.clients[q.Get("client_id")]; c == nil {
			p.errorPage(w, http.StatusBadRequest, "Unknown application", "client_id "+strconv.Quote(q.Get("client_id"))+" is not registered.")
			return
		}
	}
	if hint := q.Get("id_token_hint"); hint != "" {
		var h idTokenHint
		if err := p.keys.verify(hint, typIDToken, &h); err != nil || h.Iss != p.issuer {
			p.errorPage(w, http.StatusBadRequest, "Invalid logout request", "The id_token_hint was not issued by this identity provider.")
			return
		}
		auds := h.audiences()
		if c != nil {
			if !slices.Contains(auds, c.ID) {
				p.errorPage(w, http.StatusBadRequest, "Invalid logout request", "The id_token_hint was issued to another application.")
				return
			}
		} else if len(auds) == 1 {
			c = p.clients[auds[0]]
		}
	}
	target := q.Get("post_logout_redirect_uri")
	if target != "" {
		if c == nil {
			p.errorPage(w, http.StatusBadRequest, "Invalid logout request", "post_logout_redirect_uri needs an id_token_hint or client_id naming the application.")
			return
		}
		if !uriAllowed(c, target, c.PostLogoutRedirectURIs) {
			p.log.Warn("dev idp rejected unregistered post_logout_redirect_uri", "client_id", c.ID)
			p.errorPage(w, http.StatusBadRequest, "Logout redirect not registered", "The post_logout_redirect_uri "+strconv.Quote(target)+" is not registered for application "+strconv.Quote(c.ID)+".")
			return
		}
	}
	p.endSession(w, r)
	p.log.Info("dev idp logout", "client_id", clientIDOf(c))
	if target == "" {
		w.Header().Set("Cache-Control", "no-store")
		p.writeHTML(w, http.StatusOK, errorTemplate, map[string]any{
			"Title": "You are signed out", "Message": "You have been signed out of the development identity provider. You can close this window.",
		})
		return
	}
	u, _ := url.Parse(target)
	if st := q.Get("state"); st != "" {
		v := u.Query()
		v.Set("state", st)
		u.RawQuery = v.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func clientIDOf(c *Client) string {
	if c == nil {
		return ""
	}
	return c.ID
}

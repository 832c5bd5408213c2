package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/auth"
	"github.com/partnerdesk/partnerdesk/internal/authz"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/safetext"
)

// principal is who made the request.
type principal struct {
	User    identity.User
	Session *auth.Session      // browser login
	Token   *identity.APIToken // or an API token
	Authz   authz.Principal
}

const principalKey = "pd.principal"

func principalOf(c *gin.Context) *principal {
	p, _ := c.Get(principalKey)
	pr, _ := p.(*principal)
	return pr
}

// cookies names and flags the session and CSRF cookies. On HTTPS the session
// cookie is __Host- prefixed and Secure; on plain-HTTP localhost it cannot be.
type cookies struct {
	secure  bool
	session string
	// login binds a login in progress to this browser (login CSRF).
	login string
}

func newCookies(secure bool) cookies {
	if secure {
		return cookies{secure: true, session: "__Host-pd_session", login: "__Host-pd_login"}
	}
	return cookies{session: "pd_session", login: "pd_login"}
}

// noStore keeps every /api/v1 answer (secrets, personal data) out of
// browser and proxy caches.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

const csrfCookie = "pd_csrf"

func (k cookies) set(c *gin.Context, name, value string, maxAge int, httpOnly bool) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: httpOnly, Secure: k.secure, SameSite: http.SameSiteLaxMode})
}

// authenticate resolves the session cookie or bearer token. Without either
// the request is refused 401.
func (s *server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			writeProblem(c, apperr.E(apperr.Unauthenticated, "Use `Authorization: Bearer <token>`."))
			return
		}
		tok, u, err := s.ident.AuthenticateToken(ctx, strings.TrimSpace(secret))
		if err != nil {
			writeProblem(c, err)
			return
		}
		dom := tok.TenantID.String()
		if t, err := s.ident.Tenant(ctx, tok.TenantID); err == nil && t.Kind == identity.KindAcquirer {
			dom = authz.Global
		}
		tid := tok.ID
		s.setPrincipal(c, &principal{User: u, Token: &tok,
			Authz: authz.Principal{UserID: u.ID.String(), Token: &authz.TokenScope{Domain: dom, Roles: tok.Roles}}},
			actor.Actor{UserID: u.ID, Label: "token:" + tok.Name + " (" + labelOf(u) + ")", TokenID: &tid})
		return
	}
	p, err := s.sessionPrincipal(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	s.setPrincipal(c, p, actor.Actor{UserID: p.User.ID, Label: labelOf(p.User)})
}

// sessionPrincipal is the person the browser's session cookie names.
func (s *server) sessionPrincipal(c *gin.Context) (*principal, error) {
	ctx := c.Request.Context()
	ck, _ := c.Cookie(s.cookies.session)
	sess, u, err := s.auth.Lookup(ctx, ck)
	if err != nil {
		return nil, err
	}
	return &principal{User: u, Session: &sess, Authz: authz.Principal{UserID: u.ID.String()}}, nil
}

func labelOf(u identity.User) string {
	if u.Email != "" {
		return u.Email
	}
	return u.Subject
}

func (s *server) setPrincipal(c *gin.Context, p *principal, a actor.Actor) {
	c.Set(principalKey, p)
	c.Request = c.Request.WithContext(actor.With(c.Request.Context(), a))
	c.Next()
}

// csrf protects cookie-authenticated mutations: the SPA echoes the session's
// CSRF token in X-CSRF-Token. Bearer-token requests carry no ambient
// credentials and need none.
func csrf(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	p := principalOf(c)
	if p.Session != nil && !constantTimeEqual(c.GetHeader("X-CSRF-Token"), p.Session.CSRFToken) {
		writeProblem(c, apperr.E(apperr.Forbidden, "The request lacks a valid CSRF token; reload the page and try again."))
		return
	}
	c.Next()
}

// authRoutes are the browser's login endpoints.
func (s *server) authRoutes(r *gin.Engine) {
	r.GET("/auth/login", func(c *gin.Context) {
		// One binding per browser, reused while it lives, so two tabs can
		// log in at once; the flow stores only its hash.
		binding, _ := c.Cookie(s.cookies.login)
		if len(binding) < 32 || len(binding) > 64 {
			binding = auth.NewBrowserBinding()
		}
		target, err := s.auth.BeginLogin(c.Request.Context(), c.ClientIP(), binding, c.Query("return_to"), c.Query("login_hint"), c.Query("step_up") == "1")
		if err != nil {
			writeProblem(c, err)
			return
		}
		s.cookies.set(c, s.cookies.login, binding, int(auth.FlowTTL.Seconds()), true)
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusFound, target)
	})
	r.GET("/auth/callback", func(c *gin.Context) {
		// The login page shows a fixed message per code: never text from
		// the query string or an error message.
		if e := c.Query("error"); e != "" {
			loggerFrom(c).Warn("login refused by the identity provider", "error", safetext.Clean(e, 100))
			code := "login_failed"
			if e == "access_denied" {
				code = e
			}
			c.Redirect(http.StatusFound, "/login?error="+code)
			return
		}
		binding, _ := c.Cookie(s.cookies.login)
		ns, err := s.auth.FinishLogin(c.Request.Context(), binding, c.Query("state"), c.Query("code"), auth.ClientInfo{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
		c.Header("Cache-Control", "no-store")
		if err != nil {
			loggerFrom(c).Warn("login failed", "error", err.Error())
			c.Redirect(http.StatusFound, "/login?error="+loginErrorCode(err))
			return
		}
		maxAge := int(time.Until(ns.Session.ExpiresAt).Seconds())
		s.cookies.set(c, s.cookies.login, "", -1, true)
		s.cookies.set(c, s.cookies.session, ns.Secret, maxAge, true)
		s.cookies.set(c, csrfCookie, ns.Session.CSRFToken, maxAge, false)
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusFound, ns.ReturnTo)
	})
	r.POST("/auth/logout", func(c *gin.Context) {
		ck, _ := c.Cookie(s.cookies.session)
		if ck != "" {
			sess, _, err := s.auth.Lookup(c.Request.Context(), ck)
			if err == nil && !constantTimeEqual(c.GetHeader("X-CSRF-Token"), sess.CSRFToken) {
				writeProblem(c, apperr.E(apperr.Forbidden, "The request lacks a valid CSRF token; reload the page and try again."))
				return
			}
		}
		target := "/"
		if ck != "" {
			var err error
			if target, err = s.auth.Logout(c.Request.Context(), ck); err != nil {
				writeProblem(c, err)
				return
			}
		}
		s.cookies.set(c, s.cookies.session, "", -1, true)
		s.cookies.set(c, csrfCookie, "", -1, false)
		c.JSON(http.StatusOK, gin.H{"redirect": target})
	})
}

// loginErrorCode is the fixed code the login page turns into a message:
// login_failed, access_denied, disabled, state_mismatch, no_email or
// rate_limited.
func loginErrorCode(err error) string {
	if errors.Is(err, auth.ErrNoEmail) {
		return "no_email"
	}
	switch apperr.CodeOf(err) {
	case apperr.Invalid: // state missing, unknown, used or too old
		return "state_mismatch"
	case apperr.Forbidden:
		return "disabled"
	case apperr.RateLimited:
		return "rate_limited"
	}
	return "login_failed"
}

// Package httpapi is the HTTP surface: Gin routes, middleware, handlers and
// DTO conversion. It is the only package that imports Gin, and writeProblem
// is the only code that writes error responses.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/auth"
	"github.com/partnerdesk/partnerdesk/internal/authz"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/openapi"
	"github.com/partnerdesk/partnerdesk/internal/idem"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// Pinger checks a dependency for readiness.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Options are the server's dependencies.
type Options struct {
	Logger       *slog.Logger
	Registry     *prometheus.Registry
	DB           Pinger
	UI           fs.FS // the SPA's files (index.html at the root)
	MaxBodyBytes int64
	TLS          bool
	Version      string
	Environment  apigen.MetaEnvironment
	Demo         bool

	// Identity and access; when Auth is nil only the operational routes exist.
	Auth          *auth.Service
	Identity      *identity.Service
	Authz         authz.Authorizer
	Audit         AuditReader
	SecureCookies bool
	Idempotency   idem.Store

	// Webhooks is the Klarna webhook pipeline; WebhookURL is where Klarna
	// delivers (PUBLIC_URL/webhooks/klarna).
	Webhooks         *webhook.Service
	WebhookURL       string
	KlarnaConfigured bool
}

// server holds the handlers' dependencies.
type server struct {
	opts    Options
	auth    *auth.Service
	ident   *identity.Service
	authz   authz.Authorizer
	cookies cookies
}

func init() { gin.SetMode(gin.ReleaseMode) }

// New builds the HTTP handler.
func New(opts Options) (http.Handler, error) {
	spec, err := openapi.JSON()
	if err != nil {
		return nil, err
	}
	r := gin.New()
	r.ContextWithFallback = true
	r.HandleMethodNotAllowed = true
	r.Use(requestIDs(opts.Logger), accessLog(), compressJSON(), recovery(), securityHeaders(opts.TLS), httpMetrics(opts.Registry), bodyLimit(opts.MaxBodyBytes))

	// Operations.
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", readyz(opts.DB))
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{Registry: opts.Registry})))

	// JSON API.
	api := r.Group("/api/v1")
	api.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", spec) })
	api.GET("/meta", func(c *gin.Context) {
		c.JSON(http.StatusOK, apigen.Meta{Version: opts.Version, Environment: opts.Environment, Demo: opts.Demo})
	})
	if opts.Auth != nil {
		s := &server{opts: opts, auth: opts.Auth, ident: opts.Identity, authz: opts.Authz, cookies: newCookies(opts.SecureCookies)}
		s.authRoutes(r)
		r.POST("/webhooks/klarna", s.receiveWebhook)
		s.mount(api, s.routes())
	}

	// Everything else: API 404s as problems, other GETs get the SPA.
	spa := spaHandler(opts.UI)
	r.NoRoute(func(c *gin.Context) {
		p := c.Request.URL.Path
		if strings.HasPrefix(p, "/api/") || p == "/api" || (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) {
			writeProblem(c, apperr.E(apperr.NotFound, "No such endpoint: %s %s", c.Request.Method, p))
			return
		}
		spa(c)
	})
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, apperr.E(apperr.NotAllowed, "Method %s is not allowed on %s.", c.Request.Method, c.Request.URL.Path))
	})
	return r, nil
}

func readyz(db Pinger) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			writeProblem(c, apperr.Wrap(err, apperr.Unavailable, "The database does not answer."))
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	}
}

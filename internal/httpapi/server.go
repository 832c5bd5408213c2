// Package httpapi is the HTTP surface: Gin routes, middleware, handlers and
// DTO conversion. It is the only package that imports Gin, and writeProblem
// is the only code that writes error responses.
package httpapi

import (
	"context"
	"fmt"
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
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/home"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/openapi"
	"github.com/partnerdesk/partnerdesk/internal/idem"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/klarnalog"
	"github.com/partnerdesk/partnerdesk/internal/notify"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/payment"
	"github.com/partnerdesk/partnerdesk/internal/search"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
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
	// TrustedProxies are the reverse proxies (IPs, CIDRs) whose
	// X-Forwarded-For / X-Real-IP name the client; none by default, so the
	// client address is the TCP peer and cannot be forged by a header.
	TrustedProxies []string
	// MetricsToken, when set, is required as a bearer token on /metrics.
	MetricsToken string
	// MetricsElsewhere leaves /metrics out of this handler (it is served on
	// its own listener by MetricsHandler).
	MetricsElsewhere bool

	// Identity and access; when Auth is nil only the operational routes exist.
	Auth          *auth.Service
	Identity      *identity.Service
	Authz         authz.Authorizer
	Tenants       *identity.Directory // tenant lookups and search, never all tenants
	Audit         AuditReader
	SecureCookies bool
	Idempotency   idem.Store

	// Webhooks is the Klarna webhook pipeline; WebhookURL is where Klarna
	// delivers (PUBLIC_URL/webhooks/klarna).
	Webhooks         *webhook.Service
	Directory        PartnerDirectory
	WebhookURL       string
	KlarnaConfigured bool

	// Onboarding prepares and submits partner onboardings.
	Onboarding *partner.OnboardingService
	// Bulk onboards partners from an uploaded CSV.
	Bulk *partner.BulkService
	// Credentials manages partners' Klarna credentials.
	Credentials *partner.CredentialService
	// Changes pushes partner changes to Klarna.
	Changes *partner.ChangeService
	// PartnerData edits partners' data at Klarna after onboarding.
	PartnerData *partner.DataService
	// ImageOrigins may serve images besides our origin and any https one
	// (the Klarna simulator's demo brand images in dev).
	ImageOrigins []string
	// Products disables and enables payment products; Offboarding runs the
	// guided offboarding of partners.
	Products    *partner.ProductService
	Offboarding *partner.OffboardingService
	// Readiness is where the interoperability checklist reads what the
	// partner's tree does not hold.
	Readiness partner.ReadinessSources

	// Portal opens the Klarna Partner Portal by deep link; KlarnaSettings
	// describes Partner Desk's own Klarna credentials (status only).
	Portal         Portal
	KlarnaSettings func(ctx context.Context) apigen.KlarnaSettings

	// Disputes is the dispute mirror and queue; SavedViews users' saved
	// filters of a list.
	Disputes *dispute.Service
	// Responder drafts and sends partners' answers to disputes.
	Responder  *dispute.Responder
	SavedViews SavedViews
	// Notifications are the users' own notices and e-mail preferences (and
	// the dev outbox when it is on).
	Notifications *notify.Service
	// DisputeAnalytics computes the dispute analytics (issue 11).
	DisputeAnalytics dispute.AnalyticsStore
	// RunReminders runs the dispute reminder job now; set only by
	// `partnerdesk dev` (POST /dev/reminders/run answers 404 without it).
	RunReminders func(ctx context.Context) error
	// Settlements reads payouts, their lines, Klarna's reports, monthly
	// statements and the weekly charts (issue 12).
	Settlements *settlement.Reader
	// Home builds each user's first page (issue 13).
	Home *home.Service
	// Search is the global search (issue 13).
	Search *search.Service
	// KlarnaCalls is the Klarna call log (issue 13).
	KlarnaCalls *klarnalog.Service
	// Payments are the payment requests, their timelines and the
	// integration health (issue 16).
	Payments *payment.Service
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
	r, err := newEngine(opts.TrustedProxies)
	if err != nil {
		return nil, err
	}
	r.Use(requestIDs(opts.Logger), accessLog(), compressJSON(), recovery(), securityHeaders(opts.TLS, opts.ImageOrigins), httpMetrics(opts.Registry), bodyLimit(opts.MaxBodyBytes, routeBodyLimits()), validInput)

	// Operations.
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", readyz(opts.DB))
	if opts.MetricsElsewhere {
		r.GET("/metrics", func(c *gin.Context) { writeProblem(c, apperr.E(apperr.NotFound, "No such endpoint: GET /metrics")) })
	} else {
		r.GET("/metrics", metrics(opts.Registry, opts.MetricsToken)...)
	}

	// JSON API.
	api := r.Group("/api/v1", noStore)
	api.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", spec) })
	api.GET("/meta", func(c *gin.Context) {
		c.JSON(http.StatusOK, apigen.Meta{Version: opts.Version, Environment: opts.Environment, Demo: opts.Demo})
	})
	if opts.Auth != nil {
		s := &server{opts: opts, auth: opts.Auth, ident: opts.Identity, authz: opts.Authz, cookies: newCookies(opts.SecureCookies)}
		s.authRoutes(r)
		r.POST("/webhooks/klarna", s.receiveWebhook)
		r.GET(portalContinuePath, s.portalContinue)
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

// newEngine is a Gin engine that takes the client address from forwarding
// headers only when the peer is one of trusted.
func newEngine(trusted []string) (*gin.Engine, error) {
	r := gin.New()
	r.ContextWithFallback = true
	r.HandleMethodNotAllowed = true
	if len(trusted) == 0 {
		trusted = nil // nil trusts no proxy; an empty list would too, but say it
	}
	if err := r.SetTrustedProxies(trusted); err != nil {
		return nil, fmt.Errorf("PARTNERDESK_TRUSTED_PROXIES: %w", err)
	}
	return r, nil
}

// MetricsHandler serves /metrics alone, for its own listener
// (PARTNERDESK_METRICS_ADDR).
func MetricsHandler(log *slog.Logger, reg *prometheus.Registry, token string) http.Handler {
	r, _ := newEngine(nil)
	r.Use(requestIDs(log), recovery())
	r.GET("/metrics", metrics(reg, token)...)
	r.NoRoute(func(c *gin.Context) {
		writeProblem(c, apperr.E(apperr.NotFound, "Only /metrics is served here."))
	})
	return r
}

// metrics is the Prometheus endpoint, behind a bearer token when one is set.
func metrics(reg *prometheus.Registry, token string) []gin.HandlerFunc {
	h := gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	if token == "" {
		return []gin.HandlerFunc{h}
	}
	return []gin.HandlerFunc{func(c *gin.Context) {
		scheme, secret, _ := strings.Cut(c.GetHeader("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || !constantTimeEqual(strings.TrimSpace(secret), token) {
			c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
			writeProblem(c, apperr.E(apperr.Unauthenticated, "The metrics need `Authorization: Bearer <PARTNERDESK_METRICS_TOKEN>`."))
			return
		}
		c.Next()
	}, h}
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

package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// tenantFrom says where a route's tenant comes from, for authorization.
type tenantFrom int

const (
	// noTenant (the zero value): any logged-in user; the handler scopes
	// what it returns.
	_ tenantFrom = iota
	// pathTenant: the :tenant path parameter.
	pathTenant
	// anyTenant: the action held in at least one tenant; the handler gets
	// the scope where it is held (scopeOf) and passes it to every read.
	anyTenant
)

// route is one row of the API's route table: which action it needs, in which
// tenant, and whether it needs a recent login. Authorization is by action,
// never by URL; the permission matrix test walks this table.
type route struct {
	method, path string
	action       string
	tenant       tenantFrom
	stepUp       bool
	handler      gin.HandlerFunc
	// maxBody, when set, replaces MAX_BODY_BYTES for this route.
	maxBody int64
	// fresh: every call makes something new that must never be replayed
	// (a single-use Portal link), so Idempotency-Key is not honoured and
	// nothing of the answer is stored.
	fresh bool
}

// routes is the /api/v1 table (besides /meta and /openapi.json, which are public).
func (s *server) routes() []route {
	return []route{
		{method: "GET", path: "/me", handler: s.getMe},
		{method: "GET", path: "/roles", handler: s.listRoles},
		{method: "GET", path: "/tenants", handler: s.listTenants}, // scoped to the tenants the caller can see

		{method: "GET", path: "/tenants/:tenant/users", action: "user:read", tenant: pathTenant, handler: s.listTenantUsers},
		{method: "POST", path: "/tenants/:tenant/invitations", action: "user:manage", tenant: pathTenant, stepUp: true, handler: s.createInvitation},
		{method: "DELETE", path: "/tenants/:tenant/invitations/:invitation", action: "user:manage", tenant: pathTenant, handler: s.revokeInvitation},
		{method: "PUT", path: "/tenants/:tenant/users/:user/roles/:role", action: "user:manage", tenant: pathTenant, stepUp: true, handler: s.grantRole},
		{method: "DELETE", path: "/tenants/:tenant/users/:user/roles/:role", action: "user:manage", tenant: pathTenant, handler: s.revokeRole},
		{method: "PUT", path: "/tenants/:tenant/users/:user/disabled", action: "user:manage", tenant: pathTenant, handler: s.setUserDisabled},

		{method: "GET", path: "/tokens", handler: s.listTokens},
		{method: "POST", path: "/tokens", action: "token:manage", tenant: anyTenant, stepUp: true, handler: s.createToken}, // and on the body's tenant
		{method: "DELETE", path: "/tokens/:token", handler: s.revokeToken},

		{method: "GET", path: "/webhooks/events", action: "webhook:read", tenant: anyTenant, handler: s.listWebhookEvents},
		{method: "GET", path: "/webhooks/events/:event", action: "webhook:read", tenant: anyTenant, handler: s.getWebhookEvent},
		{method: "POST", path: "/webhooks/events/:event/replay", action: "webhook:replay", tenant: anyTenant, handler: s.replayWebhookEvent},
		{method: "POST", path: "/webhooks/replay", action: "webhook:replay", tenant: anyTenant, handler: s.replayWebhookEvents},
		{method: "GET", path: "/webhooks/quarantine", action: "webhook:read", tenant: anyTenant, handler: s.listWebhookQuarantine},
		{method: "GET", path: "/webhooks/stats", action: "webhook:read", tenant: anyTenant, handler: s.getWebhookStats},
		{method: "GET", path: "/webhooks/subscriptions", action: "webhook:read", tenant: anyTenant, handler: s.listWebhookSubscriptions},
		{method: "POST", path: "/webhooks/subscriptions", action: "webhook:manage", tenant: anyTenant, stepUp: true, handler: s.ensureWebhookSubscription},
		{method: "POST", path: "/webhooks/signing-keys/rotate", action: "webhook:manage", tenant: anyTenant, stepUp: true, handler: s.rotateWebhookSigningKey},
		{method: "POST", path: "/webhooks/subscriptions/:subscription/simulate", action: "webhook:manage", tenant: anyTenant, handler: s.simulateWebhook},

		{method: "GET", path: "/settings/identity", action: "user:manage", tenant: anyTenant, handler: s.getIdentitySettings}, // across all partners only

		// --- partners directory (issue 9) ---
		{method: "GET", path: "/partners", action: "partner:read", tenant: anyTenant, handler: s.listPartners},
		{method: "GET", path: "/partners/export.csv", action: "partner:read", tenant: anyTenant, handler: s.exportPartners},
		{method: "GET", path: "/partners/onboarding", action: "partner:read", tenant: anyTenant, handler: s.getOnboardingBoard},
		{method: "GET", path: "/tenants/:tenant/partner", action: "partner:read", tenant: pathTenant, handler: s.getPartner},
		{method: "POST", path: "/tenants/:tenant/partner/refresh", action: "partner:manage", tenant: pathTenant, handler: s.refreshPartner},
		// --- end partners directory ---

		// --- onboarding (issue 9) ---
		{method: "GET", path: "/onboarding/catalogue", action: "partner:onboard", tenant: anyTenant, handler: s.getOnboardingCatalogue},
		{method: "GET", path: "/onboarding/drafts", action: "partner:onboard", tenant: anyTenant, handler: s.listOnboardingDrafts},
		{method: "POST", path: "/onboarding/drafts", action: "partner:onboard", tenant: anyTenant, handler: s.createOnboardingDraft},
		{method: "GET", path: "/onboarding/drafts/:draft", action: "partner:onboard", tenant: anyTenant, handler: s.getOnboardingDraft},
		{method: "PUT", path: "/onboarding/drafts/:draft", action: "partner:onboard", tenant: anyTenant, handler: s.saveOnboardingDraft},
		{method: "DELETE", path: "/onboarding/drafts/:draft", action: "partner:onboard", tenant: anyTenant, handler: s.discardOnboardingDraft},
		{method: "GET", path: "/onboarding/drafts/:draft/payload", action: "partner:onboard", tenant: anyTenant, handler: s.getOnboardingPayload},
		{method: "POST", path: "/onboarding/drafts/:draft/submit", action: "partner:onboard", tenant: anyTenant, handler: s.submitOnboardingDraft},
		{method: "POST", path: "/onboarding/drafts/:draft/resolve", action: "partner:onboard", tenant: anyTenant, handler: s.resolveOnboardingConflict},
		// --- end onboarding ---

		// --- bulk onboarding (issue 9) ---
		{method: "GET", path: "/onboarding/bulk/template.csv", action: "partner:onboard", tenant: anyTenant, handler: s.getBulkTemplate},
		{method: "GET", path: "/onboarding/bulk", action: "partner:onboard", tenant: anyTenant, handler: s.listBulkRuns},
		{method: "POST", path: "/onboarding/bulk", action: "partner:onboard", tenant: anyTenant, handler: s.uploadBulk, maxBody: partner.MaxBulkBytes},
		{method: "GET", path: "/onboarding/bulk/:run", action: "partner:onboard", tenant: anyTenant, handler: s.getBulkRun},
		{method: "GET", path: "/onboarding/bulk/:run/rows", action: "partner:onboard", tenant: anyTenant, handler: s.listBulkRows},
		{method: "POST", path: "/onboarding/bulk/:run/start", action: "partner:onboard", tenant: anyTenant, handler: s.startBulk},
		{method: "POST", path: "/onboarding/bulk/:run/cancel", action: "partner:onboard", tenant: anyTenant, handler: s.cancelBulk},
		{method: "GET", path: "/onboarding/bulk/:run/results.csv", action: "partner:onboard", tenant: anyTenant, handler: s.exportBulkResults},
		// --- end bulk onboarding ---

		// --- partner changes (issue 10) ---
		{method: "GET", path: "/tenants/:tenant/partner/changes", action: "partner:read", tenant: pathTenant, handler: s.listPartnerChanges},
		{method: "POST", path: "/tenants/:tenant/partner/changes/:change/retry", action: "partner:manage", tenant: pathTenant, handler: s.retryPartnerChange},
		{method: "GET", path: "/tenants/:tenant/partner/readiness", action: "partner:read", tenant: pathTenant, handler: s.getPartnerReadiness},
		// --- end partner changes ---

		// --- partner data (issue 10) ---
		{method: "GET", path: "/tenants/:tenant/partner/data", action: "partner:read", tenant: pathTenant, handler: s.getPartnerData},
		{method: "GET", path: "/tenants/:tenant/partner/image-check", action: "brand:manage", tenant: pathTenant, handler: s.checkPartnerImage},
		{method: "POST", path: "/tenants/:tenant/partner/brands", action: "brand:manage", tenant: pathTenant, handler: s.createPartnerBrand},
		{method: "PATCH", path: "/tenants/:tenant/partner/brands/:brand", action: "brand:manage", tenant: pathTenant, handler: s.updatePartnerBrand},
		{method: "POST", path: "/tenants/:tenant/partner/store-groups", action: "brand:manage", tenant: pathTenant, handler: s.createPartnerStoreGroup},
		{method: "PATCH", path: "/tenants/:tenant/partner/store-groups/:store_group", action: "brand:manage", tenant: pathTenant, handler: s.updatePartnerStoreGroup},
		{method: "POST", path: "/tenants/:tenant/partner/stores", action: "brand:manage", tenant: pathTenant, handler: s.createPartnerStore},
		{method: "PATCH", path: "/tenants/:tenant/partner/stores/:store", action: "brand:manage", tenant: pathTenant, handler: s.updatePartnerStore},
		{method: "PATCH", path: "/tenants/:tenant/partner/account", action: "partner:manage", tenant: pathTenant, handler: s.updatePartnerAccountContact},
		{method: "POST", path: "/tenants/:tenant/partner/business-entities", action: "partner:manage", tenant: pathTenant, handler: s.createPartnerBusinessEntity},
		{method: "PATCH", path: "/tenants/:tenant/partner/business-entities/:entity", action: "partner:manage", tenant: pathTenant, handler: s.updatePartnerBusinessEntity},
		// --- end partner data ---

		// --- products (issue 10) ---
		{method: "GET", path: "/tenants/:tenant/partner/payment-product", action: "partner:read", tenant: pathTenant, handler: s.getPaymentProduct},
		{method: "POST", path: "/tenants/:tenant/partner/payment-product/disable", action: "product:manage", tenant: pathTenant, stepUp: true, handler: s.disablePaymentProduct},
		{method: "POST", path: "/tenants/:tenant/partner/payment-product/enable", action: "product:manage", tenant: pathTenant, stepUp: true, handler: s.enablePaymentProduct},
		{method: "GET", path: "/tenants/:tenant/partner/offboarding", action: "product:manage", tenant: pathTenant, handler: s.getOffboarding},
		{method: "POST", path: "/tenants/:tenant/partner/offboarding", action: "product:manage", tenant: pathTenant, stepUp: true, handler: s.startOffboarding},
		{method: "POST", path: "/tenants/:tenant/partner/offboarding/resume", action: "product:manage", tenant: pathTenant, stepUp: true, handler: s.resumeOffboarding},
		// --- end products ---

		// --- credentials (issue 10) ---
		{method: "GET", path: "/credentials", action: "credential:read", tenant: anyTenant, handler: s.listCredentials},
		{method: "GET", path: "/tenants/:tenant/credentials", action: "credential:read", tenant: pathTenant, handler: s.getPartnerCredentials},
		{method: "POST", path: "/tenants/:tenant/credentials/api-keys", action: "credential:manage", tenant: pathTenant, stepUp: true, handler: s.createPartnerAPIKey},
		{method: "POST", path: "/tenants/:tenant/credentials/api-keys/:credential/disable", action: "credential:manage", tenant: pathTenant, stepUp: true, handler: s.disablePartnerAPIKey},
		{method: "POST", path: "/tenants/:tenant/credentials/client-identifiers", action: "credential:manage", tenant: pathTenant, stepUp: true, handler: s.createPartnerClientIdentifier},
		{method: "PUT", path: "/tenants/:tenant/credentials/client-identifiers/:credential/origins", action: "credential:manage", tenant: pathTenant, handler: s.setPartnerClientIdentifierOrigins},
		{method: "POST", path: "/tenants/:tenant/credentials/client-identifiers/:credential/disable", action: "credential:manage", tenant: pathTenant, stepUp: true, handler: s.disablePartnerClientIdentifier},
		// --- end credentials ---

		// --- portal (issue 10) ---
		{method: "POST", path: "/tenants/:tenant/partner/portal-link", action: "portal:open", tenant: pathTenant, fresh: true, handler: s.createPortalLink},
		{method: "GET", path: "/portal/partners", action: "portal:open", tenant: anyTenant, handler: s.listPartners},          // the directory in the scope of portal:open
		{method: "GET", path: "/settings/klarna", action: "credential:read", tenant: anyTenant, handler: s.getKlarnaSettings}, // across all partners only
		// --- end portal ---

		// --- disputes core (issue 11) ---
		{method: "GET", path: "/disputes", action: "dispute:read", tenant: anyTenant, handler: s.listDisputes},
		{method: "GET", path: "/disputes/export.csv", action: "dispute:read", tenant: anyTenant, handler: s.exportDisputes},
		{method: "GET", path: "/disputes/:dispute", action: "dispute:read", tenant: anyTenant, handler: s.getDispute},
		{method: "POST", path: "/disputes/:dispute/refresh", action: "dispute:respond", tenant: anyTenant, handler: s.refreshDispute},
		{method: "PUT", path: "/disputes/:dispute/assignee", action: "dispute:respond", tenant: anyTenant, handler: s.assignDispute},
		{method: "GET", path: "/disputes/:dispute/assignees", action: "dispute:respond", tenant: anyTenant, handler: s.listDisputeAssignees},
		{method: "GET", path: "/disputes/:dispute/attachments/:attachment/download", action: "dispute:read", tenant: anyTenant, handler: s.downloadDisputeAttachment},
		{method: "GET", path: "/views", handler: s.listSavedViews}, // the caller's own
		{method: "POST", path: "/views", handler: s.createSavedView},
		{method: "DELETE", path: "/views/:view", handler: s.deleteSavedView},
		// --- end disputes core ---

		// --- dispute actions (issue 11) ---
		{method: "GET", path: "/disputes/evidence-guide", action: "dispute:read", tenant: anyTenant, handler: s.disputeEvidenceGuide},
		{method: "GET", path: "/disputes/:dispute/draft", action: "dispute:read", tenant: anyTenant, handler: s.getDisputeDraft},
		{method: "PUT", path: "/disputes/:dispute/draft", action: "dispute:respond", tenant: anyTenant, handler: s.saveDisputeDraft},
		{method: "POST", path: "/disputes/:dispute/draft/attachments", action: "dispute:respond", tenant: anyTenant, handler: s.uploadDisputeDraftAttachment, maxBody: disputeUploadMaxBody},
		{method: "GET", path: "/disputes/:dispute/draft/attachments/:attachment", action: "dispute:read", tenant: anyTenant, handler: s.downloadDisputeDraftAttachment},
		{method: "DELETE", path: "/disputes/:dispute/draft/attachments/:attachment", action: "dispute:respond", tenant: anyTenant, handler: s.deleteDisputeDraftAttachment},
		{method: "GET", path: "/disputes/:dispute/actions", action: "dispute:read", tenant: anyTenant, handler: s.listDisputeActions},
		{method: "POST", path: "/disputes/:dispute/represent", action: "dispute:respond", tenant: anyTenant, handler: s.submitDispute(dispute.KindRepresent)},
		{method: "POST", path: "/disputes/:dispute/accept-loss", action: "dispute:respond", tenant: anyTenant, handler: s.submitDispute(dispute.KindAcceptLoss)},
		{method: "POST", path: "/disputes/:dispute/appeal", action: "dispute:respond", tenant: anyTenant, handler: s.submitDispute(dispute.KindAppeal)},
		// --- end dispute actions ---

		// --- home (issue 13) ---
		// the caller's own: each tile is read in the scope of its own action
		{method: "GET", path: "/home", handler: s.getHome},
		// --- end home ---

		// --- notifications (issue 11) ---
		// a user's own (the handlers read and write only the caller's rows)
		{method: "GET", path: "/notifications", handler: s.listNotifications},
		{method: "POST", path: "/notifications/read-all", handler: s.readAllNotifications},
		{method: "POST", path: "/notifications/:notification/read", handler: s.readNotification},
		{method: "GET", path: "/notifications/preferences", handler: s.getNotificationPreferences},
		{method: "PUT", path: "/notifications/preferences", handler: s.putNotificationPreferences},
		{method: "GET", path: "/dev/outbox", handler: s.getDevOutbox},            // 404 unless the dev outbox is on
		{method: "POST", path: "/dev/reminders/run", handler: s.runDevReminders}, // 404 outside `partnerdesk dev`
		// --- end notifications ---

		// --- dispute analytics (issue 11) ---
		{method: "GET", path: "/disputes/analytics", action: "dispute:read", tenant: anyTenant, handler: s.disputeAnalytics},
		{method: "GET", path: "/disputes/analytics.csv", action: "dispute:read", tenant: anyTenant, handler: s.disputeAnalyticsCSV},
		// --- end dispute analytics ---

		// --- settlement statements (issue 12) ---
		{method: "GET", path: "/settlements/statement", action: "settlement:read", tenant: anyTenant, handler: s.getSettlementStatement},
		{method: "GET", path: "/settlements/statement.pdf", action: "settlement:export", tenant: anyTenant, handler: s.exportSettlementStatementPDF},
		{method: "GET", path: "/settlements/charts", action: "settlement:read", tenant: anyTenant, handler: s.getSettlementCharts},
		{method: "GET", path: "/settlements/charts.csv", action: "settlement:read", tenant: anyTenant, handler: s.getSettlementChartsCSV},
		// --- end settlement statements ---
		// --- settlements (issue 12) ---
		{method: "GET", path: "/payouts", action: "settlement:read", tenant: anyTenant, handler: s.listPayouts},
		{method: "GET", path: "/payouts/export.csv", action: "settlement:export", tenant: anyTenant, handler: s.exportPayouts},
		{method: "GET", path: "/payouts/:payout", action: "settlement:read", tenant: anyTenant, handler: s.getPayout},
		{method: "GET", path: "/payouts/:payout/lines", action: "settlement:read", tenant: anyTenant, handler: s.listPayoutLines},
		{method: "GET", path: "/payouts/:payout/lines/export.csv", action: "settlement:export", tenant: anyTenant, handler: s.exportPayoutLines},
		{method: "GET", path: "/payouts/:payout/klarna.csv", action: "settlement:export", tenant: anyTenant, handler: s.klarnaReport(false)},
		{method: "GET", path: "/payouts/:payout/klarna.pdf", action: "settlement:export", tenant: anyTenant, handler: s.klarnaReport(true)},
		{method: "GET", path: "/settlement-lines", action: "settlement:read", tenant: anyTenant, handler: s.searchSettlementLines},
		{method: "GET", path: "/payments", action: "payment:read", tenant: anyTenant, handler: s.listPayments},
		{method: "GET", path: "/payments/export.csv", action: "payment:read", tenant: anyTenant, handler: s.exportPayments},
		{method: "GET", path: "/payments/health", action: "payment:read", tenant: anyTenant, handler: s.getPaymentHealth},
		{method: "GET", path: "/payments/health.csv", action: "payment:read", tenant: anyTenant, handler: s.exportPaymentHealth},
		{method: "GET", path: "/payments/:payment", action: "payment:read", tenant: anyTenant, handler: s.getPayment},
		// --- end settlements ---

		// --- global search (issue 13) ---
		// any logged-in user: the handler searches each kind in the scope of
		// its read action (partner:, dispute:, settlement:, webhook:read)
		{method: "GET", path: "/search", handler: s.search},
		// --- end global search ---

		// --- klarna call log (issue 13) ---
		{method: "GET", path: "/klarna/calls", action: "klarna:log:read", tenant: anyTenant, handler: s.listKlarnaCalls},
		{method: "GET", path: "/klarna/calls/:call", action: "klarna:log:read", tenant: anyTenant, handler: s.getKlarnaCall},
		// --- end klarna call log ---

		{method: "GET", path: "/audit", action: "audit:read", tenant: anyTenant, handler: s.listAudit},
		{method: "GET", path: "/audit/export.csv", action: "audit:export", tenant: anyTenant, handler: s.exportAudit},
	}
}

// routeBodyLimits are the routes with a body limit of their own.
func routeBodyLimits() map[string]int64 {
	out := map[string]int64{}
	for _, r := range (&server{}).routes() {
		if r.maxBody > 0 {
			out[r.method+" /api/v1"+r.path] = r.maxBody
		}
	}
	return out
}

// mount registers the table behind authentication, CSRF, authorization and
// idempotency, in that order.
func (s *server) mount(g *gin.RouterGroup, rs []route) {
	g.Use(s.authenticate, csrf)
	for _, rt := range rs {
		chain := []gin.HandlerFunc{s.authorize(rt)}
		if rt.method != http.MethodGet && !rt.fresh {
			chain = append(chain, s.idempotent)
		}
		g.Handle(rt.method, rt.path, append(chain, rt.handler)...)
	}
}

const (
	tenantKey = "pd.tenant"
	scopeKey  = "pd.scope"
)

// authorize enforces a route's action at a cost that does not grow with the
// number of tenants. A tenant the principal cannot see at all answers 404
// (its existence is not revealed); a visible tenant without the action
// answers 403. An anyTenant route gets the scope of its action.
func (s *server) authorize(rt route) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principalOf(c)
		switch rt.tenant {
		case pathTenant:
			id, err := uuidParam(c, "tenant")
			if err != nil {
				writeProblem(c, err)
				return
			}
			// One row, read only when visible: unknown and invisible
			// tenants get the same 404.
			if _, err := s.opts.Tenants.Tenant(c.Request.Context(), s.authz.Visible(p.Authz), id); err != nil {
				writeProblem(c, err)
				return
			}
			if !s.authz.Allowed(p.Authz, id.String(), rt.action) {
				writeProblem(c, apperr.E(apperr.Forbidden, "Your role does not allow %s here.", rt.action))
				return
			}
			c.Set(tenantKey, id)
			c.Set(scopeKey, scope.Tenants(id))
		case anyTenant:
			sc := s.authz.Scope(p.Authz, rt.action)
			if sc.IsEmpty() {
				writeProblem(c, apperr.E(apperr.Forbidden, "Your role does not allow %s.", rt.action))
				return
			}
			c.Set(scopeKey, sc)
		}
		if rt.stepUp {
			if err := s.requireRecentAuth(c); err != nil {
				writeProblem(c, err)
				return
			}
		}
		c.Next()
	}
}

// requireRecentAuth guards the stepUp routes (tokens, invitations, role
// grants, webhook keys): they need a person who logged in recently. API
// tokens are refused outright, so a token can never mint a token, invite,
// grant or rotate keys, whatever its roles and lifetime.
func (s *server) requireRecentAuth(c *gin.Context) error {
	p := principalOf(c)
	if p.Session == nil {
		return apperr.E(apperr.Forbidden, "API tokens cannot do this: it needs a person with a recent login. Sign in to Partner Desk in a browser to do it.")
	}
	return s.auth.RequireRecentAuth(*p.Session)
}

func tenantOf(c *gin.Context) uuid.UUID {
	v, _ := c.Get(tenantKey)
	id, _ := v.(uuid.UUID)
	return id
}

// scopeOf returns the scope authorize set for the route: the tenants where
// the principal holds the route's action. A route that set none gets the
// empty scope, which reads nothing.
func scopeOf(c *gin.Context) scope.Scope {
	v, _ := c.Get(scopeKey)
	sc, _ := v.(scope.Scope)
	return sc
}

// RouteInfo describes one row of the route table, for the permission matrix.
type RouteInfo struct {
	Method, Path string // Path as mounted, e.g. /api/v1/tenants/:tenant/users
	Action       string // "" = any logged-in user
	Tenant       string // "none", "path" or "any"
	StepUp       bool
}

// Routes lists the authenticated /api/v1 routes.
func Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range (&server{}).routes() {
		out = append(out, RouteInfo{Method: r.method, Path: "/api/v1" + r.path, Action: r.action, Tenant: [...]string{"none", "path", "any"}[r.tenant], StepUp: r.stepUp})
	}
	return out
}

// PublicRoutes are the /api/v1 routes that need no login.
var PublicRoutes = []string{"GET /api/v1/openapi.json", "GET /api/v1/meta"}

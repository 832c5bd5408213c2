package httpapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Portal opens the Klarna Partner Portal by deep link.
type Portal interface {
	Open(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, u partner.PortalUser) (partner.PortalLink, error)
}

// The "Continue with <acquirer>" entry point and its picker (a page of the UI).
const (
	portalContinuePath = "/portal/continue"
	portalChoosePath   = "/portal/choose"
)

// portalUser is who the principal is to the Klarna Portal in tenantID: the
// e-mail, the Partner Desk roles that apply there (the tenant's own and the
// acquirer's, which reach every partner) and the login's amr. Only a
// person's browser login opens the Portal: an API token has no login whose
// authentication methods could be vouched for.
func (s *server) portalUser(ctx context.Context, p *principal, tenantID uuid.UUID) (partner.PortalUser, error) {
	if p.Session == nil {
		return partner.PortalUser{}, apperr.E(apperr.Forbidden, "The Klarna Portal is opened by a person signed in to Partner Desk in a browser; API tokens cannot open it.")
	}
	ts, err := s.opts.Tenants.OfUser(ctx, p.User.ID)
	if err != nil {
		return partner.PortalUser{}, err
	}
	u := partner.PortalUser{Email: p.User.Email, AMR: p.Session.AMR()}
	for _, tr := range ts {
		if tr.Tenant.ID == tenantID || tr.Tenant.Kind == identity.KindAcquirer {
			u.Roles = append(u.Roles, tr.Roles...)
		}
	}
	return u, nil
}

func (s *server) createPortalLink(c *gin.Context) {
	ctx := c.Request.Context()
	u, err := s.portalUser(ctx, principalOf(c), tenantOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	l, err := s.opts.Portal.Open(ctx, scopeOf(c), tenantOf(c), u)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, portalLinkDTO(l))
}

func portalLinkDTO(l partner.PortalLink) apigen.PortalLink {
	return apigen.PortalLink{Url: l.URL, ExpiresAt: l.ExpiresAt.UTC(), Jti: l.JTI, KlarnaAccountId: l.AccountID, PartnerName: l.PartnerName,
		Roles: l.Roles, Amr: l.AMR, AmrAssumed: l.AMRAssumed}
}

// portalContinue is where Klarna's "Continue with <acquirer>" button sends
// a user (public, outside /api/v1). Not logged in: the login starts and
// comes back here. Logged in with exactly one partner whose Portal they may
// open: straight through a fresh deep link. Otherwise (acquirer staff,
// several partners, none, or the link failed): the picker page.
func (s *server) portalContinue(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	p, err := s.sessionPrincipal(c)
	if err != nil {
		c.Redirect(http.StatusFound, "/auth/login?return_to="+url.QueryEscape(portalContinuePath))
		return
	}
	sc := s.authz.Scope(p.Authz, "portal:open")
	if sc.IsAll() || len(sc.IDs()) != 1 {
		c.Redirect(http.StatusFound, portalChoosePath)
		return
	}
	tenantID := sc.IDs()[0]
	ctx := actor.With(c.Request.Context(), actor.Actor{UserID: p.User.ID, Label: labelOf(p.User)})
	u, err := s.portalUser(ctx, p, tenantID)
	if err == nil {
		var l partner.PortalLink
		if l, err = s.opts.Portal.Open(ctx, sc, tenantID, u); err == nil {
			c.Redirect(http.StatusSeeOther, l.URL)
			return
		}
	}
	// The picker shows the partner with its button, which says what went
	// wrong when pressed; no error text travels in the address.
	loggerFrom(c).Warn("portal continue: no deep link", "tenant", tenantID.String(), "error", err.Error())
	c.Redirect(http.StatusFound, portalChoosePath+"?failed="+tenantID.String())
}

// getKlarnaSettings shows Partner Desk's own Klarna credentials as status
// only. It describes the acquirer's integration, so it needs credential:read
// across all partners.
func (s *server) getKlarnaSettings(c *gin.Context) {
	if !scopeOf(c).IsAll() {
		writeProblem(c, apperr.E(apperr.Forbidden, "Only the acquirer's staff see Partner Desk's own Klarna credentials."))
		return
	}
	if s.opts.KlarnaSettings == nil {
		writeProblem(c, apperr.E(apperr.Unavailable, "The Klarna settings are not available."))
		return
	}
	c.JSON(http.StatusOK, s.opts.KlarnaSettings(c.Request.Context()))
}

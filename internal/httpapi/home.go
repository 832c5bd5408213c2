package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/home"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// getHome answers the caller's home in the selected tenant. Each tile is
// read in the scope of its own action, narrowed to a selected partner; a
// tenant the caller cannot see answers 404, like every other route.
func (s *server) getHome(c *gin.Context) {
	p := principalOf(c)
	id, err := uuid.Parse(c.Query("tenant"))
	if err != nil {
		writeProblem(c, apperr.Validation("Choose a tenant.", apperr.FieldError{Field: "tenant", Message: "a tenant id"}))
		return
	}
	t, err := s.opts.Tenants.Tenant(c.Request.Context(), s.authz.Visible(p.Authz), id)
	if err != nil {
		writeProblem(c, err)
		return
	}
	sel := home.Selected{ID: id, Partner: t.Kind == identity.KindPartner}
	scopes := func(action string) scope.Scope {
		sc := s.authz.Scope(p.Authz, action)
		if sel.Partner {
			return sc.Narrow(id)
		}
		return sc
	}
	page, err := s.opts.Home.Build(c.Request.Context(), scopes, sel)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, homeDTO(page, time.Now()))
}

func homeDTO(p home.Page, now time.Time) apigen.HomePage {
	out := apigen.HomePage{Groups: make([]apigen.HomePageGroups, 0, len(p.Groups)), Tiles: make([]apigen.HomeTile, 0, len(p.Tiles)),
		TopPartners: []apigen.HomePartnerCount{}, LatestPayouts: make([]apigen.PayoutSummary, 0, len(p.LatestPayouts)),
		NetPayouts: make([]apigen.HomeNetPayouts, 0, len(p.Net)), ExpectedPayouts: make([]apigen.HomeExpectedPayout, 0, len(p.Expected)),
		RateLimits: make([]apigen.HomeRatePressure, 0, len(p.RateLimits)), Month: openapi_types.Date{Time: p.Month}, Portal: p.Portal}
	for _, g := range p.Groups {
		out.Groups = append(out.Groups, apigen.HomePageGroups(g))
	}
	for _, t := range p.Tiles {
		out.Tiles = append(out.Tiles, apigen.HomeTile{Key: t.Key, Group: apigen.HomeTileGroup(t.Group), Label: t.Label, Hint: t.Hint, Count: t.Count, Link: t.Link, Urgent: t.Urgent})
	}
	for _, x := range p.TopPartners {
		out.TopPartners = append(out.TopPartners, apigen.HomePartnerCount{TenantId: x.TenantID, Name: x.Name, Count: x.Count})
	}
	for _, x := range p.LatestPayouts {
		out.LatestPayouts = append(out.LatestPayouts, payoutSummaryDTO(x))
	}
	for _, x := range p.Net {
		out.NetPayouts = append(out.NetPayouts, apigen.HomeNetPayouts{Currency: x.Currency, ThisMonth: x.ThisMonth, LastMonth: x.LastMonth, ThisCount: x.ThisCount, LastCount: x.LastCount})
	}
	for _, x := range p.Expected {
		out.ExpectedPayouts = append(out.ExpectedPayouts, apigen.HomeExpectedPayout{TenantId: x.TenantID, PartnerName: x.PartnerName, Currency: x.Currency,
			ExpectedAt: x.ExpectedAt.UTC(), EveryDays: float32(x.Every.Hours() / 24), LastReference: x.LastReference, LastAmount: x.LastAmount, Late: home.Late(x, now)})
	}
	for _, x := range p.RateLimits {
		out.RateLimits = append(out.RateLimits, apigen.HomeRatePressure{Category: x.Category, RateLimited: x.RateLimited, WaitedSeconds: float32(x.Waited.Seconds()), PausedUntil: utcPtr(x.PausedUntil)})
	}
	return out
}

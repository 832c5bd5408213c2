package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/identity"
)

// listTenants searches the tenants the caller can see at all (any action:
// every tenant for acquirer roles), filtered and keyset paged in SQL, so a
// tenant switcher never needs every partner at once.
func (s *server) listTenants(c *gin.Context) {
	limit := identity.DefaultTenantPage
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > identity.MaxTenantPage {
			writeProblem(c, apperr.Validation("Check the search.", apperr.FieldError{Field: "limit", Message: "a number from 1 to " + strconv.Itoa(identity.MaxTenantPage)}))
			return
		}
		limit = n
	}
	ts, next, err := s.opts.Tenants.Search(c.Request.Context(), s.authz.Visible(principalOf(c).Authz), c.Query("q"), c.Query("cursor"), limit)
	if err != nil {
		writeProblem(c, err)
		return
	}
	page := apigen.TenantPage{Items: make([]apigen.TenantSummary, 0, len(ts))}
	for _, t := range ts {
		page.Items = append(page.Items, apigen.TenantSummary{Id: t.ID, Kind: apigen.TenantSummaryKind(t.Kind), Slug: t.Slug, Name: t.Name})
	}
	if next != "" {
		page.NextCursor = &next
	}
	c.JSON(http.StatusOK, page)
}

package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
)

// recentLoginsShown is how many of the last logins the identity settings list.
const recentLoginsShown = 10

// getIdentitySettings shows how login is configured and which claims the
// last logins received (names only), so an acquirer admin can see why a
// group mapping does not match. It names users of every tenant, so it needs
// user:manage across all partners (the acquirer's admins).
func (s *server) getIdentitySettings(c *gin.Context) {
	if !scopeOf(c).IsAll() {
		writeProblem(c, apperr.E(apperr.Forbidden, "Only the acquirer's user administrators see the identity provider settings."))
		return
	}
	users, err := s.ident.RecentLogins(c.Request.Context(), scopeOf(c), recentLoginsShown)
	if err != nil {
		writeProblem(c, err)
		return
	}
	p := s.auth.ProviderInfo()
	out := apigen.IdentitySettings{Issuer: p.Issuer, Scopes: p.Scopes, GroupsClaim: p.GroupsClaim,
		GroupRoles: []apigen.IdentityGroupRole{}, RecentLogins: []apigen.RecentLogin{}}
	for _, g := range s.ident.GroupRoles() {
		out.GroupRoles = append(out.GroupRoles, apigen.IdentityGroupRole{Group: g.Group, TenantSlug: g.TenantSlug, Role: g.Role})
	}
	for _, u := range users {
		claims := u.LastLoginClaims
		if claims == nil {
			claims = []string{}
		}
		rl := apigen.RecentLogin{UserId: u.ID, Email: u.Email, Claims: claims}
		if u.LastLoginAt != nil {
			rl.LastLoginAt = u.LastLoginAt.UTC()
		}
		out.RecentLogins = append(out.RecentLogins, rl)
	}
	c.JSON(http.StatusOK, out)
}

package httpapi

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/identity"
)

// invitationTTL is how long an invitation stays open.
const invitationTTL = 14 * 24 * time.Hour

// getMe costs O(the user's memberships): the tenants where the user holds
// roles, never every partner. Acquirer roles show on the acquirer tenant,
// marked all_partners; the partners themselves are searched at /tenants.
func (s *server) getMe(c *gin.Context) {
	p := principalOf(c)
	ts, err := s.opts.Tenants.OfUser(c.Request.Context(), p.User.ID)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.Me{
		User:                apigen.UserSummary{Id: p.User.ID, Email: p.User.Email, Name: p.User.Name},
		Tenants:             []apigen.MeTenant{},
		ViaToken:            p.Token != nil,
		StepUpMaxAgeSeconds: int(s.auth.StepUpMaxAge().Seconds()),
	}
	if p.Session != nil {
		out.CsrfToken = p.Session.CSRFToken
		out.AuthTime = p.Session.AuthTime.UTC()
	} else {
		out.AuthTime = p.Token.CreatedAt.UTC()
	}
	everywhere := s.authz.Visible(p.Authz).IsAll()
	for _, tr := range ts {
		t := tr.Tenant
		actions := s.authz.Actions(p.Authz, t.ID.String())
		if len(actions) == 0 {
			continue // e.g. outside an API token's tenant
		}
		roles := []string{}
		for _, r := range tr.Roles {
			if p.Token == nil || slices.Contains(p.Token.Roles, r) {
				roles = append(roles, r)
			}
		}
		out.Tenants = append(out.Tenants, apigen.MeTenant{Id: t.ID, Kind: apigen.MeTenantKind(t.Kind), Slug: t.Slug, Name: t.Name, Roles: roles, Actions: actions,
			AllPartners: everywhere && t.Kind == identity.KindAcquirer})
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) listRoles(c *gin.Context) {
	out := struct {
		Roles   []apigen.Role `json:"roles"`
		Actions []string      `json:"actions"`
	}{Roles: []apigen.Role{}, Actions: []string{}}
	seen := map[string]bool{}
	for _, r := range s.authz.Roles() {
		out.Roles = append(out.Roles, apigen.Role{Name: r.Name, Scope: apigen.RoleScope(r.Scope), Actions: r.Actions})
		for _, a := range r.Actions {
			if !seen[a] {
				seen[a] = true
				out.Actions = append(out.Actions, a)
			}
		}
	}
	slices.Sort(out.Actions)
	c.JSON(http.StatusOK, out)
}

func invitationDTO(inv identity.Invitation) apigen.Invitation {
	return apigen.Invitation{Id: inv.ID, Email: inv.Email, Roles: inv.Roles, CreatedAt: inv.CreatedAt.UTC(), ExpiresAt: inv.ExpiresAt.UTC()}
}

func (s *server) listTenantUsers(c *gin.Context) {
	ctx := c.Request.Context()
	tid := tenantOf(c)
	users, err := s.ident.UsersInTenant(ctx, tid)
	if err != nil {
		writeProblem(c, err)
		return
	}
	invs, err := s.ident.Invitations(ctx, tid)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.TenantUsers{Users: []apigen.TenantUser{}, Invitations: []apigen.Invitation{}}
	for _, u := range users {
		tu := apigen.TenantUser{Id: u.User.ID, Email: u.User.Email, Name: u.User.Name, Disabled: u.User.DisabledAt != nil || u.SuspendedAt != nil, LastLoginAt: u.User.LastLoginAt}
		for _, m := range u.Roles {
			tu.Roles = append(tu.Roles, struct {
				GrantedAt time.Time                    `json:"granted_at"`
				Role      string                       `json:"role"`
				Source    apigen.TenantUserRolesSource `json:"source"`
			}{GrantedAt: m.CreatedAt.UTC(), Role: m.Role, Source: apigen.TenantUserRolesSource(m.Source)})
		}
		out.Users = append(out.Users, tu)
	}
	for _, inv := range invs {
		out.Invitations = append(out.Invitations, invitationDTO(inv))
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) createInvitation(c *gin.Context) {
	var in apigen.InvitationCreate
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	inv, err := s.ident.Invite(c.Request.Context(), tenantOf(c), in.Email, in.Roles, invitationTTL)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusCreated, invitationDTO(inv))
}

func (s *server) revokeInvitation(c *gin.Context) {
	id, err := uuidParam(c, "invitation")
	if err == nil {
		err = s.ident.RevokeInvitation(c.Request.Context(), tenantOf(c), id)
	}
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) grantRole(c *gin.Context) {
	uid, err := uuidParam(c, "user")
	if err == nil {
		err = s.ident.Grant(c.Request.Context(), tenantOf(c), uid, c.Param("role"))
	}
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) revokeRole(c *gin.Context) {
	uid, err := uuidParam(c, "user")
	if err == nil {
		err = s.ident.Revoke(c.Request.Context(), tenantOf(c), uid, c.Param("role"))
	}
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) setUserDisabled(c *gin.Context) {
	var in struct {
		Disabled *bool `json:"disabled"`
	}
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	if in.Disabled == nil {
		writeProblem(c, apperr.Validation("Say whether the user is disabled.", apperr.FieldError{Field: "disabled", Message: "is required"}))
		return
	}
	uid, err := uuidParam(c, "user")
	if err == nil {
		err = s.ident.SetDisabled(c.Request.Context(), tenantOf(c), uid, *in.Disabled, s.auth.RevokeUser)
	}
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func tokenDTO(t identity.APIToken, now time.Time) apigen.APIToken {
	status := apigen.APITokenStatusActive
	switch {
	case t.RevokedAt != nil:
		status = apigen.APITokenStatusRevoked
	case now.After(t.ExpiresAt):
		status = apigen.APITokenStatusExpired
	}
	return apigen.APIToken{Id: t.ID, Name: t.Name, TenantId: t.TenantID, Roles: t.Roles, Prefix: t.Prefix, CreatedAt: t.CreatedAt.UTC(),
		ExpiresAt: t.ExpiresAt.UTC(), LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt, Status: status}
}

func (s *server) listTokens(c *gin.Context) {
	ts, err := s.ident.Tokens(c.Request.Context(), principalOf(c).User.ID)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := struct {
		Items []apigen.APIToken `json:"items"`
	}{Items: []apigen.APIToken{}}
	now := time.Now()
	for _, t := range ts {
		out.Items = append(out.Items, tokenDTO(t, now))
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) createToken(c *gin.Context) {
	var in apigen.APITokenCreate
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	p := principalOf(c)
	tid := in.TenantId.String()
	// Every invalid field at once: the tenant here, the rest in the service.
	fields := identity.CheckTokenInput(in.Name, in.Roles, in.ExpiresInDays)
	member := len(s.authz.Actions(p.Authz, tid)) > 0
	if !member {
		fields = append([]apperr.FieldError{{Field: "tenant_id", Message: "is not one of your tenants"}}, fields...)
	}
	if len(fields) > 0 {
		writeProblem(c, apperr.Validation("Check the token settings.", fields...))
		return
	}
	if !s.authz.Allowed(p.Authz, tid, "token:manage") {
		writeProblem(c, apperr.E(apperr.Forbidden, "Your role does not allow token:manage here."))
		return
	}
	t, secret, err := s.ident.NewToken(c.Request.Context(), openapi_types.UUID(in.TenantId), in.Name, in.Roles, in.ExpiresInDays)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.Set(withholdKey, true) // the secret must not be kept for an Idempotency-Key replay
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, apigen.APITokenCreated{Token: tokenDTO(t, time.Now()), Secret: secret})
}

func (s *server) revokeToken(c *gin.Context) {
	id, err := uuidParam(c, "token")
	if err == nil {
		err = s.ident.RevokeToken(c.Request.Context(), id)
	}
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/partner"
)

func credentialDTO(cr partner.Credential, now time.Time) apigen.PartnerCredential {
	out := apigen.PartnerCredential{TenantId: cr.TenantID, TenantSlug: cr.TenantSlug, TenantName: cr.TenantName, KlarnaAccountId: cr.KlarnaAccountID,
		CredentialId: cr.CredentialID, Kind: apigen.CredentialKind(cr.Kind), Description: cr.Description, Status: cr.Status, ClientId: cr.ClientID,
		Origins: nonNil(cr.Origins), ExpiresAt: utcPtr(cr.ExpiresAt), CreatedAt: cr.CreatedAt.UTC(), CreatedBy: cr.CreatedByLabel,
		LastUsedAt: utcPtr(cr.LastUsedAt), SyncedAt: cr.SyncedAt.UTC(), UnusedWarning: cr.UnusedWarning(now)}
	if at := cr.AutoDisableAt(); !at.IsZero() {
		at = at.UTC()
		out.AutoDisableAt = &at
	}
	return out
}

func credentialDTOs(cs []partner.Credential, now time.Time) []apigen.PartnerCredential {
	out := make([]apigen.PartnerCredential, 0, len(cs))
	for _, cr := range cs {
		out = append(out, credentialDTO(cr, now))
	}
	return out
}

func (s *server) listCredentials(c *gin.Context) {
	var fe filterErrors
	limit := fe.limit(c.Query)
	sc := fe.narrow(c.Query, scopeOf(c))
	f := partner.CredentialFilter{Kind: c.Query("kind"), Status: c.Query("status"), Q: c.Query("q")}
	if v := c.Query("min_age_days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.add("min_age_days", "a whole number of days")
		}
		f.MinAgeDays = n
	}
	if v := c.Query("unused"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fe.add("unused", "true or false")
		}
		f.Unused = b
	}
	fe = append(fe, partner.CheckCredentialFilter(f)...)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	rows, next, err := s.opts.Credentials.Inventory(c.Request.Context(), sc, f, c.Query("cursor"), limit)
	if err != nil {
		writeProblem(c, err)
		return
	}
	now := s.opts.Credentials.Now()
	page := apigen.CredentialPage{Items: credentialDTOs(rows, now), Now: now.UTC()}
	if next != "" {
		page.NextCursor = &next
	}
	c.JSON(http.StatusOK, page)
}

func (s *server) getPartnerCredentials(c *gin.Context) {
	pc, err := s.opts.Credentials.Partner(c.Request.Context(), scopeOf(c), tenantOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	now := s.opts.Credentials.Now()
	c.JSON(http.StatusOK, apigen.PartnerCredentials{KlarnaAccountId: pc.KlarnaAccountID, ApiKeys: credentialDTOs(pc.APIKeys, now),
		ClientIdentifiers: credentialDTOs(pc.ClientIdentifiers, now), Certificates: credentialDTOs(pc.Certificates, now),
		SyncError: pc.SyncError, MaxOrigins: partner.MaxOrigins})
}

func (s *server) createPartnerAPIKey(c *gin.Context) {
	var in apigen.CreateAPIKeyRequest
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	k, secret, err := s.opts.Credentials.CreateAPIKey(c.Request.Context(), scopeOf(c), tenantOf(c), in.Description)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.Set(withholdKey, true) // the secret must not be kept for an Idempotency-Key replay
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, apigen.CreatedAPIKey{Key: credentialDTO(k, s.opts.Credentials.Now()), Secret: secret})
}

func (s *server) disablePartnerCredential(c *gin.Context, kind string) {
	cr, err := s.opts.Credentials.Disable(c.Request.Context(), scopeOf(c), tenantOf(c), kind, c.Param("credential"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, credentialDTO(cr, s.opts.Credentials.Now()))
}

func (s *server) disablePartnerAPIKey(c *gin.Context) {
	s.disablePartnerCredential(c, partner.CredentialAPIKey)
}

func (s *server) disablePartnerClientIdentifier(c *gin.Context) {
	s.disablePartnerCredential(c, partner.CredentialClientIdentifier)
}

func (s *server) createPartnerClientIdentifier(c *gin.Context) {
	var in apigen.CreateClientIdentifierRequest
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	cr, err := s.opts.Credentials.CreateClientIdentifier(c.Request.Context(), scopeOf(c), tenantOf(c), in.Description, in.Origins)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusCreated, credentialDTO(cr, s.opts.Credentials.Now()))
}

func (s *server) setPartnerClientIdentifierOrigins(c *gin.Context) {
	var in apigen.SetOriginsRequest
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	cr, err := s.opts.Credentials.SetOrigins(c.Request.Context(), scopeOf(c), tenantOf(c), c.Param("credential"), in.Origins)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, credentialDTO(cr, s.opts.Credentials.Now()))
}

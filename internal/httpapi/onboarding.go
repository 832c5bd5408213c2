package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/partner"
)

// The onboarding payload has the same JSON in the domain and in the API
// (Klarna's field names), so it crosses between the two by its JSON.
func convertJSON[T any](from any) (T, error) {
	var out T
	b, err := json.Marshal(from)
	if err != nil {
		return out, err
	}
	return out, json.Unmarshal(b, &out)
}

func (s *server) onboarding() (*partner.OnboardingService, error) {
	if s.opts.Onboarding == nil {
		return nil, apperr.E(apperr.Unavailable, "Onboarding is not available on this instance.")
	}
	return s.opts.Onboarding, nil
}

func (s *server) getOnboardingCatalogue(c *gin.Context) {
	svc, err := s.onboarding()
	if err != nil {
		writeProblem(c, err)
		return
	}
	cat, err := svc.Catalogue(c.Request.Context())
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.OnboardingCatalogue{}
	out.PaymentProfiles = make([]struct {
		Description      string `json:"description"`
		Name             string `json:"name"`
		PaymentProfileId string `json:"payment_profile_id"`
	}, 0, len(cat.PaymentProfiles))
	for _, p := range cat.PaymentProfiles {
		out.PaymentProfiles = append(out.PaymentProfiles, struct {
			Description      string `json:"description"`
			Name             string `json:"name"`
			PaymentProfileId string `json:"payment_profile_id"`
		}{p.Description, p.Name, p.PaymentProfileID})
	}
	out.AcquiringAccounts = make([]struct {
		Country                   string `json:"country"`
		Name                      string `json:"name"`
		PaymentAcquiringAccountId string `json:"payment_acquiring_account_id"`
		SettlementCurrency        string `json:"settlement_currency"`
	}, 0, len(cat.AcquiringAccounts))
	for _, a := range cat.AcquiringAccounts {
		out.AcquiringAccounts = append(out.AcquiringAccounts, struct {
			Country                   string `json:"country"`
			Name                      string `json:"name"`
			PaymentAcquiringAccountId string `json:"payment_acquiring_account_id"`
			SettlementCurrency        string `json:"settlement_currency"`
		}{a.Country, a.Name, a.PaymentAcquiringAccountID, a.SettlementCurrency})
	}
	c.JSON(http.StatusOK, out)
}

func onboardingUser(id *uuid.UUID, email string) *apigen.OnboardingUser {
	if id == nil {
		return nil
	}
	return &apigen.OnboardingUser{Id: *id, Email: email}
}

func fieldErrorsDTO(fs []apperr.FieldError) []apigen.FieldError {
	out := make([]apigen.FieldError, 0, len(fs))
	for _, f := range fs {
		out = append(out, apigen.FieldError{Field: f.Field, Message: f.Message})
	}
	return out
}

func refs(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func existingDTO(ex *partner.Existing) apigen.OnboardingExisting {
	out := apigen.OnboardingExisting{BusinessEntities: []string{}, Brands: []string{}, StoreGroups: []string{}, Stores: []string{}}
	out.PaymentAccounts = []struct {
		PaymentAccountReference   string `json:"payment_account_reference"`
		PaymentAcquiringAccountId string `json:"payment_acquiring_account_id"`
	}{}
	if ex == nil {
		return out
	}
	out.BusinessEntities, out.Brands, out.StoreGroups, out.Stores = refs(ex.BusinessEntities), refs(ex.Brands), refs(ex.StoreGroups), refs(ex.Stores)
	for _, k := range refs(ex.PaymentAccounts) {
		acq, ref := partner.PaymentAccountOf(k)
		out.PaymentAccounts = append(out.PaymentAccounts, struct {
			PaymentAccountReference   string `json:"payment_account_reference"`
			PaymentAcquiringAccountId string `json:"payment_acquiring_account_id"`
		}{ref, acq})
	}
	return out
}

func (s *server) draftDTO(svc *partner.OnboardingService, d partner.Draft) (apigen.OnboardingDraft, error) {
	payload, err := convertJSON[apigen.Onboarding](d.Payload)
	if err != nil {
		return apigen.OnboardingDraft{}, err
	}
	out := apigen.OnboardingDraft{
		Id: d.ID, Kind: apigen.OnboardingDraftKind(d.Kind), TenantId: d.TenantID, KlarnaAccountId: d.KlarnaAccountID,
		Status: apigen.OnboardingStatus(d.Status), Step: d.Step, Version: d.Version, Payload: payload, Existing: existingDTO(d.Existing),
		Validation: fieldErrorsDTO(svc.Validation(&d)), FieldErrors: fieldErrorsDTO(d.FieldErrors), Conflict: []apigen.OnboardingConflictItem{},
		LastError: d.LastError, Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt,
		CreatedBy: onboardingUser(d.CreatedBy, d.CreatedByEmail), UpdatedBy: onboardingUser(d.UpdatedBy, d.UpdatedByEmail),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), SubmittedAt: d.SubmittedAt, CompletedAt: d.CompletedAt,
	}
	for _, it := range d.Conflict {
		out.Conflict = append(out.Conflict, apigen.OnboardingConflictItem{Kind: apigen.OnboardingConflictItemKind(it.Kind), Reference: it.Reference,
			Path: it.Path, Klarna: it.Klarna, Payload: it.Payload, Fields: append([]string{}, it.Fields...)})
	}
	if d.Result != nil {
		r, err := convertJSON[apigen.OnboardingResult](d.Result)
		if err != nil {
			return out, err
		}
		out.Result = &r
	}
	return out, nil
}

func (s *server) writeDraft(c *gin.Context, status int, svc *partner.OnboardingService, d partner.Draft) {
	out, err := s.draftDTO(svc, d)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(status, out)
}

func (s *server) listOnboardingDrafts(c *gin.Context) {
	svc, err := s.onboarding()
	if err != nil {
		writeProblem(c, err)
		return
	}
	var fe filterErrors
	f := partner.DraftFilter{Status: partner.DraftStatus(c.Query("status")), Cursor: c.Query("cursor"), Limit: fe.limit(c.Query)}
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	ds, next, err := svc.List(c.Request.Context(), scopeOf(c), f)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.OnboardingDraftPage{Items: make([]apigen.OnboardingDraftSummary, 0, len(ds))}
	for _, d := range ds {
		out.Items = append(out.Items, apigen.OnboardingDraftSummary{Id: d.ID, Kind: apigen.OnboardingDraftSummaryKind(d.Kind), TenantId: d.TenantID,
			Name: d.Payload.PartnerAccountName, Reference: d.Payload.PartnerAccountReference, Status: apigen.OnboardingStatus(d.Status), Step: d.Step,
			UpdatedAt: d.UpdatedAt.UTC(), UpdatedBy: onboardingUser(d.UpdatedBy, d.UpdatedByEmail), LastError: d.LastError})
	}
	if next != "" {
		out.NextCursor = &next
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) createOnboardingDraft(c *gin.Context) {
	svc, err := s.onboarding()
	if err != nil {
		writeProblem(c, err)
		return
	}
	var in apigen.OnboardingDraftCreate
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	d, err := svc.Create(c.Request.Context(), scopeOf(c), string(in.Kind), in.TenantId)
	if err != nil {
		writeProblem(c, err)
		return
	}
	s.writeDraft(c, http.StatusCreated, svc, d)
}

// draftCall reads :draft and runs fn with the service.
func (s *server) draftCall(c *gin.Context, fn func(svc *partner.OnboardingService, id uuid.UUID)) {
	svc, err := s.onboarding()
	if err != nil {
		writeProblem(c, err)
		return
	}
	id, err := uuidParam(c, "draft")
	if err != nil {
		writeProblem(c, apperr.E(apperr.NotFound, "No such onboarding draft."))
		return
	}
	fn(svc, id)
}

func (s *server) getOnboardingDraft(c *gin.Context) {
	s.draftCall(c, func(svc *partner.OnboardingService, id uuid.UUID) {
		d, err := svc.Get(c.Request.Context(), scopeOf(c), id)
		if err != nil {
			writeProblem(c, err)
			return
		}
		s.writeDraft(c, http.StatusOK, svc, d)
	})
}

func (s *server) saveOnboardingDraft(c *gin.Context) {
	s.draftCall(c, func(svc *partner.OnboardingService, id uuid.UUID) {
		var in apigen.OnboardingDraftSave
		if err := bindJSON(c, &in); err != nil {
			writeProblem(c, err)
			return
		}
		payload, err := convertJSON[partner.Onboarding](in.Payload)
		if err != nil {
			writeProblem(c, err)
			return
		}
		step := ""
		if in.Step != nil {
			step = *in.Step
		}
		d, err := svc.Save(c.Request.Context(), scopeOf(c), id, in.Version, step, payload)
		if err != nil {
			writeProblem(c, err)
			return
		}
		s.writeDraft(c, http.StatusOK, svc, d)
	})
}

func (s *server) discardOnboardingDraft(c *gin.Context) {
	s.draftCall(c, func(svc *partner.OnboardingService, id uuid.UUID) {
		if err := svc.Discard(c.Request.Context(), scopeOf(c), id); err != nil {
			writeProblem(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
}

func (s *server) getOnboardingPayload(c *gin.Context) {
	s.draftCall(c, func(svc *partner.OnboardingService, id uuid.UUID) {
		req, err := svc.Payload(c.Request.Context(), scopeOf(c), id)
		if err != nil {
			writeProblem(c, err)
			return
		}
		c.JSON(http.StatusOK, req)
	})
}

func (s *server) submitOnboardingDraft(c *gin.Context) {
	s.draftCall(c, func(svc *partner.OnboardingService, id uuid.UUID) {
		d, err := svc.Submit(c.Request.Context(), scopeOf(c), id)
		if err != nil {
			writeProblem(c, err)
			return
		}
		s.writeDraft(c, http.StatusAccepted, svc, d)
	})
}

func (s *server) resolveOnboardingConflict(c *gin.Context) {
	s.draftCall(c, func(svc *partner.OnboardingService, id uuid.UUID) {
		var in apigen.OnboardingResolve
		if err := bindJSON(c, &in); err != nil {
			writeProblem(c, err)
			return
		}
		newRef := ""
		if in.NewReference != nil {
			newRef = *in.NewReference
		}
		d, err := svc.Resolve(c.Request.Context(), scopeOf(c), id, string(in.Kind), in.Reference, string(in.Action), newRef)
		if err != nil {
			writeProblem(c, err)
			return
		}
		s.writeDraft(c, http.StatusOK, svc, d)
	})
}

package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

func (s *server) partnerData() (*partner.DataService, error) {
	if s.opts.PartnerData == nil {
		return nil, apperr.E(apperr.Unavailable, "Editing partner data is not available on this instance.")
	}
	return s.opts.PartnerData, nil
}

func (s *server) getPartnerData(c *gin.Context) {
	svc, err := s.partnerData()
	if err != nil {
		writeProblem(c, err)
		return
	}
	v, err := svc.View(c.Request.Context(), scopeOf(c), tenantOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.PartnerData{KlarnaAccountId: v.AccountID}
	for _, f := range partner.ImmutableFields {
		out.ImmutableFields = append(out.ImmutableFields, struct {
			Field  string                                `json:"field"`
			Kind   apigen.PartnerDataImmutableFieldsKind `json:"kind"`
			Reason string                                `json:"reason"`
		}{f.Field, apigen.PartnerDataImmutableFieldsKind(f.Kind), f.Reason})
	}
	out.BrandWarnings = make([]struct {
		BrandId string `json:"brand_id"`
		Value   string `json:"value"`
		Warning string `json:"warning"`
	}, 0, len(v.Warnings))
	for _, w := range v.Warnings {
		out.BrandWarnings = append(out.BrandWarnings, struct {
			BrandId string `json:"brand_id"`
			Value   string `json:"value"`
			Warning string `json:"warning"`
		}{w.BrandID, w.Value, w.Warning})
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) checkPartnerImage(c *gin.Context) {
	svc, err := s.partnerData()
	if err != nil {
		writeProblem(c, err)
		return
	}
	u := c.Query("url")
	if u == "" || len(u) > 2048 {
		writeProblem(c, apperr.Validation("Give the image's address.", apperr.FieldError{Field: "url", Message: "an http(s) address of at most 2048 characters"}))
		return
	}
	r := svc.CheckImage(c.Request.Context(), u)
	c.JSON(http.StatusOK, apigen.PartnerImageCheck{Url: u, Status: apigen.PartnerImageCheckStatus(r.Status), HttpStatus: r.HTTPStatus, ContentType: r.ContentType, Message: r.Message})
}

// dataEdit binds the body as the API type A, converts it to the domain
// type T and queues the change call makes of it.
func dataEdit[A any, T any](s *server, c *gin.Context, call func(svc *partner.DataService, ctx context.Context, sc scope.Scope, tenant uuid.UUID, in T) (partner.Change, error)) {
	svc, err := s.partnerData()
	if err != nil {
		writeProblem(c, err)
		return
	}
	var body A
	if err := bindJSON(c, &body); err != nil {
		writeProblem(c, err)
		return
	}
	in, err := convertJSON[T](body)
	if err != nil {
		writeProblem(c, err)
		return
	}
	ch, err := call(svc, c.Request.Context(), scopeOf(c), tenantOf(c), in)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusAccepted, partnerChangeDTO(ch))
}

func (s *server) createPartnerBrand(c *gin.Context) {
	dataEdit[apigen.OnboardingBrand](s, c, (*partner.DataService).CreateBrand)
}

func (s *server) updatePartnerBrand(c *gin.Context) {
	id := c.Param("brand")
	dataEdit[apigen.PartnerBrandEdit](s, c, func(svc *partner.DataService, ctx context.Context, sc scope.Scope, t uuid.UUID, in partner.Brand) (partner.Change, error) {
		return svc.UpdateBrand(ctx, sc, t, id, in)
	})
}

func (s *server) createPartnerStoreGroup(c *gin.Context) {
	dataEdit[apigen.PartnerStoreGroupEdit](s, c, (*partner.DataService).CreateStoreGroup)
}

func (s *server) updatePartnerStoreGroup(c *gin.Context) {
	id := c.Param("store_group")
	dataEdit[apigen.PartnerStoreGroupEdit](s, c, func(svc *partner.DataService, ctx context.Context, sc scope.Scope, t uuid.UUID, in partner.StoreGroup) (partner.Change, error) {
		return svc.UpdateStoreGroup(ctx, sc, t, id, in)
	})
}

func (s *server) createPartnerStore(c *gin.Context) {
	dataEdit[apigen.PartnerStoreEdit](s, c, (*partner.DataService).CreateStore)
}

func (s *server) updatePartnerStore(c *gin.Context) {
	id := c.Param("store")
	dataEdit[apigen.PartnerStoreEdit](s, c, func(svc *partner.DataService, ctx context.Context, sc scope.Scope, t uuid.UUID, in partner.StoreEdit) (partner.Change, error) {
		return svc.UpdateStore(ctx, sc, t, id, in)
	})
}

func (s *server) createPartnerBusinessEntity(c *gin.Context) {
	dataEdit[apigen.OnboardingBusinessEntity](s, c, (*partner.DataService).CreateBusinessEntity)
}

func (s *server) updatePartnerBusinessEntity(c *gin.Context) {
	id := c.Param("entity")
	dataEdit[apigen.PartnerBusinessEntityEdit](s, c, func(svc *partner.DataService, ctx context.Context, sc scope.Scope, t uuid.UUID, in partner.BusinessEntity) (partner.Change, error) {
		return svc.UpdateBusinessEntity(ctx, sc, t, id, in)
	})
}

func (s *server) updatePartnerAccountContact(c *gin.Context) {
	dataEdit[apigen.OnboardingContact](s, c, (*partner.DataService).UpdateContact)
}

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

func (s *server) products() (*partner.ProductService, error) {
	if s.opts.Products == nil {
		return nil, apperr.E(apperr.Unavailable, "Payment products are not configured.")
	}
	return s.opts.Products, nil
}

func (s *server) getPaymentProduct(c *gin.Context) {
	svc, err := s.products()
	if err != nil {
		writeProblem(c, err)
		return
	}
	v, err := svc.View(c.Request.Context(), scopeOf(c), tenantOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.PaymentProductView{KlarnaAccountId: v.Summary.KlarnaAccountID, Product: paymentProductDTO(v.Product), Offboarded: v.Summary.OffboardedAt != nil,
		History: make([]apigen.PaymentProductEvent, 0, len(v.History))}
	for _, e := range v.History {
		out.History = append(out.History, apigen.PaymentProductEvent{Id: e.ID, Kind: apigen.PaymentProductEventKind(e.Kind), Source: apigen.PaymentProductEventSource(e.Source),
			Status: e.Status, PreviousStatus: e.PreviousStatus, Reason: e.Reason, Actor: e.ActorLabel, ChangeId: e.ChangeID, FulfilledAt: utcPtr(e.FulfilledAt),
			EventId: e.EventID, OccurredAt: e.OccurredAt.UTC()})
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) disablePaymentProduct(c *gin.Context) {
	s.changePaymentProduct(c, (*partner.ProductService).Disable)
}
func (s *server) enablePaymentProduct(c *gin.Context) {
	s.changePaymentProduct(c, (*partner.ProductService).Enable)
}

type productChangeFunc func(*partner.ProductService, context.Context, scope.Scope, uuid.UUID, string) (partner.Change, error)

func (s *server) changePaymentProduct(c *gin.Context, do productChangeFunc) {
	svc, err := s.products()
	if err != nil {
		writeProblem(c, err)
		return
	}
	var in apigen.ProductChangeRequest
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	if !s.opts.KlarnaConfigured {
		writeProblem(c, apperr.E(apperr.Unavailable, "Klarna is not configured (PARTNERDESK_KLARNA_API_KEY), so the payment product cannot be changed."))
		return
	}
	ch, err := do(svc, c.Request.Context(), scopeOf(c), tenantOf(c), in.Reason)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusAccepted, partnerChangeDTO(ch))
}

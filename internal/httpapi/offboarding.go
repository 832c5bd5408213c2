package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/partner"
)

func (s *server) offboardings() (*partner.OffboardingService, error) {
	if s.opts.Offboarding == nil {
		return nil, apperr.E(apperr.Unavailable, "Offboarding is not configured.")
	}
	return s.opts.Offboarding, nil
}

func (s *server) getOffboarding(c *gin.Context) {
	svc, err := s.offboardings()
	if err != nil {
		writeProblem(c, err)
		return
	}
	o, err := svc.Get(c.Request.Context(), scopeOf(c), tenantOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, offboardingDTO(o))
}

func (s *server) startOffboarding(c *gin.Context) {
	svc, err := s.offboardings()
	if err != nil {
		writeProblem(c, err)
		return
	}
	var in apigen.OffboardingRequest
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	o, err := svc.Start(c.Request.Context(), scopeOf(c), tenantOf(c), in.Reason)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusAccepted, offboardingDTO(o))
}

func (s *server) resumeOffboarding(c *gin.Context) {
	svc, err := s.offboardings()
	if err != nil {
		writeProblem(c, err)
		return
	}
	o, err := svc.Resume(c.Request.Context(), scopeOf(c), tenantOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusAccepted, offboardingDTO(o))
}

func offboardingDTO(o partner.Offboarding) apigen.Offboarding {
	out := apigen.Offboarding{Status: apigen.OffboardingStatus(o.Status), Reason: o.Reason, RequestedBy: o.RequestedByLabel, Runs: o.Runs,
		Steps: make([]apigen.OffboardingStep, 0, len(o.Steps)), CompletedAt: utcPtr(o.CompletedAt)}
	if o.Status != partner.OffboardingNotStarted {
		id, created, updated := o.ID, o.CreatedAt.UTC(), o.UpdatedAt.UTC()
		out.Id, out.CreatedAt, out.UpdatedAt = &id, &created, &updated
	}
	for _, st := range o.Steps {
		r := st.Result
		if r == nil {
			r = map[string]any{}
		}
		out.Steps = append(out.Steps, apigen.OffboardingStep{Name: apigen.OffboardingStepName(st.Name), Status: apigen.OffboardingStepStatus(st.Status),
			Result: r, Error: st.Error, Attempts: st.Attempts, StartedAt: utcPtr(st.StartedAt), FinishedAt: utcPtr(st.FinishedAt)})
	}
	return out
}

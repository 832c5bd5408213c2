package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/partner"
)

func (s *server) changes() (*partner.ChangeService, error) {
	if s.opts.Changes == nil {
		return nil, apperr.E(apperr.Unavailable, "Changes to partner accounts are not available on this instance.")
	}
	return s.opts.Changes, nil
}

func (s *server) listPartnerChanges(c *gin.Context) {
	svc, err := s.changes()
	if err != nil {
		writeProblem(c, err)
		return
	}
	var fe filterErrors
	f := partner.ChangeFilter{Kind: c.Query("kind"), Resource: c.Query("resource"), Status: c.Query("status"), Cursor: c.Query("cursor"), Limit: fe.limit(c.Query)}
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	cs, next, err := svc.List(c.Request.Context(), scopeOf(c), tenantOf(c), f)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.PartnerChangeList{Items: make([]apigen.PartnerChange, 0, len(cs))}
	for _, ch := range cs {
		out.Items = append(out.Items, partnerChangeDTO(ch))
	}
	if next != "" {
		out.NextCursor = &next
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) retryPartnerChange(c *gin.Context) {
	svc, err := s.changes()
	if err != nil {
		writeProblem(c, err)
		return
	}
	id, err := uuidParam(c, "change")
	if err != nil {
		writeProblem(c, err)
		return
	}
	ch, err := svc.Retry(c.Request.Context(), scopeOf(c), tenantOf(c), id)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, partnerChangeDTO(ch))
}

// jsonObject is raw JSON as an object for the API; nil when absent or not
// an object.
func jsonObject(raw json.RawMessage) *map[string]any {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil
	}
	return &m
}

func partnerChangeDTO(ch partner.Change) apigen.PartnerChange {
	payload := map[string]any{}
	if p := jsonObject(ch.Payload); p != nil {
		payload = *p
	}
	return apigen.PartnerChange{Id: ch.ID, Kind: ch.Kind, Operation: ch.Operation, ResourceId: ch.ResourceID, ResourceRef: ch.ResourceRef,
		Payload: payload, Before: jsonObject(ch.Before), Reason: ch.Reason, Status: apigen.PartnerChangeStatus(ch.Status), Attempts: ch.Attempts,
		Error: ch.Error, FieldErrors: fieldErrorsDTO(ch.FieldErrors), Result: jsonObject(ch.Result), RequestedBy: ch.RequestedByLabel,
		CreatedAt: ch.CreatedAt.UTC(), UpdatedAt: ch.UpdatedAt.UTC(), AppliedAt: utcPtr(ch.AppliedAt), NextAttemptAt: utcPtr(ch.NextAttemptAt)}
}

func (s *server) getPartnerReadiness(c *gin.Context) {
	items, err := s.opts.Directory.Readiness(c.Request.Context(), scopeOf(c), tenantOf(c), s.opts.Readiness)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.PartnerReadiness{Items: make([]apigen.PartnerReadinessItem, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, apigen.PartnerReadinessItem{Key: it.Key, Title: it.Title, Ok: it.OK, Detail: it.Detail, Fix: it.Fix})
	}
	c.JSON(http.StatusOK, out)
}

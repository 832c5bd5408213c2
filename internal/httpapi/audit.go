package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/audit"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// AuditReader reads the audit trail for the API: domain types in and out,
// every read limited to a scope (events of no tenant only for scope.All).
type AuditReader interface {
	List(ctx context.Context, sc scope.Scope, f audit.Filter, p audit.Page) ([]audit.Event, string, error)
	ExportCSV(ctx context.Context, sc scope.Scope, f audit.Filter, w io.Writer) error
	// RecordExport audits that an export of sc matching f was taken.
	RecordExport(ctx context.Context, sc scope.Scope, f audit.Filter) error
}

// auditQuery reads the filters; ?tenant= narrows the route's scope, never
// widens it.
func (s *server) auditQuery(c *gin.Context) (scope.Scope, audit.Filter, audit.Page, error) {
	f := audit.Filter{ActorLabel: c.Query("actor"), Action: c.Query("action")}
	var fe filterErrors
	p := audit.Page{Limit: fe.limit(c.Query), Cursor: c.Query("cursor")}
	f.From, f.To = fe.timeRange(c.Query)
	sc := fe.narrow(c.Query, scopeOf(c))
	return sc, f, p, fe.err()
}

func auditEventDTO(e audit.Event) apigen.AuditEvent {
	ae := apigen.AuditEvent{Id: e.ID, OccurredAt: e.OccurredAt.UTC(), ActorId: e.ActorID, ActorLabel: e.ActorLabel, TenantId: e.TenantID, Action: e.Action,
		TargetType: e.TargetType, TargetId: e.TargetID, RequestId: e.RequestID, Ip: e.IP, UserAgent: e.UserAgent}
	if e.TenantID != nil {
		n := e.TenantName
		ae.TenantName = &n
	}
	if len(e.Diff) > 0 && string(e.Diff) != "null" {
		var d map[string]any
		if json.Unmarshal(e.Diff, &d) == nil {
			ae.Diff = &d
		}
	}
	return ae
}

func (s *server) listAudit(c *gin.Context) {
	sc, f, p, err := s.auditQuery(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	evs, next, err := s.opts.Audit.List(c.Request.Context(), sc, f, p)
	if err != nil {
		writeProblem(c, err)
		return
	}
	page := apigen.AuditPage{Items: make([]apigen.AuditEvent, 0, len(evs))}
	for _, e := range evs {
		page.Items = append(page.Items, auditEventDTO(e))
	}
	if next != "" {
		page.NextCursor = &next
	}
	c.JSON(http.StatusOK, page)
}

func (s *server) exportAudit(c *gin.Context) {
	sc, f, _, err := s.auditQuery(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	if err := s.opts.Audit.RecordExport(c.Request.Context(), sc, f); err != nil {
		writeProblem(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="audit-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	c.Status(http.StatusOK)
	if err := s.opts.Audit.ExportCSV(c.Request.Context(), sc, f, c.Writer); err != nil {
		// Headers are sent; all that is left is to stop the stream and log.
		loggerFrom(c).Error("audit export interrupted", "error", err)
	}
}

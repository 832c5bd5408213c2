package httpapi

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
)

// AuditQuery filters the audit trail.
type AuditQuery struct {
	Actor     string
	Action    string
	TenantIDs []uuid.UUID // nil = every tenant
	From, To  time.Time
	Cursor    string
	Limit     int
}

// AuditReader reads the audit trail for the API.
type AuditReader interface {
	List(ctx context.Context, q AuditQuery) (items []apigen.AuditEvent, next string, err error)
	ExportCSV(ctx context.Context, q AuditQuery, w io.Writer) error
	// RecordExport audits that an export was taken.
	RecordExport(ctx context.Context, q AuditQuery) error
}

func (s *server) auditQuery(c *gin.Context) (AuditQuery, error) {
	q := AuditQuery{Actor: c.Query("actor"), Action: c.Query("action"), Cursor: c.Query("cursor"), TenantIDs: allowedTenantsOf(c)}
	var f filterErrors
	q.Limit = f.limit(c.Query)
	q.From, q.To = f.timeRange(c.Query)
	if id := f.tenant(c.Query); id != nil {
		// Narrow to one tenant, but never beyond what the caller may see.
		if q.TenantIDs != nil && !containsUUID(q.TenantIDs, *id) {
			q.TenantIDs = []uuid.UUID{}
		} else {
			q.TenantIDs = []uuid.UUID{*id}
		}
	}
	return q, f.err()
}

func containsUUID(ids []uuid.UUID, id uuid.UUID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (s *server) listAudit(c *gin.Context) {
	q, err := s.auditQuery(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := s.opts.Audit.List(c.Request.Context(), q)
	if err != nil {
		writeProblem(c, err)
		return
	}
	page := apigen.AuditPage{Items: items}
	if next != "" {
		page.NextCursor = &next
	}
	c.JSON(http.StatusOK, page)
}

func (s *server) exportAudit(c *gin.Context) {
	q, err := s.auditQuery(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	if err := s.opts.Audit.RecordExport(c.Request.Context(), q); err != nil {
		writeProblem(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="audit-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	c.Status(http.StatusOK)
	if err := s.opts.Audit.ExportCSV(c.Request.Context(), q, c.Writer); err != nil {
		// Headers are sent; all that is left is to stop the stream and log.
		loggerFrom(c).Error("audit export interrupted", "error", err)
	}
}

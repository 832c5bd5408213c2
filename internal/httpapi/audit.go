package httpapi

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
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
	q := AuditQuery{Actor: c.Query("actor"), Action: c.Query("action"), Cursor: c.Query("cursor"), Limit: 50, TenantIDs: allowedTenantsOf(c)}
	var fields []apperr.FieldError
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			fields = append(fields, apperr.FieldError{Field: "limit", Message: "a number from 1 to 200"})
		}
		q.Limit = n
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := c.Query(f.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				fields = append(fields, apperr.FieldError{Field: f.name, Message: "a time such as 2026-11-21T10:00:00Z"})
			}
			*f.dst = t
		}
	}
	if v := c.Query("tenant"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			fields = append(fields, apperr.FieldError{Field: "tenant", Message: "a tenant id"})
		} else {
			// Narrow to one tenant, but never beyond what the caller may see.
			if q.TenantIDs != nil && !containsUUID(q.TenantIDs, id) {
				q.TenantIDs = []uuid.UUID{}
			} else {
				q.TenantIDs = []uuid.UUID{id}
			}
		}
	}
	if len(fields) > 0 {
		return q, apperr.Validation("Check the filters.", fields...)
	}
	return q, nil
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

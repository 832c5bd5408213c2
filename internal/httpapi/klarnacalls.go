package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/klarnalog"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// klarnaCallDTO is one logged Klarna call as the API shows it.
func klarnaCallDTO(c klarnalog.Call) apigen.KlarnaCall {
	d := apigen.KlarnaCall{
		Id: c.ID, At: c.At.UTC(), TenantId: c.TenantID, Operation: string(c.Operation), Method: c.Method, Path: c.Path,
		Host: apigen.KlarnaCallHost(c.Host), PartnerAccountId: c.PartnerAccount, ObjectKind: c.ObjectKind, ObjectId: c.ObjectID,
		Status: c.Status, Outcome: apigen.KlarnaCallOutcome(c.Outcome), DurationMs: math.Round(float64(c.Duration.Microseconds())) / 1000,
		Attempts: c.Attempts, IdempotencyKey: c.IdempotencyKey, CorrelationId: c.CorrelationID, KlarnaCorrelationId: c.KlarnaCorrelationID,
		ErrorType: c.ErrorType, ErrorCode: c.ErrorCode, ErrorId: c.ErrorID, ErrorMessages: c.ErrorMessages,
	}
	if d.ErrorMessages == nil {
		d.ErrorMessages = []string{}
	}
	if c.TenantID != nil {
		n := c.TenantName
		d.TenantName = &n
	}
	return d
}

// klarnaCallFilter reads the call log's filters, every bad one at once;
// ?tenant= narrows the route's scope, never widens it.
func klarnaCallFilter(c *gin.Context) (scope.Scope, klarnalog.Filter, klarnalog.Page, error) {
	q := c.Query
	var fe filterErrors
	f := klarnalog.Filter{
		Operation: strings.TrimSpace(q("operation")), ObjectKind: strings.TrimSpace(q("object_kind")), ObjectID: strings.TrimSpace(q("object_id")),
		Outcome: q("outcome"), Search: strings.TrimSpace(q("q")),
	}
	if v := q("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			fe.add("status", "an HTTP status from 100 to 599")
		} else {
			f.Status = n
		}
	}
	sc := fe.narrow(q, scopeOf(c))
	f.From, f.To = fe.timeRange(q)
	p := klarnalog.Page{Limit: fe.limit(q), Cursor: q("cursor")}
	// The domain's checks join the query's, so every bad field shows at once.
	if e := apperr.As(klarnalog.Validate(f)); e != nil {
		fe = append(fe, e.Fields...)
	}
	return sc, f, p, fe.err()
}

func (s *server) listKlarnaCalls(c *gin.Context) {
	sc, f, p, err := klarnaCallFilter(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	calls, next, err := s.opts.KlarnaCalls.List(c.Request.Context(), sc, f, p)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := struct {
		Items         []apigen.KlarnaCall `json:"items"`
		NextCursor    *string             `json:"next_cursor,omitempty"`
		RetentionDays int                 `json:"retention_days"`
	}{Items: make([]apigen.KlarnaCall, 0, len(calls)), RetentionDays: int(s.opts.KlarnaCalls.Retention() / (24 * time.Hour))}
	for _, k := range calls {
		out.Items = append(out.Items, klarnaCallDTO(k))
	}
	if next != "" {
		out.NextCursor = &next
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) getKlarnaCall(c *gin.Context) {
	// A malformed id is the same 404 as an unknown call or another partner's.
	id, err := strconv.ParseInt(c.Param("call"), 10, 64)
	if err != nil || id <= 0 {
		writeProblem(c, apperr.E(apperr.NotFound, "No such Klarna call."))
		return
	}
	k, err := s.opts.KlarnaCalls.Get(c.Request.Context(), scopeOf(c), id)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, klarnaCallDTO(k))
}

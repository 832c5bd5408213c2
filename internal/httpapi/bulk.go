package httpapi

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/safetext"
)

// Bulk onboarding creates new partners, so it is the acquirer's across all
// partners: partner:onboard held in one partner only is not enough.
func (s *server) bulk(c *gin.Context) (*partner.BulkService, bool) {
	if s.opts.Bulk == nil {
		writeProblem(c, apperr.E(apperr.Unavailable, "Bulk onboarding is not available on this instance."))
		return nil, false
	}
	if !scopeOf(c).IsAll() {
		writeProblem(c, apperr.E(apperr.Forbidden, "Bulk onboarding creates new partners; it needs partner:onboard across all partners."))
		return nil, false
	}
	return s.opts.Bulk, true
}

func bulkRunDTO(r partner.BulkRun) apigen.BulkRun {
	out := apigen.BulkRun{Id: r.ID, Filename: r.Filename, Status: apigen.BulkRunStatus(r.Status), TotalRows: r.TotalRows, ValidRows: r.ValidRows, InvalidRows: r.InvalidRows,
		Progress:  apigen.BulkProgress{Pending: r.Progress.Pending, Submitted: r.Progress.Submitted, Succeeded: r.Progress.Succeeded, Failed: r.Progress.Failed},
		CreatedAt: r.CreatedAt.UTC(), StartedAt: utcPtr(r.StartedAt), FinishedAt: utcPtr(r.FinishedAt)}
	if r.CreatedBy != nil {
		out.CreatedBy = &apigen.UserSummary{Id: *r.CreatedBy, Email: r.CreatedByEmail, Name: r.CreatedByName}
	}
	return out
}

func (s *server) getBulkTemplate(c *gin.Context) {
	if _, ok := s.bulk(c); !ok {
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="partner-desk-bulk-onboarding-template.csv"`)
	c.Status(http.StatusOK)
	if err := partner.WriteBulkTemplate(c.Writer); err != nil {
		loggerFrom(c).Error("bulk template", "error", err)
	}
}

func (s *server) uploadBulk(c *gin.Context) {
	svc, ok := s.bulk(c)
	if !ok {
		return
	}
	if ct := c.ContentType(); ct != "" && ct != "text/csv" && ct != "application/csv" && ct != "text/plain" && ct != "application/vnd.ms-excel" {
		writeProblem(c, apperr.Validation("Send the file as text/csv.", apperr.FieldError{Field: "Content-Type", Message: "must be text/csv"}))
		return
	}
	name := strings.TrimSpace(c.Query("filename"))
	if len(name) > 255 {
		writeProblem(c, apperr.Validation("The file name is too long.", apperr.FieldError{Field: "filename", Message: "at most 255 characters"}))
		return
	}
	run, err := svc.Upload(c.Request.Context(), safetext.Clean(name, 255), c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = apperr.E(apperr.TooLarge, "The file is larger than %d MiB; split it into several uploads.", partner.MaxBulkBytes>>20)
		}
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusCreated, bulkRunDTO(run))
}

func (s *server) listBulkRuns(c *gin.Context) {
	svc, ok := s.bulk(c)
	if !ok {
		return
	}
	var fe filterErrors
	limit := fe.limit(c.Query)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	runs, next, err := svc.Runs(c.Request.Context(), c.Query("cursor"), min(limit, 100))
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.BulkRunPage{Items: make([]apigen.BulkRun, 0, len(runs))}
	for _, r := range runs {
		out.Items = append(out.Items, bulkRunDTO(r))
	}
	if next != "" {
		out.NextCursor = &next
	}
	c.JSON(http.StatusOK, out)
}

// bulkRunCall reads :run and calls fn with it.
func (s *server) bulkRunCall(c *gin.Context, fn func(svc *partner.BulkService, id uuid.UUID)) {
	svc, ok := s.bulk(c)
	if !ok {
		return
	}
	id, err := uuid.Parse(c.Param("run"))
	if err != nil {
		writeProblem(c, apperr.E(apperr.NotFound, "No such bulk onboarding run."))
		return
	}
	fn(svc, id)
}

func (s *server) getBulkRun(c *gin.Context) {
	s.bulkRunCall(c, func(svc *partner.BulkService, id uuid.UUID) {
		run, err := svc.Run(c.Request.Context(), id)
		if err != nil {
			writeProblem(c, err)
			return
		}
		c.JSON(http.StatusOK, bulkRunDTO(run))
	})
}

func bulkRowDTO(r partner.BulkRowResult) apigen.BulkRow {
	return apigen.BulkRow{Row: r.Row, Reference: r.Reference, Status: apigen.BulkRowStatus(r.Status), Errors: fieldErrorsDTO(r.Errors), DraftId: r.DraftID,
		DraftStatus: string(r.DraftStatus), KlarnaAccountId: r.KlarnaAccountID, LastError: r.LastError}
}

func (s *server) listBulkRows(c *gin.Context) {
	s.bulkRunCall(c, func(svc *partner.BulkService, id uuid.UUID) {
		limit := 100
		if v := c.Query("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 500 {
				writeProblem(c, apperr.Validation("Check the filters.", apperr.FieldError{Field: "limit", Message: "a number from 1 to 500"}))
				return
			}
			limit = n
		}
		rows, next, err := svc.Rows(c.Request.Context(), id, partner.BulkRowFilter(c.Query("status")), c.Query("cursor"), limit)
		if err != nil {
			writeProblem(c, err)
			return
		}
		out := apigen.BulkRowPage{Items: make([]apigen.BulkRow, 0, len(rows))}
		for _, r := range rows {
			out.Items = append(out.Items, bulkRowDTO(r))
		}
		if next != "" {
			out.NextCursor = &next
		}
		c.JSON(http.StatusOK, out)
	})
}

func (s *server) startBulk(c *gin.Context) {
	s.bulkRunCall(c, func(svc *partner.BulkService, id uuid.UUID) {
		run, err := svc.Start(c.Request.Context(), id)
		if err != nil {
			writeProblem(c, err)
			return
		}
		c.JSON(http.StatusAccepted, bulkRunDTO(run))
	})
}

func (s *server) cancelBulk(c *gin.Context) {
	s.bulkRunCall(c, func(svc *partner.BulkService, id uuid.UUID) {
		run, err := svc.Cancel(c.Request.Context(), id)
		if err != nil {
			writeProblem(c, err)
			return
		}
		c.JSON(http.StatusOK, bulkRunDTO(run))
	})
}

// bulkResultsHeader are the results CSV's columns.
var bulkResultsHeader = []string{"row", "partner_account_reference", "result", "klarna_account_id", "draft_status", "errors", "last_error"}

func (s *server) exportBulkResults(c *gin.Context) {
	s.bulkRunCall(c, func(svc *partner.BulkService, id uuid.UUID) {
		ctx := c.Request.Context()
		run, err := svc.Run(ctx, id)
		if err != nil {
			writeProblem(c, err)
			return
		}
		name := strings.TrimSuffix(run.Filename, ".csv")
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="`+strings.NewReplacer(`"`, "", "\\", "", "\r", "", "\n", "").Replace(name)+`-results.csv"`)
		c.Status(http.StatusOK)
		w := csv.NewWriter(c.Writer)
		_ = w.Write(bulkResultsHeader)
		err = svc.EachRow(ctx, id, func(r partner.BulkRowResult) error {
			errs := make([]string, 0, len(r.Errors))
			for _, e := range r.Errors {
				errs = append(errs, e.Field+": "+e.Message)
			}
			return w.Write([]string{strconv.Itoa(r.Row), csvSafe(r.Reference), string(r.Status), r.KlarnaAccountID, string(r.DraftStatus), csvSafe(strings.Join(errs, "; ")), csvSafe(r.LastError)})
		})
		w.Flush()
		if err == nil {
			err = w.Error()
		}
		if err != nil {
			loggerFrom(c).Error("bulk results export interrupted", "error", err)
		}
	})
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

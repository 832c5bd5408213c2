package httpapi

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/identity"
)

// SavedViews keeps users' named filter sets of a list.
type SavedViews interface {
	List(ctx context.Context, userID uuid.UUID, list string) ([]identity.SavedView, error)
	Save(ctx context.Context, userID uuid.UUID, list, name, query string) (identity.SavedView, error)
	Delete(ctx context.Context, userID, id uuid.UUID) error
}

// disputeFilter reads the queue's filters; every bad one is reported at once.
func disputeFilter(c *gin.Context, fe *filterErrors, me uuid.UUID) dispute.Filter {
	q := c.Request.URL.Query()
	f := dispute.Filter{View: c.DefaultQuery("view", "needs_action"), States: q["state"], Reasons: q["reason"], Outcomes: q["outcome"],
		Currencies: q["currency"], Q: c.Query("q")}
	switch f.View {
	case "expires_soon", "needs_action", "waiting", "closed", "all":
	default:
		fe.add("view", "one of expires_soon, needs_action, waiting, closed, all")
	}
	f.Tenants = fe.partners(q["partner"])
	amount := func(name string) *int64 {
		v := c.Query(name)
		if v == "" {
			return nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fe.add(name, "a whole number of minor units, 0 or more")
			return nil
		}
		return &n
	}
	f.AmountMin, f.AmountMax = amount("amount_min"), amount("amount_max")
	if f.AmountMin != nil && f.AmountMax != nil && *f.AmountMin > *f.AmountMax {
		fe.add("amount_max", "must not be below amount_min")
	}
	when := func(name string, end bool) time.Time { return fe.dateParam(c.Query, name, end) }
	f.CreatedFrom, f.CreatedTo = when("created_from", false), when("created_to", true)
	f.ClosedFrom, f.ClosedTo = when("closed_from", false), when("closed_to", true)
	f.UpdatedFrom, f.UpdatedTo = when("updated_from", false), when("updated_to", true)
	switch v := c.Query("assignee"); v {
	case "":
	case "none":
		f.Unassigned = true
	case "me":
		f.Assignee = &me
	default:
		id, err := uuid.Parse(v)
		if err != nil {
			fe.add("assignee", "a user id, me or none")
		} else {
			f.Assignee = &id
		}
	}
	switch v := c.Query("due_within"); v {
	case "":
	case "24h", "72h":
		f.DueWithin, _ = time.ParseDuration(v)
	default:
		fe.add("due_within", "24h or 72h")
	}
	switch v := c.Query("escalated"); v {
	case "":
	case "true":
		f.Escalated = true
	default:
		fe.add("escalated", "true, or leave it out")
	}
	if len(f.Q) > 255 {
		fe.add("q", "at most 255 characters")
	}
	return f
}

func disputeSummaryDTO(d dispute.Dispute) apigen.DisputeSummary {
	out := apigen.DisputeSummary{Id: d.ID, TenantId: d.TenantID, PartnerName: d.PartnerName, State: d.State, PreviousState: d.PreviousState,
		Reason: d.Reason, Amount: d.Amount, Currency: d.Currency, DeadlineAt: d.DeadlineAt, Outcome: d.Outcome, OpenedAt: d.OpenedAt,
		ClosedAt: d.ClosedAt, UpdatedAt: d.KlarnaUpdatedAt, OrderId: d.OrderID, PaymentTransactionId: d.PaymentTransactionID,
		PurchaseReference: d.PurchaseReference, PaymentAccountId: d.PaymentAccountID}
	if d.AssigneeID != nil {
		out.Assignee = &apigen.DisputeAssignee{Id: *d.AssigneeID, Name: d.AssigneeName}
	}
	return out
}

func (s *server) listDisputes(c *gin.Context) {
	var fe filterErrors
	limit := fe.limit(c.Query)
	f := disputeFilter(c, &fe, principalOf(c).User.ID)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	items, next, counts, err := s.opts.Disputes.List(c.Request.Context(), scopeOf(c), f, c.Query("cursor"), limit)
	if err != nil {
		writeProblem(c, err)
		return
	}
	page := apigen.DisputePage{Items: make([]apigen.DisputeSummary, 0, len(items)), NextCursor: next,
		Counts: apigen.DisputeCounts{ExpiresSoon: counts.ExpiresSoon, NeedsAction: counts.NeedsAction, Waiting: counts.Waiting, Closed: counts.Closed, All: counts.All}}
	for _, d := range items {
		page.Items = append(page.Items, disputeSummaryDTO(d))
	}
	c.JSON(http.StatusOK, page)
}

// disputeCSVHeader are the export's columns (documented in the OpenAPI).
var disputeCSVHeader = []string{"dispute_id", "partner", "partner_tenant_id", "state", "reason", "amount", "currency", "amount_decimal",
	"deadline_at", "outcome", "outcome_detailed", "opened_at", "closed_at", "answered_at", "assignee", "order_id",
	"payment_transaction_id", "purchase_reference", "payment_account_id"}

func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (s *server) exportDisputes(c *gin.Context) {
	var fe filterErrors
	f := disputeFilter(c, &fe, principalOf(c).User.ID)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="disputes-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write(disputeCSVHeader)
	n := 0
	err := s.opts.Disputes.Stream(c.Request.Context(), scopeOf(c), f, func(d dispute.Dispute) error {
		opened := d.OpenedAt
		if err := w.Write([]string{csvSafe(d.ID), csvSafe(d.PartnerName), d.TenantID.String(), csvSafe(d.State), csvSafe(d.Reason),
			strconv.FormatInt(d.Amount, 10), d.Currency, decimalAmount(d.Amount, d.Currency), csvTime(d.DeadlineAt), csvSafe(d.Outcome),
			csvSafe(d.OutcomeDetailed), csvTime(&opened), csvTime(d.ClosedAt), csvTime(d.AnsweredAt), csvSafe(d.AssigneeName),
			csvSafe(d.OrderID), csvSafe(d.PaymentTransactionID), csvSafe(d.PurchaseReference), csvSafe(d.PaymentAccountID)}); err != nil {
			return err
		}
		if n++; n%1000 == 0 {
			w.Flush()
			return w.Error()
		}
		return nil
	})
	w.Flush()
	if err != nil {
		loggerFrom(c).Error("dispute export interrupted", "error", err)
	}
}

// zeroDecimals are currencies without minor units (ISO 4217) among those
// Klarna settles in.
var zeroDecimals = map[string]bool{"JPY": true, "KRW": true, "ISK": true}

// decimalAmount writes minor units as a decimal string ("123.45").
func decimalAmount(minor int64, currency string) string {
	if zeroDecimals[strings.ToUpper(currency)] {
		return strconv.FormatInt(minor, 10)
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return sign + strconv.FormatInt(minor/100, 10) + "." + strconv.FormatInt(100+minor%100, 10)[1:]
}

func (s *server) disputeDetail(c *gin.Context, d dispute.Dispute) (apigen.DisputeDetail, error) {
	sum := disputeSummaryDTO(d)
	out := apigen.DisputeDetail{Id: sum.Id, TenantId: sum.TenantId, PartnerName: sum.PartnerName, State: sum.State, PreviousState: sum.PreviousState,
		Reason: sum.Reason, Amount: sum.Amount, Currency: sum.Currency, DeadlineAt: sum.DeadlineAt, Outcome: sum.Outcome, OpenedAt: sum.OpenedAt,
		ClosedAt: sum.ClosedAt, UpdatedAt: sum.UpdatedAt, OrderId: sum.OrderId, PaymentTransactionId: sum.PaymentTransactionId,
		PurchaseReference: sum.PurchaseReference, PaymentAccountId: sum.PaymentAccountId, Assignee: sum.Assignee,
		RepresentmentState: d.RepresentmentState, OutcomeDetailed: d.OutcomeDetailed, AnsweredAt: d.AnsweredAt,
		KlarnaAccountId: d.KlarnaAccountID, ReadAt: d.ReadAt, Actions: []apigen.DisputeDetailActions{}, Timeline: []apigen.DisputeTimelineEntry{}}
	if d.Object != nil {
		b, err := json.Marshal(d.Object)
		if err != nil {
			return out, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return out, err
		}
		out.Object = &m
	}
	if p := principalOf(c); p != nil && s.authz.Allowed(p.Authz, d.TenantID.String(), "dispute:respond") {
		for _, a := range dispute.Actions(d, s.opts.Disputes.Now()) {
			out.Actions = append(out.Actions, apigen.DisputeDetailActions(a))
		}
	}
	tl, err := s.opts.Disputes.Timeline(c.Request.Context(), d.ID)
	if err != nil {
		return out, err
	}
	for _, e := range tl {
		out.Timeline = append(out.Timeline, apigen.DisputeTimelineEntry{At: e.At, Kind: e.Kind, State: e.State, Summary: e.Summary, Actor: e.ActorLabel})
	}
	return out, nil
}

func (s *server) writeDispute(c *gin.Context, d dispute.Dispute, err error) {
	if err != nil {
		writeProblem(c, err)
		return
	}
	out, err := s.disputeDetail(c, d)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) getDispute(c *gin.Context) {
	d, err := s.opts.Disputes.Get(c.Request.Context(), scopeOf(c), c.Param("dispute"))
	s.writeDispute(c, d, err)
}

func (s *server) refreshDispute(c *gin.Context) {
	ctx := c.Request.Context()
	if _, err := s.opts.Disputes.Get(ctx, scopeOf(c), c.Param("dispute")); err != nil {
		writeProblem(c, err)
		return
	}
	d, err := s.opts.Disputes.Refresh(ctx, c.Param("dispute"))
	s.writeDispute(c, d, err)
}

func (s *server) assignDispute(c *gin.Context) {
	var in struct {
		UserID *string `json:"user_id"`
	}
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	var user *uuid.UUID
	if in.UserID != nil {
		id, err := uuid.Parse(*in.UserID)
		if err != nil {
			writeProblem(c, apperr.Validation("Choose who works this dispute.", apperr.FieldError{Field: "user_id", Message: "a user id, or null to unassign"}))
			return
		}
		user = &id
	}
	d, err := s.opts.Disputes.Assign(c.Request.Context(), scopeOf(c), c.Param("dispute"), user)
	s.writeDispute(c, d, err)
}

func (s *server) listDisputeAssignees(c *gin.Context) {
	people, err := s.opts.Disputes.Assignees(c.Request.Context(), scopeOf(c), c.Param("dispute"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := make([]apigen.DisputeAssignee, 0, len(people))
	for _, p := range people {
		out = append(out, apigen.DisputeAssignee{Id: p.ID, Name: p.Name, Email: p.Email})
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) downloadDisputeAttachment(c *gin.Context) {
	f, err := s.opts.Disputes.Download(c.Request.Context(), scopeOf(c), c.Param("dispute"), c.Param("attachment"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	name := strings.NewReplacer(`"`, "", "\\", "", "\r", "", "\n", "", "/", "_").Replace(f.Filename)
	if name == "" {
		name = "attachment"
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, ct, f.Data)
}

func (s *server) listSavedViews(c *gin.Context) {
	list := c.Query("list")
	if list != "disputes" {
		writeProblem(c, apperr.Validation("Say which list.", apperr.FieldError{Field: "list", Message: "one of disputes"}))
		return
	}
	vs, err := s.opts.SavedViews.List(c.Request.Context(), principalOf(c).User.ID, list)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, vs)
}

func (s *server) createSavedView(c *gin.Context) {
	var in apigen.SavedViewInput
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	var fe filterErrors
	if in.List != "disputes" {
		fe.add("list", "one of disputes")
	}
	if n := len([]rune(strings.TrimSpace(in.Name))); n < 1 || n > 80 {
		fe.add("name", "1 to 80 characters")
	}
	if len(in.Query) > 2000 {
		fe.add("query", "at most 2000 characters")
	}
	if len(fe) > 0 {
		writeProblem(c, apperr.Validation("Check the view.", fe...))
		return
	}
	v, err := s.opts.SavedViews.Save(c.Request.Context(), principalOf(c).User.ID, string(in.List), strings.TrimSpace(in.Name), strings.TrimPrefix(in.Query, "?"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (s *server) deleteSavedView(c *gin.Context) {
	id, err := uuid.Parse(c.Param("view"))
	if err != nil {
		writeProblem(c, apperr.E(apperr.NotFound, "No such view."))
		return
	}
	if err := s.opts.SavedViews.Delete(c.Request.Context(), principalOf(c).User.ID, id); err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

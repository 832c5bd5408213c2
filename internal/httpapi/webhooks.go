package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// receiveWebhook is Klarna's delivery endpoint. It trusts nothing before
// the signature verifies, answers fast, and answers 200 to a duplicate.
func (s *server) receiveWebhook(c *gin.Context) {
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		writeProblem(c, apperr.E(apperr.TooLarge, "The webhook body is too large."))
		return
	}
	r, err := s.opts.Webhooks.Receive(c.Request.Context(), c.GetHeader("Klarna-Signing-Key-Id"), c.GetHeader("Klarna-Signature"), raw, c.ClientIP())
	if err != nil {
		writeProblem(c, err)
		return
	}
	status := "accepted"
	if r.Duplicate {
		status = "duplicate"
	}
	c.JSON(http.StatusOK, gin.H{"status": status})
}

func webhookDTO(e webhook.Event) apigen.WebhookEvent {
	d := apigen.WebhookEvent{Id: e.PK, EventId: e.EventID, EventType: e.EventType, OccurredAt: e.OccurredAt, ReceivedAt: e.ReceivedAt.UTC(),
		ProcessedAt: e.ProcessedAt, SubjectAccountId: e.SubjectAccountID, TenantId: e.TenantID, Status: apigen.WebhookEventStatus(e.Status),
		Attempts: e.Attempts, Duplicates: e.Duplicates, LastError: e.LastError, Note: e.Note}
	if e.EventVersion != "" {
		d.EventVersion = &e.EventVersion
	}
	if e.TenantID != nil {
		n := e.TenantName
		d.TenantName = &n
	}
	return d
}

// webhookFilter reads the inbox filters; ?tenant= narrows the route's scope.
func (s *server) webhookFilter(c *gin.Context, q func(string) string) (scope.Scope, webhook.Filter, error) {
	f := webhook.Filter{Type: strings.TrimSpace(q("type")), Status: q("status")}
	var fe filterErrors
	switch f.Status {
	case "", webhook.StatusReceived, webhook.StatusProcessed, webhook.StatusFailed, webhook.StatusDeadLettered, webhook.StatusParked:
	default:
		fe.add("status", "one of received, processed, failed, dead_lettered, parked")
	}
	sc := fe.narrow(q, scopeOf(c))
	f.From, f.To = fe.timeRange(q)
	return sc, f, fe.err()
}

func pageOf(c *gin.Context) (webhook.Page, error) {
	var fe filterErrors
	p := webhook.Page{Limit: fe.limit(c.Query), Cursor: c.Query("cursor")}
	return p, fe.err()
}

func (s *server) listWebhookEvents(c *gin.Context) {
	sc, f, err := s.webhookFilter(c, c.Query)
	if err != nil {
		writeProblem(c, err)
		return
	}
	p, err := pageOf(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	evs, next, err := s.opts.Webhooks.List(c.Request.Context(), sc, f, p)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := struct {
		Items      []apigen.WebhookEvent `json:"items"`
		NextCursor *string               `json:"next_cursor,omitempty"`
	}{Items: make([]apigen.WebhookEvent, 0, len(evs))}
	for _, e := range evs {
		out.Items = append(out.Items, webhookDTO(e))
	}
	if next != "" {
		out.NextCursor = &next
	}
	c.JSON(http.StatusOK, out)
}

// eventPK reads the :event parameter; a malformed one is the same 404 as
// an event that does not exist or is outside the caller's scope.
func eventPK(c *gin.Context) (int64, error) {
	pk, err := strconv.ParseInt(c.Param("event"), 10, 64)
	if err != nil {
		return 0, apperr.E(apperr.NotFound, "No such webhook event.")
	}
	return pk, nil
}

func (s *server) getWebhookEvent(c *gin.Context) {
	pk, err := eventPK(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	d, err := s.opts.Webhooks.Detail(c.Request.Context(), scopeOf(c), pk)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, webhookDetailDTO(d))
}

// webhookDetailDTO is the event detail: the event, its payload as received,
// how it was verified, every processing attempt and the objects it names.
func webhookDetailDTO(d webhook.EventDetail) apigen.WebhookEventDetail {
	ev := d.Event
	e := webhookDTO(ev)
	out := apigen.WebhookEventDetail{Id: e.Id, EventId: e.EventId, EventType: e.EventType, EventVersion: e.EventVersion, OccurredAt: e.OccurredAt,
		ReceivedAt: e.ReceivedAt, ProcessedAt: e.ProcessedAt, SubjectAccountId: e.SubjectAccountId, TenantId: e.TenantId, TenantName: e.TenantName,
		Status: apigen.WebhookEventDetailStatus(e.Status), Attempts: e.Attempts, Duplicates: e.Duplicates, LastError: e.LastError, Note: e.Note,
		RawSize: len(ev.Raw)}
	_ = json.Unmarshal(ev.Raw, &out.Payload) // a body jsonb could not hold still shows its size; the raw bytes stay stored
	out.Verification.SigningKeyId, out.Verification.Result = ev.SigningKeyID, "verified"
	out.Related.KlarnaAccountId = &ev.SubjectAccountID
	out.Related.TenantId, out.Related.TenantName = e.TenantId, e.TenantName
	if d.CorrelationID != "" {
		out.Related.CorrelationId = &d.CorrelationID
	}
	if d.DisputeID != "" {
		out.Related.DisputeId = &d.DisputeID
	}
	out.AttemptsLog = make([]struct {
		Attempt    int       `json:"attempt"`
		Error      string    `json:"error"`
		FinishedAt time.Time `json:"finished_at"`
		Outcome    string    `json:"outcome"`
		StartedAt  time.Time `json:"started_at"`
		Worker     string    `json:"worker"`
	}, len(d.Attempts))
	for i, a := range d.Attempts {
		l := &out.AttemptsLog[i]
		l.Attempt, l.StartedAt, l.FinishedAt, l.Outcome, l.Error, l.Worker = a.Attempt, a.StartedAt.UTC(), a.FinishedAt.UTC(), a.Outcome, a.Error, a.Worker
	}
	return out
}

func (s *server) replayWebhookEvent(c *gin.Context) {
	pk, err := eventPK(c)
	if err == nil {
		err = s.opts.Webhooks.Replay(c.Request.Context(), scopeOf(c), pk)
	}
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusAccepted, apigen.ReplayResult{Replayed: 1})
}

func (s *server) replayWebhookEvents(c *gin.Context) {
	var in map[string]string
	if err := bindJSON(c, &in); err != nil {
		if e := apperr.As(err); e != nil && len(e.Fields) == 1 && e.Fields[0].Field == bodyField && e.Fields[0].Message == notAnObject {
			// null, [] or "x" must not mean "no filter, replay everything".
			err = apperr.Validation("Send an object with the filters ({} replays every event you may replay).", e.Fields...)
		}
		writeProblem(c, err)
		return
	}
	for k := range in {
		switch k {
		case "type", "tenant", "status", "from", "to":
		default:
			writeProblem(c, apperr.Validation("Unknown filter.", apperr.FieldError{Field: k, Message: "is not a filter"}))
			return
		}
	}
	sc, f, err := s.webhookFilter(c, func(k string) string { return in[k] })
	if err != nil {
		writeProblem(c, err)
		return
	}
	n, err := s.opts.Webhooks.ReplayMatching(c.Request.Context(), sc, f)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusAccepted, apigen.ReplayResult{Replayed: n})
}

func (s *server) listWebhookQuarantine(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	qs, next, err := s.opts.Webhooks.ListQuarantine(c.Request.Context(), scopeOf(c), p)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := struct {
		Items      []apigen.QuarantinedDelivery `json:"items"`
		NextCursor *string                      `json:"next_cursor,omitempty"`
	}{Items: make([]apigen.QuarantinedDelivery, 0, len(qs))}
	for _, q := range qs {
		preview := q.Body[:min(len(q.Body), 2048)]
		out.Items = append(out.Items, apigen.QuarantinedDelivery{Id: q.ID, ReceivedAt: q.ReceivedAt.UTC(), Reason: apigen.QuarantinedDeliveryReason(q.Reason),
			SigningKeyId: q.SigningKeyID, RemoteIp: q.RemoteIP, BodySize: q.BodySize, BodyPreview: strings.ToValidUTF8(string(preview), "\uFFFD")})
	}
	if next != "" {
		out.NextCursor = &next
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) getWebhookStats(c *gin.Context) {
	cn, err := s.opts.Webhooks.Counts(c.Request.Context(), scopeOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, apigen.WebhookStats{ByStatus: cn.ByStatus, ByType: cn.ByType, Quarantined: cn.Quarantined, OldestOpenAt: cn.OldestOpen})
}

func subscriptionDTO(sub webhook.Subscription) apigen.WebhookSubscription {
	return apigen.WebhookSubscription{Id: sub.ID, Url: sub.URL, EventTypes: sub.EventTypes, EventVersion: sub.EventVersion, SigningKeyId: sub.SigningKeyID, Status: sub.Status, CreatedAt: sub.CreatedAt.UTC()}
}

func (s *server) listWebhookSubscriptions(c *gin.Context) {
	subs, keys, err := s.opts.Webhooks.Subscriptions(c.Request.Context(), scopeOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.WebhookSetup{Subscriptions: []apigen.WebhookSubscription{}, HandledEventTypes: s.opts.Webhooks.Registry().Patterns(),
		ReceiverUrl: s.opts.WebhookURL, KlarnaConfigured: s.opts.KlarnaConfigured}
	for _, sub := range subs {
		out.Subscriptions = append(out.Subscriptions, subscriptionDTO(sub))
	}
	out.SigningKeys = make([]struct {
		AcceptUntil *time.Time                           `json:"accept_until,omitempty"`
		CreatedAt   *time.Time                           `json:"created_at,omitempty"`
		Id          string                               `json:"id"`
		Source      apigen.WebhookSetupSigningKeysSource `json:"source"`
	}, len(keys))
	for i, k := range keys {
		d := &out.SigningKeys[i]
		d.Id, d.Source, d.AcceptUntil = k.ID, "api", k.AcceptUntil
		if k.FromConfig {
			d.Source = "config"
		} else {
			t := k.CreatedAt.UTC()
			d.CreatedAt = &t
		}
	}
	c.JSON(http.StatusOK, out)
}

// requireAll refuses a change to the acquirer's webhook configuration,
// which belongs to no partner, unless the caller's scope is every tenant.
func requireAll(c *gin.Context) bool {
	if !scopeOf(c).IsAll() {
		writeProblem(c, apperr.E(apperr.Forbidden, "Only an acquirer role may change the webhook configuration."))
		return false
	}
	return true
}

func (s *server) ensureWebhookSubscription(c *gin.Context) {
	if !requireAll(c) {
		return
	}
	sub, err := s.opts.Webhooks.EnsureSubscription(c.Request.Context(), s.opts.WebhookURL)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusCreated, subscriptionDTO(sub))
}

func (s *server) rotateWebhookSigningKey(c *gin.Context) {
	if !requireAll(c) {
		return
	}
	id, err := s.opts.Webhooks.RotateKey(c.Request.Context())
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"signing_key_id": id})
}

func (s *server) simulateWebhook(c *gin.Context) {
	if !requireAll(c) {
		return
	}
	var in apigen.SimulateWebhookJSONRequestBody
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	if err := s.opts.Webhooks.Simulate(c.Request.Context(), c.Param("subscription"), in.EventType); err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusAccepted)
}

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

type attemptDTO struct {
	Attempt    int       `json:"attempt"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Outcome    string    `json:"outcome"`
	Error      string    `json:"error"`
	Worker     string    `json:"worker"`
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
	ev := d.Event
	var payload map[string]any
	_ = json.Unmarshal(ev.Raw, &payload)
	related := map[string]any{"klarna_account_id": ev.SubjectAccountID}
	if ev.TenantID != nil {
		related["tenant_id"], related["tenant_name"] = ev.TenantID, ev.TenantName
	}
	if d.CorrelationID != "" {
		related["correlation_id"] = d.CorrelationID
	}
	if d.DisputeID != "" {
		related["dispute_id"] = d.DisputeID
	}
	log := make([]attemptDTO, 0, len(d.Attempts))
	for _, a := range d.Attempts {
		log = append(log, attemptDTO{Attempt: a.Attempt, StartedAt: a.StartedAt.UTC(), FinishedAt: a.FinishedAt.UTC(), Outcome: a.Outcome, Error: a.Error, Worker: a.Worker})
	}
	c.JSON(http.StatusOK, struct {
		apigen.WebhookEvent
		Payload      map[string]any    `json:"payload"`
		RawSize      int               `json:"raw_size"`
		Verification map[string]string `json:"verification"`
		AttemptsLog  []attemptDTO      `json:"attempts_log"`
		Related      map[string]any    `json:"related"`
	}{webhookDTO(ev), payload, len(ev.Raw), map[string]string{"signing_key_id": ev.SigningKeyID, "result": "verified"}, log, related})
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

type signingKeyDTO struct {
	ID          string     `json:"id"`
	Source      string     `json:"source"`
	CreatedAt   *time.Time `json:"created_at,omitempty"`
	AcceptUntil *time.Time `json:"accept_until,omitempty"`
}

func (s *server) listWebhookSubscriptions(c *gin.Context) {
	subs, keys, err := s.opts.Webhooks.Subscriptions(c.Request.Context(), scopeOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := struct {
		Subscriptions     []apigen.WebhookSubscription `json:"subscriptions"`
		SigningKeys       []signingKeyDTO              `json:"signing_keys"`
		HandledEventTypes []string                     `json:"handled_event_types"`
		ReceiverURL       string                       `json:"receiver_url"`
		KlarnaConfigured  bool                         `json:"klarna_configured"`
	}{Subscriptions: []apigen.WebhookSubscription{}, SigningKeys: []signingKeyDTO{}, HandledEventTypes: s.opts.Webhooks.Registry().Patterns(),
		ReceiverURL: s.opts.WebhookURL, KlarnaConfigured: s.opts.KlarnaConfigured}
	for _, sub := range subs {
		out.Subscriptions = append(out.Subscriptions, subscriptionDTO(sub))
	}
	for _, k := range keys {
		d := signingKeyDTO{ID: k.ID, Source: "api", AcceptUntil: k.AcceptUntil}
		if k.FromConfig {
			d.Source = "config"
		} else {
			t := k.CreatedAt.UTC()
			d.CreatedAt = &t
		}
		out.SigningKeys = append(out.SigningKeys, d)
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
	var in struct {
		EventType string `json:"event_type"`
	}
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

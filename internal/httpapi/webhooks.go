package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
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

func (s *server) tenantNames(c *gin.Context) map[uuid.UUID]string {
	names := map[uuid.UUID]string{}
	if ts, err := s.ident.Store().Tenants(c.Request.Context()); err == nil {
		for _, t := range ts {
			names[t.ID] = t.Name
		}
	}
	return names
}

func webhookDTO(e webhook.Event, names map[uuid.UUID]string) apigen.WebhookEvent {
	d := apigen.WebhookEvent{Id: e.PK, EventId: e.EventID, EventType: e.EventType, OccurredAt: e.OccurredAt, ReceivedAt: e.ReceivedAt.UTC(),
		ProcessedAt: e.ProcessedAt, SubjectAccountId: e.SubjectAccountID, TenantId: e.TenantID, Status: apigen.WebhookEventStatus(e.Status),
		Attempts: e.Attempts, Duplicates: e.Duplicates, LastError: e.LastError, Note: e.Note}
	if e.EventVersion != "" {
		d.EventVersion = &e.EventVersion
	}
	if e.TenantID != nil {
		n := names[*e.TenantID]
		d.TenantName = &n
	}
	return d
}

func (s *server) webhookFilter(c *gin.Context, q func(string) string) (webhook.Filter, error) {
	f := webhook.Filter{Type: strings.TrimSpace(q("type")), Status: q("status"), TenantIDs: allowedTenantsOf(c)}
	var fe filterErrors
	switch f.Status {
	case "", webhook.StatusReceived, webhook.StatusProcessed, webhook.StatusFailed, webhook.StatusDeadLettered, webhook.StatusParked:
	default:
		fe.add("status", "one of received, processed, failed, dead_lettered, parked")
	}
	f.TenantID = fe.tenant(q)
	f.From, f.To = fe.timeRange(q)
	return f, fe.err()
}

func pageOf(c *gin.Context) (webhook.Page, error) {
	var fe filterErrors
	p := webhook.Page{Limit: fe.limit(c.Query), Cursor: c.Query("cursor")}
	return p, fe.err()
}

func (s *server) listWebhookEvents(c *gin.Context) {
	f, err := s.webhookFilter(c, c.Query)
	if err != nil {
		writeProblem(c, err)
		return
	}
	p, err := pageOf(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	evs, next, err := s.opts.Webhooks.List(c.Request.Context(), f, p)
	if err != nil {
		writeProblem(c, err)
		return
	}
	names := s.tenantNames(c)
	out := struct {
		Items      []apigen.WebhookEvent `json:"items"`
		NextCursor *string               `json:"next_cursor,omitempty"`
	}{Items: make([]apigen.WebhookEvent, 0, len(evs))}
	for _, e := range evs {
		out.Items = append(out.Items, webhookDTO(e, names))
	}
	if next != "" {
		out.NextCursor = &next
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) webhookEvent(c *gin.Context) (webhook.Event, []webhook.Attempt, error) {
	pk, err := strconv.ParseInt(c.Param("event"), 10, 64)
	if err != nil {
		return webhook.Event{}, nil, apperr.E(apperr.NotFound, "No such webhook event.")
	}
	ev, attempts, err := s.opts.Webhooks.Get(c.Request.Context(), pk)
	if err != nil {
		return ev, nil, err
	}
	if !webhook.TenantVisible(ev, allowedTenantsOf(c)) {
		return ev, nil, apperr.E(apperr.NotFound, "No such webhook event.")
	}
	return ev, attempts, nil
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
	ev, attempts, err := s.webhookEvent(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	names := s.tenantNames(c)
	var payload map[string]any
	_ = json.Unmarshal(ev.Raw, &payload)
	related := map[string]any{"klarna_account_id": ev.SubjectAccountID}
	if ev.TenantID != nil {
		related["tenant_id"], related["tenant_name"] = ev.TenantID, names[*ev.TenantID]
	}
	if env, err := klarna.ParseWebhook(ev.Raw); err == nil {
		if env.Metadata.CorrelationID != "" {
			related["correlation_id"] = env.Metadata.CorrelationID
		}
		var dp klarna.DisputeEventPayload
		if strings.HasPrefix(ev.EventType, "payment.dispute.") && env.DecodePayload(&dp) == nil && dp.PaymentDisputeID != "" {
			related["dispute_id"] = dp.PaymentDisputeID
		}
	}
	log := make([]attemptDTO, 0, len(attempts))
	for _, a := range attempts {
		log = append(log, attemptDTO{Attempt: a.Attempt, StartedAt: a.StartedAt.UTC(), FinishedAt: a.FinishedAt.UTC(), Outcome: a.Outcome, Error: a.Error, Worker: a.Worker})
	}
	c.JSON(http.StatusOK, struct {
		apigen.WebhookEvent
		Payload      map[string]any    `json:"payload"`
		RawSize      int               `json:"raw_size"`
		Verification map[string]string `json:"verification"`
		AttemptsLog  []attemptDTO      `json:"attempts_log"`
		Related      map[string]any    `json:"related"`
	}{webhookDTO(ev, names), payload, len(ev.Raw), map[string]string{"signing_key_id": ev.SigningKeyID, "result": "verified"}, log, related})
}

func (s *server) replayWebhookEvent(c *gin.Context) {
	ev, _, err := s.webhookEvent(c)
	if err == nil {
		err = s.opts.Webhooks.Replay(c.Request.Context(), ev.PK)
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
	f, err := s.webhookFilter(c, func(k string) string { return in[k] })
	if err != nil {
		writeProblem(c, err)
		return
	}
	n, err := s.opts.Webhooks.ReplayMatching(c.Request.Context(), f)
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
	qs, next, err := s.opts.Webhooks.ListQuarantine(c.Request.Context(), p)
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
	cn, err := s.opts.Webhooks.Counts(c.Request.Context())
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
	subs, keys, err := s.opts.Webhooks.Subscriptions(c.Request.Context())
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

func (s *server) ensureWebhookSubscription(c *gin.Context) {
	sub, err := s.opts.Webhooks.EnsureSubscription(c.Request.Context(), s.opts.WebhookURL)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusCreated, subscriptionDTO(sub))
}

func (s *server) rotateWebhookSigningKey(c *gin.Context) {
	id, err := s.opts.Webhooks.RotateKey(c.Request.Context())
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"signing_key_id": id})
}

func (s *server) simulateWebhook(c *gin.Context) {
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

package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/notify"
)

type notificationJSON struct {
	ID        uuid.UUID  `json:"id"`
	TenantID  *uuid.UUID `json:"tenant_id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

type notificationPage struct {
	Items      []notificationJSON `json:"items"`
	NextCursor *string            `json:"next_cursor"`
	Unread     int64              `json:"unread"`
}

type notificationPreferences struct {
	EmailKinds []string `json:"email_kinds"`
	Digest     bool     `json:"digest"`
	// Kinds lists what can be chosen (read only).
	Kinds []string `json:"kinds,omitempty"`
}

type outboxMailJSON struct {
	ID        uuid.UUID  `json:"id"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

func (s *server) notifications(c *gin.Context) (*notify.Service, uuid.UUID, bool) {
	if s.opts.Notifications == nil {
		writeProblem(c, apperr.E(apperr.NotFound, "No such endpoint: %s %s", c.Request.Method, c.Request.URL.Path))
		return nil, uuid.Nil, false
	}
	return s.opts.Notifications, principalOf(c).User.ID, true
}

// listNotifications: the caller's own, newest first.
func (s *server) listNotifications(c *gin.Context) {
	svc, user, ok := s.notifications(c)
	if !ok {
		return
	}
	var fe filterErrors
	limit := fe.limit(c.Query)
	var after *notify.Cursor
	if v := c.Query("cursor"); v != "" {
		cur, err := keyset.DecodeUUID(v)
		if err != nil {
			writeProblem(c, err)
			return
		}
		after = &notify.Cursor{At: cur.At, ID: cur.ID}
	}
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	items, unread, err := svc.List(c.Request.Context(), user, after, limit+1)
	if err != nil {
		writeProblem(c, err)
		return
	}
	page := notificationPage{Items: []notificationJSON{}, Unread: unread}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		page.NextCursor = ptr(keyset.EncodeUUID(keyset.UUIDCursor{At: last.CreatedAt, ID: last.ID}))
	}
	for _, n := range items {
		page.Items = append(page.Items, notificationJSON{ID: n.ID, TenantID: n.TenantID, Kind: n.Kind, Title: n.Title, Body: n.Body,
			Link: n.Link, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt})
	}
	c.JSON(http.StatusOK, page)
}

func (s *server) readNotification(c *gin.Context) {
	svc, user, ok := s.notifications(c)
	if !ok {
		return
	}
	id, err := uuidParam(c, "notification")
	if err == nil {
		err = svc.MarkRead(c.Request.Context(), user, id)
	}
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) readAllNotifications(c *gin.Context) {
	svc, user, ok := s.notifications(c)
	if !ok {
		return
	}
	if err := svc.MarkAllRead(c.Request.Context(), user); err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) getNotificationPreferences(c *gin.Context) {
	svc, user, ok := s.notifications(c)
	if !ok {
		return
	}
	p, err := svc.Preferences(c.Request.Context(), user)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, notificationPreferences{EmailKinds: p.EmailKinds, Digest: p.Digest, Kinds: notify.Kinds})
}

func (s *server) putNotificationPreferences(c *gin.Context) {
	svc, user, ok := s.notifications(c)
	if !ok {
		return
	}
	var body notificationPreferences
	if err := bindJSON(c, &body); err != nil {
		writeProblem(c, err)
		return
	}
	var fe filterErrors
	for i, k := range body.EmailKinds {
		if !slices.Contains(notify.Kinds, k) {
			fe.add("email_kinds["+strconv.Itoa(i)+"]", "one of "+strings.Join(notify.Kinds, ", "))
		}
	}
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	if body.EmailKinds == nil {
		body.EmailKinds = []string{}
	}
	if err := svc.SetPreferences(c.Request.Context(), user, notify.Preferences{EmailKinds: body.EmailKinds, Digest: body.Digest}); err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, notificationPreferences{EmailKinds: body.EmailKinds, Digest: body.Digest, Kinds: notify.Kinds})
}

// getDevOutbox: the mail `partnerdesk dev` kept instead of sending; 404
// anywhere else.
func (s *server) getDevOutbox(c *gin.Context) {
	if s.opts.Notifications == nil || !s.opts.Notifications.DevOutbox() {
		writeProblem(c, apperr.E(apperr.NotFound, "No such endpoint: %s %s", c.Request.Method, c.Request.URL.Path))
		return
	}
	mails, err := s.opts.Notifications.Outbox(c.Request.Context(), 100)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := make([]outboxMailJSON, len(mails))
	for i, m := range mails {
		out[i] = outboxMailJSON{ID: m.ID, To: m.To, Subject: m.Subject, Body: m.Body, CreatedAt: m.CreatedAt, SentAt: m.SentAt}
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// runDevReminders runs the reminder job at once, so a developer (and the
// browser tests) need not wait for its interval; 404 outside `partnerdesk dev`.
// The job claims each reminder once, so running it early sends nothing twice.
func (s *server) runDevReminders(c *gin.Context) {
	if s.opts.RunReminders == nil {
		writeProblem(c, apperr.E(apperr.NotFound, "No such endpoint: %s %s", c.Request.Method, c.Request.URL.Path))
		return
	}
	if err := s.opts.RunReminders(c.Request.Context()); err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

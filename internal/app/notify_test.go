package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
)

// A dispute of Aurora near its deadline: the reminder job's run puts one
// notice in the bell of Aurora's dispute handlers (with its link), none in
// another partner's, the dev outbox gets the mail of a handler who asked for
// it, and nobody can mark another user's notice read.
func TestADisputeReminderReachesOnlyItsPartnersHandlers(t *testing.T) {
	a := apptest.Start(t, nil, nil)
	ctx := context.Background()
	handler, other := a.Login("merchant-disputes"), a.Login("merchant-admin-b")
	finance := a.Login("merchant-finance")

	if r := handler.Send("PUT", "/api/v1/notifications/preferences", "application/json", []byte(`{"email_kinds":["dispute_reminder"],"digest":false}`)); r.Status != 200 {
		t.Fatalf("preferences: %d %s", r.Status, r.Body)
	}
	if r := handler.Send("PUT", "/api/v1/notifications/preferences", "application/json", []byte(`{"email_kinds":["nope"],"digest":false}`)); r.Status != 422 && r.Status != 400 {
		t.Fatalf("unknown kind accepted: %d", r.Status)
	}
	now := time.Now()
	if err := a.DB.Gorm.Exec(`INSERT INTO disputes (dispute_id, tenant_id, klarna_account_id, state, deadline_at, opened_at, state_at, klarna_updated_at)
		SELECT 'dsp_remind_1', id, 'krn:acc', 'INITIATED', ?, ?, ?, ? FROM tenants WHERE slug = 'aurora'`, now.Add(50*time.Hour), now, now, now).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.Reminders.Run(ctx); err != nil {
		t.Fatal(err)
	}

	type page struct {
		Items []struct {
			ID, Title, Link string
		}
		Unread int64
	}
	read := func(body []byte) page {
		var p page
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// the dev trigger runs the same job again: it sends nothing twice
	if r := handler.Send("POST", "/api/v1/dev/reminders/run", "", nil); r.Status != 204 {
		t.Fatalf("dev reminders run: %d %s", r.Status, r.Body)
	}
	r := handler.Get("/api/v1/notifications")
	mine := read(r.Body)
	if r.Status != 200 || len(mine.Items) != 1 || mine.Unread != 1 || mine.Items[0].Link != "/disputes/dsp_remind_1" {
		t.Fatalf("handler's bell: %d %s", r.Status, r.Body)
	}
	if p := read(other.Get("/api/v1/notifications").Body); len(p.Items) != 0 {
		t.Fatalf("another partner's admin sees %+v", p.Items)
	}
	if p := read(finance.Get("/api/v1/notifications").Body); len(p.Items) != 0 {
		t.Fatalf("a user without dispute:respond was reminded: %+v", p.Items)
	}
	if r := other.Send("POST", "/api/v1/notifications/"+mine.Items[0].ID+"/read", "", nil); r.Status != 404 {
		t.Fatalf("another user marking the notice read: %d", r.Status)
	}
	if r := handler.Send("POST", "/api/v1/notifications/"+mine.Items[0].ID+"/read", "", nil); r.Status != 204 {
		t.Fatalf("marking read: %d %s", r.Status, r.Body)
	}
	if p := read(handler.Get("/api/v1/notifications").Body); p.Unread != 0 {
		t.Fatalf("unread after reading = %d", p.Unread)
	}

	// the mail job runs after the commit: the dev outbox shows it
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := handler.Get("/api/v1/dev/outbox")
		if r.Status != 200 {
			t.Fatalf("dev outbox: %d %s", r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), "disputes@aurora.example") && strings.Contains(string(r.Body), `"sent_at":"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outbox never got the mail: %s", r.Body)
		}
		time.Sleep(50 * time.Millisecond) // polling the outbox for the job's result
	}
}

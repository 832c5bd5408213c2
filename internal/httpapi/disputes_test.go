package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app"
	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// disputesApp is the app on the simulator with the two demo partners
// linked and webhooks subscribed; syncEvery 0 switches the periodic
// dispute sync off.
func disputesApp(t *testing.T, syncEvery time.Duration) (*apptest.App, *klarnasim.Sim) {
	t.Helper()
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.Start(t.Context())
	t.Cleanup(func() { sim.Close() })
	if err := app.SeedSimulator(sim, app.DemoPartners); err != nil {
		t.Fatal(err)
	}
	cfg := apptest.Config(t)
	cfg.DisputeSyncInterval = syncEvery
	a := apptest.StartWithKlarna(t, cfg, nil, &klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: 2 * time.Second})
	if err := a.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := a.Subscribe(t.Context()); err != nil {
		t.Fatal(err)
	}
	return a, sim
}

func disputePage(t *testing.T, c *apitest.Client, query string) apigen.DisputePage {
	t.Helper()
	r := c.Get("/api/v1/disputes?" + query)
	if r.Status != 200 {
		t.Fatalf("GET /disputes?%s: %d %s", query, r.Status, r.Body)
	}
	var p apigen.DisputePage
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func disputeDetail(t *testing.T, c *apitest.Client, id string) apigen.DisputeDetail {
	t.Helper()
	r := c.Get("/api/v1/disputes/" + url.PathEscape(id))
	if r.Status != 200 {
		t.Fatalf("GET dispute %s: %d %s", id, r.Status, r.Body)
	}
	var d apigen.DisputeDetail
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// The demo disputes arrive by webhook, are re-read from Klarna, and the
// queue sorts them by deadline with the right state, amount and actions; a
// merchant of another partner learns nothing of them.
func TestDisputeQueueFromWebhooks(t *testing.T) {
	t.Parallel()
	a, sim := disputesApp(t, 0)
	if err := app.SeedSimulatorDisputes(sim); err != nil {
		t.Fatal(err)
	}
	handler := a.Login("merchant-disputes")
	want := len(app.DemoDisputes["aurora"])
	var all apigen.DisputePage
	waitFor(t, "every Aurora dispute in the queue", 20*time.Second, func() (bool, string) {
		all = disputePage(t, handler, "view=all")
		return len(all.Items) == want, strings.Repeat("•", len(all.Items))
	})
	// The re-reads from Klarna may still move a deadline; the counts by
	// deadline are kept up to 2 s (deadlineCountsFor), so they agree with
	// the list within that.
	var soon, expiring apigen.DisputePage
	waitFor(t, "the deadline counts to agree with their lists", 5*time.Second, func() (bool, string) {
		soon, expiring = disputePage(t, handler, "view=needs_action"), disputePage(t, handler, "view=expires_soon")
		return len(soon.Items) > 0 && soon.Counts.NeedsAction == int64(len(soon.Items)) && soon.Counts.ExpiresSoon == int64(len(expiring.Items)),
			fmt.Sprintf("%d need action, %d expire soon, counts %+v", len(soon.Items), len(expiring.Items), soon.Counts)
	})
	first := soon.Items[0]
	if first.Reason != klarna.ReasonNotReceived || first.Amount != 12900 || first.Currency == "" || first.DeadlineAt == nil {
		t.Fatalf("first in the queue: %+v, want the not-received dispute of 129.00 with a deadline", first)
	}
	if left := time.Until(*first.DeadlineAt); left <= 0 || left > 24*time.Hour {
		t.Fatalf("the first dispute has %s left, want under 24 h", left)
	}
	for i := 1; i < len(soon.Items); i++ {
		if soon.Items[i].DeadlineAt.Before(*soon.Items[i-1].DeadlineAt) {
			t.Fatalf("the queue is not by deadline: %v after %v", soon.Items[i].DeadlineAt, soon.Items[i-1].DeadlineAt)
		}
	}
	if soon.Counts.ExpiresSoon < 2 || soon.Counts.All != int64(want) || soon.Counts.NeedsAction != int64(len(soon.Items)) {
		t.Fatalf("counts %+v with %d needing action of %d", soon.Counts, len(soon.Items), want)
	}
	// After the webhook, Partner Desk re-reads the dispute from Klarna.
	var d apigen.DisputeDetail
	waitFor(t, "the re-read after the webhook", 20*time.Second, func() (bool, string) {
		d = disputeDetail(t, handler, first.Id)
		return d.Object != nil && d.ReadAt != nil, d.State
	})
	if d.State != "INITIATED" || len(d.Actions) != 2 || len(d.Timeline) == 0 || d.Timeline[0].Kind != "webhook" {
		t.Fatalf("dispute page: state %s actions %v object? %v timeline %d", d.State, d.Actions, d.Object != nil, len(d.Timeline))
	}
	// A dispute waiting on Klarna offers no action.
	waiting := disputePage(t, handler, "view=waiting")
	if len(waiting.Items) == 0 || len(disputeDetail(t, handler, waiting.Items[0].Id).Actions) != 0 {
		for _, it := range all.Items {
			t.Logf("%s %s %v", it.Id, it.State, it.DeadlineAt)
		}
		t.Fatalf("waiting on Klarna: %+v", waiting.Items)
	}
	// The auditor reads, but is offered nothing to do.
	if acts := disputeDetail(t, a.Login("auditor"), first.Id).Actions; len(acts) != 0 {
		t.Fatalf("the auditor is offered %v", acts)
	}
	// Search by the order id a customer quotes.
	if got := disputePage(t, handler, "view=all&q="+url.QueryEscape(first.OrderId)); len(got.Items) != 1 || got.Items[0].Id != first.Id {
		t.Fatalf("search by order id: %+v", got.Items)
	}
	// Borealis' merchant sees its own disputes only; Aurora's are 404.
	other := a.Login("merchant-admin-b")
	for _, it := range disputePage(t, other, "view=all").Items {
		if it.TenantId == first.TenantId {
			t.Fatalf("merchant-admin-b sees Aurora's dispute %s", it.Id)
		}
	}
	if r := other.Get("/api/v1/disputes/" + url.PathEscape(first.Id)); r.Status != 404 {
		t.Fatalf("another partner's dispute: %d %s", r.Status, r.Body)
	}
	if r := other.Get("/api/v1/disputes/export.csv?view=all"); r.Status != 200 || strings.Contains(string(r.Body), first.Id) {
		t.Fatalf("another partner's export holds Aurora's dispute: %d", r.Status)
	}
	// The acquirer's support works the queue across partners.
	support := a.Login("acquirer-support")
	cross := disputePage(t, support, "view=all&limit=3")
	if cross.Counts.All <= int64(want) || cross.NextCursor == "" {
		t.Fatalf("acquirer-support's queue: %+v", cross.Counts)
	}
	next := disputePage(t, support, "view=all&limit=3&cursor="+url.QueryEscape(cross.NextCursor))
	if len(next.Items) == 0 || next.Items[0].Id == cross.Items[2].Id {
		t.Fatalf("the second page repeats or is empty: %+v", next.Items)
	}
	// A deadline extension webhook moves the deadline.
	if err := sim.ExtendDeadline(first.Id, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the extended deadline", 20*time.Second, func() (bool, string) {
		d := disputeDetail(t, handler, first.Id)
		return d.DeadlineAt.Sub(*first.DeadlineAt) >= 47*time.Hour, d.DeadlineAt.String()
	})
	// Export: the whole filtered set, one line per dispute and a header.
	r := handler.Get("/api/v1/disputes/export.csv?view=all")
	if lines := strings.Count(strings.TrimSpace(string(r.Body)), "\n"); r.Status != 200 || lines != want {
		t.Fatalf("export: %d with %d rows, want %d", r.Status, lines, want)
	}
}

// Webhooks dropped: the periodic sync still brings every dispute and its
// state.
func TestDisputeSyncWithoutWebhooks(t *testing.T) {
	t.Parallel()
	a, sim := disputesApp(t, 200*time.Millisecond)
	id, _ := sim.PartnerAccountID("aurora")
	ids, err := sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: id, Count: 3, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: id, State: "REPRESENTMENT", Silent: true}); err != nil {
		t.Fatal(err)
	}
	support := a.Login("acquirer-support")
	waitFor(t, "the silent disputes through the sync", 20*time.Second, func() (bool, string) {
		p := disputePage(t, support, "view=all")
		return p.Counts.All == 4 && p.Counts.Waiting == 1, strings.Repeat("•", len(p.Items))
	})
	d := disputeDetail(t, support, ids[0])
	if d.State != "INITIATED" || d.DeadlineAt == nil || d.Amount == 0 {
		t.Fatalf("synced dispute: %+v", d)
	}
}

// A dispute is assigned to a handler of its partner; "assigned to me" then
// lists it for them; a user of another partner cannot be its assignee.
func TestDisputeAssignment(t *testing.T) {
	t.Parallel()
	a, sim := disputesApp(t, 200*time.Millisecond)
	id, _ := sim.PartnerAccountID("aurora")
	ids, err := sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: id, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	support := a.Login("acquirer-support")
	handler := a.Login("merchant-disputes")
	waitFor(t, "the dispute", 20*time.Second, func() (bool, string) {
		return support.Get("/api/v1/disputes/"+url.PathEscape(ids[0])).Status == 200, ""
	})
	var people []apigen.DisputeAssignee
	r := support.Get("/api/v1/disputes/" + url.PathEscape(ids[0]) + "/assignees")
	if err := json.Unmarshal(r.Body, &people); err != nil || r.Status != 200 {
		t.Fatalf("assignees: %d %s", r.Status, r.Body)
	}
	var me apigen.Me
	_ = json.Unmarshal(handler.Get("/api/v1/me").Body, &me)
	found := false
	for _, p := range people {
		found = found || p.Id.String() == me.User.Id.String()
		if strings.Contains(p.Email, "merchant-admin-b") || strings.Contains(p.Email, "merchant-finance") {
			t.Fatalf("%s cannot answer Aurora's disputes but is offered", p.Email)
		}
	}
	if !found {
		t.Fatalf("merchant-disputes is not among %+v", people)
	}
	body := `{"user_id":"` + me.User.Id.String() + `"}`
	if r := support.Send("PUT", "/api/v1/disputes/"+url.PathEscape(ids[0])+"/assignee", "application/json", []byte(body)); r.Status != 200 {
		t.Fatalf("assign: %d %s", r.Status, r.Body)
	}
	mine := disputePage(t, handler, "view=all&assignee=me")
	if len(mine.Items) != 1 || mine.Items[0].Assignee == nil || mine.Items[0].Id != ids[0] {
		t.Fatalf("assigned to me: %+v", mine.Items)
	}
	var b apigen.Me
	_ = json.Unmarshal(a.Login("merchant-admin-b").Get("/api/v1/me").Body, &b)
	if r := support.Send("PUT", "/api/v1/disputes/"+url.PathEscape(ids[0])+"/assignee", "application/json", []byte(`{"user_id":"`+b.User.Id.String()+`"}`)); r.Status != 400 || !strings.Contains(string(r.Body), "user_id") {
		t.Fatalf("assigning another partner's user: %d %s", r.Status, r.Body)
	}
	tl := disputeDetail(t, support, ids[0]).Timeline
	if last := tl[len(tl)-1]; last.Kind != "assignment" || last.Actor == "" || !strings.HasPrefix(last.Summary, "Assigned to ") {
		t.Fatalf("timeline ends with %+v", last)
	}
}

// Bad filters are reported together.
func TestDisputeQueueFilterErrors(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	r := a.Login("acquirer-support").Get("/api/v1/disputes?view=soon&amount_min=x&created_from=yesterday&assignee=bob&partner=p")
	for _, f := range []string{"view", "amount_min", "created_from", "assignee", "partner"} {
		if r.Status != 400 || !strings.Contains(string(r.Body), `"`+f+`"`) {
			t.Fatalf("want a field error on %s: %d %s", f, r.Status, r.Body)
		}
	}
}

// Saved views are each user's own: saving a name again replaces it, another
// user neither sees nor deletes it, and bad input names every field.
func TestSavedViewsAreTheUsersOwn(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	mine, other := a.Login("acquirer-support"), a.Login("merchant-disputes")
	save := func(c *apitest.Client, body string) *apitest.Response {
		return c.Send("POST", "/api/v1/views", "application/json", []byte(body))
	}
	if r := save(mine, `{"list":"disputes","name":" Urgent SEK ","query":"?view=expires_soon&currency=SEK"}`); r.Status != 201 {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	r := save(mine, `{"list":"disputes","name":"Urgent SEK","query":"view=expires_soon&currency=NOK"}`)
	var v apigen.SavedView
	if r.Status != 201 || json.Unmarshal(r.Body, &v) != nil {
		t.Fatalf("save again: %d %s", r.Status, r.Body)
	}
	var list []apigen.SavedView
	if r := mine.Get("/api/v1/views?list=disputes"); r.Status != 200 || json.Unmarshal(r.Body, &list) != nil ||
		len(list) != 1 || list[0].Name != "Urgent SEK" || list[0].Query != "view=expires_soon&currency=NOK" {
		t.Fatalf("my views: %d %s", r.Status, r.Body)
	}
	if r := other.Get("/api/v1/views?list=disputes"); r.Status != 200 || string(r.Body) != "[]" {
		t.Fatalf("another user's views: %d %s", r.Status, r.Body)
	}
	if r := other.Send("DELETE", "/api/v1/views/"+v.Id.String(), "", nil); r.Status != 404 {
		t.Fatalf("another user deleting my view: %d %s", r.Status, r.Body)
	}
	r = save(mine, `{"list":"payments","name":"","query":"`+strings.Repeat("x", 2001)+`"}`)
	for _, f := range []string{"list", "name", "query"} {
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+f+`"`) {
			t.Fatalf("bad view: want %s in %d %s", f, r.Status, r.Body)
		}
	}
	if r := mine.Send("DELETE", "/api/v1/views/"+v.Id.String(), "", nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := mine.Get("/api/v1/views?list=disputes"); string(r.Body) != "[]" {
		t.Fatalf("after delete: %s", r.Body)
	}
}

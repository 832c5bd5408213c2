package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
)

type problemDTO struct {
	Status int
	Code   string
	Detail string
	Errors []struct{ Field, Message string }
}

func problemOf(t *testing.T, r *apitest.Response) problemDTO {
	t.Helper()
	var p problemDTO
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("answered %d %s, want problem+json: %s", r.Status, ct, r.Body)
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// A fresh X-Forwarded-For per attempt used to give every login start a new
// client address, so the per-address limit never hit.
func TestLoginRateLimitCannotBeDodgedWithForwardedFor(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	cfg.LoginRateLimit = 3
	a := apptest.Start(t, cfg, nil)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var codes []int
	var retry string
	for i := range 6 {
		req, _ := http.NewRequest("GET", a.URL()+"/auth/login", nil)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
		req.Header.Set("X-Real-IP", fmt.Sprintf("198.51.100.%d", i+1))
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			retry = resp.Header.Get("Retry-After")
		}
	}
	if codes[0] != http.StatusFound || codes[len(codes)-1] != http.StatusTooManyRequests {
		t.Fatalf("login starts with forged addresses answered %v, want the limit to hit", codes)
	}
	if n, err := strconv.Atoi(retry); err != nil || n < 1 || n > 60 {
		t.Fatalf("Retry-After = %q, want 1..60 seconds", retry)
	}
}

// The audit trail records the TCP peer, not an address the client claims.
func TestAuditRecordsThePeerNotAForgedAddress(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	c := a.Login("acquirer-admin")
	m, _ := me(t, c)
	req, _ := http.NewRequest("POST", c.Base+"/api/v1/tokens", bytes.NewReader(jsonBody(map[string]any{
		"name": "ci", "tenant_id": tenantID(t, m, "acquirer"), "roles": []string{"acquirer-admin"}, "expires_in_days": 1})))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "6.6.6.6")
	req.Header.Set("X-Real-IP", "6.6.6.6")
	if r := c.Do(req); r.Status != 201 {
		t.Fatalf("create token: %d %s", r.Status, r.Body)
	}
	r := c.Get("/api/v1/audit?action=token:create")
	if r.Status != 200 || strings.Contains(string(r.Body), "6.6.6.6") || !strings.Contains(string(r.Body), `"ip":"127.0.0.1"`) {
		t.Fatalf("audit: %d %s", r.Status, r.Body)
	}
}

// NUL bytes and invalid UTF-8 used to reach PostgreSQL and answer 500.
func TestNULAndInvalidUTF8Answer400WithTheField(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	c := a.Login("acquirer-admin")
	m, _ := me(t, c)
	acq := tenantID(t, m, "acquirer")
	tests := []struct {
		name, method, path, body, field string
	}{
		{"ErrAuditActorNUL", "GET", "/api/v1/audit?actor=%00", "", "actor"},
		{"ErrAuditActionUTF8", "GET", "/api/v1/audit?action=%ff", "", "action"},
		{"ErrExportActorNUL", "GET", "/api/v1/audit/export.csv?actor=a%00", "", "actor"},
		{"ErrWebhookTypeNUL", "GET", "/api/v1/webhooks/events?type=a%00b", "", "type"},
		{"ErrCursorNUL", "GET", "/api/v1/webhooks/quarantine?cursor=%00", "", "cursor"},
		{"ErrRolePathNUL", "PUT", "/api/v1/tenants/" + acq + "/users/" + m.User.ID + "/roles/a%00b", "", "role"},
		{"ErrSubscriptionPathUTF8", "POST", "/api/v1/webhooks/subscriptions/%ff/simulate", `{"event_type":"x"}`, "subscription"},
		{"ErrTokenNameNUL", "POST", "/api/v1/tokens", `{"name":"a\u0000","tenant_id":"` + acq + `","roles":["auditor"],"expires_in_days":1}`, "name"},
		{"ErrTokenNameUTF8", "POST", "/api/v1/tokens", "{\"name\":\"a\xff\",\"tenant_id\":\"" + acq + "\",\"roles\":[\"auditor\"],\"expires_in_days\":1}", "name"},
		{"ErrTokenDaysHuge", "POST", "/api/v1/tokens", `{"name":"a","tenant_id":"` + acq + `","roles":["auditor"],"expires_in_days":1e30}`, "expires_in_days"},
		{"ErrTokenDaysString", "POST", "/api/v1/tokens", `{"name":"a","tenant_id":"` + acq + `","roles":["auditor"],"expires_in_days":"7"}`, "expires_in_days"},
		{"ErrTokenDaysOverflowWraps", "POST", "/api/v1/tokens", `{"name":"a","tenant_id":"` + acq + `","roles":["auditor"],"expires_in_days":213505}`, "expires_in_days"},
		{"ErrInvitationEmailNUL", "POST", "/api/v1/tenants/" + acq + "/invitations", `{"email":"a\u0000@example.com","roles":["auditor"]}`, "email"},
		{"ErrInvitationQuotedLocalPart", "POST", "/api/v1/tenants/" + acq + "/invitations", `{"email":"\"victim@acquirer.example\"@evil.example","roles":["auditor"]}`, "email"},
		{"ErrInvitationDisplayName", "POST", "/api/v1/tenants/" + acq + "/invitations", `{"email":"Boss <boss@evil.example>","roles":["auditor"]}`, "email"},
		{"ErrInvitationAngleBrackets", "POST", "/api/v1/tenants/" + acq + "/invitations", `{"email":"<boss@evil.example>","roles":["auditor"]}`, "email"},
		{"ErrReplayTypeNUL", "POST", "/api/v1/webhooks/replay", `{"type":"a\u0000"}`, "type"},
		{"ErrReplayNull", "POST", "/api/v1/webhooks/replay", `null`, "body"},
		{"ErrReplayArray", "POST", "/api/v1/webhooks/replay", `[]`, "body"},
		{"ErrReplayTrailing", "POST", "/api/v1/webhooks/replay", `{} {"type":"x"}`, "body"},
		{"ErrDisabledType", "PUT", "/api/v1/tenants/" + acq + "/users/" + m.User.ID + "/disabled", `{"disabled":"yes"}`, "disabled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r *apitest.Response
			if tc.method == "GET" {
				r = c.Get(tc.path)
			} else {
				r = c.Send(tc.method, tc.path, "application/json", []byte(tc.body))
			}
			if r.Status != 400 {
				t.Fatalf("%s %s = %d %s", tc.method, tc.path, r.Status, r.Body)
			}
			p := problemOf(t, r)
			found := false
			for _, f := range p.Errors {
				found = found || f.Field == tc.field
				for _, leak := range []string{"Go struct", "of type", "int", "json:", "openapi_types"} {
					if strings.Contains(f.Message, leak) {
						t.Errorf("field message %q exposes %q", f.Message, leak)
					}
				}
			}
			if !found {
				t.Fatalf("no field error on %q: %s", tc.field, r.Body)
			}
			if strings.Contains(p.Detail, "Go struct") {
				t.Fatalf("detail exposes Go: %q", p.Detail)
			}
		})
	}
	// A null body used to mean "no filter" and replayed every event.
	r := c.Send("POST", "/api/v1/webhooks/replay", "application/json", []byte("null"))
	if p := problemOf(t, r); !strings.Contains(p.Detail, "object with the filters") {
		t.Fatalf("null replay: %s", r.Body)
	}
}

// A validly signed delivery PostgreSQL cannot hold as jsonb (a \u0000
// escape, a raw invalid UTF-8 byte) used to answer 500 and be lost. It is
// kept with its raw bytes and shown in the inbox.
func TestSignedWebhookWithUnstorableTextIsKeptAndShown(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, nil)
	now := time.Now().UTC().Format(time.RFC3339)
	bodies := map[string][]byte{
		"nul-in-payload":  []byte(`{"metadata":{"event_id":"ev-nul-payload","event_type":"payment.dispute.state-change.initiated","occurred_at":"` + now + `","subject_account_id":"` + acctA + `"},"payload":{"payment_dispute_id":"d\u0000x","state":"INITIATED"}}`),
		"nul-in-event-id": []byte(`{"metadata":{"event_id":"ev-nul\u0000id","event_type":"x.unhandled\u0000","occurred_at":"` + now + `"},"payload":{}}`),
		"raw-xff-byte":    []byte("{\"metadata\":{\"event_id\":\"ev-xff\",\"event_type\":\"x.unhandled\",\"occurred_at\":\"" + now + "\"},\"payload\":{\"note\":\"caf\xff\"}}"),
		"huge-number":     []byte(`{"metadata":{"event_id":"ev-huge","event_type":"x.unhandled","occurred_at":"` + now + `"},"payload":{"n":1e999999}}`),
	}
	for name, body := range bodies {
		if st, out := deliver(t, a, testKeyID, testSecret, body); st != 200 {
			t.Fatalf("%s: signed delivery answered %d %s", name, st, out)
		}
	}
	c := a.Login("acquirer-admin")
	r := c.Get("/api/v1/webhooks/events?limit=50")
	var list struct {
		Items []struct {
			ID      int64  `json:"id"`
			EventID string `json:"event_id"`
		}
	}
	if err := json.Unmarshal(r.Body, &list); err != nil || r.Status != 200 {
		t.Fatalf("inbox: %d %s", r.Status, r.Body)
	}
	want := map[string]string{"ev-nul-payload": "nul-in-payload", "ev-nul\uFFFDid": "nul-in-event-id", "ev-xff": "raw-xff-byte", "ev-huge": "huge-number"}
	for _, it := range list.Items {
		name, ok := want[it.EventID]
		if !ok {
			continue
		}
		delete(want, it.EventID)
		d := c.Get(fmt.Sprintf("/api/v1/webhooks/events/%d", it.ID))
		var detail struct {
			RawSize int `json:"raw_size"`
		}
		_ = json.Unmarshal(d.Body, &detail)
		if d.Status != 200 || detail.RawSize != len(bodies[name]) {
			t.Errorf("%s: detail %d raw_size %d, want %d", name, d.Status, detail.RawSize, len(bodies[name]))
		}
		var raw []byte
		if err := a.DB.Pool.QueryRow(context.Background(), `SELECT raw FROM webhook_events WHERE id = $1`, it.ID).Scan(&raw); err != nil || !bytes.Equal(raw, bodies[name]) {
			t.Errorf("%s: stored raw bytes differ from the delivery (%v)", name, err)
		}
	}
	if len(want) > 0 {
		t.Fatalf("not in the inbox: %v (%s)", want, r.Body)
	}
}

// Rejected deliveries come unauthenticated: they are kept only up to a rate
// per source address, only their first 4 KiB, and only the newest N.
func TestQuarantineFloodIsBounded(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, func(c *config.Config) { c.WebhookQuarantineRate = 3 })
	big := bytes.Repeat([]byte("A"), 60<<10)
	for i := range 10 {
		if st, _ := deliver(t, a, testKeyID, "wrong-secret", append([]byte(fmt.Sprintf("%d", i)), big...)); st != 400 {
			t.Fatalf("rejected delivery %d answered %d", i, st)
		}
	}
	var rows, maxBody, size int
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT count(*), coalesce(max(length(body)), 0), coalesce(max(body_size), 0) FROM webhook_quarantine WHERE body_sha256 IS NOT NULL`).Scan(&rows, &maxBody, &size); err != nil {
		t.Fatal(err)
	}
	if rows != 3 || maxBody != 4096 || size != len(big)+1 {
		t.Fatalf("quarantine kept %d rows of at most %d bytes (size %d), want 3 rows of 4096 bytes (size %d)", rows, maxBody, size, len(big)+1)
	}
	if m := a.Client().Get("/metrics"); !bytes.Contains(m.Body, []byte("partnerdesk_webhooks_quarantine_dropped_total 7")) {
		t.Fatal("the dropped deliveries are not counted in partnerdesk_webhooks_quarantine_dropped_total")
	}
}

func TestQuarantineKeepsExactlyTheNewest(t *testing.T) {
	t.Parallel()
	a := webhookApp(t, func(c *config.Config) { c.WebhookQuarantineSize, c.WebhookQuarantineRate = 5, 1000 })
	for i := range 12 {
		if st, _ := deliver(t, a, testKeyID, "wrong-secret", []byte(fmt.Sprintf(`{"n":%d}`, i))); st != 400 {
			t.Fatalf("delivery %d answered %d", i, st)
		}
	}
	var kept string
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT string_agg(convert_from(body, 'UTF8'), ' ' ORDER BY id) FROM webhook_quarantine`).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if want := `{"n":7} {"n":8} {"n":9} {"n":10} {"n":11}`; kept != want {
		t.Fatalf("quarantine holds %s, want the newest 5: %s", kept, want)
	}
}

func TestMetricsOnTheirOwnAddress(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.MetricsAddr = ln.Addr().String()
	ln.Close()
	a := apptest.Start(t, cfg, nil)
	if r := a.Client().Get("/metrics"); r.Status != 404 {
		t.Fatalf("/metrics still on the main listener: %d", r.Status)
	}
	resp, err := http.Get(a.MetricsURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(b.String(), "partnerdesk_http_request_duration_seconds") {
		t.Fatalf("metrics listener: %d", resp.StatusCode)
	}
}

// The callback used to forward any ?error= text (and error messages) to the
// login page, which showed it: a phishing text under our logo.
func TestLoginCallbackRedirectsWithFixedErrorCodes(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct{ name, query, want string }{
		{"OK_AccessDenied", "error=access_denied", "/login?error=access_denied"},
		{"ErrArbitraryText", "error=" + url.QueryEscape("Your account is locked. Call +1 555 0100"), "/login?error=login_failed"},
		{"ErrOtherIdPCode", "error=invalid_scope&error_description=x", "/login?error=login_failed"},
		{"ErrUnknownState", "state=forged&code=abc", "/login?error=state_mismatch"},
		{"ErrNoState", "code=abc", "/login?error=state_mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := noFollow.Get(a.URL() + "/auth/callback?" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != tc.want {
				t.Fatalf("callback ?%s → %d %s, want %s", tc.query, resp.StatusCode, resp.Header.Get("Location"), tc.want)
			}
		})
	}
}

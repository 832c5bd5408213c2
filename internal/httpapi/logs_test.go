package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/testsupport"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// Logs never contain session ids, CSRF tokens, API tokens, authorization
// codes or webhook signing secrets, whatever the request did.
func TestLogsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	logs := &testsupport.LogBuffer{}
	cfg := apptest.Config(t)
	cfg.WebhookSigningKeys = []string{testKeyID + "=" + testSecret}
	a := apptest.Start(t, cfg, logs)
	c := a.Login("merchant-admin")
	m, _ := me(t, c)
	r := c.Send("POST", "/api/v1/tokens", "application/json", jsonBody(map[string]any{"tenant_id": tenantID(t, m, "aurora"), "name": "ci", "roles": []string{"merchant-admin"}, "expires_in_days": 3}))
	var created struct{ Secret string }
	_ = json.Unmarshal(r.Body, &created)
	bot := a.Client()
	bot.Bearer = created.Secret
	bot.Get("/api/v1/me")
	bad := a.Client()
	bad.Bearer = created.Secret + "x"
	bad.Get("/api/v1/me")
	body := event(klarna.EventSettlementReportCreated, uuid.NewString(), "", time.Now(), map[string]any{})
	deliver(t, a, testKeyID, testSecret, body)
	waitStatus(t, a, eventIDOf(body), webhook.StatusProcessed)
	deliver(t, a, testKeyID, "wrong-secret", body)

	var session string
	for _, ck := range c.HTTP.Jar.Cookies(mustURL(a.URL())) {
		if ck.Name == "pd_session" {
			session = ck.Value
		}
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"http request"`) {
		t.Fatal("no request was logged; the test would prove nothing")
	}
	for name, secret := range map[string]string{"session id": session, "CSRF token": c.CSRF, "API token": created.Secret, "signing secret": testSecret} {
		if secret == "" {
			t.Fatalf("%s not captured", name)
		}
		if strings.Contains(out, secret) {
			t.Errorf("the logs contain the %s", name)
		}
	}
	if strings.Contains(out, "code=") || strings.Contains(out, "state=") {
		t.Error("the logs contain an authorization code or state parameter")
	}
}

func mustURL(s string) *url.URL {
	u, _ := http.NewRequest("GET", s, nil)
	return u.URL
}

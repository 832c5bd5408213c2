package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || !c.AutoMigrate || c.ShutdownTimeout != 20*time.Second || c.MaxBodyBytes != 1<<20 {
		t.Fatalf("defaults: %+v", c)
	}
	if c.BaseURL() != "http://127.0.0.1:8080" {
		t.Fatalf("BaseURL = %s", c.BaseURL())
	}
}

func TestLoadRejectsBadValuesNamingTheVariable(t *testing.T) {
	tests := []struct {
		name, key, value, wantMsg string
	}{
		{"ErrAddr", "PARTNERDESK_HTTP_ADDR", "8080", "host:port"},
		{"ErrPort", "PARTNERDESK_HTTP_ADDR", "127.0.0.1:99999", "port"},
		{"ErrDuration", "PARTNERDESK_SHUTDOWN_TIMEOUT", "20", "duration"},
		{"ErrBool", "PARTNERDESK_AUTO_MIGRATE", "sometimes", "true or false"},
		{"ErrInt", "PARTNERDESK_MAX_BODY_BYTES", "1MB", "whole number"},
		{"ErrLogLevel", "PARTNERDESK_LOG_LEVEL", "loud", "debug, info"},
		{"ErrDatabaseURL", "PARTNERDESK_DATABASE_URL", "mysql://x", "postgres://"},
		{"ErrPublicURL", "PARTNERDESK_PUBLIC_URL", "desk.example.com", "absolute http(s) URL"},
		{"ErrTrustedProxyName", "PARTNERDESK_TRUSTED_PROXIES", "10.0.0.1,proxy.internal", `"proxy.internal"`},
		{"ErrTrustedProxyCIDR", "PARTNERDESK_TRUSTED_PROXIES", "10.0.0.0/33", "CIDR"},
		{"ErrMetricsAddr", "PARTNERDESK_METRICS_ADDR", "9090", "host:port"},
		{"ErrMetricsAddrIsHTTPAddr", "PARTNERDESK_METRICS_ADDR", "127.0.0.1:8080", "another address"},
		{"ErrMetricsTokenShort", "PARTNERDESK_METRICS_TOKEN", "secret", "at least 16"},
		{"ErrQuarantineRate", "PARTNERDESK_WEBHOOK_QUARANTINE_RATE", "0", "at least 1"},
		{"ErrBatchSize", "PARTNERDESK_WEBHOOK_BATCH_SIZE", "1001", "from 1 to 1000"},
		{"ErrBatchWait", "PARTNERDESK_WEBHOOK_BATCH_WAIT", "1s", "above 0 and at most 50ms"},
		{"ErrBatchFlushers", "PARTNERDESK_WEBHOOK_BATCH_FLUSHERS", "0", "from 1 to 32"},
		{"ErrKlarnaRateLimit", "PARTNERDESK_KLARNA_RATE_LIMITS", "onboarding=5", "needs a unit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(map[string]string{tc.key: tc.value}))
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Var != tc.key || !strings.Contains(fe.Message, tc.wantMsg) {
				t.Fatalf("got %v, want an error on %s mentioning %q", err, tc.key, tc.wantMsg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestTrustedProxiesDefaultNoneAndParsed(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 0 || c.MetricsAddr != "" || c.MetricsToken != "" || c.WebhookQuarantineRate != 60 {
		t.Fatalf("defaults: proxies %v, metrics %q/%q, quarantine rate %d", c.TrustedProxies, c.MetricsAddr, c.MetricsToken, c.WebhookQuarantineRate)
	}
	c, err = Load(env(map[string]string{"PARTNERDESK_TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.7 ,::1"}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.TrustedProxies, "|") != "10.0.0.0/8|192.168.1.7|::1" {
		t.Fatalf("TrustedProxies = %q", c.TrustedProxies)
	}
}

func TestMetricsTokenMasked(t *testing.T) {
	c, err := Load(env(map[string]string{"PARTNERDESK_METRICS_TOKEN": "scrape-token-0123456789"}))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.Print(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "scrape-token") || !strings.Contains(out.String(), "PARTNERDESK_METRICS_TOKEN=****") {
		t.Fatalf("metrics token not masked:\n%s", out.String())
	}
}

func TestSecretsFromFileAndMasked(t *testing.T) {
	f := filepath.Join(t.TempDir(), "dburl")
	if err := os.WriteFile(f, []byte("postgres://pd:s3cret@db:5432/pd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"PARTNERDESK_DATABASE_URL_FILE": f}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://pd:s3cret@db:5432/pd" {
		t.Fatalf("DatabaseURL = %q", c.DatabaseURL)
	}
	var out bytes.Buffer
	if err := c.Print(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatal("printed configuration shows the password")
	}
	if !strings.Contains(out.String(), "PARTNERDESK_DATABASE_URL=postgres://pd:****@db:5432/pd") {
		t.Fatalf("masked URL missing:\n%s", out.String())
	}
	if _, err := Load(env(map[string]string{"PARTNERDESK_DATABASE_URL_FILE": "/nonexistent"})); err == nil || !strings.Contains(err.Error(), "PARTNERDESK_DATABASE_URL_FILE") {
		t.Fatalf("unreadable secret file: %v", err)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"plain-secret":          "****",
		"postgres://u@h/db":     "postgres://u@h/db",
		"postgres://u:p@h:1/db": "postgres://u:****@h:1/db",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWebhookSigningKeysSplitAtFirstEquals(t *testing.T) {
	c, err := Load(env(map[string]string{"PARTNERDESK_KLARNA_WEBHOOK_SIGNING_KEYS": "krn:partner:global:notification:signing-key:a1=abc=def, krn:k:2=xyz"}))
	if err != nil {
		t.Fatal(err)
	}
	got := c.SigningKeys()
	if got["krn:partner:global:notification:signing-key:a1"] != "abc=def" || got["krn:k:2"] != "xyz" || len(got) != 2 {
		t.Fatalf("SigningKeys = %v", got)
	}
	var out bytes.Buffer
	_ = c.Print(&out)
	if strings.Contains(out.String(), "abc=def") {
		t.Fatal("printed configuration shows a signing secret")
	}
	if _, err := Load(env(map[string]string{"PARTNERDESK_KLARNA_WEBHOOK_SIGNING_KEYS": "krn:only-an-id"})); err == nil || !strings.Contains(err.Error(), "KLARNA_WEBHOOK_SIGNING_KEYS") {
		t.Fatalf("malformed pair: %v", err)
	}
	if _, err := Load(env(map[string]string{"PARTNERDESK_ENCRYPTION_KEY": "short"})); err == nil || !strings.Contains(err.Error(), "ENCRYPTION_KEY") {
		t.Fatalf("bad encryption key: %v", err)
	}
}

// Package config reads Partner Desk's configuration from PARTNERDESK_*
// environment variables into one typed struct, validates it, and prints it
// with secrets masked. Every field is described by struct tags:
//
//	env:"NAME"      the variable is PARTNERDESK_NAME
//	default:"..."   used when the variable is unset or empty
//	secret:"true"   masked when printed; may also be read from PARTNERDESK_NAME_FILE
//	help:"..."      what the variable means, shown by `partnerdesk config`
package config

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/secretbox"
)

// Prefix starts every variable name.
const Prefix = "PARTNERDESK_"

// Config is the whole configuration.
type Config struct {
	HTTPAddr        string        `env:"HTTP_ADDR" default:"127.0.0.1:8080" help:"host:port the HTTP server listens on"`
	PublicURL       string        `env:"PUBLIC_URL" help:"external base URL (https://desk.example.com); default http://HTTP_ADDR"`
	DatabaseURL     string        `env:"DATABASE_URL" secret:"true" help:"PostgreSQL URL; empty in dev = private cluster under DATA_DIR"`
	DataDir         string        `env:"DATA_DIR" default:".data" help:"dev only: where the private PostgreSQL cluster and generated keys live"`
	AutoMigrate     bool          `env:"AUTO_MIGRATE" default:"true" help:"apply database migrations at start"`
	LogLevel        string        `env:"LOG_LEVEL" default:"info" help:"debug, info, warn or error"`
	MaxBodyBytes    int64         `env:"MAX_BODY_BYTES" default:"1048576" help:"largest accepted request body, in bytes"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" default:"20s" help:"how long a shutdown waits for requests and jobs in flight"`
	TLSCertFile     string        `env:"TLS_CERT_FILE" help:"serve HTTPS with this certificate (enables HSTS)"`
	TLSKeyFile      string        `env:"TLS_KEY_FILE" help:"private key for TLS_CERT_FILE"`
	DBMaxConns      int           `env:"DB_MAX_CONNS" default:"30" help:"PostgreSQL pool size"`
	JobWorkers      int           `env:"JOB_WORKERS" default:"20" help:"background job workers per instance"`
	HeartbeatEvery  time.Duration `env:"HEARTBEAT_INTERVAL" default:"1m" help:"interval of the heartbeat job that proves the job queue runs"`
	SMTPHost        string        `env:"SMTP_HOST" help:"mail server for notification e-mail; empty = no e-mail (dev keeps it in the Mail outbox)"`
	SMTPPort        int           `env:"SMTP_PORT" default:"587" help:"mail server port"`
	SMTPUsername    string        `env:"SMTP_USERNAME" help:"mail server user (PLAIN auth); empty = no auth"`
	SMTPPassword    string        `env:"SMTP_PASSWORD" secret:"true" help:"mail server password"`
	SMTPFrom        string        `env:"SMTP_FROM" default:"partnerdesk@localhost" help:"sender address of notification e-mail"`
	ReminderEvery   time.Duration `env:"REMINDER_INTERVAL" default:"5m" help:"how often the dispute deadline reminders are checked"`
	Demo            bool          `env:"DEMO" default:"false" help:"allow the Klarna simulator and the development IdP in serve (never in production)"`
	TrustedProxies  []string      `env:"TRUSTED_PROXIES" help:"reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For/X-Real-IP give the client address; default none: the TCP peer is the client"`
	MetricsAddr     string        `env:"METRICS_ADDR" help:"host:port serving /metrics on its own listener (then not on HTTP_ADDR); default: /metrics on HTTP_ADDR"`
	MetricsToken    string        `env:"METRICS_TOKEN" secret:"true" help:"when set, /metrics answers only requests with Authorization: Bearer <token>"`

	AcquirerName    string   `env:"ACQUIRER_NAME" default:"Acquirer" help:"display name of the acquirer tenant, created at first start"`
	BootstrapAdmins []string `env:"BOOTSTRAP_ADMINS" help:"emails invited as acquirer admin while the acquirer has no admin (comma-separated)"`

	OIDCIssuer       string        `env:"OIDC_ISSUER" help:"OpenID Provider issuer URL; when unset, dev starts the development IdP"`
	OIDCClientID     string        `env:"OIDC_CLIENT_ID" default:"partnerdesk" help:"OAuth client id registered at the IdP"`
	OIDCClientSecret string        `env:"OIDC_CLIENT_SECRET" secret:"true" help:"OAuth client secret"`
	OIDCRedirectURL  string        `env:"OIDC_REDIRECT_URL" help:"callback URL registered at the IdP; default PUBLIC_URL/auth/callback"`
	OIDCScopes       []string      `env:"OIDC_SCOPES" default:"openid,profile,email,groups" help:"scopes requested at login"`
	OIDCGroupsClaim  string        `env:"OIDC_GROUPS_CLAIM" default:"groups" help:"claim holding the user's groups (ID token or UserInfo); a dotted name reaches nested claims, e.g. realm_access.roles"`
	OIDCGroupRoles   []string      `env:"OIDC_GROUP_ROLES" help:"IdP group → role mapping: group=tenant-slug:role,… (e.g. pd-admins=acquirer:acquirer-admin)"`
	SessionIdle      time.Duration `env:"SESSION_IDLE_TIMEOUT" default:"2h" help:"a session unused this long ends"`
	SessionAbsolute  time.Duration `env:"SESSION_ABSOLUTE_TIMEOUT" default:"12h" help:"a session ends this long after login, used or not"`
	StepUpMaxAge     time.Duration `env:"STEP_UP_MAX_AGE" default:"10m" help:"sensitive actions need a login younger than this"`
	LoginRateLimit   int           `env:"LOGIN_RATE_LIMIT" default:"30" help:"login attempts per client address per minute"`
	DevIdPAddr       string        `env:"DEV_IDP_ADDR" default:"127.0.0.1:8091" help:"dev only: host:port of the development identity provider"`

	KlarnaGatewayURL      string        `env:"KLARNA_GATEWAY_URL" default:"https://api-global.test.klarna.com" help:"Klarna Network gateway (Management, Notifications); live: https://api-global.klarna.com"`
	KlarnaDisputesURL     string        `env:"KLARNA_DISPUTES_URL" default:"https://api.playground.klarna.com" help:"host of the Payment Dispute API; live: https://api.klarna.com"`
	KlarnaSettlementsURL  string        `env:"KLARNA_SETTLEMENTS_URL" default:"https://api.playground.klarna.com/settlements/v1" help:"Settlements API; live: https://api.klarna.com/settlements/v1"`
	KlarnaAPIKey          string        `env:"KLARNA_API_KEY" secret:"true" help:"the acquirer's Klarna API key (klarna_test_… or klarna_live_…)"`
	KlarnaCertFile        string        `env:"KLARNA_CLIENT_CERT_FILE" help:"optional mTLS client certificate (PEM)"`
	KlarnaKeyFile         string        `env:"KLARNA_CLIENT_KEY_FILE" help:"private key for KLARNA_CLIENT_CERT_FILE (PEM)"`
	KlarnaAccountID       string        `env:"KLARNA_ACCOUNT_ID" help:"the acquirer's own Klarna account id (krn:partner:global:account:…): the iss of Klarna Portal deep links"`
	KlarnaDeepLinkCert    string        `env:"KLARNA_DEEPLINK_CERT_FILE" help:"the Klarna-issued client certificate (PEM) registered for signing Portal deep-link JWTs; default: the mTLS certificate when its key is P-256"`
	KlarnaDeepLinkKey     string        `env:"KLARNA_DEEPLINK_KEY" secret:"true" help:"the P-256 private key (PEM) of KLARNA_DEEPLINK_CERT_FILE; usually given as KLARNA_DEEPLINK_KEY_FILE"`
	KlarnaTimeout         time.Duration `env:"KLARNA_TIMEOUT" default:"30s" help:"timeout of one Klarna call attempt"`
	KlarnaRateLimits      string        `env:"KLARNA_RATE_LIMITS" default:"onboarding=5/s" help:"client-side pace per Klarna rate-limit category: category=N/s|N/m|N/h[:burst],… (onboarding, management, dispute, settlement); 429 and X-Ratelimit headers pause a category whatever this says"`
	KlarnaBankAccountSalt string        `env:"KLARNA_BANK_ACCOUNT_SALT" secret:"true" help:"salt pre-shared with Klarna for Argon2id-hashing bank account numbers in onboarding (README §5.2); without it numbers can only be sent in clear"`
	OnboardingWorkers     int           `env:"ONBOARDING_WORKERS" default:"4" help:"concurrent onboard calls to Klarna per instance (Account Onboarding rate limit)"`
	OnboardingMaxAttempts int           `env:"ONBOARDING_MAX_ATTEMPTS" default:"8" help:"onboard calls a submission makes on 429/5xx/timeouts before it is marked failed"`
	KlarnaSimAddr         string        `env:"KLARNA_SIM_ADDR" default:"127.0.0.1:8090" help:"dev only: host:port of the in-process Klarna simulator"`
	KlarnaSimSpeed        float64       `env:"KLARNA_SIM_SPEED" default:"1" help:"dev only: simulated seconds per real second"`

	EncryptionKey         string        `env:"ENCRYPTION_KEY" secret:"true" help:"32 random bytes, base64 (openssl rand -base64 32): encrypts stored secrets; dev keeps one in DATA_DIR"`
	WebhookSigningKeys    []string      `env:"KLARNA_WEBHOOK_SIGNING_KEYS" secret:"true" help:"signing keys made elsewhere (Klarna Portal): signing_key_id=secret,…"`
	WebhookEventTypes     []string      `env:"KLARNA_WEBHOOK_EVENT_TYPES" default:"partner.account.*,payment.dispute.*,payment.request.*,settlement.report.*" help:"event types Partner Desk subscribes to"`
	WebhookMaxAttempts    int           `env:"WEBHOOK_MAX_ATTEMPTS" default:"8" help:"processing attempts of an event before it is dead-lettered"`
	WebhookKeyGrace       time.Duration `env:"WEBHOOK_KEY_GRACE" default:"24h" help:"after a signing key rotation, how long the previous key is still accepted"`
	WebhookQuarantineSize int           `env:"WEBHOOK_QUARANTINE_SIZE" default:"10000" help:"rejected deliveries kept for investigation (oldest dropped first)"`
	WebhookBatchSize      int           `env:"WEBHOOK_BATCH_SIZE" default:"256" help:"received webhook events stored per transaction at most (group commit; 1: one transaction per event)"`
	WebhookBatchWait      time.Duration `env:"WEBHOOK_BATCH_WAIT" default:"2ms" help:"how long a received event waits for others to share its transaction"`
	WebhookBatchFlushers  int           `env:"WEBHOOK_BATCH_FLUSHERS" default:"4" help:"webhook ingest transactions in flight at once"`
	WebhookQuarantineRate int           `env:"WEBHOOK_QUARANTINE_RATE" default:"60" help:"rejected deliveries kept per source address (IPv6: per /64) per minute; beyond it they are refused but not stored"`
	JobRescueAfter        time.Duration `env:"JOB_RESCUE_AFTER" default:"2m" help:"a job running longer than this is considered abandoned (its worker died) and runs again"`

	PartnerStuckAfter   time.Duration `env:"PARTNER_STUCK_AFTER" default:"10m" help:"a partner PARTIALLY_OPERATIONAL (or a draft submitted) longer than this shows as stuck on the status board"`
	PartnerResyncAfter  time.Duration `env:"PARTNER_RESYNC_AFTER" default:"1m" help:"an account PARTIALLY_OPERATIONAL longer than this is re-read from Klarna (its webhook is overdue)"`
	PartnerSyncInterval time.Duration `env:"PARTNER_SYNC_INTERVAL" default:"6h" help:"every account is re-read from Klarna at least this often"`
	DisputeSyncInterval time.Duration `env:"DISPUTE_SYNC_INTERVAL" default:"5m" help:"how often Klarna's dispute list is read for disputes updated since the last read (so nothing depends on webhooks alone)"`
	// SettlementSyncInterval is how often every partner's payouts are read
	// by date window (so a lost settlement webhook loses nothing).
	SettlementSyncInterval time.Duration `env:"SETTLEMENT_SYNC_INTERVAL" default:"15m" help:"how often every partner's payouts are read from Klarna by date window, besides the read after each settlement.report.created webhook"`
	// KlarnaLogRetention is how long the Klarna call log keeps a call.
	KlarnaLogRetention time.Duration `env:"KLARNA_LOG_RETENTION" default:"720h" help:"how long the Klarna call log keeps each call (default 30 days); older calls are deleted by a periodic job"`

	// sources says, for each secret that is set, where it was read from:
	// "env" (the variable) or "file" (its _FILE).
	sources map[string]string
}

// SecretSource says where the secret variable name (without the prefix,
// e.g. KLARNA_API_KEY) was read from: "env", "file", or "" when unset.
func (c *Config) SecretSource(name string) string { return c.sources[name] }

// SigningKeys parses KLARNA_WEBHOOK_SIGNING_KEYS into key id → secret. Each
// pair splits at its first "=", since key ids are KRNs full of colons.
func (c *Config) SigningKeys() map[string]string {
	out := map[string]string{}
	for _, e := range c.WebhookSigningKeys {
		id, secret, _ := strings.Cut(e, "=")
		out[strings.TrimSpace(id)] = strings.TrimSpace(secret)
	}
	return out
}

// GroupRole is one parsed OIDC_GROUP_ROLES entry.
type GroupRole struct{ Group, TenantSlug, Role string }

// GroupRoles parses OIDC_GROUP_ROLES (validated at load).
func (c *Config) GroupRoles() []GroupRole {
	out := make([]GroupRole, 0, len(c.OIDCGroupRoles))
	for _, e := range c.OIDCGroupRoles {
		g, rest, _ := strings.Cut(e, "=")
		slug, role, _ := strings.Cut(rest, ":")
		out = append(out, GroupRole{Group: strings.TrimSpace(g), TenantSlug: strings.TrimSpace(slug), Role: strings.TrimSpace(role)})
	}
	return out
}

// FieldError is a problem with one variable.
type FieldError struct {
	Var     string // full variable name, e.g. PARTNERDESK_HTTP_ADDR
	Message string // what is expected
}

func (e *FieldError) Error() string { return e.Var + ": " + e.Message }

// Load reads the configuration from getenv (os.Getenv in production) and
// validates it. The first problem found is returned as a *FieldError.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{}
	if err := decode(c, getenv); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func decode(c *Config, getenv func(string) string) error {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("env")
		if name == "" {
			continue
		}
		full := Prefix + name
		raw := getenv(full)
		if raw != "" && f.Tag.Get("secret") == "true" {
			c.setSource(name, "env")
		}
		if raw == "" && f.Tag.Get("secret") == "true" {
			if path := getenv(full + "_FILE"); path != "" {
				c.setSource(name, "file")
				b, err := os.ReadFile(path)
				if err != nil {
					return &FieldError{full + "_FILE", fmt.Sprintf("a readable file (%v)", errors.Unwrap(err))}
				}
				raw = strings.TrimRight(string(b), "\r\n")
			}
		}
		if raw == "" {
			raw = f.Tag.Get("default")
		}
		if err := setField(v.Field(i), raw); err != nil {
			return &FieldError{full, err.Error()}
		}
	}
	return nil
}

func (c *Config) setSource(name, from string) {
	if c.sources == nil {
		c.sources = map[string]string{}
	}
	c.sources[name] = from
}

var durationType = reflect.TypeOf(time.Duration(0))

func setField(fv reflect.Value, raw string) error {
	raw = strings.TrimSpace(raw)
	switch {
	case fv.Type() == durationType:
		if raw == "" {
			return nil
		}
		d, err := time.ParseDuration(raw)
		if err != nil || d < 0 {
			return fmt.Errorf("a duration such as 30s or 5m, got %q", raw)
		}
		fv.SetInt(int64(d))
	case fv.Kind() == reflect.String:
		fv.SetString(raw)
	case fv.Kind() == reflect.Float64:
		if raw == "" {
			return nil
		}
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || f <= 0 {
			return fmt.Errorf("a positive number, got %q", raw)
		}
		fv.SetFloat(f)
	case fv.Kind() == reflect.Bool:
		if raw == "" {
			return nil
		}
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("true or false, got %q", raw)
		}
		fv.SetBool(b)
	case fv.Kind() == reflect.Int || fv.Kind() == reflect.Int64:
		if raw == "" {
			return nil
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("a whole number, got %q", raw)
		}
		fv.SetInt(n)
	case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String:
		var out []string
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		fv.Set(reflect.ValueOf(out))
	default:
		return fmt.Errorf("unsupported field type %s", fv.Type())
	}
	return nil
}

func (c *Config) validate() error {
	if err := validHostPort(c.HTTPAddr); err != nil {
		return &FieldError{Prefix + "HTTP_ADDR", err.Error()}
	}
	if c.PublicURL != "" {
		if err := validBaseURL(c.PublicURL); err != nil {
			return &FieldError{Prefix + "PUBLIC_URL", err.Error()}
		}
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return &FieldError{Prefix + "DATABASE_URL", "a URL such as postgres://user:password@host:5432/partnerdesk"}
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return &FieldError{Prefix + "LOG_LEVEL", fmt.Sprintf("one of debug, info, warn, error, got %q", c.LogLevel)}
	}
	if c.MaxBodyBytes < 1024 {
		return &FieldError{Prefix + "MAX_BODY_BYTES", "at least 1024"}
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		return &FieldError{Prefix + "TLS_KEY_FILE", "TLS_CERT_FILE and TLS_KEY_FILE are set together"}
	}
	if c.DBMaxConns < 2 {
		return &FieldError{Prefix + "DB_MAX_CONNS", "at least 2"}
	}
	if c.JobWorkers < 1 {
		return &FieldError{Prefix + "JOB_WORKERS", "at least 1"}
	}
	for _, e := range c.OIDCGroupRoles {
		g, rest, ok1 := strings.Cut(e, "=")
		slug, role, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 || strings.TrimSpace(g) == "" || strings.TrimSpace(slug) == "" || strings.TrimSpace(role) == "" {
			return &FieldError{Prefix + "OIDC_GROUP_ROLES", fmt.Sprintf("entries of the form group=tenant-slug:role, got %q", e)}
		}
	}
	if c.OIDCIssuer != "" {
		if err := validBaseURL(c.OIDCIssuer); err != nil {
			return &FieldError{Prefix + "OIDC_ISSUER", err.Error()}
		}
	}
	if c.OIDCRedirectURL != "" {
		if err := validBaseURL(c.OIDCRedirectURL); err != nil {
			return &FieldError{Prefix + "OIDC_REDIRECT_URL", err.Error()}
		}
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return &FieldError{Prefix + "TRUSTED_PROXIES", fmt.Sprintf("IP addresses or CIDR ranges (10.0.0.0/8) separated by commas, got %q", p)}
			}
		}
	}
	if c.MetricsAddr != "" {
		if err := validHostPort(c.MetricsAddr); err != nil {
			return &FieldError{Prefix + "METRICS_ADDR", err.Error()}
		}
		if c.MetricsAddr == c.HTTPAddr {
			return &FieldError{Prefix + "METRICS_ADDR", "another address than HTTP_ADDR (leave it empty to serve /metrics there)"}
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return &FieldError{Prefix + "METRICS_TOKEN", "at least 16 characters"}
	}
	if err := validHostPort(c.DevIdPAddr); err != nil {
		return &FieldError{Prefix + "DEV_IDP_ADDR", err.Error()}
	}
	if c.SessionIdle < time.Minute || c.SessionAbsolute < c.SessionIdle {
		return &FieldError{Prefix + "SESSION_ABSOLUTE_TIMEOUT", "at least SESSION_IDLE_TIMEOUT, which is at least 1m"}
	}
	for name, u := range map[string]string{"KLARNA_GATEWAY_URL": c.KlarnaGatewayURL, "KLARNA_DISPUTES_URL": c.KlarnaDisputesURL, "KLARNA_SETTLEMENTS_URL": c.KlarnaSettlementsURL} {
		if err := validBaseURL(u); err != nil {
			return &FieldError{Prefix + name, err.Error()}
		}
	}
	if (c.KlarnaCertFile == "") != (c.KlarnaKeyFile == "") {
		return &FieldError{Prefix + "KLARNA_CLIENT_KEY_FILE", "KLARNA_CLIENT_CERT_FILE and KLARNA_CLIENT_KEY_FILE are set together"}
	}
	if (c.KlarnaDeepLinkCert == "") != (c.KlarnaDeepLinkKey == "") {
		return &FieldError{Prefix + "KLARNA_DEEPLINK_KEY_FILE", "KLARNA_DEEPLINK_CERT_FILE and KLARNA_DEEPLINK_KEY (or KLARNA_DEEPLINK_KEY_FILE) are set together"}
	}
	if c.KlarnaAccountID != "" && !strings.HasPrefix(c.KlarnaAccountID, "krn:partner:") {
		return &FieldError{Prefix + "KLARNA_ACCOUNT_ID", fmt.Sprintf("a Klarna account id such as krn:partner:global:account:live:AB12CD34, got %q", c.KlarnaAccountID)}
	}
	if _, err := klarna.ParseRateLimits(c.KlarnaRateLimits); err != nil {
		return &FieldError{Prefix + "KLARNA_RATE_LIMITS", err.Error()}
	}
	if err := validHostPort(c.KlarnaSimAddr); err != nil {
		return &FieldError{Prefix + "KLARNA_SIM_ADDR", err.Error()}
	}
	for i, e := range c.WebhookSigningKeys {
		id, secret, ok := strings.Cut(e, "=")
		if !ok || strings.TrimSpace(id) == "" || strings.TrimSpace(secret) == "" {
			return &FieldError{Prefix + "KLARNA_WEBHOOK_SIGNING_KEYS", fmt.Sprintf("pairs of signing_key_id=secret separated by commas; entry %d is not", i+1)}
		}
	}
	if c.EncryptionKey != "" {
		if _, err := secretbox.ParseKey(c.EncryptionKey); err != nil {
			return &FieldError{Prefix + "ENCRYPTION_KEY", err.Error()}
		}
	}
	if c.WebhookMaxAttempts < 1 || c.WebhookMaxAttempts > 25 {
		return &FieldError{Prefix + "WEBHOOK_MAX_ATTEMPTS", "from 1 to 25"}
	}
	if c.WebhookQuarantineSize < 1 {
		return &FieldError{Prefix + "WEBHOOK_QUARANTINE_SIZE", "at least 1"}
	}
	if c.WebhookBatchSize < 1 || c.WebhookBatchSize > 1000 {
		return &FieldError{Prefix + "WEBHOOK_BATCH_SIZE", "from 1 to 1000"}
	}
	if c.WebhookBatchWait <= 0 || c.WebhookBatchWait > 50*time.Millisecond {
		return &FieldError{Prefix + "WEBHOOK_BATCH_WAIT", "above 0 and at most 50ms"}
	}
	if c.WebhookBatchFlushers < 1 || c.WebhookBatchFlushers > 32 {
		return &FieldError{Prefix + "WEBHOOK_BATCH_FLUSHERS", "from 1 to 32"}
	}
	if c.WebhookQuarantineRate < 1 {
		return &FieldError{Prefix + "WEBHOOK_QUARANTINE_RATE", "at least 1"}
	}
	if c.JobRescueAfter < time.Second {
		return &FieldError{Prefix + "JOB_RESCUE_AFTER", "at least 1s"}
	}
	if c.HeartbeatEvery < time.Second {
		return &FieldError{Prefix + "HEARTBEAT_INTERVAL", "at least 1s"}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"PARTNER_STUCK_AFTER", c.PartnerStuckAfter}, {"PARTNER_RESYNC_AFTER", c.PartnerResyncAfter}, {"PARTNER_SYNC_INTERVAL", c.PartnerSyncInterval}, {"DISPUTE_SYNC_INTERVAL", c.DisputeSyncInterval}, {"SETTLEMENT_SYNC_INTERVAL", c.SettlementSyncInterval}, {"KLARNA_LOG_RETENTION", c.KlarnaLogRetention}} {
		if d.v < time.Second {
			return &FieldError{Prefix + d.name, "at least 1s"}
		}
	}
	return nil
}

func validHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("host:port such as 127.0.0.1:8080, got %q", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("a port from 0 to 65535, got %q", port)
	}
	_ = host
	return nil
}

func validBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("an absolute http(s) URL, got %q", s)
	}
	return nil
}

// BaseURL is the URL users reach the server at.
func (c *Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	scheme := "http"
	if c.TLSEnabled() {
		scheme = "https"
	}
	return scheme + "://" + c.HTTPAddr
}

// TLSEnabled reports whether the server terminates TLS itself.
func (c *Config) TLSEnabled() bool { return c.TLSCertFile != "" }

// Print writes the effective configuration, one variable a line, with
// secrets masked.
func (c *Config) Print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("env")
		if name == "" {
			continue
		}
		val := format(v.Field(i))
		if f.Tag.Get("secret") == "true" {
			val = Mask(val)
		}
		fmt.Fprintf(tw, "%s%s=%s\t# %s\n", Prefix, name, val, f.Tag.Get("help"))
	}
	return tw.Flush()
}

func format(fv reflect.Value) string {
	if fv.Type() == durationType {
		return time.Duration(fv.Int()).String()
	}
	if fv.Kind() == reflect.Slice {
		parts := make([]string, fv.Len())
		for i := range parts {
			parts[i] = fv.Index(i).String()
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(fv.Interface())
}

// Mask hides a secret. For URLs it keeps everything but the password, so the
// printed value still shows which database is used.
func Mask(s string) string {
	if s == "" {
		return ""
	}
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return strings.Replace(u.String(), "xxxxx", "****", 1)
		}
		return s
	}
	return "****"
}

package partner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Credential kinds of the partner_credentials mirror.
const (
	CredentialAPIKey           = "api_key"
	CredentialClientIdentifier = "client_identifier"
	CredentialCertificate      = "certificate"
)

// CredentialKinds are the kinds, in the order a partner's page shows them.
var CredentialKinds = []string{CredentialAPIKey, CredentialClientIdentifier, CredentialCertificate}

// Credential statuses as Klarna reports them.
const (
	CredentialEnabled  = "ENABLED"
	CredentialDisabled = "DISABLED"
)

// Klarna's rules for credentials (README §2.1, §6).
var credentialDescription = regexp.MustCompile(`^[a-zA-Z0-9\-:;., _]{0,100}$`)

const (
	// MaxOrigins is how many allowed origins a client identifier takes.
	MaxOrigins = 100
	// UnusedKeyMonths: Klarna disables API keys unused for longer.
	UnusedKeyMonths = 2
	// UnusedKeyWarning: how long before that the inventory warns.
	UnusedKeyWarning = 21 * 24 * time.Hour
)

// Credential is one credential of a partner as the mirror holds it. It
// never carries a secret.
type Credential struct {
	ID              int64 // the mirror row (inventory cursor)
	TenantID        uuid.UUID
	TenantSlug      string
	TenantName      string
	KlarnaAccountID string
	CredentialID    string
	Kind            string
	Description     string
	Status          string
	ClientID        string // a client identifier's public id
	Origins         []string
	ExpiresAt       *time.Time
	CreatedAt       time.Time
	CreatedBy       *uuid.UUID
	CreatedByLabel  string
	LastUsedAt      *time.Time
	SyncedAt        time.Time
}

// AutoDisableAt is when Klarna disables an enabled API key that stays
// unused: two months after its last use (its creation when Klarna reports
// no use). Zero for everything else.
func (c Credential) AutoDisableAt() time.Time {
	if c.Kind != CredentialAPIKey || c.Status != CredentialEnabled {
		return time.Time{}
	}
	since := c.CreatedAt
	if c.LastUsedAt != nil {
		since = *c.LastUsedAt
	}
	return since.AddDate(0, UnusedKeyMonths, 0)
}

// UnusedWarning tells whether Klarna disables the key within
// UnusedKeyWarning of now.
func (c Credential) UnusedWarning(now time.Time) bool {
	at := c.AutoDisableAt()
	return !at.IsZero() && at.Sub(now) <= UnusedKeyWarning
}

// CredentialFilter selects inventory rows.
type CredentialFilter struct {
	TenantID uuid.UUID // narrows the scope to one partner
	Kind     string    // one of CredentialKinds
	Status   string    // ENABLED or DISABLED
	Q        string    // part of the credential id, the client id or the description
	// MinAgeDays: created at least that many days ago.
	MinAgeDays int
	// Unused: enabled API keys Klarna disables within UnusedKeyWarning.
	Unused bool
	// CreatedBefore and AutoDisableBefore are set by the service from
	// MinAgeDays and Unused.
	CreatedBefore     time.Time
	AutoDisableBefore time.Time
}

// PartnerCredentials are one partner's credentials, freshly read from
// Klarna when possible.
type PartnerCredentials struct {
	KlarnaAccountID   string
	APIKeys           []Credential
	ClientIdentifiers []Credential
	Certificates      []Credential
	// SyncError says why the lists could not be refreshed from Klarna
	// (the mirror is shown instead).
	SyncError string
}

// CredentialStore keeps the mirror.
type CredentialStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// PartnerAccountOf is the Klarna account of a partner tenant in sc:
	// NotFound when the tenant is outside sc, "" when none is linked.
	PartnerAccountOf(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (string, error)
	// ReplaceCredentials makes the account's mirror of kind exactly cs,
	// keeping who created each.
	ReplaceCredentials(ctx context.Context, tenantID uuid.UUID, accountID, kind string, cs []Credential, at time.Time) error
	// UpsertCredential stores one credential, keeping its creator when set.
	UpsertCredential(ctx context.Context, c Credential) error
	// Credentials is the inventory of sc, newest first, keyset paged.
	Credentials(ctx context.Context, sc scope.Scope, f CredentialFilter, cursor string, limit int) ([]Credential, string, error)
	CountCredentials(ctx context.Context, sc scope.Scope, f CredentialFilter) (int64, error)
	// Credential reads one mirrored credential of a tenant in sc.
	Credential(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, kind, credentialID string) (Credential, error)
}

// CredentialKlarna is the part of the Klarna client the credentials use.
type CredentialKlarna interface {
	ListAPIKeys(ctx context.Context, opts ...klarna.CallOption) ([]klarna.APIKey, error)
	CreateAPIKey(ctx context.Context, description string, opts ...klarna.CallOption) (*klarna.APIKey, error)
	DisableAPIKey(ctx context.Context, credentialID string, opts ...klarna.CallOption) error
	ListClientIdentifiers(ctx context.Context, opts ...klarna.CallOption) ([]klarna.ClientIdentifier, error)
	CreateClientIdentifier(ctx context.Context, description string, allowedOrigins []string, opts ...klarna.CallOption) (*klarna.ClientIdentifier, error)
	UpdateClientIdentifier(ctx context.Context, credentialID, description string, allowedOrigins []string, opts ...klarna.CallOption) (*klarna.ClientIdentifier, error)
	DisableClientIdentifier(ctx context.Context, credentialID string, opts ...klarna.CallOption) error
	ListClientCertificates(ctx context.Context, opts ...klarna.CallOption) ([]klarna.ClientCertificate, error)
}

// CredentialService manages partners' Klarna credentials, acting for each
// partner (Klarna-Partner-Account) with the acquirer's key.
type CredentialService struct {
	store  CredentialStore
	klarna CredentialKlarna // nil when Klarna is not configured
	audit  actor.Recorder
	now    func() time.Time
}

// NewCredentialService wires the service; k may be nil (no Klarna).
func NewCredentialService(store CredentialStore, k CredentialKlarna, audit actor.Recorder, now func() time.Time) *CredentialService {
	if now == nil {
		now = time.Now
	}
	return &CredentialService{store: store, klarna: k, audit: audit, now: now}
}

// Now is the service's clock (the inventory's warnings are relative to it).
func (s *CredentialService) Now() time.Time { return s.now() }

func (s *CredentialService) ready() error {
	if s.klarna == nil {
		return apperr.E(apperr.Unavailable, "Klarna is not configured (PARTNERDESK_KLARNA_API_KEY), so credentials cannot be managed.")
	}
	return nil
}

// account is the partner's Klarna account, or an error a user can act on.
func (s *CredentialService) account(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (string, error) {
	id, err := s.store.PartnerAccountOf(ctx, sc, tenantID)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", apperr.E(apperr.Conflict, "This partner has no Klarna account yet, so it has no Klarna credentials; onboard it first.")
	}
	return id, nil
}

// Partner lists a partner's credentials: read from Klarna into the mirror,
// then from the mirror. When Klarna cannot be read, the mirror is shown
// with the reason.
func (s *CredentialService) Partner(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (PartnerCredentials, error) {
	acc, err := s.account(ctx, sc, tenantID)
	if err != nil {
		return PartnerCredentials{}, err
	}
	out := PartnerCredentials{KlarnaAccountID: acc}
	if err := s.ready(); err != nil {
		out.SyncError = apperr.As(err).Message
	} else if err := s.sync(ctx, tenantID, acc); err != nil {
		if ae := apperr.As(err); ae != nil && ae.Code != apperr.Internal {
			out.SyncError = ae.Message
		} else {
			return out, err
		}
	}
	rows, _, err := s.store.Credentials(ctx, sc, CredentialFilter{TenantID: tenantID}, "", 1000)
	if err != nil {
		return out, err
	}
	for _, c := range rows {
		switch c.Kind {
		case CredentialAPIKey:
			out.APIKeys = append(out.APIKeys, c)
		case CredentialClientIdentifier:
			out.ClientIdentifiers = append(out.ClientIdentifiers, c)
		case CredentialCertificate:
			out.Certificates = append(out.Certificates, c)
		}
	}
	return out, nil
}

// sync reads every kind of the account's credentials from Klarna into the
// mirror. Certificates are best effort: where the API does not offer them
// for a partner, the list stays empty.
func (s *CredentialService) sync(ctx context.Context, tenantID uuid.UUID, acc string) error {
	as := klarna.OnBehalfOf(acc)
	keys, err := s.klarna.ListAPIKeys(ctx, as)
	if err != nil {
		return err
	}
	ids, err := s.klarna.ListClientIdentifiers(ctx, as)
	if err != nil {
		return err
	}
	certs, certErr := s.klarna.ListClientCertificates(ctx, as)
	at := s.now()
	return s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.ReplaceCredentials(ctx, tenantID, acc, CredentialAPIKey, apiKeyRows(tenantID, acc, keys, at), at); err != nil {
			return err
		}
		if err := s.store.ReplaceCredentials(ctx, tenantID, acc, CredentialClientIdentifier, clientIDRows(tenantID, acc, ids, at), at); err != nil {
			return err
		}
		if certErr != nil {
			return nil
		}
		return s.store.ReplaceCredentials(ctx, tenantID, acc, CredentialCertificate, certRows(tenantID, acc, certs, at), at)
	})
}

func createdAt(t klarna.Timestamp, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t.Time
}

func timePtr(t klarna.Timestamp) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := t.Time
	return &v
}

func apiKeyRow(tenantID uuid.UUID, acc string, k klarna.APIKey, at time.Time) Credential {
	return Credential{TenantID: tenantID, KlarnaAccountID: acc, CredentialID: k.CredentialID, Kind: CredentialAPIKey, Description: k.Description,
		Status: k.Status, CreatedAt: createdAt(k.CreatedAt, at), LastUsedAt: timePtr(k.LastUsedAt), SyncedAt: at}
}

func apiKeyRows(tenantID uuid.UUID, acc string, ks []klarna.APIKey, at time.Time) []Credential {
	out := make([]Credential, 0, len(ks))
	for _, k := range ks {
		out = append(out, apiKeyRow(tenantID, acc, k, at))
	}
	return out
}

func clientIDRow(tenantID uuid.UUID, acc string, ci klarna.ClientIdentifier, at time.Time) Credential {
	c := Credential{TenantID: tenantID, KlarnaAccountID: acc, CredentialID: ci.CredentialID, Kind: CredentialClientIdentifier, Description: ci.Description,
		Status: ci.Status, ClientID: ci.ClientID, Origins: []string{}, CreatedAt: createdAt(ci.CreatedAt, at), SyncedAt: at}
	if ci.Config != nil && ci.Config.AllowedDomains != nil {
		c.Origins = ci.Config.AllowedDomains
	}
	return c
}

func clientIDRows(tenantID uuid.UUID, acc string, cs []klarna.ClientIdentifier, at time.Time) []Credential {
	out := make([]Credential, 0, len(cs))
	for _, ci := range cs {
		out = append(out, clientIDRow(tenantID, acc, ci, at))
	}
	return out
}

func certRows(tenantID uuid.UUID, acc string, cs []klarna.ClientCertificate, at time.Time) []Credential {
	out := make([]Credential, 0, len(cs))
	for _, ct := range cs {
		c := Credential{TenantID: tenantID, KlarnaAccountID: acc, CredentialID: ct.CredentialID, Kind: CredentialCertificate, Description: ct.Description,
			Status: ct.Status, CreatedAt: createdAt(ct.CreatedAt, at), ExpiresAt: timePtr(ct.NotAfter), SyncedAt: at}
		if ct.Config != nil && ct.Config.Usage != "" {
			c.ClientID = ct.Config.Usage // shown as the certificate's usage
		}
		out = append(out, c)
	}
	return out
}

// checkDescription applies Klarna's description rule.
func checkDescription(field, d string) []apperr.FieldError {
	switch {
	case strings.TrimSpace(d) == "":
		return []apperr.FieldError{{Field: field, Message: "is required: say what the credential is for"}}
	case len(d) > 100:
		return []apperr.FieldError{{Field: field, Message: "must be at most 100 characters"}}
	case !credentialDescription.MatchString(d):
		return []apperr.FieldError{{Field: field, Message: "may contain only letters, digits, spaces and - : ; . , _"}}
	}
	return nil
}

// CheckOrigins validates a client identifier's allowed origins: each an
// origin (scheme and host, optional port, no path), https (http only for
// localhost), a host name or a wildcard subdomain (https://*.shop.example),
// without duplicates, at most MaxOrigins. Every bad one is reported.
func CheckOrigins(field string, origins []string) []apperr.FieldError {
	var fe []apperr.FieldError
	if len(origins) == 0 {
		return []apperr.FieldError{{Field: field, Message: "add at least one origin, such as https://shop.example"}}
	}
	if len(origins) > MaxOrigins {
		fe = append(fe, apperr.FieldError{Field: field, Message: fmt.Sprintf("at most %d origins (%d given)", MaxOrigins, len(origins))})
	}
	seen := map[string]bool{}
	for i, o := range origins {
		f := fmt.Sprintf("%s[%d]", field, i)
		if msg := originProblem(o); msg != "" {
			fe = append(fe, apperr.FieldError{Field: f, Message: msg})
			continue
		}
		key := strings.ToLower(o)
		if seen[key] {
			fe = append(fe, apperr.FieldError{Field: f, Message: "is listed twice"})
		}
		seen[key] = true
	}
	return fe
}

var hostLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func originProblem(o string) string {
	if strings.TrimSpace(o) != o || o == "" {
		return "must be an origin such as https://shop.example, without spaces"
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "must be an origin such as https://shop.example"
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#") {
		return "must be only scheme and host (and port), without a path, query or user"
	}
	host := strings.ToLower(u.Hostname())
	if port := u.Port(); port != "" {
		if n := len(port); n > 5 || strings.Trim(port, "0123456789") != "" {
			return "has an invalid port"
		}
	}
	local := host == "localhost" || host == "127.0.0.1" || host == "::1"
	switch u.Scheme {
	case "https":
	case "http":
		if !local {
			return "must use https (http is allowed only for localhost)"
		}
	default:
		return "must start with https://"
	}
	if local || net.ParseIP(host) != nil {
		if !local {
			return "must name a host, not an IP address"
		}
		return ""
	}
	labels := strings.Split(host, ".")
	if labels[0] == "*" {
		labels = labels[1:]
		if len(labels) < 2 {
			return "a wildcard must stand for subdomains of a domain, such as https://*.shop.example"
		}
	}
	if len(labels) < 2 {
		return "must name a full host, such as shop.example"
	}
	for _, l := range labels {
		if !hostLabel.MatchString(l) {
			if strings.Contains(l, "*") {
				return "a wildcard is allowed only as the first label, such as https://*.shop.example"
			}
			return "has an invalid host name"
		}
	}
	return ""
}

func invalidInput(fe []apperr.FieldError) error {
	if len(fe) == 0 {
		return nil
	}
	return apperr.Validation("Please correct the highlighted fields.", fe...)
}

// klarnaRefusal turns Klarna's refusals of a credential change into a
// message a user can act on; field errors stay on their fields (Klarna's
// config.allowed_domains[i] is our origins[i]).
func klarnaRefusal(err error, what string) error {
	ae := apperr.As(err)
	if ae == nil {
		return err
	}
	switch {
	case klarna.IsCode(err, "BLOCKED"):
		return apperr.Wrap(err, apperr.Conflict, "Klarna has blocked "+what+" for this partner. Contact Klarna support to lift the block.")
	case ae.Code == apperr.Conflict:
		msg := "Klarna refused to change " + what + " in its current state"
		var ke *klarna.Error
		if errors.As(err, &ke) && ke.ErrorMessage != "" {
			msg += ": " + ke.ErrorMessage
		}
		return apperr.Wrap(err, apperr.Conflict, msg+". Reload to see its current state.")
	case ae.Code == apperr.NotFound:
		return apperr.Wrap(err, apperr.NotFound, "Klarna does not know "+what+" (it may have been deleted). Reload the list.")
	case ae.Code == apperr.Invalid:
		fields := make([]apperr.FieldError, len(ae.Fields))
		for i, f := range ae.Fields {
			f.Field = strings.Replace(f.Field, "config.allowed_domains", "origins", 1)
			fields[i] = f
		}
		return &apperr.Error{Code: apperr.Invalid, Message: ae.Message, Fields: fields, Err: err}
	}
	return err
}

// created names who created a credential through Partner Desk.
func created(ctx context.Context, c *Credential) {
	a := actor.From(ctx)
	if a.UserID != uuid.Nil {
		id := a.UserID
		c.CreatedBy = &id
	}
	c.CreatedByLabel = a.Label
}

// CreateAPIKey creates an API key for the partner and returns it with its
// secret, which Klarna shows this once: it is neither stored nor logged
// nor audited.
func (s *CredentialService) CreateAPIKey(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, description string) (Credential, string, error) {
	if err := invalidInput(checkDescription("description", description)); err != nil {
		return Credential{}, "", err
	}
	acc, err := s.account(ctx, sc, tenantID)
	if err != nil {
		return Credential{}, "", err
	}
	if err := s.ready(); err != nil {
		return Credential{}, "", err
	}
	k, err := s.klarna.CreateAPIKey(ctx, description, klarna.OnBehalfOf(acc))
	if err != nil {
		return Credential{}, "", klarnaRefusal(err, "the API key")
	}
	secret := k.Secret
	c := apiKeyRow(tenantID, acc, *k, s.now())
	created(ctx, &c)
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.UpsertCredential(ctx, c); err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "credential:create_api_key", TenantID: &tenantID, TargetType: "klarna_api_key", TargetID: c.CredentialID,
			After: map[string]string{"credential_id": c.CredentialID, "description": c.Description, "klarna_account_id": acc}})
	})
	if err != nil {
		return Credential{}, "", err
	}
	return c, secret, nil
}

// disableOne disables one enabled credential at Klarna, mirrors it and
// audits it. A credential Klarna already reports disabled is left alone.
func (s *CredentialService) disableOne(ctx context.Context, c Credential, reason string) error {
	as := klarna.OnBehalfOf(c.KlarnaAccountID)
	var err error
	what := "the API key"
	if c.Kind == CredentialClientIdentifier {
		what = "the client identifier"
		err = s.klarna.DisableClientIdentifier(ctx, c.CredentialID, as)
	} else {
		err = s.klarna.DisableAPIKey(ctx, c.CredentialID, as)
	}
	if err != nil {
		return klarnaRefusal(err, what)
	}
	before := c.Status
	c.Status, c.SyncedAt = CredentialDisabled, s.now()
	return s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.UpsertCredential(ctx, c); err != nil {
			return err
		}
		after := map[string]string{"status": CredentialDisabled, "description": c.Description}
		if reason != "" {
			after["reason"] = reason
		}
		return s.audit(ctx, actor.Change{Action: "credential:disable_" + c.Kind, TenantID: &c.TenantID, TargetType: "klarna_" + c.Kind, TargetID: c.CredentialID,
			Before: map[string]string{"status": before}, After: after})
	})
}

// Disable disables one API key or client identifier of the partner,
// irreversibly. Disabling one that is already disabled changes nothing.
func (s *CredentialService) Disable(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, kind, credentialID string) (Credential, error) {
	if kind != CredentialAPIKey && kind != CredentialClientIdentifier {
		return Credential{}, apperr.E(apperr.NotFound, "Only API keys and client identifiers can be disabled.")
	}
	acc, err := s.account(ctx, sc, tenantID)
	if err != nil {
		return Credential{}, err
	}
	if err := s.ready(); err != nil {
		return Credential{}, err
	}
	c, err := s.fresh(ctx, sc, tenantID, acc, kind, credentialID)
	if err != nil {
		return Credential{}, err
	}
	if c.Status == CredentialEnabled {
		if err := s.disableOne(ctx, c, ""); err != nil {
			return Credential{}, err
		}
	}
	return s.store.Credential(ctx, sc, tenantID, kind, credentialID)
}

// fresh re-reads the partner's credentials from Klarna and returns one.
func (s *CredentialService) fresh(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, acc, kind, credentialID string) (Credential, error) {
	if err := s.sync(ctx, tenantID, acc); err != nil {
		return Credential{}, err
	}
	c, err := s.store.Credential(ctx, sc, tenantID, kind, credentialID)
	if apperr.Is(err, apperr.NotFound) {
		return c, apperr.E(apperr.NotFound, "This partner has no such credential at Klarna.")
	}
	return c, err
}

// CreateClientIdentifier creates a Web SDK client identifier for the
// partner with its allowed origins.
func (s *CredentialService) CreateClientIdentifier(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, description string, origins []string) (Credential, error) {
	fe := append(checkDescription("description", description), CheckOrigins("origins", origins)...)
	if err := invalidInput(fe); err != nil {
		return Credential{}, err
	}
	acc, err := s.account(ctx, sc, tenantID)
	if err != nil {
		return Credential{}, err
	}
	if err := s.ready(); err != nil {
		return Credential{}, err
	}
	ci, err := s.klarna.CreateClientIdentifier(ctx, description, origins, klarna.OnBehalfOf(acc))
	if err != nil {
		return Credential{}, klarnaRefusal(err, "the client identifier")
	}
	c := clientIDRow(tenantID, acc, *ci, s.now())
	created(ctx, &c)
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.UpsertCredential(ctx, c); err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "credential:create_client_identifier", TenantID: &tenantID, TargetType: "klarna_client_identifier", TargetID: c.CredentialID,
			After: map[string]any{"client_id": c.ClientID, "description": c.Description, "origins": c.Origins, "klarna_account_id": acc}})
	})
	if err != nil {
		return Credential{}, err
	}
	return s.store.Credential(ctx, sc, tenantID, CredentialClientIdentifier, c.CredentialID)
}

// SetOrigins replaces a client identifier's allowed origins (the UI adds
// and removes them one at a time and sends the resulting list).
func (s *CredentialService) SetOrigins(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, credentialID string, origins []string) (Credential, error) {
	if err := invalidInput(CheckOrigins("origins", origins)); err != nil {
		return Credential{}, err
	}
	acc, err := s.account(ctx, sc, tenantID)
	if err != nil {
		return Credential{}, err
	}
	if err := s.ready(); err != nil {
		return Credential{}, err
	}
	before, err := s.store.Credential(ctx, sc, tenantID, CredentialClientIdentifier, credentialID)
	if err != nil {
		if !apperr.Is(err, apperr.NotFound) {
			return Credential{}, err
		}
		if before, err = s.fresh(ctx, sc, tenantID, acc, CredentialClientIdentifier, credentialID); err != nil {
			return Credential{}, err
		}
	}
	ci, err := s.klarna.UpdateClientIdentifier(ctx, credentialID, "", origins, klarna.OnBehalfOf(acc))
	if err != nil {
		return Credential{}, klarnaRefusal(err, "the client identifier")
	}
	c := clientIDRow(tenantID, acc, *ci, s.now())
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.UpsertCredential(ctx, c); err != nil {
			return err
		}
		return s.audit(ctx, actor.Change{Action: "credential:set_origins", TenantID: &tenantID, TargetType: "klarna_client_identifier", TargetID: credentialID,
			Before: map[string]any{"origins": before.Origins}, After: map[string]any{"origins": c.Origins}})
	})
	if err != nil {
		return Credential{}, err
	}
	return s.store.Credential(ctx, sc, tenantID, CredentialClientIdentifier, credentialID)
}

// Refresh reads a partner's credentials from Klarna into the mirror (a
// system call, e.g. when the demo is seeded). A partner without a Klarna
// account has none.
func (s *CredentialService) Refresh(ctx context.Context, tenantID uuid.UUID) error {
	acc, err := s.store.PartnerAccountOf(ctx, scope.Tenants(tenantID), tenantID)
	if err != nil || acc == "" {
		return err
	}
	if err := s.ready(); err != nil {
		return err
	}
	return s.sync(ctx, tenantID, acc)
}

// DisableAllForPartner disables, at Klarna, every enabled API key and
// client identifier of the partner (offboarding). It reads them from
// Klarna first, so it is idempotent: a second call disables nothing and
// succeeds. Each credential disabled is audited. A partner without a
// Klarna account has nothing to disable.
func (s *CredentialService) DisableAllForPartner(ctx context.Context, tenantID uuid.UUID) (disabled int, err error) {
	sc := scope.Tenants(tenantID)
	acc, err := s.store.PartnerAccountOf(ctx, sc, tenantID)
	if err != nil || acc == "" {
		return 0, err
	}
	if err := s.ready(); err != nil {
		return 0, err
	}
	if err := s.sync(ctx, tenantID, acc); err != nil {
		return 0, err
	}
	rows, _, err := s.store.Credentials(ctx, sc, CredentialFilter{TenantID: tenantID, Status: CredentialEnabled}, "", 1000)
	if err != nil {
		return 0, err
	}
	for _, c := range rows {
		if c.Kind != CredentialAPIKey && c.Kind != CredentialClientIdentifier {
			continue
		}
		if err := s.disableOne(ctx, c, "offboarding"); err != nil {
			return disabled, fmt.Errorf("disable %s %s: %w", c.Kind, c.CredentialID, err)
		}
		disabled++
	}
	return disabled, nil
}

// CheckCredentialFilter validates the inventory's filters; every bad one
// is reported.
func CheckCredentialFilter(f CredentialFilter) []apperr.FieldError {
	var fe []apperr.FieldError
	if f.Kind != "" && f.Kind != CredentialAPIKey && f.Kind != CredentialClientIdentifier && f.Kind != CredentialCertificate {
		fe = append(fe, apperr.FieldError{Field: "kind", Message: "must be api_key, client_identifier or certificate"})
	}
	if f.Status != "" && f.Status != CredentialEnabled && f.Status != CredentialDisabled {
		fe = append(fe, apperr.FieldError{Field: "status", Message: "must be ENABLED or DISABLED"})
	}
	if f.MinAgeDays < 0 || f.MinAgeDays > 36500 {
		fe = append(fe, apperr.FieldError{Field: "min_age_days", Message: "must be between 0 and 36500"})
	}
	if len(f.Q) > 200 {
		fe = append(fe, apperr.FieldError{Field: "q", Message: "must be at most 200 characters"})
	}
	return fe
}

// Inventory lists the credentials of every partner in sc, newest first.
func (s *CredentialService) Inventory(ctx context.Context, sc scope.Scope, f CredentialFilter, cursor string, limit int) ([]Credential, string, error) {
	f, err := s.inventoryFilter(f)
	if err != nil {
		return nil, "", err
	}
	return s.store.Credentials(ctx, sc, f, cursor, limit)
}

// CountInventory is the number of credentials Inventory pages through.
func (s *CredentialService) CountInventory(ctx context.Context, sc scope.Scope, f CredentialFilter) (int64, error) {
	f, err := s.inventoryFilter(f)
	if err != nil {
		return 0, err
	}
	return s.store.CountCredentials(ctx, sc, f)
}

func (s *CredentialService) inventoryFilter(f CredentialFilter) (CredentialFilter, error) {
	if err := invalidInput(CheckCredentialFilter(f)); err != nil {
		return f, err
	}
	now := s.now()
	if f.MinAgeDays > 0 {
		f.CreatedBefore = now.AddDate(0, 0, -f.MinAgeDays)
	}
	if f.Unused {
		f.AutoDisableBefore = now.Add(UnusedKeyWarning)
	}
	return f, nil
}

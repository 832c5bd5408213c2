package oidctest

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
)

// Persona is one user the development IdP can sign in as. ID is what the
// picker submits and what login_hint names; Role and Tenant are display
// labels for the picker only (the application derives roles from Groups).
type Persona struct {
	ID            string   `json:"id"`
	Subject       string   `json:"sub,omitempty"` // default "dev|<id>"
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name"`
	Groups        []string `json:"groups"`
	Role          string   `json:"role"`   // picker label, e.g. "Merchant admin"
	Tenant        string   `json:"tenant"` // picker label, e.g. "Aurora Outfitters"
	ACR           string   `json:"acr,omitempty"`
	AMR           []string `json:"amr,omitempty"`
	// Claims are further claims released with the profile claims, e.g. a
	// nested "realm_access": {"roles": [...]} or a string-valued "roles".
	Claims map[string]any `json:"claims,omitempty"`
	// UserInfoClaims replace claims at the userinfo endpoint only, even sub:
	// for tests of a provider that answers for another user.
	UserInfoClaims map[string]any `json:"userinfo_claims,omitempty"`
}

// Default authentication context values for personas that set none.
const (
	DefaultACR = "urn:partnerdesk:dev-idp:persona"
)

var defaultAMR = []string{"pwd"}

// Partner display names used by the default personas.
const (
	PartnerAName = "Aurora Outfitters"
	PartnerBName = "Borealis Bikes"
	acquirerName = "Acquirer (all partners)"
)

// DefaultPersonas returns the built-in personas, one per row of the
// personas table in DESIGN.md (partner A has all three merchant roles,
// partner B an admin). Each call returns a fresh copy.
func DefaultPersonas() []Persona {
	p := func(id, name, email, role, tenant string, groups ...string) Persona {
		return Persona{
			ID: id, Subject: "dev|" + id, Email: email, EmailVerified: true, Name: name,
			Groups: groups, Role: role, Tenant: tenant, ACR: DefaultACR, AMR: slices.Clone(defaultAMR),
		}
	}
	return []Persona{
		p("acquirer-admin", "Ada Lindqvist", "admin@acquirer.example", "Acquirer admin", acquirerName, "pd-acquirer-admins"),
		p("acquirer-support", "Sam Okafor", "support@acquirer.example", "Acquirer support / risk", acquirerName, "pd-acquirer-support"),
		p("acquirer-finance", "Fatima Berg", "finance@acquirer.example", "Acquirer finance", acquirerName, "pd-acquirer-finance"),
		p("auditor", "Otto Reyes", "auditor@acquirer.example", "Auditor", acquirerName, "pd-auditors"),
		p("merchant-admin", "Maja Holm", "admin@aurora.example", "Merchant admin", PartnerAName, "pd-partner-a-admins"),
		p("merchant-disputes", "Diego Alvarez", "disputes@aurora.example", "Merchant dispute handler", PartnerAName, "pd-partner-a-disputes"),
		p("merchant-finance", "Nina Park", "finance@aurora.example", "Merchant finance", PartnerAName, "pd-partner-a-finance"),
		p("merchant-admin-b", "Bo Eriksen", "admin@borealis.example", "Merchant admin", PartnerBName, "pd-partner-b-admins"),
	}
}

// personaFile is the on-disk shape; EmailVerified is a pointer so that an
// absent field defaults to true.
type personaFile struct {
	Persona
	EmailVerified *bool `json:"email_verified"`
}

// LoadPersonas reads personas from a JSON file that holds either an array of
// personas or an object {"personas": [...]}. The file replaces the default
// set entirely. Absent fields get defaults: sub "dev|<id>", email_verified
// true, name = id, acr and amr the provider defaults.
func LoadPersonas(path string) ([]Persona, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load personas: %w", err)
	}
	var list []personaFile
	if err := json.Unmarshal(raw, &list); err != nil {
		var wrapped struct {
			Personas []personaFile `json:"personas"`
		}
		if err2 := json.Unmarshal(raw, &wrapped); err2 != nil || wrapped.Personas == nil {
			return nil, fmt.Errorf("load personas %s: want a JSON array of personas or {\"personas\": [...]}: %w", path, err)
		}
		list = wrapped.Personas
	}
	out := make([]Persona, 0, len(list))
	for _, pf := range list {
		p := pf.Persona
		p.EmailVerified = pf.EmailVerified == nil || *pf.EmailVerified
		out = append(out, p)
	}
	out, err = normalizePersonas(out)
	if err != nil {
		return nil, fmt.Errorf("load personas %s: %w", path, err)
	}
	return out, nil
}

var personaIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// normalizePersonas validates personas and fills defaults, returning a copy.
func normalizePersonas(in []Persona) ([]Persona, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("no personas")
	}
	out := make([]Persona, len(in))
	ids := map[string]bool{}
	subs := map[string]bool{}
	for i, p := range in {
		if !personaIDPattern.MatchString(p.ID) {
			return nil, fmt.Errorf("persona %d: id %q must be 1-64 letters, digits, '.', '_' or '-'", i, p.ID)
		}
		if ids[p.ID] {
			return nil, fmt.Errorf("persona %q: duplicate id", p.ID)
		}
		ids[p.ID] = true
		if p.Subject == "" {
			p.Subject = "dev|" + p.ID
		}
		if subs[p.Subject] {
			return nil, fmt.Errorf("persona %q: duplicate sub %q", p.ID, p.Subject)
		}
		subs[p.Subject] = true
		if p.Name == "" {
			p.Name = p.ID
		}
		if p.ACR == "" {
			p.ACR = DefaultACR
		}
		if len(p.AMR) == 0 {
			p.AMR = defaultAMR
		}
		p.AMR = slices.Clone(p.AMR)
		p.Groups = slices.Clone(p.Groups)
		if p.Groups == nil {
			p.Groups = []string{}
		}
		out[i] = p
	}
	return out, nil
}

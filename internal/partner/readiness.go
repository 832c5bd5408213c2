package partner

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// ReadinessItem is one thing Klarna's Boost features (Sign in with Klarna,
// On-site messaging, Express checkout) need from the acquirer's side, met
// or not, with what fixes it.
type ReadinessItem struct {
	Key    string // product, client_identifier, portal, brand_data
	Title  string
	OK     bool
	Detail string
	// Fix names where it is fixed: a tab of the partner's page (products,
	// credentials, brand), or "users" (the partner's users and roles),
	// "configuration" (the operator's).
	Fix string
}

// ClientIdentifierInfo is what the readiness check needs of a client
// identifier of the Web SDK.
type ClientIdentifierInfo struct {
	ID      string
	Status  string
	Origins []string
}

// ReadinessInput is what the check looks at.
type ReadinessInput struct {
	Tree              Tree
	ClientIdentifiers []ClientIdentifierInfo
	// PortalConfigured: Partner Desk can sign deep links.
	PortalConfigured bool
	// PortalUsers is how many of the partner's users may open the Portal.
	PortalUsers int
}

// CheckReadiness is the interoperability checklist of a partner.
func CheckReadiness(in ReadinessInput) []ReadinessItem {
	return []ReadinessItem{productReady(in.Tree), clientIdentifierReady(in.Tree, in.ClientIdentifiers), portalReady(in), brandDataReady(in.Tree)}
}

func productReady(t Tree) ReadinessItem {
	it := ReadinessItem{Key: "product", Title: "An enabled payment product", Fix: "products"}
	switch {
	case t.PaymentProduct == nil:
		it.Detail = "The partner has no payment product yet; add one through onboarding."
	case t.PaymentProduct.Status == klarna.ProductEnabled:
		it.OK, it.Detail = true, "The payment product is enabled."
	case t.PaymentProduct.Status == klarna.ProductTerminated:
		it.Detail, it.Fix = "Klarna terminated the payment product; only Klarna can enable it again.", ""
	default:
		it.Detail = fmt.Sprintf("The payment product is %s; enable it.", t.PaymentProduct.Status)
	}
	return it
}

// shopOrigins are the origins of the partner's website stores.
func shopOrigins(t Tree) []string {
	var out []string
	add := func(stores []klarna.Store) {
		for _, s := range stores {
			if s.Type != "WEBSITE" || s.URL == "" {
				continue
			}
			u, err := url.Parse(s.URL)
			if err != nil || u.Host == "" {
				continue
			}
			o := strings.ToLower(u.Scheme + "://" + u.Host)
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	for _, b := range t.Brands {
		for _, g := range b.StoreGroups {
			add(g.Stores)
		}
	}
	for _, g := range t.Unassigned {
		add(g.Stores)
	}
	return out
}

// OriginAllowed tells whether origin (scheme://host[:port]) is one of
// allowed, where https://*.shop.example allows every subdomain of
// shop.example (not shop.example itself).
func OriginAllowed(origin string, allowed []string) bool {
	origin = strings.ToLower(strings.TrimSuffix(origin, "/"))
	for _, a := range allowed {
		a = strings.ToLower(strings.TrimSuffix(a, "/"))
		if a == origin {
			return true
		}
		scheme, host, ok := strings.Cut(a, "://*.")
		if !ok {
			continue
		}
		if rest, ok := strings.CutPrefix(origin, scheme+"://"); ok && strings.HasSuffix(rest, "."+host) && !strings.Contains(strings.TrimSuffix(rest, "."+host), "/") {
			return true
		}
	}
	return false
}

func clientIdentifierReady(t Tree, ids []ClientIdentifierInfo) ReadinessItem {
	it := ReadinessItem{Key: "client_identifier", Title: "A client identifier with the shop's origins", Fix: "credentials"}
	var allowed []string
	enabled := 0
	for _, c := range ids {
		if c.Status == "ENABLED" {
			enabled++
			allowed = append(allowed, c.Origins...)
		}
	}
	if enabled == 0 {
		it.Detail = "There is no enabled client identifier for the Web SDK; create one with the shop's origins."
		return it
	}
	var missing []string
	for _, o := range shopOrigins(t) {
		if !OriginAllowed(o, allowed) {
			missing = append(missing, o)
		}
	}
	if len(missing) > 0 {
		it.Detail = "Not among the allowed origins: " + strings.Join(missing, ", ") + "."
		return it
	}
	it.OK, it.Detail = true, fmt.Sprintf("%d allowed origin(s) cover every website store.", len(allowed))
	return it
}

func portalReady(in ReadinessInput) ReadinessItem {
	it := ReadinessItem{Key: "portal", Title: "Access to the Klarna Portal"}
	switch {
	case !in.PortalConfigured:
		it.Detail, it.Fix = "Partner Desk has no deep-link signing key, so nobody can open the Portal from here.", "configuration"
	case in.Tree.Summary.State != string(klarna.AccountOperational):
		it.Detail = fmt.Sprintf("The Klarna account is %s; the Portal opens once it is operational.", stateWords(in.Tree.Summary.State))
	case in.PortalUsers == 0:
		it.Detail, it.Fix = "No user of this partner may open the Portal; give one a role that may (merchant admin).", "users"
	default:
		it.OK, it.Detail = true, fmt.Sprintf("%d user(s) of the partner can open the Portal by deep link.", in.PortalUsers)
	}
	return it
}

func stateWords(s string) string {
	if s == "" {
		return "not read yet"
	}
	return strings.ToLower(strings.ReplaceAll(s, "_", " "))
}

func brandDataReady(t Tree) ReadinessItem {
	it := ReadinessItem{Key: "brand_data", Title: "Complete brand data", Fix: "brand"}
	if slices.Contains(t.Summary.Warnings, WarningBrandDataIncomplete) {
		it.Detail = "Klarna reported the brand data incomplete (an image it cannot retrieve)."
		return it
	}
	if len(t.Brands) == 0 {
		it.Detail = "The partner has no brand yet."
		return it
	}
	var gaps []string
	for _, b := range t.Brands {
		name := b.Brand.BrandReference
		if name == "" {
			name = b.Brand.BrandID
		}
		if b.Brand.DisplayName == "" {
			gaps = append(gaps, name+": display name")
		}
		if b.Brand.Element == nil || b.Brand.Element.LogoURL == "" {
			gaps = append(gaps, name+": logo")
		}
		for _, g := range b.StoreGroups {
			sc := g.StoreGroup.SupportContact
			if sc == nil || (sc.Email == "" && sc.Phone == "" && sc.ContactForm == "") {
				gaps = append(gaps, g.StoreGroup.StoreGroupReference+": support contact")
			}
		}
	}
	if len(gaps) > 0 {
		it.Detail = "Missing " + strings.Join(gaps, "; ") + "."
		return it
	}
	it.OK, it.Detail = true, "Every brand has its name and logo, every store group a support contact."
	return it
}

// ReadinessSources are where the check reads what the tree does not hold.
type ReadinessSources struct {
	// ClientIdentifiers of a partner (nil: none known).
	ClientIdentifiers func(ctx context.Context, tenantID uuid.UUID) ([]ClientIdentifierInfo, error)
	PortalConfigured  func() bool
	PortalUsers       func(ctx context.Context, tenantID uuid.UUID) (int, error)
}

// Readiness checks a partner in sc (NotFound outside it).
func (d *Directory) Readiness(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, src ReadinessSources) ([]ReadinessItem, error) {
	t, err := d.Tree(ctx, sc, tenantID)
	if err != nil {
		return nil, err
	}
	in := ReadinessInput{Tree: t}
	if src.ClientIdentifiers != nil {
		if in.ClientIdentifiers, err = src.ClientIdentifiers(ctx, tenantID); err != nil {
			return nil, err
		}
	}
	if src.PortalConfigured != nil {
		in.PortalConfigured = src.PortalConfigured()
	}
	if src.PortalUsers != nil {
		if in.PortalUsers, err = src.PortalUsers(ctx, tenantID); err != nil {
			return nil, err
		}
	}
	return CheckReadiness(in), nil
}

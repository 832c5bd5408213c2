package partner

import (
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

func TestOriginAllowedMatchesExactOriginsAndWildcardSubdomains(t *testing.T) {
	allowed := []string{"https://shop.example", "https://*.brand.example/"}
	for origin, want := range map[string]bool{
		"https://shop.example":         true,
		"HTTPS://Shop.Example":         true,
		"http://shop.example":          false,
		"https://www.shop.example":     false,
		"https://eu.brand.example":     true,
		"https://a.b.brand.example":    true,
		"https://brand.example":        false,
		"https://evilbrand.example":    false,
		"https://brand.example.evil.x": false,
	} {
		if got := OriginAllowed(origin, allowed); got != want {
			t.Errorf("OriginAllowed(%s) = %v, want %v", origin, got, want)
		}
	}
}

func readyTree() Tree {
	return Tree{
		Summary:        Summary{State: string(klarna.AccountOperational)},
		PaymentProduct: &klarna.PaymentProduct{Status: klarna.ProductEnabled},
		Brands: []BrandNode{{
			Brand: klarna.Brand{BrandReference: "aurora", DisplayName: "Aurora", Element: &klarna.BrandElement{LogoURL: "https://cdn.example/logo.png"}},
			StoreGroups: []StoreGroupNode{{
				StoreGroup: klarna.StoreGroup{StoreGroupReference: "aurora-web", SupportContact: &klarna.SupportContact{Email: "help@aurora.example"}},
				Stores:     []klarna.Store{{Type: "WEBSITE", URL: "https://aurora.example/shop"}, {Type: "WEBSITE", URL: "https://eu.aurora.example"}},
			}},
		}},
	}
}

func status(items []ReadinessItem) map[string]ReadinessItem {
	out := map[string]ReadinessItem{}
	for _, it := range items {
		out[it.Key] = it
	}
	return out
}

func TestAPartnerWithEverythingInPlaceIsReadyForBoostFeatures(t *testing.T) {
	items := CheckReadiness(ReadinessInput{Tree: readyTree(), PortalConfigured: true, PortalUsers: 2,
		ClientIdentifiers: []ClientIdentifierInfo{{ID: "c1", Status: "ENABLED", Origins: []string{"https://aurora.example", "https://*.aurora.example"}}}})
	if len(items) != 4 {
		t.Fatalf("%d items", len(items))
	}
	for _, it := range items {
		if !it.OK {
			t.Errorf("%s not ready: %s", it.Key, it.Detail)
		}
	}
}

func TestEachMissingPieceTurnsItsItemRedWithTheFix(t *testing.T) {
	tr := readyTree()
	tr.PaymentProduct.Status = klarna.ProductDisabled
	tr.Summary.Warnings = []string{WarningBrandDataIncomplete}
	got := status(CheckReadiness(ReadinessInput{Tree: tr, PortalConfigured: true, PortalUsers: 0,
		ClientIdentifiers: []ClientIdentifierInfo{{Status: "ENABLED", Origins: []string{"https://aurora.example"}}, {Status: "DISABLED", Origins: []string{"https://*.aurora.example"}}}}))
	want := map[string]struct{ fix, says string }{
		"product":           {"products", "DISABLED"},
		"client_identifier": {"credentials", "https://eu.aurora.example"},
		"portal":            {"users", "merchant admin"},
		"brand_data":        {"brand", "incomplete"},
	}
	for key, w := range want {
		it := got[key]
		if it.OK || it.Fix != w.fix || !strings.Contains(it.Detail, w.says) {
			t.Errorf("%s: %+v, want red with fix %s saying %q", key, it, w.fix, w.says)
		}
	}
	tr = readyTree()
	tr.Summary.State = string(klarna.AccountPartiallyOperational)
	tr.Brands[0].Brand.Element = nil
	got = status(CheckReadiness(ReadinessInput{Tree: tr, PortalConfigured: false}))
	if it := got["portal"]; it.OK || it.Fix != "configuration" {
		t.Errorf("portal without a signing key: %+v", it)
	}
	if it := got["client_identifier"]; it.OK || !strings.Contains(it.Detail, "no enabled client identifier") {
		t.Errorf("no client identifier: %+v", it)
	}
	if it := got["brand_data"]; it.OK || !strings.Contains(it.Detail, "aurora: logo") {
		t.Errorf("brand without a logo: %+v", it)
	}
	if it := CheckReadiness(ReadinessInput{Tree: tr, PortalConfigured: true, PortalUsers: 1})[2]; it.OK || !strings.Contains(it.Detail, "partially operational") {
		t.Errorf("portal before the account is operational: %+v", it)
	}
}

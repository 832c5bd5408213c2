package partner

import (
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

func fieldsOf(t *testing.T, err error, code apperr.Code) map[string]bool {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Code != code {
		t.Fatalf("want %s, got %v", code, err)
	}
	out := map[string]bool{}
	for _, f := range ae.Fields {
		out[f.Field] = true
	}
	return out
}

var held = Held{EntityRefs: map[string]bool{"LE-1": true}, BrandRefs: map[string]bool{"BR-1": true}, GroupRefs: map[string]bool{"SG-1": true},
	StoreRefs: map[string]bool{"ST-1": true}, BrandIDs: map[string]string{"b1": "BR-1"}, GroupIDs: map[string]string{"g1": "SG-1"}}

func TestBrandEdit_EveryBadFieldAtOnce(t *testing.T) {
	got := fieldsOf(t, CheckBrand(Brand{Reference: "BR-1", DisplayName: " ", LogoURL: "ftp://x", IconURL: "nope", FeatureImageURL: "https://ok.example/f.png"}, &Brand{Reference: "BR-1"}, held), apperr.Invalid)
	if len(got) != 3 || !got["display_name"] || !got["logo_url"] || !got["icon_url"] {
		t.Fatalf("fields: %v", got)
	}
	if err := CheckBrand(Brand{DisplayName: "Fine"}, &Brand{Reference: "BR-1"}, held); err != nil {
		t.Fatalf("a brand edit that leaves the reference out keeps it: %v", err)
	}
}

func TestBrandEdit_ChangedReferenceRefusedAs422(t *testing.T) {
	got := fieldsOf(t, CheckBrand(Brand{Reference: "BR-2", DisplayName: ""}, &Brand{Reference: "BR-1"}, held), apperr.Unprocessable)
	if len(got) != 1 || !got["brand_reference"] {
		t.Fatalf("fields: %v", got)
	}
}

func TestCreate_ReferencesMustBeNewAndCrossReferencesResolve(t *testing.T) {
	got := fieldsOf(t, CheckBrand(Brand{Reference: "BR-1", DisplayName: "X"}, nil, held), apperr.Invalid)
	if !got["brand_reference"] {
		t.Fatalf("brand: %v", got)
	}
	got = fieldsOf(t, CheckStoreGroup(StoreGroup{Reference: "SG-1", BrandReference: "BR-9", SupportPhone: "0701"}, nil, held), apperr.Invalid)
	if len(got) != 3 || !got["store_group_reference"] || !got["brand_reference"] || !got["support_phone"] {
		t.Fatalf("store group: %v", got)
	}
	got = fieldsOf(t, CheckStore(StoreEdit{StoreDef: StoreDef{Reference: "ST-2", Type: "WEBSITE"}, StoreGroupID: "g9"}, nil, "", held), apperr.Invalid)
	if len(got) != 2 || !got["store_group_id"] || !got["url"] {
		t.Fatalf("store: %v", got)
	}
}

func TestStoreEdit_MovingToAnotherGroupRefused(t *testing.T) {
	got := fieldsOf(t, CheckStore(StoreEdit{StoreDef: StoreDef{Type: "WEBSITE", URL: "https://a.example"}, StoreGroupID: "g2"}, &StoreDef{Reference: "ST-1"}, "g1", held), apperr.Unprocessable)
	if !got["store_group_id"] {
		t.Fatalf("fields: %v", got)
	}
}

func TestEntityEdit_CountryIsKeptAndEveryFieldChecked(t *testing.T) {
	now := &BusinessEntity{Reference: "LE-1", Country: "SE", LegalName: "A AB"}
	got := fieldsOf(t, CheckBusinessEntity(BusinessEntity{Country: "DK", LegalName: "A AB"}, now, held), apperr.Unprocessable)
	if !got["legal_registration_country"] {
		t.Fatalf("country: %v", got)
	}
	bad := BusinessEntity{LegalName: "", OperatingAddresses: []Address{{City: "Stockholm", Country: "XX"}},
		Stakeholders: []Stakeholder{{GivenName: "A", DateOfBirth: "2999-01-01"}}}
	got = fieldsOf(t, checkEntityAt(bad, now, held, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), apperr.Invalid)
	for _, f := range []string{"legal_registered_entity_name", "operating_addresses[0].street_address", "operating_addresses[0].postal_code", "operating_addresses[0].country",
		"stakeholders[0].family_name", "stakeholders[0].date_of_birth", "stakeholders[0].roles"} {
		if !got[f] {
			t.Errorf("missing %s in %v", f, got)
		}
	}
}

func TestOurField_KlarnaPathsOnTheFormsFields(t *testing.T) {
	for _, c := range [][3]string{
		{KindBrand, "element.logo_url", "logo_url"},
		{KindStoreGroup, "support_contact.phone", "support_phone"},
		{KindAccount, "partner_account_contact.email", "email"},
		{KindBusinessEntity, "supplementary_business_data.stakeholders[0].roles", "stakeholders[0].roles"},
		{KindBusinessEntity, "supplementary_business_data.partner_payouts_state.bank_accounts[0].iban", "bank_accounts[0].iban"},
		{KindStore, "url", "url"},
	} {
		if got := OurField(c[0], c[1]); got != c[2] {
			t.Errorf("%s %s → %s, want %s", c[0], c[1], got, c[2])
		}
	}
}

package partner

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// sample is a complete, valid onboarding (testdata/onboarding.json).
func sample(t testing.TB) Onboarding {
	t.Helper()
	b, err := os.ReadFile("testdata/onboarding.json")
	if err != nil {
		t.Fatal(err)
	}
	var o Onboarding
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestValidateOnboarding_CompletePayloadHasNoErrors(t *testing.T) {
	o := sample(t)
	if errs := validateAt(&o, nil, testNow); len(errs) != 0 {
		t.Fatalf("errors: %+v", errs)
	}
}

func TestValidateOnboarding_Rules(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(o *Onboarding)
		ex    *Existing
		field string // "" = valid
		says  string // part of the message
	}{
		{"ErrMissingReference", func(o *Onboarding) { o.PartnerAccountReference = " " }, nil, "partner_account_reference", "Enter"},
		{"ErrMissingName", func(o *Onboarding) { o.PartnerAccountName = "" }, nil, "partner_account_name", "name"},
		{"ErrMissingContactEmail", func(o *Onboarding) { o.Contact.Email = "" }, nil, "partner_account_contact.email", "e-mail"},
		{"ErrContactEmailWithoutDomain", func(o *Onboarding) { o.Contact.Email = "sofia@localhost" }, nil, "partner_account_contact.email", "not an e-mail"},
		{"ErrContactEmailWithDisplayName", func(o *Onboarding) { o.Contact.Email = "Sofia <sofia@nordlicht.example>" }, nil, "partner_account_contact.email", "not an e-mail"},
		{"ErrPhoneWithSpaces", func(o *Onboarding) { o.Contact.Phone = "+46 70 123 45 67" }, nil, "partner_account_contact.phone", "international format"},
		{"ErrPhoneWithoutPlus", func(o *Onboarding) { o.Contact.Phone = "0701234567" }, nil, "partner_account_contact.phone", "international format"},
		{"OK_PhoneMayBeEmpty", func(o *Onboarding) { o.Contact.Phone = "" }, nil, "", ""},
		{"ErrNoBusinessEntity", func(o *Onboarding) { o.BusinessEntities = nil; o.PaymentProduct = nil }, nil, "partner_business_entities", "at least one"},
		{"OK_NoNewEntityWhenTheAccountHasOne", func(o *Onboarding) { o.BusinessEntities = nil }, &Existing{BusinessEntities: map[string]bool{"NORD-LE-SE": true}}, "", ""},
		{"ErrCountryLowerCase", func(o *Onboarding) { o.BusinessEntities[0].Country = "se" }, nil, "partner_business_entities[0].legal_registration_country", "ISO 3166-1"},
		{"ErrCountryNotAssigned", func(o *Onboarding) { o.BusinessEntities[0].Country = "XX" }, nil, "partner_business_entities[0].legal_registration_country", "not a country code"},
		{"ErrCountryAlpha3", func(o *Onboarding) { o.BusinessEntities[0].Country = "SWE" }, nil, "partner_business_entities[0].legal_registration_country", "not a country code"},
		{"ErrCountryMissing", func(o *Onboarding) { o.BusinessEntities[0].Country = "" }, nil, "partner_business_entities[0].legal_registration_country", "Choose"},
		{"ErrAddressCountry", func(o *Onboarding) { o.BusinessEntities[0].OperatingAddresses[0].Country = "Sweden" }, nil, "partner_business_entities[0].operating_addresses[0].country", "country code"},
		{"ErrAddressWithoutCity", func(o *Onboarding) { o.BusinessEntities[0].LegalRegistration.Address.City = "" }, nil, "partner_business_entities[0].legal_registration.legal_registration_address.city", "city"},
		{"ErrEntityMCCThreeDigits", func(o *Onboarding) { o.BusinessEntities[0].EnabledMerchantCategoryCodes = []string{"594"} }, nil, "partner_business_entities[0].enabled_merchant_category_codes[0]", "4 digits"},
		{"ErrPaymentAccountMCCLetters", func(o *Onboarding) { o.PaymentProduct.PaymentAccounts[0].DefaultMerchantCategoryCode = "59A1" }, nil, "payment_product.payment_accounts[0].default_merchant_category_code", "4 digits"},
		{"ErrPaymentAccountMCCMissing", func(o *Onboarding) { o.PaymentProduct.PaymentAccounts[0].DefaultMerchantCategoryCode = "" }, nil, "payment_product.payment_accounts[0].default_merchant_category_code", "Enter"},
		{"ErrLogoURLWithoutScheme", func(o *Onboarding) { o.Brands[0].LogoURL = "cdn.nordlicht.example/logo.png" }, nil, "brands[0].logo_url", "https://"},
		{"ErrLogoURLFTP", func(o *Onboarding) { o.Brands[0].LogoURL = "ftp://cdn.nordlicht.example/logo.png" }, nil, "brands[0].logo_url", "https://"},
		{"ErrWebsiteStoreWithoutURL", func(o *Onboarding) { o.StoreGroups[0].Stores[0].URL = "" }, nil, "store_groups[0].stores[0].url", "web address"},
		{"OK_NonWebsiteStoreWithoutURL", func(o *Onboarding) { o.StoreGroups[0].Stores[0].Type = "PHYSICAL"; o.StoreGroups[0].Stores[0].URL = "" }, nil, "", ""},
		{"ErrSupportEmail", func(o *Onboarding) { o.StoreGroups[0].SupportEmail = "support" }, nil, "store_groups[0].support_email", "e-mail"},
		{"ErrSupportPhone", func(o *Onboarding) { o.StoreGroups[0].SupportPhone = "08-765 43 21" }, nil, "store_groups[0].support_phone", "international"},
		{"ErrSocialLinkURL", func(o *Onboarding) {
			o.StoreGroups[0].SocialMediaLinks = []SocialMediaLink{{Provider: "INSTAGRAM", URL: "@nordlicht"}}
		}, nil, "store_groups[0].social_media_links[0].url", "web address"},
		{"ErrDateOfBirthFormat", func(o *Onboarding) { o.BusinessEntities[0].Stakeholders[0].DateOfBirth = "12/03/1984" }, nil, "partner_business_entities[0].stakeholders[0].date_of_birth", "YYYY-MM-DD"},
		{"ErrDateOfBirthImpossible", func(o *Onboarding) { o.BusinessEntities[0].Stakeholders[0].DateOfBirth = "1984-02-30" }, nil, "partner_business_entities[0].stakeholders[0].date_of_birth", "YYYY-MM-DD"},
		{"ErrDateOfBirthInFuture", func(o *Onboarding) { o.BusinessEntities[0].Stakeholders[0].DateOfBirth = "2030-01-01" }, nil, "partner_business_entities[0].stakeholders[0].date_of_birth", "future"},
		{"ErrStakeholderWithoutRole", func(o *Onboarding) { o.BusinessEntities[0].Stakeholders[0].Roles = nil }, nil, "partner_business_entities[0].stakeholders[0].roles", "role"},
		{"ErrIBANCheckDigits", func(o *Onboarding) { o.BusinessEntities[0].BankAccounts[0].IBAN = "SE46 5000 0000 0583 9825 7466" }, nil, "partner_business_entities[0].bank_accounts[0].iban", "not a valid IBAN"},
		{"OK_IBANLowerCaseWithoutSpaces", func(o *Onboarding) { o.BusinessEntities[0].BankAccounts[0].IBAN = "se4550000000058398257466" }, nil, "", ""},
		{"ErrBIC", func(o *Onboarding) { o.BusinessEntities[0].BankAccounts[0].BIC = "ESSE" }, nil, "partner_business_entities[0].bank_accounts[0].bic", "8 or 11"},
		{"ErrDuplicateEntityReference", func(o *Onboarding) {
			o.BusinessEntities = append(o.BusinessEntities, o.BusinessEntities[0])
		}, nil, "partner_business_entities[1].partner_business_entity_reference", "already uses"},
		{"ErrDuplicateStoreReferenceAcrossGroups", func(o *Onboarding) {
			g := o.StoreGroups[0]
			g.Reference = "NORD-SG-2"
			o.StoreGroups = append(o.StoreGroups, g)
		}, nil, "store_groups[1].stores[0].store_reference", "already uses"},
		{"ErrDuplicatePaymentAccountOnSameAcquiringAccount", func(o *Onboarding) {
			o.PaymentProduct.PaymentAccounts = append(o.PaymentProduct.PaymentAccounts, o.PaymentProduct.PaymentAccounts[0])
		}, nil, "payment_product.payment_accounts[1].payment_account_reference", "already uses"},
		{"OK_SamePaymentAccountReferenceOnAnotherAcquiringAccount", func(o *Onboarding) {
			pa := o.PaymentProduct.PaymentAccounts[0]
			pa.AcquiringAccountID = "OTHER"
			o.PaymentProduct.PaymentAccounts = append(o.PaymentProduct.PaymentAccounts, pa)
		}, nil, "", ""},
		{"ErrPaymentAccountEntityUnknown", func(o *Onboarding) { o.PaymentProduct.PaymentAccounts[0].BusinessEntityReference = "NORD-LE-DE" }, nil, "payment_product.payment_accounts[0].partner_business_entity_reference", "No business entity"},
		{"OK_PaymentAccountEntityOnTheAccount", func(o *Onboarding) { o.PaymentProduct.PaymentAccounts[0].BusinessEntityReference = "NORD-LE-DE" },
			&Existing{BusinessEntities: map[string]bool{"NORD-LE-DE": true}}, "", ""},
		{"ErrPaymentAccountStoreGroupUnknown", func(o *Onboarding) { o.PaymentProduct.PaymentAccounts[0].DefaultStoreGroupReference = "NORD-SG-POS" }, nil, "payment_product.payment_accounts[0].default_store_group_reference", "No store group"},
		{"OK_PaymentAccountStoreGroupOnTheAccount", func(o *Onboarding) { o.PaymentProduct.PaymentAccounts[0].DefaultStoreGroupReference = "NORD-SG-POS" },
			&Existing{StoreGroups: map[string]bool{"NORD-SG-POS": true}}, "", ""},
		{"ErrStoreGroupBrandUnknown", func(o *Onboarding) { o.StoreGroups[0].BrandReference = "NORD-BR-2" }, nil, "store_groups[0].brand_reference", "No brand"},
		{"OK_StoreGroupBrandOnTheAccount", func(o *Onboarding) { o.Brands = nil }, &Existing{Brands: map[string]bool{"NORD-BR": true}}, "", ""},
		{"ErrStoreGroupWithoutBrand", func(o *Onboarding) { o.StoreGroups[0].BrandReference = "" }, nil, "store_groups[0].brand_reference", "brand"},
		{"ErrNoPaymentAccount", func(o *Onboarding) { o.PaymentProduct.PaymentAccounts = nil }, nil, "payment_product.payment_accounts", "at least one"},
		{"ErrNoPaymentProfile", func(o *Onboarding) { o.PaymentProduct.PaymentProfileID = "" }, nil, "payment_product.payment_profile_id", "payment profile"},
		{"ErrNoAcquiringAccount", func(o *Onboarding) { o.PaymentProduct.PaymentAccounts[0].AcquiringAccountID = "" }, nil, "payment_product.payment_accounts[0].payment_acquiring_account_id", "acquiring"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := sample(t)
			tc.edit(&o)
			errs := validateAt(&o, tc.ex, testNow)
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("want valid, got %+v", errs)
				}
				return
			}
			for _, e := range errs {
				if e.Field == tc.field {
					if !strings.Contains(e.Message, tc.says) {
						t.Fatalf("%s: message %q does not say %q", e.Field, e.Message, tc.says)
					}
					return
				}
			}
			t.Fatalf("no error on %s; got %+v", tc.field, errs)
		})
	}
}

func TestValidateOnboarding_ReportsEveryProblemAtOnce(t *testing.T) {
	o := sample(t)
	o.Contact.Email = "nope"
	o.BusinessEntities[0].Country = "se"
	o.Brands[0].LogoURL = "logo.png"
	o.PaymentProduct.PaymentAccounts[0].DefaultMerchantCategoryCode = "12"
	errs := validateAt(&o, nil, testNow)
	if len(errs) != 4 {
		t.Fatalf("want 4 errors, got %+v", errs)
	}
}

func TestISOCountries_AreTheAssignedCodes(t *testing.T) {
	if len(isoCountries) != 249 {
		t.Fatalf("%d codes, ISO 3166-1 assigns 249", len(isoCountries))
	}
	for _, c := range []string{"SE", "DE", "US", "GB", "AX", "SS", "XK", "UK", "EU"} {
		want := c != "XK" && c != "UK" && c != "EU"
		if IsCountry(c) != want {
			t.Errorf("IsCountry(%s) = %v", c, !want)
		}
	}
}

// BenchmarkValidateOnboarding validates 10 000 payloads (a bulk file's dry run).
func BenchmarkValidateOnboarding(b *testing.B) {
	base := sample(b)
	payloads := make([]Onboarding, 10000)
	for i := range payloads {
		o := base
		o.PartnerAccountReference = fmt.Sprintf("NORD-%06d", i)
		payloads[i] = o
	}
	b.ResetTimer()
	for range b.N {
		for i := range payloads {
			if errs := ValidateOnboarding(&payloads[i], nil); len(errs) != 0 {
				b.Fatal(errs)
			}
		}
	}
}

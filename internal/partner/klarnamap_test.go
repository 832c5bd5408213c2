package partner

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

func TestToKlarna_NewPartnerSendsEverythingInKlarnasShape(t *testing.T) {
	o := sample(t)
	req, err := ToKlarna(&o, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(req)
	for _, want := range []string{`"products":[{"type":"PAYMENT","payment_profile_id":"PROFILE"`, `"element":{"logo_url":"https://cdn.nordlicht.example/logo.png"}`,
		`"support_contact":{"email":"support@nordlicht.example"`, `"supplementary_business_data":{"legal_registration":{`,
		`"partner_payouts_state":{"bank_accounts":[{"bank_account_type":"IBAN","account_holder":"Nordlicht Outdoor AB","bic":"ESSESESS","iban":"SE4550000000058398257466"}]}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("request lacks %s:\n%s", want, b)
		}
	}
}

func TestToKlarna_HashesBankAccountsWithTheSaltWhenChosen(t *testing.T) {
	o := sample(t)
	o.HashBankAccounts = true
	if _, err := ToKlarna(&o, nil, nil); err == nil || !strings.Contains(err.Error(), "salt") {
		t.Fatalf("without a salt: %v", err)
	}
	req, err := ToKlarna(&o, nil, []byte("pre-shared-salt-16"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(req)
	want := HashBankAccount("se45 5000 0000 0583 9825 7466", []byte("pre-shared-salt-16"))
	if len(want) != 64 || !strings.Contains(string(b), `"iban":"`+want+`"`) || strings.Contains(string(b), "SE455000") {
		t.Fatalf("the number is not sent hashed (%s):\n%s", want, b)
	}
	if HashBankAccount("SE4550000000058398257466", []byte("another-salt-0016")) == want {
		t.Fatal("the salt does not change the hash")
	}
}

func TestToKlarna_IncrementalSendsOnlyNewResources(t *testing.T) {
	o := sample(t)
	o.StoreGroups[0].Stores = append(o.StoreGroups[0].Stores, StoreDef{Reference: "NORD-ST-NEW", Type: "WEBSITE", URL: "https://new.nordlicht.example"})
	o.Brands = append([]Brand{{Reference: "NORD-BR-2", DisplayName: "Second"}}, o.Brands...)
	ex := &Existing{BusinessEntities: map[string]bool{"NORD-LE-SE": true}, Brands: map[string]bool{"NORD-BR": true},
		StoreGroups: map[string]bool{"NORD-SG-WEB": true}, Stores: map[string]bool{"NORD-ST-SE": true},
		PaymentAccounts: map[string]bool{paymentAccountKey("ACQUIRING", "NORD-PA-SEK"): true}}
	req, pm, err := toKlarna(&o, ex, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(req.PartnerBusinessEntities) != 0 || len(req.Products) != 0 || len(req.Brands) != 1 || req.Brands[0].BrandReference != "NORD-BR-2" {
		t.Fatalf("sent existing resources: %+v", req)
	}
	if len(req.StoreGroups) != 1 || len(req.StoreGroups[0].Stores) != 1 || req.StoreGroups[0].Stores[0].StoreReference != "NORD-ST-NEW" {
		t.Fatalf("store groups: %+v", req.StoreGroups)
	}
	if got := pm.fromKlarnaPath("store_groups[0].stores[0].url"); got != "store_groups[0].stores[1].url" {
		t.Errorf("store path = %s", got)
	}
}

func TestFromKlarnaPath_MapsKlarnasFieldsOntoThePayload(t *testing.T) {
	pm := pathMap{entities: []int{2}, brands: []int{1}, accounts: []int{3}, groups: []int{0}, stores: [][]int{{4}}}
	for in, want := range map[string]string{
		"partner_account_contact.email": "partner_account_contact.email",
		"partner_business_entities[0].supplementary_business_data.legal_registration.legal_registration_address.country": "partner_business_entities[2].legal_registration.legal_registration_address.country",
		"partner_business_entities[0].supplementary_business_data.partner_payouts_state.bank_accounts[0].iban":           "partner_business_entities[2].bank_accounts[0].iban",
		"products[0].payment_accounts[0].default_merchant_category_code":                                                 "payment_product.payment_accounts[3].default_merchant_category_code",
		"products[0].payment_profile_id":        "payment_product.payment_profile_id",
		"brands[0].element.logo_url":            "brands[1].logo_url",
		"store_groups[0].support_contact.phone": "store_groups[0].support_phone",
		"store_groups[0].stores[0].url":         "store_groups[0].stores[4].url",
	} {
		if got := pm.fromKlarnaPath(in); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

func TestFromKlarna_PrefillsWhatTheAccountHoldsAndMarksItExisting(t *testing.T) {
	o := sample(t)
	req, _ := ToKlarna(&o, nil, nil)
	// What Klarna holds: the request's resources with ids, stores listed apart.
	k := KlarnaAccount{Account: klarna.PartnerAccount{PartnerAccountID: "krn:partner:global:account:test:X", PartnerAccountReference: req.PartnerAccountReference,
		PartnerAccountName: req.PartnerAccountName, PartnerAccountContact: req.PartnerAccountContact}, Entities: req.PartnerBusinessEntities, Brands: req.Brands}
	for _, g := range req.StoreGroups {
		for _, s := range g.Stores {
			s.StoreGroupReference = g.StoreGroupReference
			k.Stores = append(k.Stores, s)
		}
		g.Stores = nil
		k.StoreGroups = append(k.StoreGroups, g)
	}
	k.Products = req.Products
	back, ex := FromKlarna(k)
	if !reflect.DeepEqual(back.StoreGroups, o.StoreGroups) || !reflect.DeepEqual(back.Brands, o.Brands) || !reflect.DeepEqual(back.PaymentProduct, o.PaymentProduct) {
		t.Fatalf("round trip differs:\n%+v\n%+v", back, o)
	}
	if !ex.BusinessEntities["NORD-LE-SE"] || !ex.Stores["NORD-ST-SE"] || !ex.HasPaymentAccount("ACQUIRING", "NORD-PA-SEK") {
		t.Fatalf("existing: %+v", ex)
	}
	if errs := ValidateOnboarding(&back, &ex); len(errs) != 0 {
		t.Fatalf("what the account holds does not validate: %+v", errs)
	}
	changed := back
	changed.Brands = []Brand{{Reference: "NORD-BR", DisplayName: "Renamed"}}
	if errs := ValidateOnboarding(&changed, &ex); len(errs) != 1 || errs[0].Field != "brands[0]" || !strings.Contains(errs[0].Message, "already at Klarna") {
		t.Fatalf("a changed existing brand: %+v", errs)
	}
	again, _ := ToKlarna(&back, &ex, nil)
	if len(again.PartnerBusinessEntities)+len(again.Brands)+len(again.StoreGroups)+len(again.Products) != 0 {
		t.Fatalf("an unchanged account sends resources again: %+v", again)
	}
}

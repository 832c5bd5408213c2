package klarna_test

import (
	"context"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

func TestOnboard_AccountBecomesOperationalWithWebhook(t *testing.T) {
	e := newEnv(t)
	hooks := e.subscribe()
	ctx := context.Background()

	res, err := e.client.Onboard(ctx, onboardReq("PD-1"), klarna.WithIdempotencyKey(klarna.DeriveIdempotencyKey("onboard", "PD-1")))
	if err != nil {
		t.Fatal(err)
	}
	if res.State != klarna.AccountPartiallyOperational || res.PartnerAccountID == "" {
		t.Fatalf("onboard = %+v", res)
	}
	if len(res.Products) != 1 || len(res.Products[0].PaymentAccounts) != 1 || res.Products[0].PaymentAccounts[0].PaymentAccountID == "" {
		t.Fatalf("onboard must return the payment account ids: %+v", res.Products)
	}
	id := res.PartnerAccountID

	// Management before OPERATIONAL is refused.
	_, err = e.client.UpdateAccount(ctx, id, klarna.PartnerAccount{PartnerAccountName: "Too early"})
	wantCode(t, err, apperr.Conflict)

	e.sim.Advance(5 * time.Second)
	ev := hooks.waitFor(t, klarna.EventAccountOperational)
	var p klarna.AccountEventPayload
	if err := ev.DecodePayload(&p); err != nil || p.PartnerAccountID != id || p.State != "OPERATIONAL" {
		t.Fatalf("payload %+v %v", p, err)
	}
	acct := must[*klarna.PartnerAccount](t)(e.client.GetAccount(ctx, id))
	if acct.State != klarna.AccountOperational {
		t.Fatalf("state = %s", acct.State)
	}
	upd := must[*klarna.PartnerAccount](t)(e.client.UpdateAccount(ctx, id, klarna.PartnerAccount{PartnerAccountContact: &klarna.Contact{Email: "new@fjord.example"}}))
	if upd.PartnerAccountContact.Email != "new@fjord.example" || upd.PartnerAccountName != "Fjord Ceramics" {
		t.Fatalf("update = %+v", upd)
	}
	_, err = e.client.UpdateAccount(ctx, id, klarna.PartnerAccount{PartnerAccountReference: "OTHER"})
	wantCode(t, err, apperr.Invalid)
	if fe := apperr.As(err).Fields; len(fe) != 1 || fe[0].Field != "partner_account_reference" {
		t.Fatalf("field errors = %+v", fe)
	}
	_, err = e.client.GetAccount(ctx, "krn:partner:global:account:test:NOPE0000")
	wantCode(t, err, apperr.NotFound)
}

func TestOnboard_ValidationErrorCarriesJSONPaths(t *testing.T) {
	e := newEnv(t)
	req := onboardReq("PD-2")
	req.PartnerAccountContact.Email = "not-an-email"
	req.PartnerBusinessEntities[0].LegalRegistrationCountry = "Norway"
	_, err := e.client.Onboard(context.Background(), req)
	wantCode(t, err, apperr.Invalid)
	got := map[string]bool{}
	for _, f := range apperr.As(err).Fields {
		got[f.Field] = true
	}
	for _, want := range []string{"partner_account_contact.email", "partner_business_entities[0].legal_registration_country"} {
		if !got[want] {
			t.Errorf("missing field error %s in %v", want, got)
		}
	}
	var ke *klarna.Error
	if !errorsAs(err, &ke) || ke.HTTPStatus != 400 || ke.ErrorCode != klarna.CodeValidation || ke.ErrorID == "" {
		t.Fatalf("klarna error = %+v", ke)
	}
}

func TestOnboard_Incremental(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := must[*klarna.OnboardResponse](t)(e.client.Onboard(ctx, onboardReq("PD-3")))

	t.Run("OK_IdenticalResourcesAreUnchanged", func(t *testing.T) {
		again := must[*klarna.OnboardResponse](t)(e.client.Onboard(ctx, onboardReq("PD-3")))
		if again.PartnerAccountID != first.PartnerAccountID || len(again.Products[0].PaymentAccounts) != 1 {
			t.Fatalf("incremental onboarding created duplicates: %+v", again)
		}
	})
	t.Run("OK_NewReferencesAreAdded", func(t *testing.T) {
		req := onboardReq("PD-3")
		req.Brands = append(req.Brands, klarna.Brand{BrandReference: "PD-3-BR2", DisplayName: "Fjord Outlet"})
		more := must[*klarna.OnboardResponse](t)(e.client.Onboard(ctx, req))
		if len(more.Brands) != 2 {
			t.Fatalf("brands = %+v", more.Brands)
		}
	})
	t.Run("ErrConflict_ChangedExistingResource", func(t *testing.T) {
		req := onboardReq("PD-3")
		req.PartnerBusinessEntities[0].LegalRegisteredEntityName = "Renamed AS"
		_, err := e.client.Onboard(ctx, req)
		wantCode(t, err, apperr.Conflict)
	})
	t.Run("ErrConflict_PaymentAccountReferenceUsedByAnotherPartner", func(t *testing.T) {
		req := onboardReq("PD-4")
		req.Products[0].PaymentAccounts[0].PaymentAccountReference = "PD-3-PA"
		_, err := e.client.Onboard(ctx, req)
		wantCode(t, err, apperr.Conflict)
	})
}

func TestOnboard_UnresolvableLogoSendsBrandDataIncomplete(t *testing.T) {
	e := newEnv(t)
	hooks := e.subscribe()
	req := onboardReq("PD-5")
	req.Brands[0].Element.LogoURL = "https://cdn.broken.invalid/logo.png"
	if _, err := e.client.Onboard(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	ev := hooks.waitFor(t, klarna.EventBrandDataIncomplete)
	var p klarna.AccountEventPayload
	_ = ev.DecodePayload(&p)
	if p.BrandReference != "PD-5-BR" {
		t.Fatalf("payload = %+v", p)
	}
}

func TestManagement_ResourcesCRUD(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.operationalPartner("SEK")
	id := p.PartnerAccountID

	ents := must[[]klarna.BusinessEntity](t)(e.client.ListBusinessEntities(ctx, id))
	if len(ents) != 1 {
		t.Fatalf("entities = %d", len(ents))
	}
	must[*klarna.BusinessEntity](t)(e.client.GetBusinessEntity(ctx, id, ents[0].PartnerBusinessEntityID))
	ne := must[*klarna.BusinessEntity](t)(e.client.CreateBusinessEntity(ctx, id, klarna.BusinessEntity{PartnerBusinessEntityReference: "LE-2", LegalRegisteredEntityName: "Second AB", LegalRegistrationCountry: "SE"}))
	_, err := e.client.CreateBusinessEntity(ctx, id, klarna.BusinessEntity{PartnerBusinessEntityReference: "LE-2", LegalRegisteredEntityName: "Dup AB", LegalRegistrationCountry: "SE"})
	wantCode(t, err, apperr.Conflict)
	ue := must[*klarna.BusinessEntity](t)(e.client.UpdateBusinessEntity(ctx, id, ne.PartnerBusinessEntityID, klarna.BusinessEntity{LegalRegisteredEntityName: "Second Renamed AB"}))
	if ue.LegalRegisteredEntityName != "Second Renamed AB" {
		t.Fatal(ue)
	}
	_, err = e.client.UpdateBusinessEntity(ctx, id, ne.PartnerBusinessEntityID, klarna.BusinessEntity{LegalRegistrationCountry: "DK"})
	wantCode(t, err, apperr.Invalid)
	_, err = e.client.GetBusinessEntity(ctx, id, "nope")
	wantCode(t, err, apperr.NotFound)

	br := must[*klarna.Brand](t)(e.client.CreateBrand(ctx, id, klarna.Brand{BrandReference: "BR-2", DisplayName: "Second"}))
	must[*klarna.Brand](t)(e.client.GetBrand(ctx, id, br.BrandID))
	ub := must[*klarna.Brand](t)(e.client.UpdateBrand(ctx, id, br.BrandID, klarna.Brand{DisplayName: "Second Brand"}))
	if ub.DisplayName != "Second Brand" {
		t.Fatal(ub)
	}
	if bs := must[[]klarna.Brand](t)(e.client.ListBrands(ctx, id)); len(bs) != 2 {
		t.Fatalf("brands = %d", len(bs))
	}

	sg := must[*klarna.StoreGroup](t)(e.client.CreateStoreGroup(ctx, id, klarna.StoreGroup{StoreGroupReference: "SG-2", BrandID: br.BrandID, SupportContact: &klarna.SupportContact{Email: "s@x.example"}}))
	if sg.BrandReference != "BR-2" {
		t.Fatal(sg)
	}
	must[*klarna.StoreGroup](t)(e.client.GetStoreGroup(ctx, id, sg.StoreGroupID))
	must[*klarna.StoreGroup](t)(e.client.UpdateStoreGroup(ctx, id, sg.StoreGroupID, klarna.StoreGroup{SocialMediaLinks: []klarna.SocialMediaLink{{Provider: "INSTAGRAM", URL: "https://instagram.com/x"}}}))
	if gs := must[[]klarna.StoreGroup](t)(e.client.ListStoreGroups(ctx, id)); len(gs) != 2 {
		t.Fatalf("store groups = %d", len(gs))
	}
	st := must[*klarna.Store](t)(e.client.CreateStore(ctx, id, klarna.Store{StoreReference: "ST-2", StoreGroupID: sg.StoreGroupID, Type: "WEBSITE", URL: "https://second.example"}))
	must[*klarna.Store](t)(e.client.GetStore(ctx, id, st.StoreID))
	us := must[*klarna.Store](t)(e.client.UpdateStore(ctx, id, st.StoreID, klarna.Store{URL: "https://second.example/shop"}))
	if us.URL != "https://second.example/shop" {
		t.Fatal(us)
	}
	_, err = e.client.CreateStore(ctx, id, klarna.Store{StoreReference: "ST-3", Type: "WEBSITE", URL: "not a url", StoreGroupID: sg.StoreGroupID})
	wantCode(t, err, apperr.Invalid)
	if ss := must[[]klarna.Store](t)(e.client.ListStores(ctx, id)); len(ss) != 2 {
		t.Fatalf("stores = %d", len(ss))
	}
}

func TestPaymentProducts_DisableEnableAndImmutableAccounts(t *testing.T) {
	e := newEnv(t)
	hooks := e.subscribe()
	ctx := context.Background()
	p := e.operationalPartner("EUR")
	id := p.PartnerAccountID
	prods := must[[]klarna.PaymentProduct](t)(e.client.ListPaymentProducts(ctx, id))
	if len(prods) != 1 || prods[0].Status != klarna.ProductEnabled {
		t.Fatalf("products = %+v", prods)
	}
	ppid := prods[0].PaymentProductID
	must[*klarna.PaymentProduct](t)(e.client.GetPaymentProduct(ctx, id, ppid))

	dis := must[*klarna.PaymentProduct](t)(e.client.DisablePaymentProduct(ctx, id, ppid))
	if dis.Status != klarna.ProductDisabled || dis.PaymentAccounts[0].Status != klarna.ProductDisabled {
		t.Fatalf("disabled = %+v", dis)
	}
	hooks.waitFor(t, klarna.EventProductDisabled)
	en := must[*klarna.PaymentProduct](t)(e.client.EnablePaymentProduct(ctx, id, ppid))
	if en.Status != klarna.ProductEnabled {
		t.Fatal(en.Status)
	}
	hooks.waitFor(t, klarna.EventProductEnabled)

	if err := e.sim.SetProductStatus(id, klarna.ProductTerminated); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.EnablePaymentProduct(ctx, id, ppid)
	wantCode(t, err, apperr.Conflict)
	_ = e.sim.SetProductStatus(id, klarna.ProductEnabled)

	pas := must[[]klarna.PaymentAccount](t)(e.client.ListPaymentAccounts(ctx, id, ppid))
	must[*klarna.PaymentAccount](t)(e.client.GetPaymentAccount(ctx, id, ppid, pas[0].PaymentAccountID))
	ents := must[[]klarna.BusinessEntity](t)(e.client.ListBusinessEntities(ctx, id))
	acq := pas[0].PaymentAcquiringAccountID
	pa := must[*klarna.PaymentAccount](t)(e.client.CreatePaymentAccount(ctx, id, ppid, klarna.PaymentAccount{
		PaymentAccountReference: "SECOND-EUR", PaymentAcquiringAccountID: acq, PartnerBusinessEntityReference: ents[0].PartnerBusinessEntityReference, DefaultMerchantCategoryCode: "5999"}))
	if pa.PaymentAccountID == "" || pa.PartnerBusinessEntityID != ents[0].PartnerBusinessEntityID {
		t.Fatalf("payment account = %+v", pa)
	}
	_, err = e.client.CreatePaymentAccount(ctx, id, ppid, klarna.PaymentAccount{
		PaymentAccountReference: "SECOND-EUR", PaymentAcquiringAccountID: acq, PartnerBusinessEntityReference: ents[0].PartnerBusinessEntityReference, DefaultMerchantCategoryCode: "5999"})
	wantCode(t, err, apperr.Conflict)

	got := must[string](t)(e.client.ResolvePaymentAccountID(ctx, acq, "SECOND-EUR"))
	if got != pa.PaymentAccountID {
		t.Fatalf("resolved %s", got)
	}
	_, err = e.client.ResolvePaymentAccountID(ctx, acq, "UNKNOWN")
	wantCode(t, err, apperr.NotFound)
	pid := must[string](t)(e.client.ResolvePartnerAccountID(ctx, p.PartnerAccountReference))
	if pid != id {
		t.Fatalf("resolved partner %s", pid)
	}
}

func TestCatalogue_ProfilesAndAcquiringAccounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if ps := must[[]klarna.PaymentProfile](t)(e.client.ListPaymentProfiles(ctx)); len(ps) == 0 || ps[0].PaymentProfileID == "" {
		t.Fatalf("profiles = %+v", ps)
	}
	if as := must[[]klarna.AcquiringAccount](t)(e.client.ListAcquiringAccounts(ctx)); len(as) == 0 || as[0].SettlementCurrency == "" {
		t.Fatalf("acquiring = %+v", as)
	}
}

func TestOnBehalfOf_AnotherPartnerIsNotFound(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.operationalPartner("SEK")
	b := e.operationalPartner("SEK")
	_, err := e.client.GetAccount(ctx, a.PartnerAccountID, klarna.OnBehalfOf(b.PartnerAccountID))
	wantCode(t, err, apperr.NotFound)
	must[*klarna.PartnerAccount](t)(e.client.GetAccount(ctx, a.PartnerAccountID, klarna.OnBehalfOf(a.PartnerAccountID)))
	_ = klarnasim.PartnerSpec{}
}

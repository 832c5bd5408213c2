package klarnasim

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

var (
	reCountry = regexp.MustCompile(`^[A-Z]{2}$`)
	reMCC     = regexp.MustCompile(`^[0-9]{4}$`)
	rePhone   = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	reEnum    = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)
)

func (s *Sim) handlers() map[klarna.Operation]handler {
	h := map[klarna.Operation]handler{
		klarna.OpOnboard:                 s.hOnboard,
		klarna.OpGetAccount:              s.hGetAccount,
		klarna.OpUpdateAccount:           s.hUpdateAccount,
		klarna.OpListBusinessEntities:    s.hListEntities,
		klarna.OpGetBusinessEntity:       s.hGetEntity,
		klarna.OpCreateBusinessEntity:    s.hCreateEntity,
		klarna.OpUpdateBusinessEntity:    s.hUpdateEntity,
		klarna.OpListBrands:              s.hListBrands,
		klarna.OpGetBrand:                s.hGetBrand,
		klarna.OpCreateBrand:             s.hCreateBrand,
		klarna.OpUpdateBrand:             s.hUpdateBrand,
		klarna.OpListStoreGroups:         s.hListStoreGroups,
		klarna.OpGetStoreGroup:           s.hGetStoreGroup,
		klarna.OpCreateStoreGroup:        s.hCreateStoreGroup,
		klarna.OpUpdateStoreGroup:        s.hUpdateStoreGroup,
		klarna.OpListStores:              s.hListStores,
		klarna.OpGetStore:                s.hGetStore,
		klarna.OpCreateStore:             s.hCreateStore,
		klarna.OpUpdateStore:             s.hUpdateStore,
		klarna.OpListPaymentProducts:     s.hListProducts,
		klarna.OpGetPaymentProduct:       s.hGetProduct,
		klarna.OpDisablePaymentProduct:   s.hSetProduct(klarna.ProductDisabled),
		klarna.OpEnablePaymentProduct:    s.hSetProduct(klarna.ProductEnabled),
		klarna.OpListPaymentAccounts:     s.hListPaymentAccounts,
		klarna.OpGetPaymentAccount:       s.hGetPaymentAccount,
		klarna.OpCreatePaymentAccount:    s.hCreatePaymentAccount,
		klarna.OpListPaymentProfiles:     s.hListProfiles,
		klarna.OpListAcquiringAccounts:   s.hListAcquiring,
		klarna.OpResolvePartnerAccountID: s.hResolvePartner,
		klarna.OpResolvePaymentAccountID: s.hResolvePaymentAccount,
	}
	for k, v := range s.credentialHandlers() {
		h[k] = v
	}
	for k, v := range s.notificationHandlers() {
		h[k] = v
	}
	for k, v := range s.disputeHandlers() {
		h[k] = v
	}
	for k, v := range s.settlementHandlers() {
		h[k] = v
	}
	h[klarna.OpCreateDeepLink] = s.hCreateDeepLink
	return h
}

func (s *Sim) seedCatalogue() {
	s.st.Catalogue = catalogue{
		Profiles: []klarna.PaymentProfile{
			{PaymentProfileID: "krn:partner:global:payment-profile:test:6c1e0a9e-2f0b-4d8a-9a51-1f6f1e0c7a01", Name: "Standard retail", Description: "Pay later, pay in 3, financing"},
			{PaymentProfileID: "krn:partner:global:payment-profile:test:0d8f3a7b-5c2e-4b19-8e6d-2a9c4b7e1f02", Name: "Digital goods", Description: "Pay now and pay later"},
		},
		Acquiring: []klarna.AcquiringAccount{
			{PaymentAcquiringAccountID: "krn:partner:global:payment-acquiring-account:test:1b2c3d4e-0000-4a00-8000-00000000a5e0", Name: "Nordic acquiring (SEK)", SettlementCurrency: "SEK", Country: "SE"},
			{PaymentAcquiringAccountID: "krn:partner:global:payment-acquiring-account:test:1b2c3d4e-0000-4a00-8000-00000000e0e0", Name: "Euro acquiring (EUR)", SettlementCurrency: "EUR", Country: "DE"},
		},
	}
}

func (s *Sim) profileExists(id string) bool {
	for _, p := range s.st.Catalogue.Profiles {
		if p.PaymentProfileID == id {
			return true
		}
	}
	return false
}

func (s *Sim) acquiring(id string) *klarna.AcquiringAccount {
	for i := range s.st.Catalogue.Acquiring {
		if s.st.Catalogue.Acquiring[i].PaymentAcquiringAccountID == id {
			return &s.st.Catalogue.Acquiring[i]
		}
	}
	return nil
}

func canon(v any) string {
	b, _ := json.Marshal(v)
	var x any
	_ = json.Unmarshal(b, &x)
	b, _ = json.Marshal(x) // maps marshal with sorted keys
	return string(b)
}

func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e && strings.Contains(e[strings.LastIndex(e, "@"):], ".")
}

func validURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}

func validateOnboard(req *klarna.OnboardRequest) []klarna.ValidationError {
	var ve []klarna.ValidationError
	req1 := func(path, v string) {
		if strings.TrimSpace(v) == "" {
			ve = append(ve, vErr(path, "is required"))
		}
	}
	req1("partner_account_reference", req.PartnerAccountReference)
	req1("partner_account_name", req.PartnerAccountName)
	if req.PartnerAccountContact == nil {
		ve = append(ve, vErr("partner_account_contact", "is required"))
	} else {
		if req.PartnerAccountContact.Email == "" {
			ve = append(ve, vErr("partner_account_contact.email", "must be a valid e-mail address"))
		}
		ve = append(ve, validateContact("partner_account_contact", req.PartnerAccountContact)...)
	}
	for i, e := range req.PartnerBusinessEntities {
		ve = append(ve, validateEntity(fmt.Sprintf("partner_business_entities[%d]", i), &e, true)...)
	}
	for i, b := range req.Brands {
		ve = append(ve, validateBrand(fmt.Sprintf("brands[%d]", i), &b, true)...)
	}
	for i, g := range req.StoreGroups {
		path := fmt.Sprintf("store_groups[%d]", i)
		req1(path+".store_group_reference", g.StoreGroupReference)
		ve = append(ve, validateStoreGroup(path, &g)...)
		for j, st := range g.Stores {
			ve = append(ve, validateStore(fmt.Sprintf("%s.stores[%d]", path, j), &st)...)
		}
	}
	for i, p := range req.Products {
		path := fmt.Sprintf("products[%d]", i)
		if p.Type != "PAYMENT" {
			ve = append(ve, vErr(path+".type", "must be PAYMENT"))
		}
		req1(path+".payment_profile_id", p.PaymentProfileID)
		for j, pa := range p.PaymentAccounts {
			ve = append(ve, validatePaymentAccount(fmt.Sprintf("%s.payment_accounts[%d]", path, j), &pa)...)
		}
	}
	return ve
}

func validateEntity(path string, e *klarna.BusinessEntity, create bool) []klarna.ValidationError {
	var ve []klarna.ValidationError
	if create {
		if e.PartnerBusinessEntityReference == "" {
			ve = append(ve, vErr(path+".partner_business_entity_reference", "is required"))
		}
		if e.LegalRegisteredEntityName == "" {
			ve = append(ve, vErr(path+".legal_registered_entity_name", "is required"))
		}
		if !reCountry.MatchString(e.LegalRegistrationCountry) {
			ve = append(ve, vErr(path+".legal_registration_country", "must be an ISO 3166-1 alpha-2 country code"))
		}
	}
	for i, m := range e.EnabledMerchantCategoryCodes {
		if !reMCC.MatchString(m) {
			ve = append(ve, vErr(fmt.Sprintf("%s.enabled_merchant_category_codes[%d]", path, i), "must be a 4-digit MCC"))
		}
	}
	if sd := e.SupplementaryBusinessData; sd != nil {
		sp := path + ".supplementary_business_data"
		if lr := sd.LegalRegistration; lr != nil && lr.LegalRegistrationAddress != nil {
			ve = append(ve, validateAddress(sp+".legal_registration.legal_registration_address", lr.LegalRegistrationAddress)...)
		}
		for i := range sd.OperatingAddresses {
			ve = append(ve, validateAddress(fmt.Sprintf("%s.operating_addresses[%d]", sp, i), &sd.OperatingAddresses[i])...)
		}
		for i, st := range sd.Stakeholders {
			p := fmt.Sprintf("%s.stakeholders[%d]", sp, i)
			if strings.TrimSpace(st.GivenName) == "" {
				ve = append(ve, vErr(p+".given_name", "is required"))
			}
			if strings.TrimSpace(st.FamilyName) == "" {
				ve = append(ve, vErr(p+".family_name", "is required"))
			}
			if st.DateOfBirth != "" {
				if _, err := time.Parse(time.DateOnly, st.DateOfBirth); err != nil {
					ve = append(ve, vErr(p+".date_of_birth", "must be a date (YYYY-MM-DD)"))
				}
			}
			if st.Address != nil {
				ve = append(ve, validateAddress(p+".address", st.Address)...)
			}
			if n := st.NationalIdentification; n != nil && !reCountry.MatchString(n.Country) {
				ve = append(ve, vErr(p+".national_identification.country", "must be an ISO 3166-1 alpha-2 country code"))
			}
			if len(st.Roles) == 0 {
				ve = append(ve, vErr(p+".roles", "must contain at least one role"))
			}
		}
	}
	return ve
}

func validateAddress(path string, a *klarna.Address) []klarna.ValidationError {
	var ve []klarna.ValidationError
	if !reCountry.MatchString(a.Country) {
		ve = append(ve, vErr(path+".country", "must be an ISO 3166-1 alpha-2 country code"))
	}
	if strings.TrimSpace(a.City) == "" {
		ve = append(ve, vErr(path+".city", "is required"))
	}
	return ve
}

func validateContact(path string, c *klarna.Contact) []klarna.ValidationError {
	var ve []klarna.ValidationError
	if c.Email != "" && !validEmail(c.Email) {
		ve = append(ve, vErr(path+".email", "must be a valid e-mail address"))
	}
	if c.Phone != "" && !rePhone.MatchString(c.Phone) {
		ve = append(ve, vErr(path+".phone", "must be in E.164 format"))
	}
	return ve
}

func validateBrand(path string, b *klarna.Brand, create bool) []klarna.ValidationError {
	var ve []klarna.ValidationError
	if create && b.BrandReference == "" {
		ve = append(ve, vErr(path+".brand_reference", "is required"))
	}
	if create && b.DisplayName == "" {
		ve = append(ve, vErr(path+".display_name", "is required"))
	}
	if b.Element != nil {
		for name, u := range map[string]string{"logo_url": b.Element.LogoURL, "icon_url": b.Element.IconURL, "feature_image_url": b.Element.FeatureImageURL} {
			if u != "" && !validURL(u) {
				ve = append(ve, vErr(path+".element."+name, "must be an absolute http(s) URL"))
			}
		}
	}
	return ve
}

func validateStoreGroup(path string, g *klarna.StoreGroup) []klarna.ValidationError {
	var ve []klarna.ValidationError
	if g.SupportContact != nil {
		if e := g.SupportContact.Email; e != "" && !validEmail(e) {
			ve = append(ve, vErr(path+".support_contact.email", "must be a valid e-mail address"))
		}
		if ph := g.SupportContact.Phone; ph != "" && !rePhone.MatchString(ph) {
			ve = append(ve, vErr(path+".support_contact.phone", "must be in E.164 format"))
		}
		if u := g.SupportContact.ContactForm; u != "" && !validURL(u) {
			ve = append(ve, vErr(path+".support_contact.contact_form", "must be an absolute http(s) URL"))
		}
	}
	for i, l := range g.SocialMediaLinks {
		if !reEnum.MatchString(l.Provider) {
			ve = append(ve, vErr(fmt.Sprintf("%s.social_media_links[%d].provider", path, i), "must be a provider such as FACEBOOK or INSTAGRAM"))
		}
		if !validURL(l.URL) {
			ve = append(ve, vErr(fmt.Sprintf("%s.social_media_links[%d].url", path, i), "must be an absolute http(s) URL"))
		}
	}
	return ve
}

func validateStore(path string, st *klarna.Store) []klarna.ValidationError {
	var ve []klarna.ValidationError
	if st.StoreReference == "" {
		ve = append(ve, vErr(path+".store_reference", "is required"))
	}
	if !reEnum.MatchString(st.Type) {
		ve = append(ve, vErr(path+".type", "must be a store type such as WEBSITE"))
	}
	if st.Type == "WEBSITE" && !validURL(st.URL) {
		ve = append(ve, vErr(path+".url", "must be an absolute http(s) URL"))
	}
	return ve
}

func validatePaymentAccount(path string, pa *klarna.PaymentAccount) []klarna.ValidationError {
	var ve []klarna.ValidationError
	if pa.PaymentAccountReference == "" {
		ve = append(ve, vErr(path+".payment_account_reference", "is required"))
	}
	if pa.PaymentAcquiringAccountID == "" {
		ve = append(ve, vErr(path+".payment_acquiring_account_id", "is required"))
	}
	if pa.PartnerBusinessEntityReference == "" && pa.PartnerBusinessEntityID == "" {
		ve = append(ve, vErr(path+".partner_business_entity_reference", "is required"))
	}
	if !reMCC.MatchString(pa.DefaultMerchantCategoryCode) {
		ve = append(ve, vErr(path+".default_merchant_category_code", "must be a 4-digit MCC"))
	}
	return ve
}

func newID(kind string) string { return "krn:partner:global:" + kind + ":test:" + uuidv4() }

func (s *Sim) hOnboard(c *rctx) *reply {
	var req klarna.OnboardRequest
	if rp := decodeJSON(c, &req); rp != nil {
		return rp
	}
	if ve := validateOnboard(&req); len(ve) > 0 {
		return invalid(ve...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, rp := s.onboardLocked(&req)
	if rp != nil {
		return rp
	}
	return jsonReply(statusOnboard, onboardResponse(a))
}

func onboardResponse(a *account) klarna.OnboardResponse {
	out := klarna.OnboardResponse{
		PartnerAccountID: a.A.PartnerAccountID, PartnerAccountReference: a.A.PartnerAccountReference,
		PartnerAccountName: a.A.PartnerAccountName, PartnerAccountContact: a.A.PartnerAccountContact, State: a.A.State,
	}
	for _, e := range a.Entities {
		out.PartnerBusinessEntities = append(out.PartnerBusinessEntities, klarna.BusinessEntity{PartnerBusinessEntityID: e.PartnerBusinessEntityID, PartnerBusinessEntityReference: e.PartnerBusinessEntityReference})
	}
	for _, b := range a.Brands {
		out.Brands = append(out.Brands, klarna.Brand{BrandID: b.BrandID, BrandReference: b.BrandReference})
	}
	for _, g := range a.StoreGroups {
		og := klarna.StoreGroup{StoreGroupID: g.StoreGroupID, StoreGroupReference: g.StoreGroupReference}
		for _, st := range a.Stores {
			if st.StoreGroupID == g.StoreGroupID {
				og.Stores = append(og.Stores, klarna.Store{StoreID: st.StoreID, StoreReference: st.StoreReference})
			}
		}
		out.StoreGroups = append(out.StoreGroups, og)
	}
	if a.Product != nil {
		p := klarna.PaymentProduct{Type: "PAYMENT", PaymentProductID: a.Product.PaymentProductID, PaymentProfileID: a.Product.PaymentProfileID, Status: a.Product.Status}
		for _, pa := range a.Product.PaymentAccounts {
			p.PaymentAccounts = append(p.PaymentAccounts, klarna.PaymentAccount{PaymentAccountID: pa.PaymentAccountID, PaymentAccountReference: pa.PaymentAccountReference, PaymentAcquiringAccountID: pa.PaymentAcquiringAccountID})
		}
		out.Products = []klarna.PaymentProduct{p}
	}
	return out
}

// onboardLocked applies an onboard request: a new account, or incremental
// onboarding of an existing one where every already-known reference must
// match exactly (README §5.2). Nothing is changed when it fails.
func (s *Sim) onboardLocked(req *klarna.OnboardRequest) (*account, *reply) {
	now := s.clock.Now()
	existing := s.st.Accounts[s.st.accountByRef[req.PartnerAccountReference]]
	a := existing
	if a == nil {
		a = &account{
			A: klarna.PartnerAccount{
				PartnerAccountID:        "krn:partner:global:account:test:" + randAlnum(8),
				PartnerAccountReference: req.PartnerAccountReference,
				PartnerAccountName:      req.PartnerAccountName,
				PartnerAccountContact:   req.PartnerAccountContact,
				State:                   klarna.AccountPartiallyOperational,
			},
			MerchantID: fmt.Sprintf("N%06d", len(s.st.Accounts)+100001),
			Canon:      map[string]string{},
			Created:    now,
		}
	} else if a.A.State == klarna.AccountDisabled {
		return nil, conflict("Partner account " + a.A.PartnerAccountID + " is disabled")
	}
	// Stage the changes on copies; commit only if everything is consistent.
	entities := append([]*klarna.BusinessEntity(nil), a.Entities...)
	brands := append([]*klarna.Brand(nil), a.Brands...)
	groups := append([]*klarna.StoreGroup(nil), a.StoreGroups...)
	stores := append([]*klarna.Store(nil), a.Stores...)
	canonNew := map[string]string{}
	same := func(kind, ref string, v any) (known bool, rp *reply) {
		k := kind + ":" + ref
		cv := canon(v)
		if old, ok := a.Canon[k]; ok {
			if old != cv {
				return true, conflict("Existing resource with reference " + ref + " does not match the submitted payload")
			}
			return true, nil
		}
		if _, dup := canonNew[k]; dup {
			return false, invalid(vErr(kind, "duplicate reference "+ref))
		}
		canonNew[k] = cv
		return false, nil
	}
	for _, e := range req.PartnerBusinessEntities {
		known, rp := same("partner_business_entity", e.PartnerBusinessEntityReference, e)
		if rp != nil {
			return nil, rp
		}
		if !known {
			ne := e
			ne.PartnerBusinessEntityID = newID("partner-business-entity")
			entities = append(entities, &ne)
		}
	}
	var newBrands []*klarna.Brand
	for _, b := range req.Brands {
		known, rp := same("brand", b.BrandReference, b)
		if rp != nil {
			return nil, rp
		}
		if !known {
			nb := b
			nb.BrandID = newID("brand")
			brands = append(brands, &nb)
			newBrands = append(newBrands, &nb)
		}
	}
	for i, g := range req.StoreGroups {
		// A store group is compared without its stores: each store is a
		// resource of its own, so new stores can join a known group.
		bare := g
		bare.Stores = nil
		known, rp := same("store_group", g.StoreGroupReference, bare)
		if rp != nil {
			return nil, rp
		}
		var ng *klarna.StoreGroup
		if known {
			ng = findStoreGroup(groups, "", g.StoreGroupReference)
		} else {
			br := findBrand(brands, "", g.BrandReference)
			if g.BrandReference != "" && br == nil {
				return nil, invalid(vErr(fmt.Sprintf("store_groups[%d].brand_reference", i), "does not match a brand in the payload or on the account"))
			}
			created := bare
			created.StoreGroupID = newID("store-group")
			if br != nil {
				created.BrandID = br.BrandID
			}
			ng = &created
			groups = append(groups, ng)
		}
		for _, st := range g.Stores {
			knownStore, rp := same("store", st.StoreReference, st)
			if rp != nil {
				return nil, rp
			}
			if knownStore {
				continue
			}
			ns := st
			ns.StoreID = newID("store")
			ns.StoreGroupID = ng.StoreGroupID
			ns.StoreGroupReference = ng.StoreGroupReference
			stores = append(stores, &ns)
		}
	}
	product := a.Product
	var newPAs []klarna.PaymentAccount
	for i, p := range req.Products {
		if !s.profileExists(p.PaymentProfileID) {
			return nil, invalid(vErr(fmt.Sprintf("products[%d].payment_profile_id", i), "is not one of your payment profiles"))
		}
		if product != nil && product.PaymentProfileID != p.PaymentProfileID {
			return nil, conflict("The payment product already uses payment profile " + product.PaymentProfileID)
		}
		for j, pa := range p.PaymentAccounts {
			path := fmt.Sprintf("products[%d].payment_accounts[%d]", i, j)
			known, rp := same("payment_account", pa.PaymentAcquiringAccountID+"/"+pa.PaymentAccountReference, pa)
			if rp != nil {
				return nil, rp
			}
			if known {
				continue
			}
			if s.acquiring(pa.PaymentAcquiringAccountID) == nil {
				return nil, invalid(vErr(path+".payment_acquiring_account_id", "is not one of your payment acquiring accounts"))
			}
			if _, used := s.st.payAcctByRef[pa.PaymentAcquiringAccountID+"\x00"+pa.PaymentAccountReference]; used {
				return nil, conflict("payment_account_reference " + pa.PaymentAccountReference + " is already used for this payment acquiring account")
			}
			ent := findEntity(entities, pa.PartnerBusinessEntityID, pa.PartnerBusinessEntityReference)
			if ent == nil {
				return nil, invalid(vErr(path+".partner_business_entity_reference", "does not match a business entity in the payload or on the account"))
			}
			npa := pa
			npa.PaymentAccountID = "krn:partner:global:payment-account:test:" + uuidv4()
			npa.PartnerBusinessEntityID = ent.PartnerBusinessEntityID
			if pa.DefaultStoreGroupReference != "" {
				g := findStoreGroup(groups, "", pa.DefaultStoreGroupReference)
				if g == nil {
					return nil, invalid(vErr(path+".default_store_group_reference", "does not match a store group in the payload or on the account"))
				}
				npa.DefaultStoreGroupID = g.StoreGroupID
			}
			newPAs = append(newPAs, npa)
		}
		if product == nil {
			product = &klarna.PaymentProduct{Type: "PAYMENT", PaymentProductID: "krn:partner:global:account:product:payment:" + uuidv4(), PaymentProfileID: p.PaymentProfileID, Status: klarna.ProductEnabled}
		}
	}
	// commit
	a.Entities, a.Brands, a.StoreGroups, a.Stores = entities, brands, groups, stores
	if product != nil {
		for _, pa := range newPAs {
			pa.Status = product.Status
			product.PaymentAccounts = append(product.PaymentAccounts, pa)
			s.st.payAcctByRef[pa.PaymentAcquiringAccountID+"\x00"+pa.PaymentAccountReference] = pa.PaymentAccountID
			if a.Currency == "" {
				a.Currency = s.acquiring(pa.PaymentAcquiringAccountID).SettlementCurrency
			}
		}
		a.Product = product
	}
	for k, v := range canonNew {
		a.Canon[k] = v
	}
	if existing == nil {
		s.st.Accounts[a.A.PartnerAccountID] = a
		s.st.accountByRef[a.A.PartnerAccountReference] = a.A.PartnerAccountID
		a.OperationalAt = now.Add(s.opts.OperationalDelay)
		s.sched.add(a.OperationalAt, "account", a.A.PartnerAccountID)
	}
	for _, b := range newBrands {
		s.scheduleBrandCheck(a, b)
	}
	return a, nil
}

func findEntity(list []*klarna.BusinessEntity, id, ref string) *klarna.BusinessEntity {
	for _, e := range list {
		if (id != "" && e.PartnerBusinessEntityID == id) || (id == "" && ref != "" && e.PartnerBusinessEntityReference == ref) {
			return e
		}
	}
	return nil
}

func findBrand(list []*klarna.Brand, id, ref string) *klarna.Brand {
	for _, b := range list {
		if (id != "" && b.BrandID == id) || (id == "" && ref != "" && b.BrandReference == ref) {
			return b
		}
	}
	return nil
}

func findStoreGroup(list []*klarna.StoreGroup, id, ref string) *klarna.StoreGroup {
	for _, g := range list {
		if (id != "" && g.StoreGroupID == id) || (id == "" && ref != "" && g.StoreGroupReference == ref) {
			return g
		}
	}
	return nil
}

func findStore(list []*klarna.Store, id string) *klarna.Store {
	for _, st := range list {
		if st.StoreID == id {
			return st
		}
	}
	return nil
}

// fireAccount turns a partially operational account operational.
func (s *Sim) fireAccount(id string) {
	s.mu.Lock()
	a := s.st.Accounts[id]
	if a == nil || a.A.State != klarna.AccountPartiallyOperational || a.Hold || s.clock.Now().Before(a.OperationalAt) {
		s.mu.Unlock()
		return
	}
	a.A.State = klarna.AccountOperational
	payload := klarna.AccountEventPayload{PartnerAccountID: id, PartnerAccountReference: a.A.PartnerAccountReference, State: string(klarna.AccountOperational), PreviousState: string(klarna.AccountPartiallyOperational)}
	s.emitLocked(klarna.EventAccountOperational, id, "", "", payload)
	s.mu.Unlock()
}

// account looks up the account of the path; for mutations it must be OPERATIONAL.
func (s *Sim) accountFor(c *rctx, mutate bool) (*account, *reply) {
	id := c.r.PathValue("partner_account_id")
	a := s.st.Accounts[id]
	if a == nil || (c.partner != "" && c.partner != id) {
		return nil, notFound("Partner account " + id)
	}
	if mutate && a.A.State != klarna.AccountOperational {
		return nil, kerr(statusNotManageable, klarna.ErrTypeResource, klarna.CodeResourceConflict,
			fmt.Sprintf("Partner account %s is %s and cannot be managed", id, a.A.State))
	}
	return a, nil
}

func (s *Sim) readAccount(c *rctx, fn func(a *account) *reply) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, rp := s.accountFor(c, false)
	if rp != nil {
		return rp
	}
	return fn(a)
}

func (s *Sim) writeAccount(c *rctx, fn func(a *account) *reply) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, rp := s.accountFor(c, true)
	if rp != nil {
		return rp
	}
	return fn(a)
}

func (s *Sim) hGetAccount(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply { return jsonReply(200, a.A) })
}

func immutable(path string) klarna.ValidationError { return vErr(path, "is immutable") }

func (s *Sim) hUpdateAccount(c *rctx) *reply {
	var in klarna.PartnerAccount
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	return s.writeAccount(c, func(a *account) *reply {
		var ve []klarna.ValidationError
		if in.PartnerAccountReference != "" && in.PartnerAccountReference != a.A.PartnerAccountReference {
			ve = append(ve, immutable("partner_account_reference"))
		}
		if in.State != "" && in.State != a.A.State {
			ve = append(ve, vErr("state", "is changed only by Klarna"))
		}
		if in.PartnerAccountContact != nil {
			ve = append(ve, validateContact("partner_account_contact", in.PartnerAccountContact)...)
		}
		if len(ve) > 0 {
			return invalid(ve...)
		}
		if in.PartnerAccountName != "" {
			a.A.PartnerAccountName = in.PartnerAccountName
		}
		if in.PartnerAccountContact != nil {
			a.A.PartnerAccountContact = in.PartnerAccountContact
		}
		return jsonReply(200, a.A)
	})
}

func (s *Sim) hListEntities(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		out := klarna.BusinessEntityList{Items: []klarna.BusinessEntity{}}
		for _, e := range a.Entities {
			out.Items = append(out.Items, *e)
		}
		return jsonReply(200, out)
	})
}

func (s *Sim) hGetEntity(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		id := c.r.PathValue("partner_business_entity_id")
		if e := findEntity(a.Entities, id, ""); e != nil {
			return jsonReply(200, e)
		}
		return notFound("Partner business entity " + id)
	})
}

func (s *Sim) hCreateEntity(c *rctx) *reply {
	var in klarna.BusinessEntity
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if ve := validateEntity("", &in, true); len(ve) > 0 {
		return invalid(trimDot(ve)...)
	}
	return s.writeAccount(c, func(a *account) *reply {
		if findEntity(a.Entities, "", in.PartnerBusinessEntityReference) != nil {
			return conflict("A business entity with reference " + in.PartnerBusinessEntityReference + " already exists")
		}
		in.PartnerBusinessEntityID = newID("partner-business-entity")
		a.Entities = append(a.Entities, &in)
		a.Canon["partner_business_entity:"+in.PartnerBusinessEntityReference] = canon(withoutID(in))
		return jsonReply(statusCreated, in)
	})
}

func withoutID(e klarna.BusinessEntity) klarna.BusinessEntity {
	e.PartnerBusinessEntityID = ""
	return e
}

func trimDot(ve []klarna.ValidationError) []klarna.ValidationError {
	for i := range ve {
		ve[i].Parameter = strings.TrimPrefix(ve[i].Parameter, ".")
	}
	return ve
}

func (s *Sim) hUpdateEntity(c *rctx) *reply {
	var in klarna.BusinessEntity
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	return s.writeAccount(c, func(a *account) *reply {
		id := c.r.PathValue("partner_business_entity_id")
		e := findEntity(a.Entities, id, "")
		if e == nil {
			return notFound("Partner business entity " + id)
		}
		var ve []klarna.ValidationError
		if in.PartnerBusinessEntityReference != "" && in.PartnerBusinessEntityReference != e.PartnerBusinessEntityReference {
			ve = append(ve, immutable("partner_business_entity_reference"))
		}
		if in.LegalRegistrationCountry != "" && in.LegalRegistrationCountry != e.LegalRegistrationCountry {
			ve = append(ve, immutable("legal_registration_country"))
		}
		ve = append(ve, trimDot(validateEntity("", &in, false))...)
		if len(ve) > 0 {
			return invalid(ve...)
		}
		if in.LegalRegisteredEntityName != "" {
			e.LegalRegisteredEntityName = in.LegalRegisteredEntityName
		}
		if in.EnabledMerchantCategoryCodes != nil {
			e.EnabledMerchantCategoryCodes = in.EnabledMerchantCategoryCodes
		}
		if in.SupplementaryBusinessData != nil {
			e.SupplementaryBusinessData = in.SupplementaryBusinessData
		}
		a.Canon["partner_business_entity:"+e.PartnerBusinessEntityReference] = canon(withoutID(*e))
		return jsonReply(200, e)
	})
}

func (s *Sim) hListBrands(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		out := klarna.BrandList{Items: []klarna.Brand{}}
		for _, b := range a.Brands {
			out.Items = append(out.Items, *b)
		}
		return jsonReply(200, out)
	})
}

func (s *Sim) hGetBrand(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		id := c.r.PathValue("brand_id")
		if b := findBrand(a.Brands, id, ""); b != nil {
			return jsonReply(200, b)
		}
		return notFound("Brand " + id)
	})
}

func (s *Sim) hCreateBrand(c *rctx) *reply {
	var in klarna.Brand
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if ve := validateBrand("", &in, true); len(ve) > 0 {
		return invalid(trimDot(ve)...)
	}
	return s.writeAccount(c, func(a *account) *reply {
		if findBrand(a.Brands, "", in.BrandReference) != nil {
			return conflict("A brand with reference " + in.BrandReference + " already exists")
		}
		ref := in
		in.BrandID = newID("brand")
		a.Brands = append(a.Brands, &in)
		a.Canon["brand:"+in.BrandReference] = canon(ref)
		s.scheduleBrandCheck(a, &in)
		return jsonReply(statusCreated, in)
	})
}

func (s *Sim) hUpdateBrand(c *rctx) *reply {
	var in klarna.Brand
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if ve := validateBrand("", &in, false); len(ve) > 0 {
		return invalid(trimDot(ve)...)
	}
	return s.writeAccount(c, func(a *account) *reply {
		id := c.r.PathValue("brand_id")
		b := findBrand(a.Brands, id, "")
		if b == nil {
			return notFound("Brand " + id)
		}
		if in.BrandReference != "" && in.BrandReference != b.BrandReference {
			return invalid(immutable("brand_reference"))
		}
		if in.DisplayName != "" {
			b.DisplayName = in.DisplayName
		}
		if in.Element != nil {
			b.Element = in.Element
			s.scheduleBrandCheck(a, b)
		}
		cp := *b
		cp.BrandID = ""
		a.Canon["brand:"+b.BrandReference] = canon(cp)
		return jsonReply(200, b)
	})
}

func (s *Sim) hListStoreGroups(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		out := klarna.StoreGroupList{Items: []klarna.StoreGroup{}}
		for _, g := range a.StoreGroups {
			out.Items = append(out.Items, *g)
		}
		return jsonReply(200, out)
	})
}

func (s *Sim) hGetStoreGroup(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		id := c.r.PathValue("store_group_id")
		if g := findStoreGroup(a.StoreGroups, id, ""); g != nil {
			return jsonReply(200, g)
		}
		return notFound("Store group " + id)
	})
}

func (s *Sim) hCreateStoreGroup(c *rctx) *reply {
	var in klarna.StoreGroup
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	ve := validateStoreGroup("", &in)
	if in.StoreGroupReference == "" {
		ve = append(ve, vErr("store_group_reference", "is required"))
	}
	if len(in.Stores) > 0 {
		ve = append(ve, vErr("stores", "create stores with the stores operation"))
	}
	if len(ve) > 0 {
		return invalid(trimDot(ve)...)
	}
	return s.writeAccount(c, func(a *account) *reply {
		if findStoreGroup(a.StoreGroups, "", in.StoreGroupReference) != nil {
			return conflict("A store group with reference " + in.StoreGroupReference + " already exists")
		}
		br := findBrand(a.Brands, in.BrandID, in.BrandReference)
		if (in.BrandID != "" || in.BrandReference != "") && br == nil {
			return invalid(vErr("brand_reference", "does not match a brand on the account"))
		}
		if br != nil {
			in.BrandID, in.BrandReference = br.BrandID, br.BrandReference
		}
		in.StoreGroupID = newID("store-group")
		a.StoreGroups = append(a.StoreGroups, &in)
		a.Canon["store_group:"+in.StoreGroupReference] = canon(klarna.StoreGroup{StoreGroupReference: in.StoreGroupReference, BrandReference: in.BrandReference,
			SupportContact: in.SupportContact, SocialMediaLinks: in.SocialMediaLinks})
		return jsonReply(statusCreated, in)
	})
}

func (s *Sim) hUpdateStoreGroup(c *rctx) *reply {
	var in klarna.StoreGroup
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if ve := validateStoreGroup("", &in); len(ve) > 0 {
		return invalid(trimDot(ve)...)
	}
	return s.writeAccount(c, func(a *account) *reply {
		id := c.r.PathValue("store_group_id")
		g := findStoreGroup(a.StoreGroups, id, "")
		if g == nil {
			return notFound("Store group " + id)
		}
		if in.StoreGroupReference != "" && in.StoreGroupReference != g.StoreGroupReference {
			return invalid(immutable("store_group_reference"))
		}
		if in.BrandID != "" || in.BrandReference != "" {
			br := findBrand(a.Brands, in.BrandID, in.BrandReference)
			if br == nil {
				return invalid(vErr("brand_id", "does not match a brand on the account"))
			}
			g.BrandID, g.BrandReference = br.BrandID, br.BrandReference
		}
		if in.SupportContact != nil {
			g.SupportContact = in.SupportContact
		}
		if in.SocialMediaLinks != nil {
			g.SocialMediaLinks = in.SocialMediaLinks
		}
		// What an incremental onboarding must now repeat to match.
		a.Canon["store_group:"+g.StoreGroupReference] = canon(klarna.StoreGroup{StoreGroupReference: g.StoreGroupReference, BrandReference: g.BrandReference,
			SupportContact: g.SupportContact, SocialMediaLinks: g.SocialMediaLinks})
		return jsonReply(200, g)
	})
}

func (s *Sim) hListStores(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		out := klarna.StoreList{Items: []klarna.Store{}}
		for _, st := range a.Stores {
			out.Items = append(out.Items, *st)
		}
		return jsonReply(200, out)
	})
}

func (s *Sim) hGetStore(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		id := c.r.PathValue("store_id")
		if st := findStore(a.Stores, id); st != nil {
			return jsonReply(200, st)
		}
		return notFound("Store " + id)
	})
}

func (s *Sim) hCreateStore(c *rctx) *reply {
	var in klarna.Store
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if ve := validateStore("", &in); len(ve) > 0 {
		return invalid(trimDot(ve)...)
	}
	return s.writeAccount(c, func(a *account) *reply {
		for _, st := range a.Stores {
			if st.StoreReference == in.StoreReference {
				return conflict("A store with reference " + in.StoreReference + " already exists")
			}
		}
		g := findStoreGroup(a.StoreGroups, in.StoreGroupID, in.StoreGroupReference)
		if g == nil {
			return invalid(vErr("store_group_id", "does not match a store group on the account"))
		}
		in.StoreGroupID, in.StoreGroupReference = g.StoreGroupID, g.StoreGroupReference
		in.StoreID = newID("store")
		a.Stores = append(a.Stores, &in)
		a.Canon["store:"+in.StoreReference] = canon(klarna.Store{StoreReference: in.StoreReference, Type: in.Type, URL: in.URL})
		return jsonReply(statusCreated, in)
	})
}

func (s *Sim) hUpdateStore(c *rctx) *reply {
	var in klarna.Store
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	return s.writeAccount(c, func(a *account) *reply {
		id := c.r.PathValue("store_id")
		st := findStore(a.Stores, id)
		if st == nil {
			return notFound("Store " + id)
		}
		if in.StoreReference != "" && in.StoreReference != st.StoreReference {
			return invalid(immutable("store_reference"))
		}
		merged := *st
		if in.URL != "" {
			merged.URL = in.URL
		}
		if in.Type != "" {
			merged.Type = in.Type
		}
		if ve := validateStore("", &merged); len(ve) > 0 {
			return invalid(trimDot(ve)...)
		}
		var g *klarna.StoreGroup
		if in.StoreGroupID != "" || in.StoreGroupReference != "" {
			if g = findStoreGroup(a.StoreGroups, in.StoreGroupID, in.StoreGroupReference); g == nil {
				return invalid(vErr("store_group_id", "does not match a store group on the account"))
			}
		}
		st.URL, st.Type = merged.URL, merged.Type
		if g != nil {
			st.StoreGroupID, st.StoreGroupReference = g.StoreGroupID, g.StoreGroupReference
		}
		a.Canon["store:"+st.StoreReference] = canon(klarna.Store{StoreReference: st.StoreReference, Type: st.Type, URL: st.URL})
		return jsonReply(200, st)
	})
}

func (s *Sim) productFor(c *rctx, a *account) (*klarna.PaymentProduct, *reply) {
	id := c.r.PathValue("payment_product_id")
	if a.Product == nil || a.Product.PaymentProductID != id {
		return nil, notFound("Payment product " + id)
	}
	return a.Product, nil
}

func (s *Sim) hListProducts(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		out := klarna.PaymentProductList{Items: []klarna.PaymentProduct{}}
		if a.Product != nil {
			out.Items = append(out.Items, *a.Product)
		}
		return jsonReply(200, out)
	})
}

func (s *Sim) hGetProduct(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		p, rp := s.productFor(c, a)
		if rp != nil {
			return rp
		}
		return jsonReply(200, p)
	})
}

// hSetProduct disables or enables the payment product (README §5.5). The
// account's payment accounts mirror the status; a change emits a webhook;
// a TERMINATED product cannot be moved by the acquirer.
func (s *Sim) hSetProduct(to klarna.PaymentProductStatus) handler {
	return func(c *rctx) *reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		// Disabling must work even while partially operational (off-boarding).
		a, rp := s.accountFor(c, false)
		if rp != nil {
			return rp
		}
		if a.A.State == klarna.AccountDisabled {
			return conflict("Partner account is disabled")
		}
		p, rp := s.productFor(c, a)
		if rp != nil {
			return rp
		}
		if p.Status == klarna.ProductTerminated {
			return conflict("The payment product is TERMINATED; only Klarna can change it")
		}
		if p.Status == to {
			return jsonReply(200, p)
		}
		prev := p.Status
		s.setProductStatusLocked(a, to)
		ev := klarna.EventProductEnabled
		if to == klarna.ProductDisabled {
			ev = klarna.EventProductDisabled
		}
		s.emitLocked(ev, a.A.PartnerAccountID, p.PaymentProductID, "", klarna.AccountEventPayload{
			PartnerAccountID: a.A.PartnerAccountID, PaymentProductID: p.PaymentProductID, Status: string(to), PreviousStatus: string(prev),
		})
		return jsonReply(200, p)
	}
}

func (s *Sim) setProductStatusLocked(a *account, to klarna.PaymentProductStatus) {
	a.Product.Status = to
	for i := range a.Product.PaymentAccounts {
		a.Product.PaymentAccounts[i].Status = to
	}
}

func (s *Sim) hListPaymentAccounts(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		p, rp := s.productFor(c, a)
		if rp != nil {
			return rp
		}
		out := klarna.PaymentAccountList{Items: append([]klarna.PaymentAccount{}, p.PaymentAccounts...)}
		return jsonReply(200, out)
	})
}

func (s *Sim) hGetPaymentAccount(c *rctx) *reply {
	return s.readAccount(c, func(a *account) *reply {
		p, rp := s.productFor(c, a)
		if rp != nil {
			return rp
		}
		id := c.r.PathValue("payment_account_id")
		for _, pa := range p.PaymentAccounts {
			if pa.PaymentAccountID == id {
				return jsonReply(200, pa)
			}
		}
		return notFound("Payment account " + id)
	})
}

// hCreatePaymentAccount adds an immutable payment account (README §5.6).
func (s *Sim) hCreatePaymentAccount(c *rctx) *reply {
	var in klarna.PaymentAccount
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if ve := validatePaymentAccount("", &in); len(ve) > 0 {
		return invalid(trimDot(ve)...)
	}
	return s.writeAccount(c, func(a *account) *reply {
		p, rp := s.productFor(c, a)
		if rp != nil {
			return rp
		}
		req := klarna.OnboardRequest{PartnerAccountReference: a.A.PartnerAccountReference,
			Products: []klarna.PaymentProduct{{Type: "PAYMENT", PaymentProfileID: p.PaymentProfileID, PaymentAccounts: []klarna.PaymentAccount{in}}}}
		if _, ok := a.Canon["payment_account:"+in.PaymentAcquiringAccountID+"/"+in.PaymentAccountReference]; ok {
			return conflict("payment_account_reference " + in.PaymentAccountReference + " is already used for this payment acquiring account")
		}
		if _, rp := s.onboardLocked(&req); rp != nil {
			return rp
		}
		pa := p.PaymentAccounts[len(p.PaymentAccounts)-1]
		return jsonReply(statusCreated, pa)
	})
}

func (s *Sim) hListProfiles(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return jsonReply(200, klarna.PaymentProfileList{Items: s.st.Catalogue.Profiles})
}

func (s *Sim) hListAcquiring(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return jsonReply(200, klarna.AcquiringAccountList{Items: s.st.Catalogue.Acquiring})
}

func (s *Sim) hResolvePartner(c *rctx) *reply {
	ref := c.r.URL.Query().Get("partner_account_reference")
	if ref == "" {
		return invalid(vErr("partner_account_reference", "is required"))
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.st.accountByRef[ref]
	if !ok {
		return notFound("Partner account with reference " + ref)
	}
	return jsonReply(200, klarna.ResolvedPartnerAccount{PartnerAccountID: id})
}

func (s *Sim) hResolvePaymentAccount(c *rctx) *reply {
	q := c.r.URL.Query()
	acq, ref := q.Get("payment_acquiring_account_id"), q.Get("payment_account_reference")
	var ve []klarna.ValidationError
	if acq == "" {
		ve = append(ve, vErr("payment_acquiring_account_id", "is required"))
	}
	if ref == "" {
		ve = append(ve, vErr("payment_account_reference", "is required"))
	}
	if len(ve) > 0 {
		return invalid(ve...)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.st.payAcctByRef[acq+"\x00"+ref]
	if !ok {
		return notFound("Payment account with reference " + ref)
	}
	return jsonReply(200, klarna.ResolvedPaymentAccount{PaymentAccountID: id})
}

var _ = time.Second

package partner

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Bank account hashing (README §5.2): Argon2id over the account number,
// upper-cased with every whitespace removed, with the salt pre-shared with
// Klarna. The cost parameters, the output length and its encoding are
// UNCONFIRMED (the reference names only the algorithm, the salt and the
// normalisation); these are RFC 9106's second recommended option with a
// 32-byte output sent as lower-case hex. Correct them here in one place.
const (
	argonTime    = 3         // UNCONFIRMED
	argonMemory  = 64 * 1024 // KiB; UNCONFIRMED
	argonThreads = 4         // UNCONFIRMED
	argonKeyLen  = 32        // UNCONFIRMED
)

// payoutsStateKey is where the entity's bank accounts go inside
// supplementary_business_data (README §5.2: name UNCONFIRMED; the
// third-party sample's partner_payouts_state).
const payoutsStateKey = "partner_payouts_state"

// HashBankAccount is the Argon2id hash of a bank account number as sent to Klarna.
func HashBankAccount(number string, salt []byte) string {
	return hex.EncodeToString(argon2.IDKey([]byte(NormalizeBankAccount(number)), salt, argonTime, argonMemory, argonThreads, argonKeyLen))
}

// paymentAccountKey is how Existing.PaymentAccounts names a payment account
// (unit separator: jsonb cannot hold NUL).
func paymentAccountKey(acquiringID, ref string) string { return acquiringID + "\x1f" + ref }

// PaymentAccountOf splits an Existing.PaymentAccounts key into the
// acquiring account id and the payment account reference.
func PaymentAccountOf(key string) (acquiringID, ref string) {
	acquiringID, ref, _ = strings.Cut(key, "\x1f")
	return acquiringID, ref
}

// HasPaymentAccount reports whether the account holds this payment account.
func (ex *Existing) HasPaymentAccount(acquiringID, ref string) bool {
	return ex != nil && ex.PaymentAccounts[paymentAccountKey(acquiringID, ref)]
}

// pathMap records, for each list of the Klarna request, which payload
// index each item came from (incremental requests leave existing ones out).
type pathMap struct {
	entities, brands, groups, accounts []int
	stores                             [][]int // [request group][request store] → payload store index
}

// ToKlarna is the onboard request for o: everything for a new partner; for
// an incremental onboarding (ex not nil) only the resources ex does not
// hold, plus the existing store groups that get new stores. With
// o.HashBankAccounts, bank account numbers are sent hashed with salt.
func ToKlarna(o *Onboarding, ex *Existing, salt []byte) (klarna.OnboardRequest, error) {
	req, _, err := toKlarna(o, ex, salt)
	return req, err
}

func toKlarna(o *Onboarding, ex *Existing, salt []byte) (klarna.OnboardRequest, pathMap, error) {
	if ex == nil {
		ex = &Existing{}
	}
	var pm pathMap
	if o.HashBankAccounts && len(salt) == 0 {
		return klarna.OnboardRequest{}, pm, apperr.Validation("Bank account numbers cannot be hashed: no salt is configured.",
			apperr.FieldError{Field: "hash_bank_accounts", Message: "Partner Desk has no bank account salt (PARTNERDESK_KLARNA_BANK_ACCOUNT_SALT); send the numbers in clear or ask your administrator to configure the salt agreed with Klarna."})
	}
	req := klarna.OnboardRequest{
		PartnerAccountReference: o.PartnerAccountReference,
		PartnerAccountName:      o.PartnerAccountName,
		PartnerAccountContact:   &klarna.Contact{GivenName: o.Contact.GivenName, FamilyName: o.Contact.FamilyName, Email: o.Contact.Email, Phone: o.Contact.Phone},
	}
	for i, e := range o.BusinessEntities {
		if ex.BusinessEntities[e.Reference] {
			continue
		}
		ke, err := entityToKlarna(&e, o.HashBankAccounts, salt)
		if err != nil {
			return req, pm, err
		}
		req.PartnerBusinessEntities = append(req.PartnerBusinessEntities, ke)
		pm.entities = append(pm.entities, i)
	}
	if pp := o.PaymentProduct; pp != nil {
		prod := klarna.PaymentProduct{Type: "PAYMENT", PaymentProfileID: pp.PaymentProfileID}
		for i, a := range pp.PaymentAccounts {
			if ex.HasPaymentAccount(a.AcquiringAccountID, a.Reference) {
				continue
			}
			prod.PaymentAccounts = append(prod.PaymentAccounts, klarna.PaymentAccount{
				PaymentAccountReference: a.Reference, PaymentAcquiringAccountID: a.AcquiringAccountID,
				PartnerBusinessEntityReference: a.BusinessEntityReference, DefaultMerchantCategoryCode: a.DefaultMerchantCategoryCode,
				DefaultStoreGroupReference: a.DefaultStoreGroupReference,
			})
			pm.accounts = append(pm.accounts, i)
		}
		if len(prod.PaymentAccounts) > 0 || len(ex.PaymentAccounts) == 0 {
			req.Products = []klarna.PaymentProduct{prod}
		}
	}
	for i, b := range o.Brands {
		if ex.Brands[b.Reference] {
			continue
		}
		kb := klarna.Brand{BrandReference: b.Reference, DisplayName: b.DisplayName}
		if b.LogoURL != "" || b.IconURL != "" || b.FeatureImageURL != "" {
			kb.Element = &klarna.BrandElement{LogoURL: b.LogoURL, IconURL: b.IconURL, FeatureImageURL: b.FeatureImageURL}
		}
		req.Brands = append(req.Brands, kb)
		pm.brands = append(pm.brands, i)
	}
	for i, g := range o.StoreGroups {
		kg := storeGroupToKlarna(&g)
		var idx []int
		for j, s := range g.Stores {
			if ex.Stores[s.Reference] {
				continue
			}
			kg.Stores = append(kg.Stores, klarna.Store{StoreReference: s.Reference, Type: s.Type, URL: s.URL})
			idx = append(idx, j)
		}
		if ex.StoreGroups[g.Reference] && len(kg.Stores) == 0 {
			continue
		}
		req.StoreGroups = append(req.StoreGroups, kg)
		pm.groups = append(pm.groups, i)
		pm.stores = append(pm.stores, idx)
	}
	return req, pm, nil
}

func entityToKlarna(e *BusinessEntity, hash bool, salt []byte) (klarna.BusinessEntity, error) {
	ke := klarna.BusinessEntity{
		PartnerBusinessEntityReference: e.Reference, LegalRegisteredEntityName: e.LegalName,
		LegalRegistrationCountry: e.Country, EnabledMerchantCategoryCodes: e.EnabledMerchantCategoryCodes,
	}
	sd := &klarna.SupplementaryBusinessData{}
	if lr := e.LegalRegistration; lr != nil {
		sd.LegalRegistration = &klarna.LegalRegistration{
			LegalRegistrationNumber: lr.Number, LegalRegistrationAuthority: lr.Authority, LegalRegistrationEntityType: lr.EntityType,
			TaxRegistrationNumber: lr.TaxRegistrationNumber, FinancialConductAuthorityNumber: lr.FinancialConductAuthorityNumber,
			LegalRegistrationAddress: addressToKlarna(lr.Address),
		}
	}
	for i := range e.OperatingAddresses {
		sd.OperatingAddresses = append(sd.OperatingAddresses, *addressToKlarna(&e.OperatingAddresses[i]))
	}
	for _, s := range e.Stakeholders {
		ks := klarna.Stakeholder{GivenName: s.GivenName, FamilyName: s.FamilyName, DateOfBirth: s.DateOfBirth, Address: addressToKlarna(s.Address), Roles: s.Roles}
		if n := s.NationalIdentification; n != nil {
			ks.NationalIdentification = &klarna.NationalIdentification{Number: n.Number, Country: n.Country}
		}
		sd.Stakeholders = append(sd.Stakeholders, ks)
	}
	if len(e.BankAccounts) > 0 {
		type bank struct {
			Type          string `json:"bank_account_type,omitempty"`
			AccountHolder string `json:"account_holder,omitempty"`
			BIC           string `json:"bic,omitempty"`
			IBAN          string `json:"iban,omitempty"`
		}
		var banks []bank
		for _, b := range e.BankAccounts {
			number := NormalizeBankAccount(b.IBAN)
			if hash {
				number = HashBankAccount(b.IBAN, salt)
			}
			banks = append(banks, bank{Type: b.Type, AccountHolder: b.AccountHolder, BIC: strings.ToUpper(b.BIC), IBAN: number})
		}
		raw, err := json.Marshal(map[string]any{"bank_accounts": banks})
		if err != nil {
			return ke, err
		}
		sd.Extra = klarna.Extra{payoutsStateKey: raw}
	}
	if sd.LegalRegistration != nil || len(sd.OperatingAddresses) > 0 || len(sd.Stakeholders) > 0 || sd.Extra != nil {
		ke.SupplementaryBusinessData = sd
	}
	return ke, nil
}

func addressToKlarna(a *Address) *klarna.Address {
	if a == nil {
		return nil
	}
	return &klarna.Address{StreetAddress: a.StreetAddress, StreetAddress2: a.StreetAddress2, PostalCode: a.PostalCode, City: a.City, Region: a.Region, Country: a.Country}
}

func storeGroupToKlarna(g *StoreGroup) klarna.StoreGroup {
	kg := klarna.StoreGroup{StoreGroupReference: g.Reference, BrandReference: g.BrandReference}
	if g.SupportEmail != "" || g.SupportPhone != "" || g.SupportContactForm != "" {
		kg.SupportContact = &klarna.SupportContact{Email: g.SupportEmail, Phone: g.SupportPhone, ContactForm: g.SupportContactForm}
	}
	for _, l := range g.SocialMediaLinks {
		kg.SocialMediaLinks = append(kg.SocialMediaLinks, klarna.SocialMediaLink{Provider: l.Provider, URL: l.URL})
	}
	return kg
}

var reIndexed = regexp.MustCompile(`^([a-z_]+)\[(\d+)\](.*)$`)

// indexOf maps a request index to its payload index (itself when unknown).
func indexOf(list []int, i int) int {
	if i >= 0 && i < len(list) {
		return list[i]
	}
	return i
}

// fromKlarnaPath maps a field path of the onboard request (Klarna's
// validation_errors[].parameter) onto the payload's path, for the wizard.
func (pm pathMap) fromKlarnaPath(p string) string {
	p = strings.TrimPrefix(strings.TrimPrefix(p, "$."), "$")
	m := reIndexed.FindStringSubmatch(p)
	if m == nil {
		return p
	}
	i, _ := strconv.Atoi(m[2])
	rest := m[3]
	switch m[1] {
	case "partner_business_entities":
		rest = strings.Replace(rest, ".supplementary_business_data."+payoutsStateKey+".", ".", 1)
		rest = strings.Replace(rest, ".supplementary_business_data.", ".", 1)
		return fmt.Sprintf("partner_business_entities[%d]%s", indexOf(pm.entities, i), rest)
	case "products":
		if s := reIndexed.FindStringSubmatch(strings.TrimPrefix(rest, ".")); s != nil && s[1] == "payment_accounts" {
			j, _ := strconv.Atoi(s[2])
			return fmt.Sprintf("payment_product.payment_accounts[%d]%s", indexOf(pm.accounts, j), s[3])
		}
		return "payment_product" + rest
	case "brands":
		return fmt.Sprintf("brands[%d]%s", indexOf(pm.brands, i), strings.Replace(rest, ".element.", ".", 1))
	case "store_groups":
		g := indexOf(pm.groups, i)
		if s := reIndexed.FindStringSubmatch(strings.TrimPrefix(rest, ".")); s != nil && s[1] == "stores" {
			j, _ := strconv.Atoi(s[2])
			if i < len(pm.stores) {
				j = indexOf(pm.stores[i], j)
			}
			return fmt.Sprintf("store_groups[%d].stores[%d]%s", g, j, s[3])
		}
		for from, to := range map[string]string{".support_contact.email": ".support_email", ".support_contact.phone": ".support_phone", ".support_contact.contact_form": ".support_contact_form"} {
			if strings.HasPrefix(rest, from) {
				rest = to + rest[len(from):]
			}
		}
		return fmt.Sprintf("store_groups[%d]%s", g, rest)
	}
	return p
}

// KlarnaAccount is what an account holds at Klarna, as read through the
// client, for pre-filling an incremental onboarding.
type KlarnaAccount struct {
	Account     klarna.PartnerAccount
	Entities    []klarna.BusinessEntity
	Brands      []klarna.Brand
	StoreGroups []klarna.StoreGroup
	Stores      []klarna.Store
	Products    []klarna.PaymentProduct // with their payment accounts
}

// FromKlarna is the reverse of ToKlarna: the onboarding that describes what
// the account holds, and the references it holds (read-only in the wizard).
func FromKlarna(k KlarnaAccount) (Onboarding, Existing) {
	ex := Existing{BusinessEntities: map[string]bool{}, StoreGroups: map[string]bool{}, Brands: map[string]bool{}, Stores: map[string]bool{}, PaymentAccounts: map[string]bool{}}
	o := Onboarding{
		PartnerAccountReference: k.Account.PartnerAccountReference, PartnerAccountName: k.Account.PartnerAccountName,
		BusinessEntities: []BusinessEntity{}, Brands: []Brand{}, StoreGroups: []StoreGroup{},
	}
	o.Contact = ContactOf(k.Account.PartnerAccountContact)
	entityRef := map[string]string{}
	for _, e := range k.Entities {
		entityRef[e.PartnerBusinessEntityID] = e.PartnerBusinessEntityReference
		ex.BusinessEntities[e.PartnerBusinessEntityReference] = true
		o.BusinessEntities = append(o.BusinessEntities, entityFromKlarna(&e))
	}
	brandRef := map[string]string{}
	for _, b := range k.Brands {
		brandRef[b.BrandID] = b.BrandReference
		ex.Brands[b.BrandReference] = true
		o.Brands = append(o.Brands, BrandOf(b))
	}
	groupAt, groupRef := map[string]int{}, map[string]string{}
	for _, g := range k.StoreGroups {
		ex.StoreGroups[g.StoreGroupReference] = true
		ng := StoreGroupOf(g, brandRef)
		ng.Stores = []StoreDef{}
		groupAt[g.StoreGroupID], groupAt["ref:"+g.StoreGroupReference] = len(o.StoreGroups), len(o.StoreGroups)
		groupRef[g.StoreGroupID] = g.StoreGroupReference
		o.StoreGroups = append(o.StoreGroups, ng)
		for _, s := range g.Stores {
			ex.Stores[s.StoreReference] = true
			o.StoreGroups[len(o.StoreGroups)-1].Stores = append(o.StoreGroups[len(o.StoreGroups)-1].Stores, StoreDef{Reference: s.StoreReference, Type: s.Type, URL: s.URL})
		}
	}
	for _, s := range k.Stores {
		if ex.Stores[s.StoreReference] {
			continue
		}
		at, ok := groupAt[s.StoreGroupID]
		if !ok {
			at, ok = groupAt["ref:"+s.StoreGroupReference]
		}
		if !ok {
			continue
		}
		ex.Stores[s.StoreReference] = true
		o.StoreGroups[at].Stores = append(o.StoreGroups[at].Stores, StoreDef{Reference: s.StoreReference, Type: s.Type, URL: s.URL})
	}
	for _, p := range k.Products {
		if p.Type != "" && p.Type != "PAYMENT" {
			continue
		}
		pp := &PaymentProduct{PaymentProfileID: p.PaymentProfileID, PaymentAccounts: []PaymentAccount{}}
		for _, a := range p.PaymentAccounts {
			ex.PaymentAccounts[paymentAccountKey(a.PaymentAcquiringAccountID, a.PaymentAccountReference)] = true
			na := PaymentAccount{Reference: a.PaymentAccountReference, AcquiringAccountID: a.PaymentAcquiringAccountID,
				BusinessEntityReference: a.PartnerBusinessEntityReference, DefaultMerchantCategoryCode: a.DefaultMerchantCategoryCode,
				DefaultStoreGroupReference: a.DefaultStoreGroupReference}
			if na.BusinessEntityReference == "" {
				na.BusinessEntityReference = entityRef[a.PartnerBusinessEntityID]
			}
			if na.DefaultStoreGroupReference == "" {
				na.DefaultStoreGroupReference = groupRef[a.DefaultStoreGroupID]
			}
			pp.PaymentAccounts = append(pp.PaymentAccounts, na)
		}
		o.PaymentProduct = pp
	}
	var held Onboarding
	if b, err := json.Marshal(o); err == nil && json.Unmarshal(b, &held) == nil {
		ex.Held = &held
	}
	return o, ex
}

func entityFromKlarna(e *klarna.BusinessEntity) BusinessEntity {
	ne := BusinessEntity{Reference: e.PartnerBusinessEntityReference, LegalName: e.LegalRegisteredEntityName,
		Country: e.LegalRegistrationCountry, EnabledMerchantCategoryCodes: e.EnabledMerchantCategoryCodes}
	sd := e.SupplementaryBusinessData
	if sd == nil {
		return ne
	}
	if lr := sd.LegalRegistration; lr != nil {
		ne.LegalRegistration = &LegalRegistration{Number: lr.LegalRegistrationNumber, Authority: lr.LegalRegistrationAuthority,
			EntityType: lr.LegalRegistrationEntityType, TaxRegistrationNumber: lr.TaxRegistrationNumber,
			FinancialConductAuthorityNumber: lr.FinancialConductAuthorityNumber, Address: addressFromKlarna(lr.LegalRegistrationAddress)}
	}
	for i := range sd.OperatingAddresses {
		ne.OperatingAddresses = append(ne.OperatingAddresses, *addressFromKlarna(&sd.OperatingAddresses[i]))
	}
	for _, s := range sd.Stakeholders {
		ns := Stakeholder{GivenName: s.GivenName, FamilyName: s.FamilyName, DateOfBirth: s.DateOfBirth, Address: addressFromKlarna(s.Address), Roles: s.Roles}
		if n := s.NationalIdentification; n != nil {
			ns.NationalIdentification = &NationalIdentification{Number: n.Number, Country: n.Country}
		}
		ne.Stakeholders = append(ne.Stakeholders, ns)
	}
	if raw, ok := sd.Extra[payoutsStateKey]; ok {
		var ps struct {
			BankAccounts []BankAccount `json:"bank_accounts"`
		}
		if json.Unmarshal(raw, &ps) == nil {
			ne.BankAccounts = ps.BankAccounts
		}
	}
	return ne
}

func addressFromKlarna(a *klarna.Address) *Address {
	if a == nil {
		return nil
	}
	return &Address{StreetAddress: a.StreetAddress, StreetAddress2: a.StreetAddress2, PostalCode: a.PostalCode, City: a.City, Region: a.Region, Country: a.Country}
}

package partner

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// The rule set of an onboarding, from Klarna's onboarding rules (README
// §5.2): the wizard's server side, the bulk CSV dry run and (through the
// draft's validation field) the UI all use ValidateOnboarding.

var (
	reE164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	reMCC  = regexp.MustCompile(`^[0-9]{4}$`)
	reIBAN = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$`)
	reBIC  = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
)

// isoCountries are the ISO 3166-1 alpha-2 codes officially assigned.
var isoCountries = func() map[string]bool {
	const list = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`
	m := map[string]bool{}
	for _, c := range strings.Fields(list) {
		m[c] = true
	}
	return m
}()

// IsCountry reports whether c is an ISO 3166-1 alpha-2 code (upper case).
func IsCountry(c string) bool { return isoCountries[c] }

// IsEmail reports whether s is a plain e-mail address (no display name).
func IsEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndex(s, "@")
	return at > 0 && strings.Contains(s[at:], ".")
}

// IsE164 reports whether s is a phone number in E.164 (+ and up to 15 digits).
func IsE164(s string) bool { return reE164.MatchString(s) }

// IsHTTPURL reports whether s is an absolute http or https URL with a host.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \t\n")
}

// validIBAN checks the shape and the ISO 13616 mod-97 check digits.
func validIBAN(s string) bool {
	s = NormalizeBankAccount(s)
	if !reIBAN.MatchString(s) {
		return false
	}
	r := s[4:] + s[:4]
	var b strings.Builder
	for _, c := range r {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprint(&b, int(c-'A'+10))
		} else {
			b.WriteRune(c)
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// NormalizeBankAccount is a bank account number as Klarna hashes it:
// upper case, every whitespace removed (README §5.2).
func NormalizeBankAccount(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// checker collects field errors under JSON paths.
type checker struct{ errs []apperr.FieldError }

func (c *checker) add(path, msg string) {
	c.errs = append(c.errs, apperr.FieldError{Field: path, Message: msg})
}

func (c *checker) required(path, v, what string) bool {
	if strings.TrimSpace(v) == "" {
		c.add(path, "Enter "+what+".")
		return false
	}
	return true
}

func (c *checker) country(path, v string, required bool) {
	if v == "" {
		if required {
			c.add(path, "Choose the country.")
		}
		return
	}
	if !IsCountry(v) {
		c.add(path, fmt.Sprintf("%q is not a country code; use the two capital letters of ISO 3166-1, such as SE or DE.", v))
	}
}

func (c *checker) email(path, v string, required bool) {
	if v == "" {
		if required {
			c.add(path, "Enter an e-mail address.")
		}
		return
	}
	if !IsEmail(v) {
		c.add(path, "This is not an e-mail address, such as name@example.com.")
	}
}

func (c *checker) phone(path, v string) {
	if v != "" && !IsE164(v) {
		c.add(path, "Write the phone number in international format: + country code and number, no spaces, such as +46701234567.")
	}
}

func (c *checker) url(path, v string, required bool) {
	if v == "" {
		if required {
			c.add(path, "Enter the web address.")
		}
		return
	}
	if !IsHTTPURL(v) {
		c.add(path, "This is not a web address; it must start with https:// or http://.")
	}
}

func (c *checker) mcc(path, v string) {
	if !reMCC.MatchString(v) {
		if v == "" {
			c.add(path, "Enter the merchant category code.")
			return
		}
		c.add(path, "A merchant category code is 4 digits, such as 5941.")
	}
}

func (c *checker) date(path, v string, now time.Time) {
	if v == "" {
		return
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		c.add(path, "Write the date as YYYY-MM-DD, such as 1984-03-12.")
		return
	}
	if d.After(now) {
		c.add(path, "The date is in the future.")
	}
}

func (c *checker) address(path string, a *Address) {
	c.required(path+".street_address", a.StreetAddress, "the street address")
	c.required(path+".postal_code", a.PostalCode, "the postal code")
	c.required(path+".city", a.City, "the city")
	c.country(path+".country", a.Country, true)
}

// unique remembers references of one kind and reports the second use.
func (c *checker) unique(seen map[string]bool, path, key, ref, what string) {
	if seen[key] {
		c.add(path, fmt.Sprintf("Another %s in this onboarding already uses the reference %q; each needs its own.", what, ref))
		return
	}
	seen[key] = true
}

// ValidateOnboarding returns every problem of o at once, each on its field
// path (e.g. partner_business_entities[0].legal_registration_country), in
// plain words. Cross-references must resolve inside o or on the existing
// account ex (nil for a new partner).
func ValidateOnboarding(o *Onboarding, ex *Existing) []apperr.FieldError {
	return validateAt(o, ex, time.Now())
}

func validateAt(o *Onboarding, ex *Existing, now time.Time) []apperr.FieldError {
	if ex == nil {
		ex = &Existing{}
	}
	c := &checker{}
	c.required("partner_account_reference", o.PartnerAccountReference, "your reference for this partner")
	c.required("partner_account_name", o.PartnerAccountName, "the partner's name")
	c.contact("partner_account_contact.", &o.Contact)

	entities := map[string]bool{}
	if len(o.BusinessEntities) == 0 && len(ex.BusinessEntities) == 0 {
		c.add("partner_business_entities", "Add at least one business entity.")
	}
	for i := range o.BusinessEntities {
		e := &o.BusinessEntities[i]
		p := fmt.Sprintf("partner_business_entities[%d]", i)
		if c.required(p+".partner_business_entity_reference", e.Reference, "your reference for this entity") {
			c.unique(entities, p+".partner_business_entity_reference", e.Reference, e.Reference, "business entity")
		}
		c.entity(p+".", e, now)
	}

	brands := map[string]bool{}
	for i := range o.Brands {
		b := &o.Brands[i]
		p := fmt.Sprintf("brands[%d]", i)
		if c.required(p+".brand_reference", b.Reference, "your reference for this brand") {
			c.unique(brands, p+".brand_reference", b.Reference, b.Reference, "brand")
		}
		c.brand(p+".", b)
	}

	groups, stores := map[string]bool{}, map[string]bool{}
	for i := range o.StoreGroups {
		g := &o.StoreGroups[i]
		p := fmt.Sprintf("store_groups[%d]", i)
		if c.required(p+".store_group_reference", g.Reference, "your reference for this store group") {
			c.unique(groups, p+".store_group_reference", g.Reference, g.Reference, "store group")
		}
		if c.required(p+".brand_reference", g.BrandReference, "the brand of this store group") {
			if !brands[g.BrandReference] && !ex.Brands[g.BrandReference] {
				c.add(p+".brand_reference", fmt.Sprintf("No brand has the reference %q, in this onboarding or on the account.", g.BrandReference))
			}
		}
		c.storeGroup(p+".", g)
		for j := range g.Stores {
			s := &g.Stores[j]
			sp := fmt.Sprintf("%s.stores[%d]", p, j)
			if c.required(sp+".store_reference", s.Reference, "your reference for this store") {
				c.unique(stores, sp+".store_reference", s.Reference, s.Reference, "store")
			}
			c.store(sp+".", s)
		}
	}

	if pp := o.PaymentProduct; pp != nil {
		c.required("payment_product.payment_profile_id", pp.PaymentProfileID, "the payment profile")
		if len(pp.PaymentAccounts) == 0 {
			c.add("payment_product.payment_accounts", "Add at least one payment account, or the partner cannot take payments.")
		}
		accounts := map[string]bool{}
		for i, a := range pp.PaymentAccounts {
			p := fmt.Sprintf("payment_product.payment_accounts[%d]", i)
			c.required(p+".payment_acquiring_account_id", a.AcquiringAccountID, "the acquiring account")
			if c.required(p+".payment_account_reference", a.Reference, "your reference for this payment account") {
				c.unique(accounts, p+".payment_account_reference", a.AcquiringAccountID+"\x00"+a.Reference, a.Reference, "payment account")
			}
			if c.required(p+".partner_business_entity_reference", a.BusinessEntityReference, "the business entity of this payment account") {
				if !entities[a.BusinessEntityReference] && !ex.BusinessEntities[a.BusinessEntityReference] {
					c.add(p+".partner_business_entity_reference", fmt.Sprintf("No business entity has the reference %q, in this onboarding or on the account.", a.BusinessEntityReference))
				}
			}
			c.mcc(p+".default_merchant_category_code", a.DefaultMerchantCategoryCode)
			if r := a.DefaultStoreGroupReference; r != "" {
				if !groups[r] && !ex.StoreGroups[r] {
					c.add(p+".default_store_group_reference", fmt.Sprintf("No store group has the reference %q, in this onboarding or on the account.", r))
				}
			}
		}
	}
	c.unchanged(o, ex)
	return c.errs
}

// The rules of each resource, shared by onboarding and by the editing of
// a resource on its own (data.go). p is the path prefix of the resource's
// fields: "brands[0]." in an onboarding, "" for one resource.

func (c *checker) contact(p string, ct *Contact) {
	c.email(p+"email", ct.Email, true)
	c.phone(p+"phone", ct.Phone)
}

func (c *checker) entity(p string, e *BusinessEntity, now time.Time) {
	c.required(p+"legal_registered_entity_name", e.LegalName, "the registered legal name")
	c.country(p+"legal_registration_country", e.Country, true)
	for j, m := range e.EnabledMerchantCategoryCodes {
		c.mcc(fmt.Sprintf("%senabled_merchant_category_codes[%d]", p, j), m)
	}
	if lr := e.LegalRegistration; lr != nil && lr.Address != nil {
		c.address(p+"legal_registration.legal_registration_address", lr.Address)
	}
	for j := range e.OperatingAddresses {
		c.address(fmt.Sprintf("%soperating_addresses[%d]", p, j), &e.OperatingAddresses[j])
	}
	for j, s := range e.Stakeholders {
		sp := fmt.Sprintf("%sstakeholders[%d]", p, j)
		c.required(sp+".given_name", s.GivenName, "the given name")
		c.required(sp+".family_name", s.FamilyName, "the family name")
		c.date(sp+".date_of_birth", s.DateOfBirth, now)
		if s.Address != nil {
			c.address(sp+".address", s.Address)
		}
		if n := s.NationalIdentification; n != nil {
			c.required(sp+".national_identification.number", n.Number, "the identification number")
			c.country(sp+".national_identification.country", n.Country, true)
		}
		if len(s.Roles) == 0 {
			c.add(sp+".roles", "Choose at least one role, such as OWNER or DIRECTOR.")
		}
	}
	for j, b := range e.BankAccounts {
		bp := fmt.Sprintf("%sbank_accounts[%d]", p, j)
		c.required(bp+".account_holder", b.AccountHolder, "the account holder")
		if c.required(bp+".iban", b.IBAN, "the IBAN") && !validIBAN(b.IBAN) {
			c.add(bp+".iban", "This is not a valid IBAN: check the country letters, the check digits and the number.")
		}
		if b.BIC != "" && !reBIC.MatchString(strings.ToUpper(b.BIC)) {
			c.add(bp+".bic", "A BIC has 8 or 11 letters and digits, such as ESSESESS.")
		}
	}
}

func (c *checker) brand(p string, b *Brand) {
	c.required(p+"display_name", b.DisplayName, "the name shoppers see")
	c.url(p+"logo_url", b.LogoURL, false)
	c.url(p+"icon_url", b.IconURL, false)
	c.url(p+"feature_image_url", b.FeatureImageURL, false)
}

func (c *checker) storeGroup(p string, g *StoreGroup) {
	c.email(p+"support_email", g.SupportEmail, false)
	c.phone(p+"support_phone", g.SupportPhone)
	c.url(p+"support_contact_form", g.SupportContactForm, false)
	for j, l := range g.SocialMediaLinks {
		lp := fmt.Sprintf("%ssocial_media_links[%d]", p, j)
		c.required(lp+".provider", l.Provider, "the network, such as INSTAGRAM")
		c.url(lp+".url", l.URL, true)
	}
}

func (c *checker) store(p string, s *StoreDef) {
	c.required(p+"type", s.Type, "the kind of store, such as WEBSITE")
	c.url(p+"url", s.URL, s.Type == "WEBSITE")
}

// unchanged reports every resource the account already holds whose
// payload differs from what it held: Klarna would refuse the whole
// onboarding (409), and existing resources are read-only in the wizard.
func (c *checker) unchanged(o *Onboarding, ex *Existing) {
	h := ex.Held
	if h == nil {
		return
	}
	same := func(a, b any) bool {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		return string(x) == string(y)
	}
	const msg = "This %s is already at Klarna and cannot be changed here; put it back as it was, or add a new one."
	for i, e := range o.BusinessEntities {
		for _, he := range h.BusinessEntities {
			if ex.BusinessEntities[e.Reference] && he.Reference == e.Reference && !same(e, he) {
				c.add(fmt.Sprintf("partner_business_entities[%d]", i), fmt.Sprintf(msg, "business entity"))
			}
		}
	}
	for i, b := range o.Brands {
		for _, hb := range h.Brands {
			if ex.Brands[b.Reference] && hb.Reference == b.Reference && !same(b, hb) {
				c.add(fmt.Sprintf("brands[%d]", i), fmt.Sprintf(msg, "brand"))
			}
		}
	}
	heldStores := map[string]StoreDef{}
	for _, hg := range h.StoreGroups {
		for _, s := range hg.Stores {
			heldStores[s.Reference] = s
		}
	}
	for i, g := range o.StoreGroups {
		for _, hg := range h.StoreGroups {
			bare, hbare := g, hg
			bare.Stores, hbare.Stores = nil, nil
			if ex.StoreGroups[g.Reference] && hg.Reference == g.Reference && !same(bare, hbare) {
				c.add(fmt.Sprintf("store_groups[%d]", i), fmt.Sprintf(msg, "store group"))
			}
		}
		for j, s := range g.Stores {
			if hs, ok := heldStores[s.Reference]; ok && ex.Stores[s.Reference] && !same(s, hs) {
				c.add(fmt.Sprintf("store_groups[%d].stores[%d]", i, j), fmt.Sprintf(msg, "store"))
			}
		}
	}
	if o.PaymentProduct != nil && h.PaymentProduct != nil {
		for i, a := range o.PaymentProduct.PaymentAccounts {
			for _, ha := range h.PaymentProduct.PaymentAccounts {
				if ex.HasPaymentAccount(a.AcquiringAccountID, a.Reference) && ha.Reference == a.Reference && ha.AcquiringAccountID == a.AcquiringAccountID && !same(a, ha) {
					c.add(fmt.Sprintf("payment_product.payment_accounts[%d]", i), fmt.Sprintf(msg, "payment account"))
				}
			}
		}
		if o.PaymentProduct.PaymentProfileID != h.PaymentProduct.PaymentProfileID && h.PaymentProduct.PaymentProfileID != "" {
			c.add("payment_product.payment_profile_id", "The payment product already uses another payment profile at Klarna; it cannot be changed here.")
		}
	}
}

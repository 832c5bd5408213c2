package partner

import (
	"fmt"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// The rules of editing a partner's data after onboarding (data.go): which
// fields Klarna keeps for good, and every field's rules (the onboarding
// rules of validate.go, the one rule set).

// ImmutableField is a field a resource keeps for good once it exists at
// Klarna: the form shows it read-only with Reason, and a change to it is
// refused (422) before anything is sent.
type ImmutableField struct {
	Kind   string // account, business_entity, brand, store_group, store
	Field  string // the field's path in the edit body
	Reason string
}

// refReason: README §3.2, §5.2 ("references identify resources permanently").
const refReason = "Klarna identifies the resource by this reference for good; to use another one, create a new resource."

// ImmutableFields are the fields each kind keeps. The references are
// documented ("references identify resources permanently"); Klarna's own
// list of fields that become immutable after onboarding was not captured
// (README §5.2), so legal_registration_country is UNCONFIRMED (the
// reference's simulator suggestion, which our simulator follows).
var ImmutableFields = []ImmutableField{
	{KindAccount, "partner_account_reference", refReason},
	{KindBusinessEntity, "partner_business_entity_reference", refReason},
	// UNCONFIRMED (README §5.2): Klarna's list of immutable fields was not captured.
	{KindBusinessEntity, "legal_registration_country", "Klarna keeps the country an entity is registered in; a move to another country is a new legal entity — create one."},
	{KindBrand, "brand_reference", refReason},
	{KindStoreGroup, "store_group_reference", refReason},
	{KindStore, "store_reference", refReason},
	// UNCONFIRMED: the reference names no operation that moves a store to another store group.
	{KindStore, "store_group_id", "A store stays in the store group it was created in; create a new store in the other group."},
}

// KindAccount is the kind of a change to the partner account itself.
const KindAccount = "account"

// fixedFields reports each immutable field of kind whose value in the edit
// (non-empty: an empty value keeps the current one) differs from now.
func fixedFields(kind string, edit, now map[string]string) []apperr.FieldError {
	var out []apperr.FieldError
	for _, f := range ImmutableFields {
		if f.Kind != kind {
			continue
		}
		if v, ok := edit[f.Field]; ok && v != "" && v != now[f.Field] {
			out = append(out, apperr.FieldError{Field: f.Field, Message: "This field cannot be changed: " + f.Reason})
		}
	}
	return out
}

// editError is the answer to a refused edit: 422 for immutable fields
// (nothing else is looked at), else 400 with every invalid field at once.
func editError(fixed []apperr.FieldError, c *checker) error {
	if len(fixed) > 0 {
		return &apperr.Error{Code: apperr.Unprocessable, Message: "Some fields cannot be changed at Klarna; nothing was sent.", Fields: fixed}
	}
	if len(c.errs) > 0 {
		return apperr.Validation("Check the highlighted fields; nothing was sent to Klarna.", c.errs...)
	}
	return nil
}

// StoreEdit is a store as the brand data form edits it; StoreGroupID names
// the store group a new store joins.
type StoreEdit struct {
	StoreDef
	StoreGroupID string `json:"store_group_id,omitempty"`
}

// Held is what an account holds at Klarna by reference and id, for the
// edit rules: references in use and ids that exist.
type Held struct {
	EntityRefs, BrandRefs, GroupRefs, StoreRefs map[string]bool
	BrandIDs, GroupIDs                          map[string]string // id → reference
}

// HeldOf indexes a partner tree.
func HeldOf(t Tree) Held {
	h := Held{EntityRefs: map[string]bool{}, BrandRefs: map[string]bool{}, GroupRefs: map[string]bool{}, StoreRefs: map[string]bool{},
		BrandIDs: map[string]string{}, GroupIDs: map[string]string{}}
	for _, e := range t.BusinessEntities {
		h.EntityRefs[e.PartnerBusinessEntityReference] = true
	}
	groups := append([]StoreGroupNode(nil), t.Unassigned...)
	for _, b := range t.Brands {
		h.BrandRefs[b.Brand.BrandReference] = true
		h.BrandIDs[b.Brand.BrandID] = b.Brand.BrandReference
		groups = append(groups, b.StoreGroups...)
	}
	for _, g := range groups {
		h.GroupRefs[g.StoreGroup.StoreGroupReference] = true
		h.GroupIDs[g.StoreGroup.StoreGroupID] = g.StoreGroup.StoreGroupReference
		for _, s := range g.Stores {
			h.StoreRefs[s.StoreReference] = true
		}
	}
	return h
}

func (c *checker) newReference(field, ref string, taken map[string]bool, what string) {
	if c.required(field, ref, "your reference for this "+what) && taken[ref] {
		c.add(field, fmt.Sprintf("The account already has a %s with the reference %q; each needs its own.", what, ref))
	}
}

// CheckBrand checks a brand edit against the brand now (nil: a new brand).
func CheckBrand(in Brand, now *Brand, h Held) error {
	c := &checker{}
	var fixed []apperr.FieldError
	if now == nil {
		c.newReference("brand_reference", in.Reference, h.BrandRefs, "brand")
	} else {
		fixed = fixedFields(KindBrand, map[string]string{"brand_reference": in.Reference}, map[string]string{"brand_reference": now.Reference})
	}
	c.brand("", &in)
	return editError(fixed, c)
}

// CheckStoreGroup checks a store group edit (its stores are not part of it).
func CheckStoreGroup(in StoreGroup, now *StoreGroup, h Held) error {
	c := &checker{}
	var fixed []apperr.FieldError
	if now == nil {
		c.newReference("store_group_reference", in.Reference, h.GroupRefs, "store group")
	} else {
		fixed = fixedFields(KindStoreGroup, map[string]string{"store_group_reference": in.Reference}, map[string]string{"store_group_reference": now.Reference})
	}
	if c.required("brand_reference", in.BrandReference, "the brand of this store group") && !h.BrandRefs[in.BrandReference] {
		c.add("brand_reference", fmt.Sprintf("No brand of this account has the reference %q.", in.BrandReference))
	}
	c.storeGroup("", &in)
	return editError(fixed, c)
}

// CheckStore checks a store edit; nowGroup is the store's group now.
func CheckStore(in StoreEdit, now *StoreDef, nowGroup string, h Held) error {
	c := &checker{}
	var fixed []apperr.FieldError
	if now == nil {
		c.newReference("store_reference", in.Reference, h.StoreRefs, "store")
		if in.StoreGroupID == "" {
			c.add("store_group_id", "Choose the store group of the new store.")
		} else if _, ok := h.GroupIDs[in.StoreGroupID]; !ok {
			c.add("store_group_id", "No store group of this account has that id.")
		}
	} else {
		fixed = fixedFields(KindStore, map[string]string{"store_reference": in.Reference, "store_group_id": in.StoreGroupID},
			map[string]string{"store_reference": now.Reference, "store_group_id": nowGroup})
	}
	c.store("", &in.StoreDef)
	return editError(fixed, c)
}

// CheckContact checks the account contact.
func CheckContact(in Contact) error {
	c := &checker{}
	c.contact("", &in)
	return editError(nil, c)
}

// CheckBusinessEntity checks an entity edit against the entity now (nil: a new one).
func CheckBusinessEntity(in BusinessEntity, now *BusinessEntity, h Held) error {
	return checkEntityAt(in, now, h, time.Now())
}

func checkEntityAt(in BusinessEntity, now *BusinessEntity, h Held, at time.Time) error {
	c := &checker{}
	var fixed []apperr.FieldError
	if now == nil {
		c.newReference("partner_business_entity_reference", in.Reference, h.EntityRefs, "business entity")
	} else {
		fixed = fixedFields(KindBusinessEntity,
			map[string]string{"partner_business_entity_reference": in.Reference, "legal_registration_country": in.Country},
			map[string]string{"partner_business_entity_reference": now.Reference, "legal_registration_country": now.Country})
		// The fields it keeps need not be repeated.
		if in.Country == "" {
			in.Country = now.Country
		}
	}
	c.entity("", &in, at)
	return editError(fixed, c)
}

// OurField is the edit form's field of a parameter path in Klarna's
// validation errors for one resource of kind (e.g. a brand's
// element.logo_url is logo_url).
func OurField(kind, param string) string {
	p := strings.TrimPrefix(strings.TrimPrefix(param, "$."), "$")
	switch kind {
	case KindAccount:
		return strings.TrimPrefix(p, "partner_account_contact.")
	case KindBrand:
		return strings.TrimPrefix(p, "element.")
	case KindStoreGroup:
		for from, to := range map[string]string{"support_contact.email": "support_email", "support_contact.phone": "support_phone", "support_contact.contact_form": "support_contact_form"} {
			if p == from {
				return to
			}
		}
		if p == "brand_id" {
			return "brand_reference"
		}
	case KindBusinessEntity:
		p = strings.Replace(p, "supplementary_business_data."+payoutsStateKey+".", "", 1)
		return strings.Replace(p, "supplementary_business_data.", "", 1)
	}
	return p
}

// ContactOf is the form's contact of Klarna's.
func ContactOf(k *klarna.Contact) Contact {
	if k == nil {
		return Contact{}
	}
	return Contact{GivenName: k.GivenName, FamilyName: k.FamilyName, Email: k.Email, Phone: k.Phone}
}

// BrandOf is the form's brand of Klarna's.
func BrandOf(b klarna.Brand) Brand {
	nb := Brand{Reference: b.BrandReference, DisplayName: b.DisplayName}
	if el := b.Element; el != nil {
		nb.LogoURL, nb.IconURL, nb.FeatureImageURL = el.LogoURL, el.IconURL, el.FeatureImageURL
	}
	return nb
}

// StoreGroupOf is the form's store group of Klarna's (brandRef resolves its brand id).
func StoreGroupOf(g klarna.StoreGroup, brandRef map[string]string) StoreGroup {
	ng := StoreGroup{Reference: g.StoreGroupReference, BrandReference: g.BrandReference}
	if ng.BrandReference == "" {
		ng.BrandReference = brandRef[g.BrandID]
	}
	if sc := g.SupportContact; sc != nil {
		ng.SupportEmail, ng.SupportPhone, ng.SupportContactForm = sc.Email, sc.Phone, sc.ContactForm
	}
	for _, l := range g.SocialMediaLinks {
		ng.SocialMediaLinks = append(ng.SocialMediaLinks, SocialMediaLink{Provider: l.Provider, URL: l.URL})
	}
	return ng
}

// EntityOf is the form's entity of Klarna's.
func EntityOf(e klarna.BusinessEntity) BusinessEntity { return entityFromKlarna(&e) }

package klarna

import "encoding/json"

// PartnerAccountState is an open enum (README §5.3).
type PartnerAccountState string

const (
	AccountPartiallyOperational PartnerAccountState = "PARTIALLY_OPERATIONAL"
	AccountOperational          PartnerAccountState = "OPERATIONAL"
	AccountDisabled             PartnerAccountState = "DISABLED"
)

// PaymentProductStatus is an open enum (README §5.5).
type PaymentProductStatus string

const (
	ProductEnabled    PaymentProductStatus = "ENABLED"
	ProductDisabled   PaymentProductStatus = "DISABLED"
	ProductTerminated PaymentProductStatus = "TERMINATED"
)

// Contact is the partner account contact.
type Contact struct {
	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Extra      Extra  `json:"-"`
}

// PartnerAccount is a merchant's account at Klarna (README §5.3). It is also
// the body of updateAccount, where empty fields are not sent.
type PartnerAccount struct {
	PartnerAccountID        string              `json:"partner_account_id,omitempty"`
	PartnerAccountReference string              `json:"partner_account_reference,omitempty"`
	PartnerAccountName      string              `json:"partner_account_name,omitempty"`
	PartnerAccountContact   *Contact            `json:"partner_account_contact,omitempty"`
	State                   PartnerAccountState `json:"state,omitempty"`
	Extra                   Extra               `json:"-"`
}

// Address is a postal address.
type Address struct {
	StreetAddress  string `json:"street_address,omitempty"`
	StreetAddress2 string `json:"street_address2,omitempty"`
	PostalCode     string `json:"postal_code,omitempty"`
	City           string `json:"city,omitempty"`
	Region         string `json:"region,omitempty"`
	Country        string `json:"country,omitempty"`
	Extra          Extra  `json:"-"`
}

// LegalRegistration is part of SupplementaryBusinessData.
type LegalRegistration struct {
	LegalRegistrationNumber         string   `json:"legal_registration_number,omitempty"`
	LegalRegistrationAuthority      string   `json:"legal_registration_authority,omitempty"`
	LegalRegistrationEntityType     string   `json:"legal_registration_entity_type,omitempty"`
	TaxRegistrationNumber           string   `json:"tax_registration_number,omitempty"`
	FinancialConductAuthorityNumber string   `json:"financial_conduct_authority_number,omitempty"`
	LegalRegistrationAddress        *Address `json:"legal_registration_address,omitempty"`
	Extra                           Extra    `json:"-"`
}

// NationalIdentification identifies a stakeholder.
type NationalIdentification struct {
	Number  string `json:"number,omitempty"`
	Country string `json:"country,omitempty"`
	Extra   Extra  `json:"-"`
}

// Stakeholder is an owner or director of a business entity.
type Stakeholder struct {
	GivenName              string                  `json:"given_name,omitempty"`
	FamilyName             string                  `json:"family_name,omitempty"`
	DateOfBirth            string                  `json:"date_of_birth,omitempty"`
	Address                *Address                `json:"address,omitempty"`
	NationalIdentification *NationalIdentification `json:"national_identification,omitempty"`
	Roles                  []string                `json:"roles,omitempty"`
	Extra                  Extra                   `json:"-"`
}

// SupplementaryBusinessData carries the KYC data of an entity. The payout
// state object's name is UNCONFIRMED (README §5.2) and is kept in Extra.
type SupplementaryBusinessData struct {
	LegalRegistration  *LegalRegistration `json:"legal_registration,omitempty"`
	OperatingAddresses []Address          `json:"operating_addresses,omitempty"`
	Stakeholders       []Stakeholder      `json:"stakeholders,omitempty"`
	Extra              Extra              `json:"-"`
}

// BusinessEntity is a partner business entity (README §5.4).
type BusinessEntity struct {
	PartnerBusinessEntityID        string                     `json:"partner_business_entity_id,omitempty"`
	PartnerBusinessEntityReference string                     `json:"partner_business_entity_reference,omitempty"`
	LegalRegisteredEntityName      string                     `json:"legal_registered_entity_name,omitempty"`
	LegalRegistrationCountry       string                     `json:"legal_registration_country,omitempty"`
	EnabledMerchantCategoryCodes   []string                   `json:"enabled_merchant_category_codes,omitempty"`
	SupplementaryBusinessData      *SupplementaryBusinessData `json:"supplementary_business_data,omitempty"`
	Extra                          Extra                      `json:"-"`
}

// BrandElement holds brand imagery URLs.
type BrandElement struct {
	LogoURL         string `json:"logo_url,omitempty"`
	IconURL         string `json:"icon_url,omitempty"`
	FeatureImageURL string `json:"feature_image_url,omitempty"`
	Extra           Extra  `json:"-"`
}

// Brand is a partner brand (README §5.2; brand_id UNCONFIRMED).
type Brand struct {
	BrandID        string        `json:"brand_id,omitempty"`
	BrandReference string        `json:"brand_reference,omitempty"`
	DisplayName    string        `json:"display_name,omitempty"`
	Element        *BrandElement `json:"element,omitempty"`
	Extra          Extra         `json:"-"`
}

// SupportContact is a store group's customer support contact.
type SupportContact struct {
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	ContactForm string `json:"contact_form,omitempty"`
	Extra       Extra  `json:"-"`
}

// SocialMediaLink is a store group's social media presence.
type SocialMediaLink struct {
	Provider string `json:"provider,omitempty"`
	URL      string `json:"url,omitempty"`
	Extra    Extra  `json:"-"`
}

// Store is a point of sale (README §5.2; store_id and store_group_id UNCONFIRMED).
type Store struct {
	StoreID             string `json:"store_id,omitempty"`
	StoreReference      string `json:"store_reference,omitempty"`
	StoreGroupID        string `json:"store_group_id,omitempty"`
	StoreGroupReference string `json:"store_group_reference,omitempty"`
	Type                string `json:"type,omitempty"`
	URL                 string `json:"url,omitempty"`
	Extra               Extra  `json:"-"`
}

// StoreGroup groups stores under a brand (README §5.2).
type StoreGroup struct {
	StoreGroupID        string            `json:"store_group_id,omitempty"`
	StoreGroupReference string            `json:"store_group_reference,omitempty"`
	BrandID             string            `json:"brand_id,omitempty"`
	BrandReference      string            `json:"brand_reference,omitempty"`
	SupportContact      *SupportContact   `json:"support_contact,omitempty"`
	SocialMediaLinks    []SocialMediaLink `json:"social_media_links,omitempty"`
	Stores              []Store           `json:"stores,omitempty"`
	Extra               Extra             `json:"-"`
}

// PaymentAccount is immutable once created (README §5.6).
type PaymentAccount struct {
	PaymentAccountID               string               `json:"payment_account_id,omitempty"`
	PaymentAccountReference        string               `json:"payment_account_reference,omitempty"`
	PaymentAcquiringAccountID      string               `json:"payment_acquiring_account_id,omitempty"`
	PartnerBusinessEntityID        string               `json:"partner_business_entity_id,omitempty"`
	PartnerBusinessEntityReference string               `json:"partner_business_entity_reference,omitempty"`
	DefaultMerchantCategoryCode    string               `json:"default_merchant_category_code,omitempty"`
	DefaultStoreGroupID            string               `json:"default_store_group_id,omitempty"`
	DefaultStoreGroupReference     string               `json:"default_store_group_reference,omitempty"`
	Status                         PaymentProductStatus `json:"status,omitempty"`
	Extra                          Extra                `json:"-"`
}

// PaymentProduct is the partner's PAYMENT product (README §5.5).
type PaymentProduct struct {
	Type             string               `json:"type,omitempty"`
	PaymentProductID string               `json:"payment_product_id,omitempty"`
	PaymentProfileID string               `json:"payment_profile_id,omitempty"`
	Status           PaymentProductStatus `json:"status,omitempty"`
	PaymentAccounts  []PaymentAccount     `json:"payment_accounts,omitempty"`
	Extra            Extra                `json:"-"`
}

// OnboardRequest is the body of onboard (README §5.2).
type OnboardRequest struct {
	PartnerAccountReference     string            `json:"partner_account_reference,omitempty"`
	PartnerAccountName          string            `json:"partner_account_name,omitempty"`
	PartnerAccountContact       *Contact          `json:"partner_account_contact,omitempty"`
	PartnerBusinessEntities     []BusinessEntity  `json:"partner_business_entities,omitempty"`
	Products                    []PaymentProduct  `json:"products,omitempty"`
	Brands                      []Brand           `json:"brands,omitempty"`
	StoreGroups                 []StoreGroup      `json:"store_groups,omitempty"`
	PartnerAccountRelationships []json.RawMessage `json:"partner_account_relationships,omitempty"`
	SupplementaryAccountData    json.RawMessage   `json:"supplementary_account_data,omitempty"`
	Extra                       Extra             `json:"-"`
}

// OnboardResponse is the onboard result; its shape is UNCONFIRMED (README §5.2)
// and decoded tolerantly: the account plus the created ids.
type OnboardResponse struct {
	PartnerAccountID        string              `json:"partner_account_id,omitempty"`
	PartnerAccountReference string              `json:"partner_account_reference,omitempty"`
	PartnerAccountName      string              `json:"partner_account_name,omitempty"`
	PartnerAccountContact   *Contact            `json:"partner_account_contact,omitempty"`
	State                   PartnerAccountState `json:"state,omitempty"`
	PartnerBusinessEntities []BusinessEntity    `json:"partner_business_entities,omitempty"`
	Products                []PaymentProduct    `json:"products,omitempty"`
	Brands                  []Brand             `json:"brands,omitempty"`
	StoreGroups             []StoreGroup        `json:"store_groups,omitempty"`
	Extra                   Extra               `json:"-"`
}

// PaymentProfile is a price plan + payment program plan defined with Klarna
// (README §4); field names beyond the id are UNCONFIRMED.
type PaymentProfile struct {
	PaymentProfileID     string `json:"payment_profile_id,omitempty"`
	Name                 string `json:"name,omitempty"`
	Description          string `json:"description,omitempty"`
	PricePlanID          string `json:"price_plan_id,omitempty"`
	PaymentProgramPlanID string `json:"payment_program_plan_id,omitempty"`
	Extra                Extra  `json:"-"`
}

// AcquiringAccount is one of the acquirer's payment acquiring accounts
// (README §4); field names beyond the id are UNCONFIRMED.
type AcquiringAccount struct {
	PaymentAcquiringAccountID string `json:"payment_acquiring_account_id,omitempty"`
	Name                      string `json:"name,omitempty"`
	SettlementCurrency        string `json:"settlement_currency,omitempty"`
	Country                   string `json:"country,omitempty"`
	Extra                     Extra  `json:"-"`
}

// List wrappers; the wrapper property names are UNCONFIRMED (README §3.8).
type (
	BusinessEntityList struct {
		Items []BusinessEntity `json:"partner_business_entities"`
	}
	BrandList struct {
		Items []Brand `json:"brands"`
	}
	StoreGroupList struct {
		Items []StoreGroup `json:"store_groups"`
	}
	StoreList struct {
		Items []Store `json:"stores"`
	}
	PaymentProductList struct {
		Items []PaymentProduct `json:"payment_products"`
	}
	PaymentAccountList struct {
		Items []PaymentAccount `json:"payment_accounts"`
	}
	PaymentProfileList struct {
		Items []PaymentProfile `json:"payment_profiles"`
	}
	AcquiringAccountList struct {
		Items []AcquiringAccount `json:"payment_acquiring_accounts"`
	}
)

// ResolvedPartnerAccount answers resolvePartnerAccountId.
type ResolvedPartnerAccount struct {
	PartnerAccountID string `json:"partner_account_id"`
}

// ResolvedPaymentAccount answers resolvePaymentAccountId.
type ResolvedPaymentAccount struct {
	PaymentAccountID string `json:"payment_account_id"`
}

package partner

import (
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// Onboarding is what the wizard, a bulk CSV row or an incremental addition
// describes: a partner account and everything under it. Its JSON (snake_case,
// Klarna's field names) is what a draft stores and what the API carries; the
// onboard request sent to Klarna is derived from it (ToKlarna), so the review
// step can show the exact payload.
type Onboarding struct {
	PartnerAccountReference string           `json:"partner_account_reference"`
	PartnerAccountName      string           `json:"partner_account_name"`
	Contact                 Contact          `json:"partner_account_contact"`
	BusinessEntities        []BusinessEntity `json:"partner_business_entities"`
	// PaymentProduct is the one PAYMENT product; nil when not (yet) chosen.
	PaymentProduct *PaymentProduct `json:"payment_product,omitempty"`
	Brands         []Brand         `json:"brands"`
	StoreGroups    []StoreGroup    `json:"store_groups"`
	// HashBankAccounts sends bank account numbers Argon2id-hashed with the
	// salt pre-shared with Klarna (README §5.2) instead of in clear.
	HashBankAccounts bool `json:"hash_bank_accounts,omitempty"`
}

// Contact is the partner account's contact person.
type Contact struct {
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
}

// Address is a postal address; Country is ISO 3166-1 alpha-2.
type Address struct {
	StreetAddress  string `json:"street_address"`
	StreetAddress2 string `json:"street_address2,omitempty"`
	PostalCode     string `json:"postal_code"`
	City           string `json:"city"`
	Region         string `json:"region,omitempty"`
	Country        string `json:"country"`
}

// LegalRegistration is an entity's registration data.
type LegalRegistration struct {
	Number                          string   `json:"legal_registration_number,omitempty"`
	Authority                       string   `json:"legal_registration_authority,omitempty"`
	EntityType                      string   `json:"legal_registration_entity_type,omitempty"`
	TaxRegistrationNumber           string   `json:"tax_registration_number,omitempty"`
	FinancialConductAuthorityNumber string   `json:"financial_conduct_authority_number,omitempty"`
	Address                         *Address `json:"legal_registration_address,omitempty"`
}

// NationalIdentification identifies a stakeholder.
type NationalIdentification struct {
	Number  string `json:"number"`
	Country string `json:"country"`
}

// Stakeholder is an owner, director or other person behind an entity.
type Stakeholder struct {
	GivenName              string                  `json:"given_name"`
	FamilyName             string                  `json:"family_name"`
	DateOfBirth            string                  `json:"date_of_birth,omitempty"` // YYYY-MM-DD
	Address                *Address                `json:"address,omitempty"`
	NationalIdentification *NationalIdentification `json:"national_identification,omitempty"`
	Roles                  []string                `json:"roles"` // OWNER, DIRECTOR, … (open)
}

// BankAccount is where an entity's payouts go.
type BankAccount struct {
	Type          string `json:"bank_account_type,omitempty"` // e.g. IBAN (open)
	AccountHolder string `json:"account_holder"`
	BIC           string `json:"bic,omitempty"`
	IBAN          string `json:"iban"`
}

// BusinessEntity is a legal entity of the partner.
type BusinessEntity struct {
	Reference                    string             `json:"partner_business_entity_reference"`
	LegalName                    string             `json:"legal_registered_entity_name"`
	Country                      string             `json:"legal_registration_country"`
	EnabledMerchantCategoryCodes []string           `json:"enabled_merchant_category_codes,omitempty"`
	LegalRegistration            *LegalRegistration `json:"legal_registration,omitempty"`
	OperatingAddresses           []Address          `json:"operating_addresses,omitempty"`
	Stakeholders                 []Stakeholder      `json:"stakeholders,omitempty"`
	BankAccounts                 []BankAccount      `json:"bank_accounts,omitempty"`
}

// PaymentProduct is the PAYMENT product with its payment accounts.
type PaymentProduct struct {
	PaymentProfileID string           `json:"payment_profile_id"`
	PaymentAccounts  []PaymentAccount `json:"payment_accounts"`
}

// PaymentAccount is immutable once created at Klarna.
type PaymentAccount struct {
	Reference                   string `json:"payment_account_reference"`
	AcquiringAccountID          string `json:"payment_acquiring_account_id"`
	BusinessEntityReference     string `json:"partner_business_entity_reference"`
	DefaultMerchantCategoryCode string `json:"default_merchant_category_code"`
	DefaultStoreGroupReference  string `json:"default_store_group_reference,omitempty"`
}

// Brand is how the partner shows itself to shoppers.
type Brand struct {
	Reference       string `json:"brand_reference"`
	DisplayName     string `json:"display_name"`
	LogoURL         string `json:"logo_url,omitempty"`
	IconURL         string `json:"icon_url,omitempty"`
	FeatureImageURL string `json:"feature_image_url,omitempty"`
}

// SocialMediaLink is a store group's presence on a social network.
type SocialMediaLink struct {
	Provider string `json:"provider"` // FACEBOOK, INSTAGRAM, … (open)
	URL      string `json:"url"`
}

// StoreGroup groups stores under a brand.
type StoreGroup struct {
	Reference          string            `json:"store_group_reference"`
	BrandReference     string            `json:"brand_reference"`
	SupportEmail       string            `json:"support_email,omitempty"`
	SupportPhone       string            `json:"support_phone,omitempty"`
	SupportContactForm string            `json:"support_contact_form,omitempty"`
	SocialMediaLinks   []SocialMediaLink `json:"social_media_links,omitempty"`
	Stores             []StoreDef        `json:"stores"`
}

// StoreDef is a point of sale.
type StoreDef struct {
	Reference string `json:"store_reference"`
	Type      string `json:"type"` // WEBSITE, … (open)
	URL       string `json:"url,omitempty"`
}

// Existing is what an account already holds at Klarna, by reference: the
// cross-references of an incremental onboarding may point at it.
type Existing struct {
	BusinessEntities map[string]bool
	StoreGroups      map[string]bool
	Brands           map[string]bool
	Stores           map[string]bool
	PaymentAccounts  map[string]bool // key: acquiring account id + "\x1f" + payment account reference (PaymentAccountOf)
	// Held is what the account held, as an onboarding, when the draft was
	// made (FromKlarna): an existing resource must stay as it is.
	Held *Onboarding `json:",omitempty"`
}

// DraftStatus is where a draft is on its way to Klarna.
type DraftStatus string

const (
	DraftEditing   DraftStatus = "draft"
	DraftSubmitted DraftStatus = "submitted" // the onboard job is queued or retrying
	DraftSucceeded DraftStatus = "succeeded"
	DraftRejected  DraftStatus = "rejected" // Klarna answered 400: field errors
	DraftConflict  DraftStatus = "conflict" // Klarna answered 409: conflict diff
	DraftFailed    DraftStatus = "failed"   // gave up (retries exhausted, or an error no retry fixes)
)

// Draft is an onboarding being prepared or submitted.
type Draft struct {
	ID              uuid.UUID
	Kind            string     // "new" or "incremental"
	TenantID        *uuid.UUID // incremental: the partner; new: set when Klarna accepted it
	KlarnaAccountID string
	Payload         Onboarding
	Step            string
	Status          DraftStatus
	IdempotencyKey  uuid.UUID
	Version         int
	FieldErrors     []apperr.FieldError // Klarna's 400, by our field path
	Conflict        []ConflictItem      // Klarna's 409
	LastError       string
	Attempts        int
	CreatedBy       *uuid.UUID
	UpdatedBy       *uuid.UUID
	CreatedAt       time.Time
	UpdatedAt       time.Time
	SubmittedAt     *time.Time
	CompletedAt     *time.Time
	// Existing is what an incremental draft's account held at Klarna when
	// the draft was made (nil for a new partner).
	Existing       *Existing
	Result         *Result // the ids Klarna returned
	NextAttemptAt  *time.Time
	CreatedByEmail string
	UpdatedByEmail string
}

// Result is what Klarna returned for a successful onboarding: its ids by
// our references, and each payment account's pair the payments APIs need.
type Result struct {
	PartnerAccountID string                 `json:"partner_account_id"`
	PaymentProductID string                 `json:"payment_product_id,omitempty"`
	BusinessEntities []ResultID             `json:"business_entities"`
	Brands           []ResultID             `json:"brands"`
	StoreGroups      []ResultID             `json:"store_groups"`
	Stores           []ResultID             `json:"stores"`
	PaymentAccounts  []ResultPaymentAccount `json:"payment_accounts"`
}

// ResultID is one resource's Klarna id by our reference.
type ResultID struct {
	Reference string `json:"reference"`
	ID        string `json:"id"`
}

// ResultPaymentAccount is a payment account Klarna holds.
type ResultPaymentAccount struct {
	PaymentAccountID          string `json:"payment_account_id"`
	PaymentAcquiringAccountID string `json:"payment_acquiring_account_id"`
	PaymentAccountReference   string `json:"payment_account_reference"`
}

// ConflictItem is one resource Klarna holds differently from the payload.
type ConflictItem struct {
	Kind      string         `json:"kind"` // business_entity, brand, store_group, store, payment_account, account
	Reference string         `json:"reference"`
	Path      string         `json:"path"`   // the payload's field path of the resource
	Klarna    map[string]any `json:"klarna"` // what Klarna holds
	Payload   map[string]any `json:"payload"`
	Fields    []string       `json:"fields"` // the fields that differ
}

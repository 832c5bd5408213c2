package partner

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// Bulk onboarding: a CSV with one partner a row (one business entity, one
// payment account, one brand, one store group with one store), validated
// row by row with ValidateOnboarding (the wizard's rules) plus references
// unique across the file, then submitted as one draft a row.
// docs/bulk-onboarding.md describes every column; bulkColumns is the one
// table that the template, the parser and the error mapping read.

// BulkColumn is one column of the bulk CSV.
type BulkColumn struct {
	Name     string
	Required bool   // the column must be in the header and the cell filled
	Rule     string // what the cell holds, for the template's documentation
	Example  string
	// path is the field of Onboarding it fills (ValidateOnboarding's field
	// path); errors on that path, or under it, are reported on the column.
	path string
	set  func(r *bulkRowBuilder, v string)
}

const (
	pEntity  = "partner_business_entities[0]"
	pLegal   = pEntity + ".legal_registration"
	pLegalAd = pLegal + ".legal_registration_address"
	pHolder  = pEntity + ".stakeholders[0]"
	pBank    = pEntity + ".bank_accounts[0]"
	pPayAcct = "payment_product.payment_accounts[0]"
	pGroup   = "store_groups[0]"
	pStore   = pGroup + ".stores[0]"
)

// BulkColumns are the columns of the bulk CSV, in the template's order.
var BulkColumns = []BulkColumn{
	{Name: "partner_account_reference", Required: true, Rule: "your unique key for the partner; unique in the file", Example: "PD-10001", path: "partner_account_reference",
		set: func(r *bulkRowBuilder, v string) { r.o.PartnerAccountReference = v }},
	{Name: "partner_account_name", Required: true, Rule: "the partner's company or brand name (not shown to shoppers)", Example: "Fjord Ceramics", path: "partner_account_name",
		set: func(r *bulkRowBuilder, v string) { r.o.PartnerAccountName = v }},
	{Name: "contact_given_name", Rule: "contact person's given name", Example: "Ola", path: "partner_account_contact.given_name",
		set: func(r *bulkRowBuilder, v string) { r.o.Contact.GivenName = v }},
	{Name: "contact_family_name", Rule: "contact person's family name", Example: "Nordmann", path: "partner_account_contact.family_name",
		set: func(r *bulkRowBuilder, v string) { r.o.Contact.FamilyName = v }},
	{Name: "contact_email", Required: true, Rule: "contact e-mail address", Example: "ola@fjord.example", path: "partner_account_contact.email",
		set: func(r *bulkRowBuilder, v string) { r.o.Contact.Email = v }},
	{Name: "contact_phone", Rule: "contact phone in E.164: + country code and number, no spaces", Example: "+4791234567", path: "partner_account_contact.phone",
		set: func(r *bulkRowBuilder, v string) { r.o.Contact.Phone = v }},

	{Name: "entity_reference", Required: true, Rule: "your key for the legal entity", Example: "PD-10001-LE", path: pEntity + ".partner_business_entity_reference",
		set: func(r *bulkRowBuilder, v string) { r.entity().Reference = v }},
	{Name: "entity_legal_name", Required: true, Rule: "the officially registered name", Example: "Fjord Ceramics AS", path: pEntity + ".legal_registered_entity_name",
		set: func(r *bulkRowBuilder, v string) { r.entity().LegalName = v }},
	{Name: "entity_country", Required: true, Rule: "country of registration, ISO 3166-1 alpha-2 in capitals", Example: "NO", path: pEntity + ".legal_registration_country",
		set: func(r *bulkRowBuilder, v string) { r.entity().Country = v }},
	{Name: "entity_mccs", Rule: "merchant category codes the entity operates as: 4 digits each, separated by spaces or semicolons", Example: "5719", path: pEntity + ".enabled_merchant_category_codes",
		set: func(r *bulkRowBuilder, v string) { r.entity().EnabledMerchantCategoryCodes = splitList(v) }},
	{Name: "entity_registration_number", Rule: "legal registration number", Example: "987654321", path: pLegal + ".legal_registration_number",
		set: func(r *bulkRowBuilder, v string) { r.legal().Number = v }},
	{Name: "entity_registration_authority", Rule: "authority that registered the entity", Example: "Brønnøysundregistrene", path: pLegal + ".legal_registration_authority",
		set: func(r *bulkRowBuilder, v string) { r.legal().Authority = v }},
	{Name: "entity_type", Rule: "legal form, e.g. LIMITED_LIABILITY_COMPANY", Example: "LIMITED_LIABILITY_COMPANY", path: pLegal + ".legal_registration_entity_type",
		set: func(r *bulkRowBuilder, v string) { r.legal().EntityType = v }},
	{Name: "entity_tax_number", Rule: "tax (VAT) registration number", Example: "NO987654321MVA", path: pLegal + ".tax_registration_number",
		set: func(r *bulkRowBuilder, v string) { r.legal().TaxRegistrationNumber = v }},
	{Name: "entity_street_address", Rule: "registered address: street (filling any address column asks for street, postal code, city and country)", Example: "Storgata 1", path: pLegalAd + ".street_address",
		set: func(r *bulkRowBuilder, v string) { r.legalAddress().StreetAddress = v }},
	{Name: "entity_postal_code", Rule: "registered address: postal code", Example: "0155", path: pLegalAd + ".postal_code",
		set: func(r *bulkRowBuilder, v string) { r.legalAddress().PostalCode = v }},
	{Name: "entity_city", Rule: "registered address: city", Example: "Oslo", path: pLegalAd + ".city",
		set: func(r *bulkRowBuilder, v string) { r.legalAddress().City = v }},
	{Name: "entity_address_country", Rule: "registered address: country, ISO 3166-1 alpha-2", Example: "NO", path: pLegalAd + ".country",
		set: func(r *bulkRowBuilder, v string) { r.legalAddress().Country = v }},
	{Name: "stakeholder_given_name", Rule: "one owner or director: given name (filling any stakeholder column asks for both names and a role)", Example: "Kari", path: pHolder + ".given_name",
		set: func(r *bulkRowBuilder, v string) { r.stakeholder().GivenName = v }},
	{Name: "stakeholder_family_name", Rule: "stakeholder's family name", Example: "Nordmann", path: pHolder + ".family_name",
		set: func(r *bulkRowBuilder, v string) { r.stakeholder().FamilyName = v }},
	{Name: "stakeholder_date_of_birth", Rule: "stakeholder's date of birth, YYYY-MM-DD", Example: "1980-04-12", path: pHolder + ".date_of_birth",
		set: func(r *bulkRowBuilder, v string) { r.stakeholder().DateOfBirth = v }},
	{Name: "stakeholder_roles", Rule: "stakeholder's roles, e.g. OWNER or DIRECTOR, separated by spaces or semicolons", Example: "OWNER;DIRECTOR", path: pHolder + ".roles",
		set: func(r *bulkRowBuilder, v string) { r.stakeholder().Roles = splitList(v) }},
	{Name: "bank_account_holder", Rule: "payout bank account: holder (filling any bank column asks for holder and IBAN)", Example: "Fjord Ceramics AS", path: pBank + ".account_holder",
		set: func(r *bulkRowBuilder, v string) { r.bank().AccountHolder = v }},
	{Name: "bank_iban", Rule: "payout bank account: IBAN (check digits are verified)", Example: "NO9386011117947", path: pBank + ".iban",
		set: func(r *bulkRowBuilder, v string) { r.bank().IBAN = v }},
	{Name: "bank_bic", Rule: "payout bank account: BIC, 8 or 11 characters", Example: "DNBANOKK", path: pBank + ".bic",
		set: func(r *bulkRowBuilder, v string) { r.bank().BIC = v }},

	{Name: "payment_profile_id", Required: true, Rule: "the payment profile (pricing and program plan), a Klarna id from Klarna's list of your payment profiles", Example: "krn:partner:global:payment-profile:test:6c1e0a9e-2f0b-4d8a-9a51-1f6f1e0c7a01", path: "payment_product.payment_profile_id",
		set: func(r *bulkRowBuilder, v string) { r.o.PaymentProduct.PaymentProfileID = v }},
	{Name: "acquiring_account_id", Required: true, Rule: "your acquiring account for the payment account, a Klarna id", Example: "krn:partner:global:payment-acquiring-account:test:1b2c3d4e-0000-4a00-8000-00000000a5e0", path: pPayAcct + ".payment_acquiring_account_id",
		set: func(r *bulkRowBuilder, v string) { r.payAcct().AcquiringAccountID = v }},
	{Name: "payment_account_reference", Required: true, Rule: "your key for the payment account; unique per acquiring account, in the file and at Klarna", Example: "PD-10001-PA", path: pPayAcct + ".payment_account_reference",
		set: func(r *bulkRowBuilder, v string) { r.payAcct().Reference = v }},
	{Name: "default_mcc", Required: true, Rule: "the payment account's default merchant category code, 4 digits", Example: "5719", path: pPayAcct + ".default_merchant_category_code",
		set: func(r *bulkRowBuilder, v string) { r.payAcct().DefaultMerchantCategoryCode = v }},

	{Name: "brand_reference", Required: true, Rule: "your key for the brand", Example: "PD-10001-BR", path: "brands[0].brand_reference",
		set: func(r *bulkRowBuilder, v string) { r.o.Brands[0].Reference = v }},
	{Name: "brand_display_name", Required: true, Rule: "the name shoppers see", Example: "Fjord", path: "brands[0].display_name",
		set: func(r *bulkRowBuilder, v string) { r.o.Brands[0].DisplayName = v }},
	{Name: "brand_logo_url", Rule: "logo, an https:// address", Example: "https://cdn.fjord.example/logo.png", path: "brands[0].logo_url",
		set: func(r *bulkRowBuilder, v string) { r.o.Brands[0].LogoURL = v }},

	{Name: "store_group_reference", Required: true, Rule: "your key for the store group (the payment account's default store group)", Example: "PD-10001-SG", path: pGroup + ".store_group_reference",
		set: func(r *bulkRowBuilder, v string) { r.group().Reference = v }},
	{Name: "support_email", Rule: "shoppers' support e-mail", Example: "help@fjord.example", path: pGroup + ".support_email",
		set: func(r *bulkRowBuilder, v string) { r.group().SupportEmail = v }},
	{Name: "support_phone", Rule: "shoppers' support phone, E.164", Example: "+4722334455", path: pGroup + ".support_phone",
		set: func(r *bulkRowBuilder, v string) { r.group().SupportPhone = v }},

	{Name: "store_reference", Required: true, Rule: "your key for the store", Example: "PD-10001-ST", path: pStore + ".store_reference",
		set: func(r *bulkRowBuilder, v string) { r.store().Reference = v }},
	{Name: "store_type", Rule: "kind of store, e.g. WEBSITE (empty: WEBSITE)", Example: "WEBSITE", path: pStore + ".type",
		set: func(r *bulkRowBuilder, v string) { r.store().Type = v }},
	{Name: "store_url", Rule: "the store's web address (required for a WEBSITE)", Example: "https://fjord.example", path: pStore + ".url",
		set: func(r *bulkRowBuilder, v string) { r.store().URL = v }},
}

// crossRefColumns are the payload's cross-references the CSV fills from
// another column: an error on one is reported on that column.
var crossRefColumns = map[string]string{
	pPayAcct + ".partner_business_entity_reference": "entity_reference",
	pPayAcct + ".default_store_group_reference":     "store_group_reference",
	pGroup + ".brand_reference":                     "brand_reference",
}

// bulkRowBuilder fills an Onboarding from one row; optional groups
// (registration, address, stakeholder, bank account) appear only when one
// of their cells is filled.
type bulkRowBuilder struct{ o Onboarding }

func newBulkRowBuilder() *bulkRowBuilder {
	return &bulkRowBuilder{o: Onboarding{
		BusinessEntities: []BusinessEntity{{}},
		PaymentProduct:   &PaymentProduct{PaymentAccounts: []PaymentAccount{{}}},
		Brands:           []Brand{{}},
		StoreGroups:      []StoreGroup{{Stores: []StoreDef{{}}}},
	}}
}

func (r *bulkRowBuilder) entity() *BusinessEntity { return &r.o.BusinessEntities[0] }
func (r *bulkRowBuilder) payAcct() *PaymentAccount {
	return &r.o.PaymentProduct.PaymentAccounts[0]
}
func (r *bulkRowBuilder) group() *StoreGroup { return &r.o.StoreGroups[0] }
func (r *bulkRowBuilder) store() *StoreDef   { return &r.o.StoreGroups[0].Stores[0] }

func (r *bulkRowBuilder) legal() *LegalRegistration {
	e := r.entity()
	if e.LegalRegistration == nil {
		e.LegalRegistration = &LegalRegistration{}
	}
	return e.LegalRegistration
}

func (r *bulkRowBuilder) legalAddress() *Address {
	l := r.legal()
	if l.Address == nil {
		l.Address = &Address{}
	}
	return l.Address
}

func (r *bulkRowBuilder) stakeholder() *Stakeholder {
	e := r.entity()
	if len(e.Stakeholders) == 0 {
		e.Stakeholders = []Stakeholder{{}}
	}
	return &e.Stakeholders[0]
}

func (r *bulkRowBuilder) bank() *BankAccount {
	e := r.entity()
	if len(e.BankAccounts) == 0 {
		e.BankAccounts = []BankAccount{{Type: "IBAN"}}
	}
	return &e.BankAccounts[0]
}

// finish fills what the CSV implies: the cross-references between the row's
// one entity, brand, store group and payment account, and the default
// store type.
func (r *bulkRowBuilder) finish() Onboarding {
	pa := r.payAcct()
	pa.BusinessEntityReference = r.entity().Reference
	pa.DefaultStoreGroupReference = r.group().Reference
	r.group().BrandReference = r.o.Brands[0].Reference
	if r.store().Type == "" {
		r.store().Type = "WEBSITE"
	}
	return r.o
}

func splitList(v string) []string {
	return strings.FieldsFunc(v, func(c rune) bool { return c == ';' || c == ',' || c == ' ' || c == '\t' })
}

// bulkColumnOf names the CSV column of a ValidateOnboarding field path: the
// column filling that path or the deepest one above it (an MCC list's
// item, a stakeholder's roles), or the column a cross-reference copies.
func bulkColumnOf(path string) string {
	if c, ok := crossRefColumns[path]; ok {
		return c
	}
	best, bestLen := "", -1
	for _, c := range BulkColumns {
		if (path == c.path || strings.HasPrefix(path, c.path+".") || strings.HasPrefix(path, c.path+"[")) && len(c.path) > bestLen {
			best, bestLen = c.Name, len(c.path)
		}
	}
	if best != "" {
		return best
	}
	return path
}

// BulkRow is one data row of an upload: its line in the file (the header
// is line 1), the onboarding it describes and the dry run's problems, each
// on a CSV column.
type BulkRow struct {
	Row       int
	Reference string
	Payload   Onboarding
	Errors    []apperr.FieldError
}

// Limits of one upload.
const (
	MaxBulkRows  = 50_000
	MaxBulkBytes = 20 << 20
)

// ParseBulkCSV reads an upload into rows, every row validated with
// ValidateOnboarding and its errors reported by column. A file that cannot
// be read as the template's CSV (no header, unknown or missing columns,
// broken quoting, too many rows) is refused as a whole with an Invalid
// error naming each problem. Blank lines are skipped.
func ParseBulkCSV(in io.Reader) ([]BulkRow, error) {
	rows, err := parseBulkCSV(in)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		for _, fe := range ValidateOnboarding(&rows[i].Payload, nil) {
			rows[i].Errors = append(rows[i].Errors, apperr.FieldError{Field: bulkColumnOf(fe.Field), Message: fe.Message})
		}
	}
	markDuplicates(rows)
	return rows, nil
}

func parseBulkCSV(in io.Reader) ([]BulkRow, error) {
	br := bufio.NewReader(in)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3) // the byte order mark spreadsheets write
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.Validation("The file is empty: it needs the template's header line and one line per partner.", apperr.FieldError{Field: "file", Message: "is empty"})
	}
	if err != nil {
		return nil, csvError(err)
	}
	index, err := bulkHeader(header)
	if err != nil {
		return nil, err
	}
	byName := map[string]*BulkColumn{}
	for i := range BulkColumns {
		byName[BulkColumns[i].Name] = &BulkColumns[i]
	}
	var rows []BulkRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rows) == MaxBulkRows {
			return nil, apperr.Validation(fmt.Sprintf("The file has more than %d partners; split it into several uploads.", MaxBulkRows),
				apperr.FieldError{Field: "file", Message: fmt.Sprintf("more than %d rows", MaxBulkRows)})
		}
		b := newBulkRowBuilder()
		var errs []apperr.FieldError
		if len(rec) != len(header) {
			errs = append(errs, apperr.FieldError{Field: "row", Message: fmt.Sprintf("This line has %d cells and the header %d; check for a missing or extra separator.", len(rec), len(header))})
		}
		for i, name := range index {
			if name == "" || i >= len(rec) {
				continue
			}
			v := strings.TrimSpace(rec[i])
			if !utf8.ValidString(v) {
				errs = append(errs, apperr.FieldError{Field: name, Message: "This cell is not UTF-8 text; save the file as CSV UTF-8."})
				continue
			}
			if v != "" {
				byName[name].set(b, v)
			}
		}
		o := b.finish()
		rows = append(rows, BulkRow{Row: line, Reference: o.PartnerAccountReference, Payload: o, Errors: errs})
	}
	if len(rows) == 0 {
		return nil, apperr.Validation("The file has a header but no partners.", apperr.FieldError{Field: "file", Message: "has no data rows"})
	}
	return rows, nil
}

// bulkHeader maps each header cell to its column ("" for none) and refuses
// unknown, repeated and missing columns, all at once.
func bulkHeader(header []string) ([]string, error) {
	known := map[string]bool{}
	for _, c := range BulkColumns {
		known[c.Name] = true
	}
	index := make([]string, len(header))
	seen := map[string]bool{}
	var errs []apperr.FieldError
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case name == "":
			continue
		case !known[name]:
			errs = append(errs, apperr.FieldError{Field: h, Message: "is not a column of the template; see docs/bulk-onboarding.md for the columns"})
		case seen[name]:
			errs = append(errs, apperr.FieldError{Field: name, Message: "appears twice in the header"})
		default:
			seen[name] = true
			index[i] = name
		}
	}
	for _, c := range BulkColumns {
		if c.Required && !seen[c.Name] {
			errs = append(errs, apperr.FieldError{Field: c.Name, Message: "is a required column and missing from the header"})
		}
	}
	if len(errs) > 0 {
		return nil, apperr.Validation("The header line does not match the template.", errs...)
	}
	return index, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.Validation(fmt.Sprintf("Line %d is not valid CSV: %v. Check the quotes in that line.", pe.Line, pe.Err),
			apperr.FieldError{Field: "file", Message: fmt.Sprintf("line %d, column %d: %v", pe.Line, pe.Column, pe.Err)})
	}
	return apperr.Wrap(err, apperr.Invalid, "The file could not be read.")
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// markDuplicates reports references that more than one row uses: the
// partner account reference (two rows would be one partner) and the
// payment account reference per acquiring account (Klarna refuses the
// second).
func markDuplicates(rows []BulkRow) {
	type key struct{ kind, value string }
	uses := map[key][]int{}
	for i, r := range rows {
		if ref := r.Payload.PartnerAccountReference; ref != "" {
			uses[key{"partner_account_reference", ref}] = append(uses[key{"partner_account_reference", ref}], i)
		}
		if pa := r.Payload.PaymentProduct.PaymentAccounts[0]; pa.Reference != "" {
			k := key{"payment_account_reference", pa.AcquiringAccountID + "\x00" + pa.Reference}
			uses[k] = append(uses[k], i)
		}
	}
	for k, idx := range uses {
		if len(idx) < 2 {
			continue
		}
		for _, i := range idx {
			var others []string
			for _, j := range idx {
				if j != i && len(others) < 5 {
					others = append(others, strconv.Itoa(rows[j].Row))
				}
			}
			more := ""
			if n := len(idx) - 1 - len(others); n > 0 {
				more = fmt.Sprintf(" and %d more", n)
			}
			msg := fmt.Sprintf("Row %s%s uses this reference too; each partner needs its own.", strings.Join(others, ", "), more)
			if k.kind == "payment_account_reference" {
				msg = fmt.Sprintf("Row %s%s uses this payment account reference with the same acquiring account too; each needs its own.", strings.Join(others, ", "), more)
			}
			if len(others) > 1 {
				msg = "Rows" + strings.TrimPrefix(msg, "Row")
				msg = strings.Replace(msg, " uses ", " use ", 1)
			}
			rows[i].Errors = append(rows[i].Errors, apperr.FieldError{Field: k.kind, Message: msg})
		}
	}
	for i := range rows {
		sort.SliceStable(rows[i].Errors, func(a, b int) bool {
			return columnOrder(rows[i].Errors[a].Field) < columnOrder(rows[i].Errors[b].Field)
		})
	}
}

func columnOrder(name string) int {
	for i, c := range BulkColumns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// WriteBulkTemplate writes the template: the header with every column and
// one example row.
func WriteBulkTemplate(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(BulkColumns))
	example := make([]string, len(BulkColumns))
	for i, c := range BulkColumns {
		header[i], example[i] = c.Name, c.Example
	}
	_ = cw.Write(header)
	_ = cw.Write(example)
	cw.Flush()
	return cw.Error()
}

// BulkRunStatus is where a bulk run is.
type BulkRunStatus string

const (
	BulkValidated BulkRunStatus = "validated"
	BulkRunning   BulkRunStatus = "running"
	BulkDone      BulkRunStatus = "done"
	BulkCanceled  BulkRunStatus = "canceled"
)

// BulkProgress counts a run's valid rows by where they stand.
type BulkProgress struct {
	Pending, Submitted, Succeeded, Failed int
}

// BulkRun is one uploaded file.
type BulkRun struct {
	ID                                uuid.UUID
	Filename                          string
	Status                            BulkRunStatus
	TotalRows, ValidRows, InvalidRows int
	Progress                          BulkProgress
	CreatedBy                         *uuid.UUID
	CreatedByEmail, CreatedByName     string
	CreatedAt                         time.Time
	StartedAt, FinishedAt             *time.Time
}

// BulkRowStatus is where one row stands.
type BulkRowStatus string

const (
	BulkRowInvalid   BulkRowStatus = "invalid"   // refused by the dry run; never sent
	BulkRowPending   BulkRowStatus = "pending"   // valid, no draft yet
	BulkRowSubmitted BulkRowStatus = "submitted" // its draft is queued for or waiting on Klarna
	BulkRowSucceeded BulkRowStatus = "succeeded"
	BulkRowFailed    BulkRowStatus = "failed"   // Klarna refused it, or retries ran out
	BulkRowCanceled  BulkRowStatus = "canceled" // valid, never sent: the run was canceled
)

// BulkRowResult is a stored row with its outcome.
type BulkRowResult struct {
	Row             int
	Reference       string
	Status          BulkRowStatus
	Errors          []apperr.FieldError
	DraftID         *uuid.UUID
	DraftStatus     DraftStatus
	KlarnaAccountID string
	LastError       string
}

// NewBulkRowResult builds a row's result from what is stored: its dry run
// errors, whether it was sent, its draft (status, account, Klarna's field
// errors mapped onto the CSV's columns) and its run's status.
func NewBulkRowResult(row int, ref string, errs []apperr.FieldError, draftID *uuid.UUID, sent bool, draft DraftStatus, accountID, lastError string,
	klarnaErrs []apperr.FieldError, run BulkRunStatus) BulkRowResult {
	r := BulkRowResult{Row: row, Reference: ref, Errors: errs, DraftID: draftID, DraftStatus: draft, KlarnaAccountID: accountID, LastError: lastError}
	for _, fe := range klarnaErrs {
		r.Errors = append(r.Errors, apperr.FieldError{Field: bulkColumnOf(fe.Field), Message: fe.Message})
	}
	if r.Errors == nil {
		r.Errors = []apperr.FieldError{}
	}
	switch {
	case len(errs) > 0:
		r.Status = BulkRowInvalid
	case !sent && run == BulkCanceled:
		r.Status = BulkRowCanceled
	case !sent:
		r.Status = BulkRowPending
	case draft == DraftSucceeded:
		r.Status = BulkRowSucceeded
	case draft == DraftSubmitted:
		r.Status = BulkRowSubmitted
	default: // rejected, conflict, failed; reopened for editing or deleted
		r.Status = BulkRowFailed
		if draft == "" && r.LastError == "" {
			r.LastError = "Its onboarding draft was deleted."
		}
	}
	return r
}

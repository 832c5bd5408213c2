package partner

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

const (
	testProfile   = "krn:partner:global:payment-profile:test:6c1e0a9e-2f0b-4d8a-9a51-1f6f1e0c7a01"
	testAcquiring = "krn:partner:global:payment-acquiring-account:test:1b2c3d4e-0000-4a00-8000-00000000a5e0"
)

// oneRow is a CSV of the template's header and one generated row with edit
// applied (column → value).
func oneRow(edit map[string]string) string {
	var b bytes.Buffer
	if _, err := GenerateBulkCSV(&b, 1, 0, "PD-T", testProfile, testAcquiring); err != nil {
		panic(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		panic(err)
	}
	for i, h := range recs[0] {
		if v, ok := edit[h]; ok {
			recs[1][i] = v
		}
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	_ = w.WriteAll(recs)
	return out.String()
}

func fields(errs []apperr.FieldError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

func TestBulkCSV_TemplateExampleRowIsValid(t *testing.T) {
	var b bytes.Buffer
	if err := WriteBulkTemplate(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := ParseBulkCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || len(rows[0].Errors) != 0 {
		t.Fatalf("the template's example row does not pass the dry run: %+v", rows)
	}
	o := rows[0].Payload
	pa := o.PaymentProduct.PaymentAccounts[0]
	if pa.BusinessEntityReference != o.BusinessEntities[0].Reference || pa.DefaultStoreGroupReference != o.StoreGroups[0].Reference ||
		o.StoreGroups[0].BrandReference != o.Brands[0].Reference {
		t.Fatalf("the row's resources are not linked to each other: %+v", o)
	}
	if o.BusinessEntities[0].LegalRegistration.Address.City != "Oslo" || o.BusinessEntities[0].Stakeholders[0].Roles[1] != "DIRECTOR" ||
		o.BusinessEntities[0].BankAccounts[0].IBAN != "NO9386011117947" {
		t.Fatalf("optional groups not filled: %+v", o.BusinessEntities[0])
	}
}

// Each broken cell is reported on its CSV column, in words, with the row
// still parsed; every rule is the wizard's (ValidateOnboarding).
func TestBulkCSV_ErrorsAreReportedOnTheirColumn(t *testing.T) {
	cases := []struct {
		name   string
		edit   map[string]string
		column string
	}{
		{"MissingReference", map[string]string{"partner_account_reference": ""}, "partner_account_reference"},
		{"BadContactEmail", map[string]string{"contact_email": "ola(at)fjord"}, "contact_email"},
		{"PhoneNotE164", map[string]string{"contact_phone": "0047 912"}, "contact_phone"},
		{"CountryNotISO", map[string]string{"entity_country": "Norway"}, "entity_country"},
		{"LowerCaseCountry", map[string]string{"entity_country": "no"}, "entity_country"},
		{"OneOfTheEntityMCCsBad", map[string]string{"entity_mccs": "5719;59"}, "entity_mccs"},
		{"AddressWithoutCity", map[string]string{"entity_city": ""}, "entity_city"},
		{"StakeholderWithoutRole", map[string]string{"stakeholder_roles": ""}, "stakeholder_roles"},
		{"StakeholderBornInTheFuture", map[string]string{"stakeholder_date_of_birth": "2999-01-01"}, "stakeholder_date_of_birth"},
		{"IBANCheckDigits", map[string]string{"bank_iban": "NO9486011117947"}, "bank_iban"},
		{"MissingPaymentProfile", map[string]string{"payment_profile_id": ""}, "payment_profile_id"},
		{"MissingAcquiringAccount", map[string]string{"acquiring_account_id": ""}, "acquiring_account_id"},
		{"MCCNotFourDigits", map[string]string{"default_mcc": "59411"}, "default_mcc"},
		{"MissingEntityReferenceAlsoBreaksThePaymentAccountLink", map[string]string{"entity_reference": ""}, "entity_reference"},
		{"MissingBrandReference", map[string]string{"brand_reference": ""}, "brand_reference"},
		{"LogoNotAURL", map[string]string{"brand_logo_url": "logo.png"}, "brand_logo_url"},
		{"SupportEmailBad", map[string]string{"support_email": "help"}, "support_email"},
		{"WebsiteWithoutURL", map[string]string{"store_url": ""}, "store_url"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := ParseBulkCSV(strings.NewReader(oneRow(c.edit)))
			if err != nil {
				t.Fatal(err)
			}
			got := fields(rows[0].Errors)
			if len(got) == 0 {
				t.Fatalf("no error; want one on %s", c.column)
			}
			for _, f := range got {
				if f != c.column {
					t.Fatalf("errors on %v, want only on %s (%+v)", got, c.column, rows[0].Errors)
				}
			}
			for _, e := range rows[0].Errors {
				if len(e.Message) < 10 {
					t.Fatalf("message %q does not say what is wrong", e.Message)
				}
			}
		})
	}
}

func TestBulkCSV_EmptyOptionalGroupsAreLeftOut(t *testing.T) {
	edit := map[string]string{}
	for _, c := range BulkColumns {
		if strings.HasPrefix(c.Name, "stakeholder_") || strings.HasPrefix(c.Name, "bank_") || strings.HasPrefix(c.Name, "entity_registration") ||
			slices.Contains([]string{"entity_type", "entity_tax_number", "entity_street_address", "entity_postal_code", "entity_city", "entity_address_country", "store_type"}, c.Name) {
			edit[c.Name] = ""
		}
	}
	rows, err := ParseBulkCSV(strings.NewReader(oneRow(edit)))
	if err != nil {
		t.Fatal(err)
	}
	e := rows[0].Payload.BusinessEntities[0]
	if len(rows[0].Errors) != 0 || e.LegalRegistration != nil || e.Stakeholders != nil || e.BankAccounts != nil {
		t.Fatalf("empty optional columns made resources or errors: %+v %+v", rows[0].Errors, e)
	}
	if rows[0].Payload.StoreGroups[0].Stores[0].Type != "WEBSITE" {
		t.Fatal("an empty store_type is not WEBSITE")
	}
}

// The mixed fixture: a valid row, a blank line, a row with two bad cells,
// and a quoted cell over two lines that repeats the first row's references.
func TestBulkCSV_RowNumbersAndDuplicatesAcrossRows(t *testing.T) {
	f, err := os.Open("testdata/bulk-mixed.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := ParseBulkCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][]string{}
	for _, r := range rows {
		got[r.Row] = fields(r.Errors)
	}
	want := map[int][]string{
		2: {"partner_account_reference", "payment_account_reference"},
		4: {"entity_country", "default_mcc"},
		5: {"partner_account_reference", "payment_account_reference"},
	}
	if len(got) != len(want) {
		t.Fatalf("rows %v, want lines %v (the blank line skipped)", got, want)
	}
	for line, w := range want {
		if !slices.Equal(got[line], w) {
			t.Fatalf("line %d: errors on %v, want %v", line, got[line], w)
		}
	}
	if msg := rows[0].Errors[0].Message; !strings.Contains(msg, "Row 5") {
		t.Fatalf("the duplicate's message %q does not name the other row", msg)
	}
	if rows[2].Payload.PartnerAccountName != "Cloud\nBerry" {
		t.Fatalf("quoted cell = %q", rows[2].Payload.PartnerAccountName)
	}
}

// A file that is not the template's CSV is refused as a whole, every
// header problem at once, by column.
func TestBulkCSV_FileProblemsRefuseTheWholeFile(t *testing.T) {
	cases := []struct {
		name, csv string
		fields    []string
	}{
		{"Empty", "", []string{"file"}},
		{"HeaderOnly", "partner_account_reference\n", nil},
		{"UnknownAndMissingColumns", "partner_account_reference,colour\nPD-1,red\n", []string{"colour", "partner_account_name"}},
		{"RepeatedColumn", strings.Join(columnNames(), ",") + ",contact_email\n", []string{"contact_email"}},
		{"BrokenQuote", strings.Join(columnNames(), ",") + "\n\"PD-1,x\"y\n", []string{"file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseBulkCSV(strings.NewReader(c.csv))
			ae := apperr.As(err)
			if ae == nil || ae.Code != apperr.Invalid {
				t.Fatalf("want an Invalid error, got %v", err)
			}
			got := fields(ae.Fields)
			for _, f := range c.fields {
				if !slices.Contains(got, f) {
					t.Fatalf("errors on %v, want one on %s", got, f)
				}
			}
		})
	}
}

func columnNames() []string {
	var out []string
	for _, c := range BulkColumns {
		out = append(out, c.Name)
	}
	return out
}

func TestBulkCSV_HeaderIsForgivingAboutCaseSpacesAndBOM(t *testing.T) {
	csv := oneRow(nil)
	header, rest, _ := strings.Cut(csv, "\n")
	csv = "\xEF\xBB\xBF" + strings.ToUpper(strings.ReplaceAll(header, ",", " , ")) + "\n" + rest
	rows, err := ParseBulkCSV(strings.NewReader(csv))
	if err != nil || len(rows) != 1 || len(rows[0].Errors) != 0 {
		t.Fatalf("rows %+v, err %v", rows, err)
	}
}

func TestBulkCSV_ShortLineIsARowError(t *testing.T) {
	csv := oneRow(nil) + "PD-X,Short\n"
	rows, err := ParseBulkCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if got := fields(rows[1].Errors); !slices.Contains(got, "row") {
		t.Fatalf("errors on %v, want the row's cell count", got)
	}
}

// The dry run of 10 000 rows (parse, every rule, duplicates) finds exactly
// the bad rows, each on its column. (Its speed is BenchmarkBulkCSVDryRun's.)
func TestBulkCSV_TenThousandRowsDryRun(t *testing.T) {
	var b bytes.Buffer
	sample, err := GenerateBulkCSV(&b, 10_000, 50, "PD-BULK", testProfile, testAcquiring)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rows, err := ParseBulkCSV(&b)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, r := range rows {
		if len(r.Errors) > 0 {
			bad++
			if col := sample.Bad[r.Reference]; col == "" || r.Errors[0].Field != col {
				t.Fatalf("row %d (%s): errors %+v, want one on %q", r.Row, r.Reference, r.Errors, col)
			}
		}
	}
	t.Logf("parsed and validated %d rows (%d invalid) in %s", len(rows), bad, took.Round(time.Millisecond))
	if len(rows) != 10_000 || bad != len(sample.Bad) || bad != 200 {
		t.Fatalf("%d rows, %d invalid; want 10000 and %d", len(rows), bad, len(sample.Bad))
	}
}

// BenchmarkBulkCSVDryRun parses and validates a 10 000-row file (goal for
// the whole upload: under 5 s).
func BenchmarkBulkCSVDryRun(b *testing.B) {
	var file bytes.Buffer
	if _, err := GenerateBulkCSV(&file, 10_000, 50, "PD-BULK", testProfile, testAcquiring); err != nil {
		b.Fatal(err)
	}
	for range b.N {
		if _, err := ParseBulkCSV(bytes.NewReader(file.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

// docs/bulk-onboarding.md documents every column the parser reads.
func TestBulkCSV_EveryColumnIsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/bulk-onboarding.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range BulkColumns {
		req := " no |"
		if c.Required {
			req = " yes |"
		}
		if !strings.Contains(string(b), "| `"+c.Name+"` |"+req) {
			t.Errorf("docs/bulk-onboarding.md lacks the row of column %s (required: %v)", c.Name, c.Required)
		}
	}
}

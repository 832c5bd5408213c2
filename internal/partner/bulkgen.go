package partner

import (
	"encoding/csv"
	"fmt"
	"io"
)

// BulkSample describes a generated bulk CSV: which references are good and
// which bad (and why), so a test, a benchmark or the demo knows what the
// dry run must find.
type BulkSample struct {
	Good []string          // partner_account_reference of every valid row
	Bad  map[string]string // reference → the column the dry run must blame
}

// badKinds break one cell of a row each; the column is where the error is
// reported.
var badKinds = []struct {
	column string
	value  string
}{
	{"contact_email", "not-an-email"},
	{"entity_country", "Norway"},
	{"default_mcc", "57"},
	{"entity_legal_name", ""},
	{"store_url", "fjord.example"},
	{"bank_iban", "NO0000000000000"},
	{"contact_phone", "0047 912 34 567"},
}

// GenerateBulkCSV writes a bulk CSV of n partners with references
// prefix-00001…, every badEvery-th row broken in one cell (0: none), using
// the given payment profile and acquiring account.
func GenerateBulkCSV(w io.Writer, n, badEvery int, prefix, profileID, acquiringID string) (BulkSample, error) {
	s := BulkSample{Bad: map[string]string{}}
	cw := csv.NewWriter(w)
	header := make([]string, len(BulkColumns))
	at := map[string]int{}
	for i, c := range BulkColumns {
		header[i] = c.Name
		at[c.Name] = i
	}
	_ = cw.Write(header)
	rec := make([]string, len(BulkColumns))
	for i := 1; i <= n; i++ {
		ref := fmt.Sprintf("%s-%05d", prefix, i)
		for j, c := range BulkColumns {
			rec[j] = c.Example
		}
		set := func(col, v string) { rec[at[col]] = v }
		set("partner_account_reference", ref)
		set("partner_account_name", fmt.Sprintf("Bulk Merchant %d", i))
		set("contact_email", fmt.Sprintf("owner%d@merchant%d.example", i, i))
		set("entity_reference", ref+"-LE")
		set("entity_legal_name", fmt.Sprintf("Bulk Merchant %d AS", i))
		set("payment_profile_id", profileID)
		set("acquiring_account_id", acquiringID)
		set("payment_account_reference", ref+"-PA")
		set("brand_reference", ref+"-BR")
		set("brand_display_name", fmt.Sprintf("Merchant %d", i))
		set("brand_logo_url", fmt.Sprintf("https://cdn.merchant%d.example/logo.png", i))
		set("store_group_reference", ref+"-SG")
		set("store_reference", ref+"-ST")
		set("store_url", fmt.Sprintf("https://merchant%d.example", i))
		if badEvery > 0 && i%badEvery == 0 {
			k := badKinds[(i/badEvery)%len(badKinds)]
			set(k.column, k.value)
			s.Bad[ref] = k.column
		} else {
			s.Good = append(s.Good, ref)
		}
		if err := cw.Write(rec); err != nil {
			return s, err
		}
	}
	cw.Flush()
	return s, cw.Error()
}

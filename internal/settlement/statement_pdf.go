package settlement

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// zeroDecimal are the currencies whose minor unit is the unit itself
// (ISO 4217 exponent 0) among those a Klarna market may use.
var zeroDecimal = map[string]bool{"JPY": true, "KRW": true, "ISK": true, "CLP": true, "VND": true}

// FormatMinor writes an amount in minor units as "-1 234.50 SEK": digits
// grouped by thin spaces so a printed column reads at a glance.
func FormatMinor(v int64, currency string) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	unit, frac := v, ""
	if !zeroDecimal[currency] {
		unit, frac = v/100, fmt.Sprintf(".%02d", v%100)
	}
	digits := fmt.Sprint(unit)
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return sign + b.String() + frac + " " + currency
}

// WriteStatementPDF renders the statement as an A4 PDF a finance team can
// file: per currency the opening debt balance, every payout with its totals,
// the month's totals and the closing balance, and what needs a look (a
// balance that does not follow on, a payout that does not reconcile).
func WriteStatementPDF(w io.Writer, st Statement, generated time.Time) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252 for the core fonts
	month := st.Month.Format("January 2006")
	pdf.SetTitle("Settlement statement "+st.PartnerName+" "+month, true)
	pdf.SetAuthor("Partner Desk", true)
	pdf.SetCreationDate(generated.UTC())
	pdf.SetModificationDate(generated.UTC())
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AliasNbPages("{pages}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(90, 5, tr(fmt.Sprintf("%s · %s · generated %s UTC", st.PartnerName, month, generated.UTC().Format("2006-01-02 15:04"))), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5, fmt.Sprintf("Page %d of {pages}", pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 9, tr("Settlement statement"), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	pdf.CellFormat(0, 6, tr(st.PartnerName+" · "+month), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 8)
	pdf.SetTextColor(110, 110, 110)
	pdf.CellFormat(0, 5, tr("Partner "+st.TenantID.String()+". Amounts as Klarna reported them; deductions negative; "+
		"Held = released minus held back; dates in UTC."), "", 1, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(3)

	if len(st.Currencies) == 0 {
		pdf.SetFont("Helvetica", "", 10)
		pdf.CellFormat(0, 6, tr("No payouts this month and no debt carried into it."), "", 1, "L", false, 0, "")
	}
	// The payout table: what came in, each deduction (as a negative amount), and the net settlement.
	widths := []float64{18, 40, 22, 20, 20, 20, 18, 22}
	headers := []string{"Date", "Payment reference", "Sales", "Returns", "Fees + tax", "Chargebacks", "Held", "Settlement"}
	for _, cs := range st.Currencies {
		cur := cs.Currency
		m := func(v int64) string { return tr(FormatMinor(v, cur)) }
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(0, 8, cur, "", 1, "L", false, 0, "")
		summary := [][2]string{
			{"Opening debt balance", m(cs.OpeningDebt)},
			{fmt.Sprintf("Payouts (%d)", len(cs.Payouts)), m(cs.Totals.Paid)},
			{"Net of all settlements", m(cs.Totals.Settlement)},
			{"Closing debt balance", m(cs.ClosingDebt)},
		}
		pdf.SetFont("Helvetica", "", 10)
		for _, row := range summary {
			pdf.CellFormat(60, 6, tr(row[0]), "", 0, "L", false, 0, "")
			pdf.CellFormat(45, 6, row[1], "", 1, "R", false, 0, "")
		}
		pdf.Ln(2)
		if len(cs.Payouts) > 0 {
			// row writes one table row: the first two columns left, the amounts right.
			row := func(cells []string, h float64, border string, fill bool) {
				for i, c := range cells {
					align := "R"
					if i < 2 {
						align = "L"
					}
					pdf.CellFormat(widths[i], h, c, border, 0, align, fill, 0, "")
				}
				pdf.Ln(-1)
			}
			pdf.SetFont("Helvetica", "B", 8)
			pdf.SetFillColor(238, 240, 244)
			row(headers, 6, "B", true)
			pdf.SetFont("Helvetica", "", 8)
			for _, p := range cs.Payouts {
				ref := p.PaymentReference
				if p.Reconciled != nil && !*p.Reconciled {
					ref += " *"
				}
				row([]string{p.PayoutDate.UTC().Format("2006-01-02"), tr(ref), m(p.Sale), m(-p.Return), m(-(p.Fee + p.Tax)), m(-p.Reversal), m(p.Release - p.Holdback), m(p.Settlement)}, 5.5, "", false)
			}
			t := cs.Totals
			pdf.SetFont("Helvetica", "B", 8)
			row([]string{"", "Month", m(t.Sale), m(-t.Return), m(-(t.Fee + t.Tax)), m(-t.Reversal), m(t.Release - t.Holdback), m(t.Settlement)}, 6, "T", false)
		}
		pdf.SetFont("Helvetica", "", 8)
		if len(cs.Unreconciled) > 0 {
			pdf.MultiCell(0, 4.5, tr("* Does not reconcile (its lines do not add up to its totals): "+strings.Join(cs.Unreconciled, ", ")+"."), "", "L", false)
		}
		if len(cs.Breaks) > 0 {
			pdf.MultiCell(0, 4.5, tr("The opening balance does not follow on from the payout before: "+strings.Join(cs.Breaks, ", ")+" (a report may be missing)."), "", "L", false)
		}
		if line := KlarnaSummaryLine(cs); line != "" {
			pdf.MultiCell(0, 4.5, tr(line), "", "L", false)
		}
		pdf.Ln(4)
	}
	if st.KlarnaError != "" {
		pdf.SetFont("Helvetica", "", 8)
		pdf.MultiCell(0, 4.5, tr(st.KlarnaError), "", "L", false)
	}
	return pdf.Output(w)
}

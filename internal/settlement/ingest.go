package settlement

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/notify"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// This file is the write side: settlement reports arrive by webhook (or are
// found by the periodic sync), their payout and every transaction line are
// read from Klarna's Settlements API and stored in one transaction, and the
// payout is reconciled against its lines.

// Report is one payout as Klarna reported it, with all its lines, ready to
// be stored.
type Report struct {
	PaymentReference          string
	TenantID                  uuid.UUID
	KlarnaAccountID           string
	MerchantID                string
	SettlementID              string // the KN settlement KRN a webhook named; "" keeps the stored one
	PaymentAcquiringAccountID string // likewise
	PayoutDate                time.Time
	Currency                  string
	SettlementType            string
	// Totals are every total of Klarna's object by its name, unknown ones
	// included; Object is Klarna's payout as read (JSON).
	Totals map[string]int64
	Object json.RawMessage
	// LineCount lines were staged; LinesComplete: they are every line of
	// the payout (every page was read).
	LineCount      int
	LinesComplete  bool
	Reconciliation Reconciliation
}

// LineFields are a transaction line's Klarna fields, as stored and as
// read (ReportLine on the way in, Line on the way out).
type LineFields struct {
	Seq                         int
	Type, DetailedType          string
	Amount                      int64
	Currency                    string
	VATRate, VATAmount          *int64
	TaxInRegistrationCurrency   *int64
	RegistrationCurrency        string
	SaleDate, CaptureDate       *time.Time
	OrderID, ShortOrderID       string
	CaptureID, RefundID         string
	MerchantReference1          string
	MerchantReference2          string
	MerchantCaptureReference    string
	MerchantRefundReference     string
	PurchaseCountry             string
	ShippingCountry             string
	InitialPaymentMethodType    string
	InitialNumberOfInstallments *int64
	InitialMonthlyDownpayments  *int64
	KlarnaComment               string
	// ReversalReference is the dispute the line belongs to (its KRN): a
	// chargeback's reversal_reference, or the dispute_id Klarna names on
	// dispute fees and holdbacks.
	ReversalReference string
}

// ReportLine is one transaction line of a report, with all of Klarna's fields.
type ReportLine struct {
	// Key is the line's identity in its payout (Klarna's lines carry no id):
	// a hash of its fields and its occurrence among identical lines.
	Key string
	LineFields
	// Extra holds the fields Klarna sent that Partner Desk does not know
	// (JSON object), nil when none.
	Extra json.RawMessage
}

// SyncAccount is a partner account the periodic sync reads payouts for.
type SyncAccount struct {
	KlarnaAccountID string
	TenantID        uuid.UUID
	// SyncedThrough is how far its payouts have been read (zero: never).
	SyncedThrough time.Time
}

// IngestStore stores what the ingest reads.
type IngestStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// OpenPayout starts storing the payout of r.PaymentReference in the
	// transaction of ctx: it waits for any other ingest of it, refuses
	// (apperr.Conflict) a payout stored for another tenant, and returns
	// where its lines are staged page by page.
	OpenPayout(ctx context.Context, r Report) (PayoutWriter, error)
	// PayoutCurrent is true when ref is stored with all its lines and
	// exactly this Klarna object (the sync skips such payouts).
	PayoutCurrent(ctx context.Context, ref string, object json.RawMessage) (bool, error)
	// SyncAccounts lists the linked partner accounts with their sync mark.
	SyncAccounts(ctx context.Context) ([]SyncAccount, error)
	// SetSynced moves an account's sync mark forward to through.
	SetSynced(ctx context.Context, accountID string, through time.Time) error
	// TenantOfAccount is the partner tenant holding a Klarna account.
	TenantOfAccount(ctx context.Context, accountID string) (uuid.UUID, bool, error)
}

// PayoutWriter stores one payout's lines as they are read, then the payout.
type PayoutWriter interface {
	// Stage keeps a page of lines for Finish.
	Stage(ctx context.Context, lines []ReportLine) error
	// Finish upserts the payout by payment reference and merges the staged
	// lines by line key (removing lines Klarna no longer lists when
	// r.LinesComplete). A report identical to what is stored writes
	// nothing; changed says whether anything was written.
	Finish(ctx context.Context, r Report) (changed bool, err error)
}

// Fetcher reads settlements from Klarna.
type Fetcher interface {
	GetPayout(ctx context.Context, paymentReference string, opts ...klarna.CallOption) (*klarna.Payout, error)
	ListPayouts(ctx context.Context, params klarna.ListPayoutsParams, opts ...klarna.CallOption) (*klarna.PayoutCollection, error)
	ListTransactions(ctx context.Context, params klarna.ListTransactionsParams, opts ...klarna.CallOption) (*klarna.TransactionCollection, error)
}

// IngestRequest asks for one payout to be read and stored (the job's
// arguments). Without PaymentReference the webhook named no payout: the
// account's payouts around At are synced instead.
type IngestRequest struct {
	PaymentReference          string    `json:"payment_reference,omitempty"`
	KlarnaAccountID           string    `json:"klarna_account_id"`
	TenantID                  uuid.UUID `json:"tenant_id"`
	SettlementID              string    `json:"settlement_id,omitempty"`
	PaymentAcquiringAccountID string    `json:"payment_acquiring_account_id,omitempty"`
	At                        time.Time `json:"at,omitzero"`
}

// IngestOptions configure the Ingester.
type IngestOptions struct {
	Store  IngestStore
	Klarna Fetcher // nil when Klarna is not configured
	// Enqueue queues an ingest in the transaction ctx carries (a River
	// job); EnqueueSync queues a sync of every account. Without them the
	// work is done at once.
	Enqueue     func(ctx context.Context, r IngestRequest) error
	EnqueueSync func(ctx context.Context) error
	// PageSize of the transactions and payouts reads (default 500, Klarna's maximum).
	PageSize int
	// Lookback is how far back the first sync of an account reads (default
	// 90 days, how long Klarna keeps reports on SFTP); Overlap how far before
	// its mark every later sync starts again (default 7 days), for payouts
	// Klarna publishes after their payout date.
	Lookback, Overlap time.Duration
	Now               func() time.Time
	// Announce tells the partner's finance people that a payout arrived
	// (optional).
	Announce notify.Announcer
}

// announceWithin is how recent a payout must be to be announced: the first
// sync of an account reads months of history, which is not news.
const announceWithin = 3 * 24 * time.Hour

// Ingester reads settlement reports from Klarna and stores them.
type Ingester struct{ o IngestOptions }

// NewIngester wires the ingest.
func NewIngester(o IngestOptions) *Ingester {
	if o.PageSize <= 0 || o.PageSize > 500 {
		o.PageSize = 500
	}
	if o.Lookback <= 0 {
		o.Lookback = 90 * 24 * time.Hour
	}
	if o.Overlap <= 0 {
		o.Overlap = 7 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Ingester{o: o}
}

// RegisterWebhooks routes settlement events to the ingest. The pipeline
// does not resolve their account: a report may name no partner (no
// subject account, or the acquirer's own as in Klarna's documented sample),
// which is answered by a sync of every account; one about an account no
// partner holds is parked (webhook.ErrUnknownAccount) until it is linked.
func (g *Ingester) RegisterWebhooks(r *webhook.Registry) {
	r.Handle(klarna.EventSettlementReportCreated, false, g.onReportCreated)
	// The CSV on SFTP is the same report: the event is recorded, nothing
	// more to read.
	r.Handle(klarna.EventSettlementReportUploaded, false, func(context.Context, webhook.Delivery) error { return nil })
}

func (g *Ingester) onReportCreated(ctx context.Context, d webhook.Delivery) error {
	var p klarna.SettlementEventPayload
	if err := d.Envelope.DecodePayload(&p); err != nil {
		return err
	}
	account := d.Event.SubjectAccountID
	if account == "" || account == d.Envelope.Metadata.RecipientAccountID {
		if g.o.EnqueueSync == nil {
			_, err := g.Sync(ctx)
			return err
		}
		return g.o.EnqueueSync(ctx)
	}
	tenant, known, err := g.o.Store.TenantOfAccount(ctx, account)
	if err != nil {
		return err
	}
	if !known {
		return webhook.ErrUnknownAccount
	}
	req := IngestRequest{PaymentReference: ReferenceOf(p), KlarnaAccountID: account, TenantID: tenant,
		SettlementID: p.SettlementID, PaymentAcquiringAccountID: p.PaymentAcquiringAccountID, At: d.Event.ReceivedAt}
	if d.Event.OccurredAt != nil {
		req.At = *d.Event.OccurredAt
	}
	if g.o.Enqueue == nil {
		return g.Ingest(ctx, req)
	}
	return g.o.Enqueue(ctx, req)
}

// ReferenceOf is the payment reference a settlement event names: its
// payment_reference, or the one in its payout or transactions link
// (README §7.5: the payload's fields are UNCONFIRMED, "links to the reports"
// is documented). "" when it names none.
func ReferenceOf(p klarna.SettlementEventPayload) string {
	if p.PaymentReference != "" {
		return p.PaymentReference
	}
	if v, ok := p.Extra["payment_reference"]; ok {
		var s string
		if json.Unmarshal(v, &s) == nil && s != "" {
			return s
		}
	}
	for _, name := range []string{"payout", "transactions", "csv", "pdf"} {
		u, err := url.Parse(p.Links[name])
		if err != nil || p.Links[name] == "" {
			continue
		}
		if ref := u.Query().Get("payment_reference"); ref != "" {
			return ref
		}
		if dir, last := path.Split(u.Path); name == "payout" && strings.HasSuffix(dir, "/payouts/") && last != "" {
			return last
		}
	}
	return ""
}

// Ingest reads one payout and all its lines from Klarna and stores them
// in one transaction. A request naming no payout syncs the account's
// payouts around its time.
func (g *Ingester) Ingest(ctx context.Context, req IngestRequest) error {
	if g.o.Klarna == nil {
		return nil
	}
	if req.TenantID == uuid.Nil {
		tenant, ok, err := g.o.Store.TenantOfAccount(ctx, req.KlarnaAccountID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("payout %s: %w", req.PaymentReference, webhook.ErrUnknownAccount)
		}
		req.TenantID = tenant
	}
	if req.PaymentReference == "" {
		from := req.At.Add(-g.o.Overlap)
		_, err := g.syncWindow(ctx, SyncAccount{KlarnaAccountID: req.KlarnaAccountID, TenantID: req.TenantID}, from, g.o.Now())
		return err
	}
	p, err := g.o.Klarna.GetPayout(ctx, req.PaymentReference, klarna.OnBehalfOf(req.KlarnaAccountID))
	if err != nil {
		return fmt.Errorf("read payout %s: %w", req.PaymentReference, err)
	}
	_, err = g.store(ctx, req, p)
	return err
}

// store reads p's lines page by page and saves the payout with them, all
// in one transaction: each page goes to the store as it arrives, so a payout
// of any size is ingested in the memory of one page.
func (g *Ingester) store(ctx context.Context, req IngestRequest, p *klarna.Payout) (bool, error) {
	r, err := newReport(req, p)
	if err != nil {
		return false, err
	}
	var changed bool
	err = g.o.Store.InTx(ctx, func(ctx context.Context) error {
		w, err := g.o.Store.OpenPayout(ctx, r)
		if err != nil {
			return err
		}
		lb := lineBuilder{currency: r.Currency, seen: map[string]int{}}
		params := klarna.ListTransactionsParams{PaymentReference: r.PaymentReference, Size: g.o.PageSize, PartnerAccountID: req.KlarnaAccountID}
		for {
			page, err := g.o.Klarna.ListTransactions(ctx, params)
			if err != nil {
				return fmt.Errorf("read lines of payout %s at offset %d: %w", r.PaymentReference, params.Offset, err)
			}
			if startsElsewhere(page.Pagination, params.Offset) {
				r.LinesComplete = false
				break
			}
			lines, err := lb.add(r.PaymentReference, page.Transactions)
			if err != nil {
				return err
			}
			if err := w.Stage(ctx, lines); err != nil {
				return err
			}
			var done bool
			params.Offset, done, r.LinesComplete = nextPage(page.Pagination, params.Offset, len(page.Transactions))
			if done {
				break
			}
		}
		r.LineCount = lb.n
		r.Reconciliation = Reconcile(r.Totals, lb.sums, r.LinesComplete)
		if changed, err = w.Finish(ctx, r); err != nil || !changed {
			return err
		}
		return g.announce(ctx, r)
	})
	return changed, err
}

// announce notifies that a complete, recent payout arrived: once per payout
// (the notice's dedupe key), however often it is read again.
func (g *Ingester) announce(ctx context.Context, r Report) error {
	if g.o.Announce == nil || !r.LinesComplete || g.o.Now().Sub(r.PayoutDate) > announceWithin {
		return nil
	}
	tenant := r.TenantID
	body := fmt.Sprintf("%s paid out on %s, %d transaction lines.", FormatMinor(r.Totals[TotalSettlement], r.Currency), r.PayoutDate.UTC().Format(time.DateOnly), r.LineCount)
	if r.Reconciliation.Reconciled != nil && !*r.Reconciliation.Reconciled {
		body += " Its totals do not add up to its lines."
	}
	return g.o.Announce.Announce(ctx, notify.Event{Tenant: &tenant, Action: "settlement:read", Notification: notify.Notification{
		Kind: "payout_arrived", Title: "Payout " + r.PaymentReference + " arrived", Body: body,
		Link: "/settlements/payouts/" + url.PathEscape(r.PaymentReference), DedupeKey: "payout-arrived:" + r.PaymentReference}})
}

// newReport is the payout part of a report (its lines follow).
func newReport(req IngestRequest, p *klarna.Payout) (Report, error) {
	obj, err := json.Marshal(p)
	if err != nil {
		return Report{}, fmt.Errorf("payout %s: %w", p.PaymentReference, err)
	}
	totals, err := totalsOf(p.Totals)
	if err != nil {
		return Report{}, fmt.Errorf("payout %s totals: %w", p.PaymentReference, err)
	}
	return Report{
		PaymentReference: p.PaymentReference, TenantID: req.TenantID, KlarnaAccountID: req.KlarnaAccountID, MerchantID: p.MerchantID,
		SettlementID: req.SettlementID, PaymentAcquiringAccountID: req.PaymentAcquiringAccountID,
		PayoutDate: p.PayoutDate.UTC(), Currency: strings.ToUpper(p.CurrencyCode), SettlementType: p.MerchantSettlementType,
		Totals: totals, Object: obj,
	}, nil
}

// lineBuilder converts a payout's lines page by page: their order, their
// keys (seen counts identical lines so each gets its own) and their sums.
type lineBuilder struct {
	currency string
	seen     map[string]int
	sums     LineSums
	n        int
}

func (b *lineBuilder) add(ref string, page []klarna.Transaction) ([]ReportLine, error) {
	out := make([]ReportLine, 0, len(page))
	for i := range page {
		t := &page[i]
		// The list is filtered by payment reference; a line of another
		// payout would be Klarna's mistake, not this payout's line.
		if t.PaymentReference != "" && t.PaymentReference != ref {
			continue
		}
		l, err := lineOf(t, b.seen)
		if err != nil {
			return nil, fmt.Errorf("payout %s line %d: %w", ref, b.n, err)
		}
		l.Seq = b.n
		b.n++
		if l.Currency == "" {
			l.Currency = b.currency
		}
		b.sums.Add(l.Type, l.Amount, l.VATAmount)
		out = append(out, l)
	}
	return out, nil
}

// totalsOf reads every total by Klarna's name, unknown ones included.
func totalsOf(t klarna.Totals) (map[string]int64, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(raw))
	for k, v := range raw {
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			continue // not an amount (null, or a field Klarna added of another kind)
		}
		out[k] = n
	}
	return out, nil
}

// lineOf converts one line; seen counts identical lines so each gets its
// own key.
func lineOf(t *klarna.Transaction, seen map[string]int) (ReportLine, error) {
	key, err := lineHash(*t)
	if err != nil {
		return ReportLine{}, err
	}
	seen[key]++
	l := ReportLine{Key: key + ":" + strconv.Itoa(seen[key]), LineFields: LineFields{
		Type: strings.TrimSpace(t.Type), DetailedType: strings.TrimSpace(t.DetailedType),
		Amount: t.Amount, Currency: strings.ToUpper(t.CurrencyCode), VATRate: t.VATRate, VATAmount: t.VATAmount,
		TaxInRegistrationCurrency: t.TaxInCurrencyOfRegistrationCountry, RegistrationCurrency: strings.ToUpper(t.CurrencyCodeOfRegistrationCountry),
		SaleDate: timePtr(t.SaleDate), CaptureDate: timePtr(t.CaptureDate),
		OrderID: t.OrderID, ShortOrderID: t.ShortOrderID, RefundID: t.RefundID,
		MerchantReference1: t.MerchantReference1, MerchantReference2: t.MerchantReference2,
		MerchantCaptureReference: t.MerchantCaptureReference, MerchantRefundReference: t.MerchantRefundReference,
		PurchaseCountry: t.PurchaseCountry, ShippingCountry: t.ShippingCountry, InitialPaymentMethodType: t.InitialPaymentMethodType,
		InitialNumberOfInstallments: t.InitialNumberOfInstallments, InitialMonthlyDownpayments: t.InitialPaymentMethodMonthlyDownpayments,
		KlarnaComment: t.KlarnaComment, ReversalReference: DisputeReference(*t),
	}}
	if t.CaptureID != nil {
		l.CaptureID = *t.CaptureID
	}
	if len(t.Extra) > 0 {
		b, err := json.Marshal(t.Extra)
		if err != nil {
			return ReportLine{}, err
		}
		l.Extra = b
	}
	return l, nil
}

// disputeFields are the fields that may name a line's dispute besides
// reversal_reference: §9.1 says dispute-related charges carry dispute_id
// (a KN field the v1 Transaction does not declare, so it arrives in Extra).
var disputeFields = []string{"dispute_id", "payment_dispute_id"}

// DisputeReference is the dispute a line belongs to: its
// reversal_reference (the dispute KRN of a chargeback), else the dispute id
// Klarna names on a dispute fee or holdback; "" when none.
func DisputeReference(t klarna.Transaction) string {
	if ref := strings.TrimSpace(t.ReversalReference); ref != "" {
		return ref
	}
	for _, f := range disputeFields {
		if v, ok := t.Extra[f]; ok {
			var s string
			if json.Unmarshal(v, &s) == nil && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// lineHash identifies a line by all its fields except the link back to
// its payout (a URL, which depends on the host it was read from).
func lineHash(t klarna.Transaction) (string, error) {
	t.Payout = ""
	b, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

func timePtr(t klarna.Timestamp) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// Sync reads, for every linked partner account, the payouts Klarna lists
// since its sync mark (less Overlap; Lookback on the first run) and stores
// those not already stored as read, so a lost webhook loses nothing. It
// returns how many payouts it stored or changed.
func (g *Ingester) Sync(ctx context.Context) (int, error) {
	if g.o.Klarna == nil {
		return 0, nil
	}
	accounts, err := g.o.Store.SyncAccounts(ctx)
	if err != nil {
		return 0, err
	}
	now := g.o.Now()
	stored := 0
	var errs []error
	for _, a := range accounts {
		from := now.Add(-g.o.Lookback)
		if !a.SyncedThrough.IsZero() {
			from = a.SyncedThrough.Add(-g.o.Overlap)
		}
		n, err := g.syncWindow(ctx, a, from, now)
		stored += n
		if err != nil {
			errs = append(errs, fmt.Errorf("settlement sync of %s: %w", a.KlarnaAccountID, err))
			continue
		}
		if err := g.o.Store.SetSynced(ctx, a.KlarnaAccountID, now); err != nil {
			errs = append(errs, err)
		}
	}
	return stored, errors.Join(errs...)
}

// syncWindow stores the account's payouts dated from..to that are new or
// changed at Klarna.
func (g *Ingester) syncWindow(ctx context.Context, a SyncAccount, from, to time.Time) (int, error) {
	params := klarna.ListPayoutsParams{StartDate: from, EndDate: to, Size: g.o.PageSize, PartnerAccountID: a.KlarnaAccountID}
	stored := 0
	for {
		page, err := g.o.Klarna.ListPayouts(ctx, params)
		if err != nil {
			return stored, fmt.Errorf("list payouts at offset %d: %w", params.Offset, err)
		}
		if startsElsewhere(page.Pagination, params.Offset) {
			return stored, nil
		}
		for i := range page.Payouts {
			p := &page.Payouts[i]
			obj, err := json.Marshal(p)
			if err != nil {
				return stored, err
			}
			current, err := g.o.Store.PayoutCurrent(ctx, p.PaymentReference, obj)
			if err != nil {
				return stored, err
			}
			if current {
				continue
			}
			changed, err := g.store(ctx, IngestRequest{PaymentReference: p.PaymentReference, KlarnaAccountID: a.KlarnaAccountID, TenantID: a.TenantID}, p)
			if apperr.Is(err, apperr.Conflict) {
				continue // listed for this account, stored for another: left with its owner
			}
			if err != nil {
				return stored, err
			}
			if changed {
				stored++
			}
		}
		var done bool
		if params.Offset, done, _ = nextPage(page.Pagination, params.Offset, len(page.Payouts)); done {
			return stored, nil
		}
	}
}

// startsElsewhere: the page says it starts at another offset than asked
// (a server ignoring offset). The reading ends there, incomplete, rather
// than taking the same items again.
func startsElsewhere(p klarna.OffsetPagination, offset int) bool {
	return p.Offset != nil && *p.Offset != int64(offset)
}

// nextPage follows Settlements v1 offset paging: after a page of n items
// read at offset, the next offset, whether that was the last page, and
// whether every item was read.
func nextPage(p klarna.OffsetPagination, offset, n int) (next int, done, complete bool) {
	next = offset + n
	switch {
	case p.Total != nil:
		return next, n == 0 || int64(next) >= *p.Total, int64(next) >= *p.Total
	case n == 0 || p.Next == "":
		return next, true, true
	}
	return next, false, false
}

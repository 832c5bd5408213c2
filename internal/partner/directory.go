package partner

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Stage is where a partner (or a draft of a new one) stands on its way
// through onboarding.
type Stage string

const (
	// StageDraft: a draft not submitted yet; for a partner, one with no
	// Klarna account linked.
	StageDraft                Stage = "draft"
	StageSubmitted            Stage = "submitted" // sent to Klarna; for a partner, linked but not read yet
	StagePartiallyOperational Stage = "partially_operational"
	StageOperational          Stage = "operational"
	StageDisabled             Stage = "disabled"
	StageFailed               Stage = "failed" // Klarna refused the draft, or its submission gave up
	// StageStuck is not a step of the path but a view: partially
	// operational (or submitted) for longer than the stuck threshold.
	StageStuck Stage = "stuck"
)

// Stages are the board's columns, in path order.
var Stages = []Stage{StageDraft, StageSubmitted, StagePartiallyOperational, StageOperational, StageDisabled, StageFailed, StageStuck}

// ValidStage tells whether s names a stage.
func ValidStage(s string) bool {
	for _, st := range Stages {
		if string(st) == s {
			return true
		}
	}
	return false
}

// Resource kinds of partner_resources.
const (
	KindBusinessEntity = "business_entity"
	KindPaymentProduct = "payment_product"
	KindPaymentAccount = "payment_account"
	KindBrand          = "brand"
	KindStoreGroup     = "store_group"
	KindStore          = "store"
)

// WarningBrandDataIncomplete is the warning Klarna raises when a brand's
// imagery cannot be retrieved.
const WarningBrandDataIncomplete = klarna.EventBrandDataIncomplete

// Warnings are the directory's warning filters: a short name for each
// warning Klarna raises on an account.
var Warnings = map[string]string{"brand_data_incomplete": WarningBrandDataIncomplete}

// Sort keys of the directory.
var SortKeys = []string{"name", "created_at", "updated_at", "state"}

// Filter selects directory rows. Q matches a name (prefix or contained),
// our reference, the contact e-mail, or any Klarna id or reference of the
// account and its resources.
type Filter struct {
	Q             string
	State         string // a Klarna state, or "UNKNOWN"
	ProductStatus string // a product status, or "NONE"
	Stage         Stage
	Warning       string // a key of Warnings
	Sort          string // one of SortKeys; "" is name
	Desc          bool
	// StuckBefore is set by the service: partially operational since
	// before it means stuck.
	StuckBefore time.Time
}

// Summary is one row of the directory.
type Summary struct {
	TenantID               uuid.UUID
	TenantSlug             string
	Name                   string
	Reference              string
	KlarnaAccountID        string
	KlarnaName             string
	ContactEmail           string
	State                  string
	ProductStatus          string
	Stage                  Stage
	Stuck                  bool
	EntityCount            int
	BrandCount             int
	StoreCount             int
	PaymentAccountCount    int
	Warnings               []string
	CreatedAt              time.Time
	UpdatedAt              time.Time
	SyncedAt               *time.Time
	SyncError              string
	PartiallyOperationalAt *time.Time
	OperationalAt          *time.Time
	// OffboardedAt: when the partner's offboarding completed.
	OffboardedAt *time.Time
}

// Resource is one resource of an account as Klarna returned it (Data is
// Klarna's JSON of it).
type Resource struct {
	Kind      string
	KlarnaID  string
	Reference string
	ParentID  string // a payment account's product, a store's store group
	Data      json.RawMessage
}

// Snapshot is what one read of an account from Klarna returned.
type Snapshot struct {
	Account       klarna.PartnerAccount
	ProductStatus string
	Resources     []Resource
	// Warnings still unresolved after this read: warning → subject (a
	// brand id) → the value that was wrong (its logo URL).
	Warnings map[string]map[string]string
}

// Count is how many resources of kind the snapshot holds.
func (s Snapshot) Count(kind string) int {
	n := 0
	for _, r := range s.Resources {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

// BoardItem is a card on the status board: a partner or a draft of a new
// one.
type BoardItem struct {
	Kind                   string // "partner" or "draft"
	TenantID               *uuid.UUID
	TenantSlug             string
	DraftID                *uuid.UUID
	DraftStatus            string
	Name                   string
	Reference              string
	KlarnaAccountID        string
	Stage                  Stage
	State                  string
	ProductStatus          string
	Stuck                  bool
	Warnings               []string
	LastError              string
	Attempts               int
	CreatedAt              time.Time
	UpdatedAt              time.Time
	SubmittedAt            *time.Time
	PartiallyOperationalAt *time.Time
	OperationalAt          *time.Time
}

// BoardColumn is one stage of the board: the full count and the newest
// items.
type BoardColumn struct {
	Stage Stage
	Count int
	Items []BoardItem
}

// Board is the onboarding status board.
type Board struct {
	Columns    []BoardColumn
	StuckAfter time.Duration
}

// Tree is a partner's page: the summary, the contact and the hierarchy
// Klarna holds.
type Tree struct {
	Summary          Summary
	Contact          klarna.Contact
	BusinessEntities []klarna.BusinessEntity
	PaymentProduct   *klarna.PaymentProduct // with its payment accounts
	Brands           []BrandNode
	// Unassigned are store groups whose brand is not among the brands.
	Unassigned []StoreGroupNode
}

// BrandNode is a brand with its store groups.
type BrandNode struct {
	Brand       klarna.Brand
	StoreGroups []StoreGroupNode
}

// StoreGroupNode is a store group with its stores.
type StoreGroupNode struct {
	StoreGroup klarna.StoreGroup
	Stores     []klarna.Store
}

// DirectoryStore reads and keeps the directory. Every read takes the scope
// and applies it in SQL.
type DirectoryStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	ListPartners(ctx context.Context, sc scope.Scope, f Filter, cursor string, limit int) ([]Summary, string, error)
	StreamPartners(ctx context.Context, sc scope.Scope, f Filter, fn func(Summary) error) error
	CountPartners(ctx context.Context, sc scope.Scope, f Filter) (int64, error)
	// Partner is the summary of a partner tenant in sc; NotFound outside.
	Partner(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, stuckBefore time.Time) (Summary, error)
	Resources(ctx context.Context, accountID string) ([]Resource, error)
	Contact(ctx context.Context, accountID string) (klarna.Contact, error)
	// WarningSubjects reads an account's unresolved warnings and locks the
	// account until the transaction ends.
	WarningSubjects(ctx context.Context, accountID string) (map[string]map[string]string, error)
	// SaveSnapshot replaces the cached account, resources and warnings.
	SaveSnapshot(ctx context.Context, accountID string, snap Snapshot, at time.Time) error
	// SaveAccount updates the cached account alone (a read of the account
	// without its resources; the last full read's time stays).
	SaveAccount(ctx context.Context, accountID string, acc klarna.PartnerAccount, at time.Time) error
	SetSyncError(ctx context.Context, accountID, msg string) error
	// AddBrandWarning records an unresolved warning about a brand, with the
	// brand's logo URL as last read, so a later read can tell it changed.
	AddBrandWarning(ctx context.Context, accountID, warning, brandID string) error
	// DueForSync lists accounts partially operational since before
	// partialBefore, or not read since syncedBefore.
	DueForSync(ctx context.Context, partialBefore, syncedBefore time.Time, limit int) ([]string, error)
	StageCounts(ctx context.Context, sc scope.Scope, stuckBefore time.Time, withDrafts bool) (map[Stage]int, error)
	// Drafts lists drafts of new partners (no tenant yet) in stage.
	Drafts(ctx context.Context, stage Stage, stuckBefore time.Time, limit int) ([]BoardItem, error)
}

// AccountReader is what a sync reads from Klarna.
type AccountReader interface {
	GetAccount(ctx context.Context, accountID string, opts ...klarna.CallOption) (*klarna.PartnerAccount, error)
	ListBusinessEntities(ctx context.Context, accountID string, opts ...klarna.CallOption) ([]klarna.BusinessEntity, error)
	ListPaymentProducts(ctx context.Context, accountID string, opts ...klarna.CallOption) ([]klarna.PaymentProduct, error)
	ListPaymentAccounts(ctx context.Context, accountID, productID string, opts ...klarna.CallOption) ([]klarna.PaymentAccount, error)
	ListBrands(ctx context.Context, accountID string, opts ...klarna.CallOption) ([]klarna.Brand, error)
	ListStoreGroups(ctx context.Context, accountID string, opts ...klarna.CallOption) ([]klarna.StoreGroup, error)
	ListStores(ctx context.Context, accountID string, opts ...klarna.CallOption) ([]klarna.Store, error)
}

// SyncEnqueuer queues a read of an account from Klarna in the transaction
// of ctx. A due read (the periodic job's) is not queued (queued false)
// while another due read of the account is waiting or running.
// An accountOnly read re-reads the account itself, not its resources.
type SyncEnqueuer interface {
	EnqueueSync(ctx context.Context, accountID string, due, accountOnly bool) (queued bool, err error)
}

// DirectoryOptions configure the directory.
type DirectoryOptions struct {
	Store    DirectoryStore
	Klarna   AccountReader // nil: no Klarna configured, nothing is read
	Enqueuer SyncEnqueuer
	Audit    actor.Recorder
	// Products, when set, records the payment product statuses a read
	// finds in the product's history.
	Products ProductStatusRecorder
	// StuckAfter, ResyncAfter, SyncInterval: see the PARTNER_* settings.
	StuckAfter   time.Duration
	ResyncAfter  time.Duration
	SyncInterval time.Duration
	Now          func() time.Time
}

// Directory is the partner directory, the partner pages, the status board
// and the sync of each account's data from Klarna.
type Directory struct{ o DirectoryOptions }

// NewDirectory wires the directory.
func NewDirectory(o DirectoryOptions) *Directory {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Directory{o: o}
}

func (d *Directory) stuckBefore() time.Time { return d.o.Now().Add(-d.o.StuckAfter) }

// CheckFilter validates f, reporting every bad field at once.
func CheckFilter(f Filter) error {
	var fe []apperr.FieldError
	if len(f.Q) > 200 {
		fe = append(fe, apperr.FieldError{Field: "q", Message: "at most 200 characters"})
	}
	switch f.State {
	case "", "UNKNOWN", string(klarna.AccountPartiallyOperational), string(klarna.AccountOperational), string(klarna.AccountDisabled):
	default:
		fe = append(fe, apperr.FieldError{Field: "state", Message: "one of PARTIALLY_OPERATIONAL, OPERATIONAL, DISABLED, UNKNOWN"})
	}
	switch f.ProductStatus {
	case "", "NONE", string(klarna.ProductEnabled), string(klarna.ProductDisabled), string(klarna.ProductTerminated):
	default:
		fe = append(fe, apperr.FieldError{Field: "product_status", Message: "one of ENABLED, DISABLED, TERMINATED, NONE"})
	}
	if _, ok := Warnings[f.Warning]; f.Warning != "" && !ok {
		fe = append(fe, apperr.FieldError{Field: "warning", Message: "brand_data_incomplete, or leave it out"})
	}
	if f.Stage != "" && !ValidStage(string(f.Stage)) {
		fe = append(fe, apperr.FieldError{Field: "onboarding", Message: "one of draft, submitted, partially_operational, operational, disabled, failed, stuck"})
	}
	ok := f.Sort == ""
	for _, k := range SortKeys {
		ok = ok || f.Sort == k
	}
	if !ok {
		fe = append(fe, apperr.FieldError{Field: "sort", Message: "one of name, created_at, updated_at, state, each optionally with a leading -"})
	}
	if len(fe) > 0 {
		return apperr.Validation("Check the filters.", fe...)
	}
	return nil
}

// List is one page of the directory in sc.
func (d *Directory) List(ctx context.Context, sc scope.Scope, f Filter, cursor string, limit int) ([]Summary, string, error) {
	if err := CheckFilter(f); err != nil {
		return nil, "", err
	}
	f.StuckBefore = d.stuckBefore()
	return d.o.Store.ListPartners(ctx, sc, f, cursor, limit)
}

// Count is the number of rows List would page through for f.
func (d *Directory) Count(ctx context.Context, sc scope.Scope, f Filter) (int64, error) {
	if err := CheckFilter(f); err != nil {
		return 0, err
	}
	f.StuckBefore = d.stuckBefore()
	return d.o.Store.CountPartners(ctx, sc, f)
}

// CSVHeader is the first line of the directory export.
var CSVHeader = []string{"tenant_id", "tenant_slug", "name", "reference", "klarna_account_id", "state", "product_status", "onboarding_stage", "stuck",
	"entity_count", "brand_count", "store_count", "payment_account_count", "warnings", "contact_email", "created_at", "updated_at", "synced_at", "sync_error"}

// ExportCSV writes every row of the directory in sc matching f to w, as
// the rows arrive from the database.
func (d *Directory) ExportCSV(ctx context.Context, sc scope.Scope, f Filter, w io.Writer) error {
	if err := CheckFilter(f); err != nil {
		return err
	}
	f.StuckBefore = d.stuckBefore()
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	n := 0
	err := d.o.Store.StreamPartners(ctx, sc, f, func(s Summary) error {
		if err := cw.Write([]string{s.TenantID.String(), s.TenantSlug, csvSafe(s.Name), csvSafe(s.Reference), s.KlarnaAccountID, s.State, s.ProductStatus, string(s.Stage),
			strconv.FormatBool(s.Stuck), strconv.Itoa(s.EntityCount), strconv.Itoa(s.BrandCount), strconv.Itoa(s.StoreCount), strconv.Itoa(s.PaymentAccountCount),
			strings.Join(s.Warnings, " "), csvSafe(s.ContactEmail), ts(&s.CreatedAt), ts(&s.UpdatedAt), ts(s.SyncedAt), csvSafe(s.SyncError)}); err != nil {
			return err
		}
		if n++; n%500 == 0 {
			cw.Flush()
			if f, ok := w.(interface{ Flush() }); ok {
				f.Flush()
			}
		}
		return cw.Error()
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Tree is a partner's page; NotFound for a tenant outside sc.
func (d *Directory) Tree(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (Tree, error) {
	s, err := d.o.Store.Partner(ctx, sc, tenantID, d.stuckBefore())
	if err != nil {
		return Tree{}, err
	}
	t := Tree{Summary: s}
	if s.KlarnaAccountID == "" {
		return t, nil
	}
	if t.Contact, err = d.o.Store.Contact(ctx, s.KlarnaAccountID); err != nil {
		return t, err
	}
	rs, err := d.o.Store.Resources(ctx, s.KlarnaAccountID)
	if err != nil {
		return t, err
	}
	return buildTree(t, rs)
}

func buildTree(t Tree, rs []Resource) (Tree, error) {
	var accounts []klarna.PaymentAccount
	var groups []StoreGroupNode
	var stores []klarna.Store
	for _, r := range rs {
		var err error
		switch r.Kind {
		case KindBusinessEntity:
			var e klarna.BusinessEntity
			err = json.Unmarshal(r.Data, &e)
			t.BusinessEntities = append(t.BusinessEntities, e)
		case KindPaymentProduct:
			var p klarna.PaymentProduct
			err = json.Unmarshal(r.Data, &p)
			p.PaymentAccounts = nil
			if t.PaymentProduct == nil {
				t.PaymentProduct = &p
			}
		case KindPaymentAccount:
			var a klarna.PaymentAccount
			err = json.Unmarshal(r.Data, &a)
			accounts = append(accounts, a)
		case KindBrand:
			var b klarna.Brand
			err = json.Unmarshal(r.Data, &b)
			t.Brands = append(t.Brands, BrandNode{Brand: b})
		case KindStoreGroup:
			var g klarna.StoreGroup
			err = json.Unmarshal(r.Data, &g)
			g.Stores = nil
			groups = append(groups, StoreGroupNode{StoreGroup: g})
		case KindStore:
			var s klarna.Store
			err = json.Unmarshal(r.Data, &s)
			if s.StoreGroupID == "" {
				s.StoreGroupID = r.ParentID
			}
			stores = append(stores, s)
		}
		if err != nil {
			return t, fmt.Errorf("partner tree: %s %s: %w", r.Kind, r.KlarnaID, err)
		}
	}
	if t.PaymentProduct != nil {
		t.PaymentProduct.PaymentAccounts = accounts
	}
	for i := range groups {
		for _, s := range stores {
			g := groups[i].StoreGroup
			if (s.StoreGroupID != "" && s.StoreGroupID == g.StoreGroupID) || (s.StoreGroupID == "" && s.StoreGroupReference == g.StoreGroupReference) {
				groups[i].Stores = append(groups[i].Stores, s)
			}
		}
	}
	for _, g := range groups {
		placed := false
		for i := range t.Brands {
			b := t.Brands[i].Brand
			if (g.StoreGroup.BrandID != "" && g.StoreGroup.BrandID == b.BrandID) || (g.StoreGroup.BrandID == "" && g.StoreGroup.BrandReference != "" && g.StoreGroup.BrandReference == b.BrandReference) {
				t.Brands[i].StoreGroups = append(t.Brands[i].StoreGroups, g)
				placed = true
				break
			}
		}
		if !placed {
			t.Unassigned = append(t.Unassigned, g)
		}
	}
	return t, nil
}

// RequestRefresh queues a read of the partner's account from Klarna,
// audited. NotFound outside sc; Conflict when no account is linked.
func (d *Directory) RequestRefresh(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (accountID string, queued bool, err error) {
	s, err := d.o.Store.Partner(ctx, sc, tenantID, d.stuckBefore())
	if err != nil {
		return "", false, err
	}
	if s.KlarnaAccountID == "" {
		return "", false, apperr.E(apperr.Conflict, "This partner has no Klarna account linked yet, so there is nothing to read from Klarna.")
	}
	if d.o.Klarna == nil {
		return "", false, apperr.E(apperr.Conflict, "Klarna is not configured, so the account cannot be read.")
	}
	err = d.o.Store.InTx(ctx, func(ctx context.Context) error {
		if queued, err = d.o.Enqueuer.EnqueueSync(ctx, s.KlarnaAccountID, false, false); err != nil {
			return err
		}
		return d.o.Audit(ctx, actor.Change{Action: "partner:refresh", TenantID: &tenantID, TargetType: "klarna_account", TargetID: s.KlarnaAccountID,
			After: map[string]any{"queued": queued}})
	})
	return s.KlarnaAccountID, queued, err
}

// Sync reads an account from Klarna and stores what it holds. A failed
// read is recorded on the account (shown as its sync error) and returned,
// so the job retries.
func (d *Directory) Sync(ctx context.Context, accountID string) error {
	if d.o.Klarna == nil {
		return nil
	}
	snap, err := readAccount(ctx, d.o.Klarna, accountID)
	if err != nil {
		if serr := d.o.Store.SetSyncError(ctx, accountID, err.Error()); serr != nil {
			return serr
		}
		return err
	}
	return d.o.Store.InTx(ctx, func(ctx context.Context) error {
		prev, err := d.o.Store.WarningSubjects(ctx, accountID)
		if err != nil {
			return err
		}
		snap.Warnings = resolveWarnings(prev, snap)
		if err := d.o.Store.SaveSnapshot(ctx, accountID, snap, d.o.Now()); err != nil {
			return err
		}
		return d.recordProducts(ctx, accountID, snap)
	})
}

// recordProducts adds the payment product statuses of a read to their
// history (a status already recorded adds nothing).
func (d *Directory) recordProducts(ctx context.Context, accountID string, snap Snapshot) error {
	if d.o.Products == nil {
		return nil
	}
	for _, r := range snap.Resources {
		if r.Kind != KindPaymentProduct {
			continue
		}
		var p klarna.PaymentProduct
		if err := json.Unmarshal(r.Data, &p); err != nil || p.Status == "" {
			continue
		}
		if _, err := d.o.Products.RecordProductStatus(ctx, ProductStatusSeen{AccountID: accountID, ProductID: r.KlarnaID, Status: string(p.Status),
			Source: SourceSync, At: d.o.Now()}); err != nil {
			return err
		}
	}
	return nil
}

// resolveWarnings keeps the warnings a read does not show resolved. A
// brand.data-incomplete is resolved when the brand is gone or its logo URL
// changed since the warning (Klarna checks a changed logo again and warns
// again if it still fails).
func resolveWarnings(prev map[string]map[string]string, snap Snapshot) map[string]map[string]string {
	logos := map[string]string{}
	for _, r := range snap.Resources {
		if r.Kind == KindBrand {
			var b klarna.Brand
			if json.Unmarshal(r.Data, &b) == nil {
				logo := ""
				if b.Element != nil {
					logo = b.Element.LogoURL
				}
				logos[r.KlarnaID] = logo
			}
		}
	}
	out := map[string]map[string]string{}
	for w, subjects := range prev {
		for subject, was := range subjects {
			if w == WarningBrandDataIncomplete {
				now, ok := logos[subject]
				if !ok || (was != "" && now != was) {
					continue
				}
				was = now
			}
			if out[w] == nil {
				out[w] = map[string]string{}
			}
			out[w][subject] = was
		}
	}
	return out
}

// OnAccountEvent is called by the webhook handlers of partner.account.*
// events, in their transaction: it records the warning an event raises and
// queues a read of the account, so the cache follows what Klarna holds.
func (d *Directory) OnAccountEvent(ctx context.Context, eventType, accountID string, p klarna.AccountEventPayload) error {
	if eventType == WarningBrandDataIncomplete && p.BrandID != "" {
		if err := d.o.Store.AddBrandWarning(ctx, accountID, eventType, p.BrandID); err != nil {
			return err
		}
	}
	if d.o.Klarna == nil {
		return nil
	}
	// A lifecycle change touches the account, not its resources: reading
	// the account is enough (and keeps a bulk onboarding's reads down).
	accountOnly := strings.HasPrefix(eventType, "partner.account.state-change.")
	_, err := d.o.Enqueuer.EnqueueSync(ctx, accountID, false, accountOnly)
	return err
}

// SyncAccountOnly reads the account itself (name, reference, contact,
// state) from Klarna, not its resources.
func (d *Directory) SyncAccountOnly(ctx context.Context, accountID string) error {
	if d.o.Klarna == nil {
		return nil
	}
	acc, err := d.o.Klarna.GetAccount(ctx, accountID)
	if err != nil {
		err = fmt.Errorf("reading the account from Klarna: %w", err)
		if serr := d.o.Store.SetSyncError(ctx, accountID, err.Error()); serr != nil {
			return serr
		}
		return err
	}
	return d.o.Store.SaveAccount(ctx, accountID, *acc, d.o.Now())
}

// OnLink queues the first read of a newly linked account.
func (d *Directory) OnLink(ctx context.Context, accountID string) error {
	if d.o.Klarna == nil {
		return nil
	}
	_, err := d.o.Enqueuer.EnqueueSync(ctx, accountID, false, false)
	return err
}

// readAccount reads the account and every resource under it.
func readAccount(ctx context.Context, k AccountReader, id string) (Snapshot, error) {
	var snap Snapshot
	fail := func(what string, err error) (Snapshot, error) {
		return Snapshot{}, fmt.Errorf("reading the %s from Klarna: %w", what, err)
	}
	acc, err := k.GetAccount(ctx, id)
	if err != nil {
		return fail("account", err)
	}
	snap.Account = *acc
	add := func(kind, klarnaID, ref, parent string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		snap.Resources = append(snap.Resources, Resource{Kind: kind, KlarnaID: klarnaID, Reference: ref, ParentID: parent, Data: b})
		return nil
	}
	ents, err := k.ListBusinessEntities(ctx, id)
	if err != nil {
		return fail("business entities", err)
	}
	for _, e := range ents {
		if err := add(KindBusinessEntity, e.PartnerBusinessEntityID, e.PartnerBusinessEntityReference, "", e); err != nil {
			return snap, err
		}
	}
	prods, err := k.ListPaymentProducts(ctx, id)
	if err != nil {
		return fail("payment products", err)
	}
	for _, p := range prods {
		if p.Type != "" && p.Type != "PAYMENT" {
			continue
		}
		if snap.ProductStatus == "" {
			snap.ProductStatus = string(p.Status)
		}
		pas, err := k.ListPaymentAccounts(ctx, id, p.PaymentProductID)
		if err != nil {
			return fail("payment accounts", err)
		}
		p.PaymentAccounts = nil
		if err := add(KindPaymentProduct, p.PaymentProductID, "", "", p); err != nil {
			return snap, err
		}
		for _, pa := range pas {
			if err := add(KindPaymentAccount, pa.PaymentAccountID, pa.PaymentAccountReference, p.PaymentProductID, pa); err != nil {
				return snap, err
			}
		}
	}
	brands, err := k.ListBrands(ctx, id)
	if err != nil {
		return fail("brands", err)
	}
	for _, b := range brands {
		if err := add(KindBrand, b.BrandID, b.BrandReference, "", b); err != nil {
			return snap, err
		}
	}
	groups, err := k.ListStoreGroups(ctx, id)
	if err != nil {
		return fail("store groups", err)
	}
	for _, g := range groups {
		g.Stores = nil
		if err := add(KindStoreGroup, g.StoreGroupID, g.StoreGroupReference, g.BrandID, g); err != nil {
			return snap, err
		}
	}
	stores, err := k.ListStores(ctx, id)
	if err != nil {
		return fail("stores", err)
	}
	for _, s := range stores {
		if err := add(KindStore, s.StoreID, s.StoreReference, s.StoreGroupID, s); err != nil {
			return snap, err
		}
	}
	return snap, nil
}

// QueueDue queues a read of every account whose webhook is overdue (still
// partially operational after ResyncAfter) or that was not read for
// SyncInterval: the periodic job, so a lost webhook never leaves a partner
// stuck.
func (d *Directory) QueueDue(ctx context.Context) (int, error) {
	if d.o.Klarna == nil {
		return 0, nil
	}
	now := d.o.Now()
	ids, err := d.o.Store.DueForSync(ctx, now.Add(-d.o.ResyncAfter), now.Add(-d.o.SyncInterval), 1000)
	if err != nil {
		return 0, err
	}
	n := 0
	err = d.o.Store.InTx(ctx, func(ctx context.Context) error {
		for _, id := range ids {
			queued, err := d.o.Enqueuer.EnqueueSync(ctx, id, true, false)
			if err != nil {
				return err
			}
			if queued {
				n++
			}
		}
		return nil
	})
	return n, err
}

// Board is the onboarding status board in sc: partners, and for the
// acquirer (scope.All) the drafts of new partners too.
func (d *Directory) Board(ctx context.Context, sc scope.Scope, limit int) (Board, error) {
	stuckBefore := d.stuckBefore()
	withDrafts := sc.IsAll()
	counts, err := d.o.Store.StageCounts(ctx, sc, stuckBefore, withDrafts)
	if err != nil {
		return Board{}, err
	}
	b := Board{StuckAfter: d.o.StuckAfter}
	for _, st := range Stages {
		col := BoardColumn{Stage: st, Count: counts[st]}
		if col.Count > 0 {
			ps, _, err := d.o.Store.ListPartners(ctx, sc, Filter{Stage: st, Sort: "updated_at", Desc: true, StuckBefore: stuckBefore}, "", limit)
			if err != nil {
				return Board{}, err
			}
			var drafts []BoardItem
			if withDrafts {
				if drafts, err = d.o.Store.Drafts(ctx, st, stuckBefore, limit); err != nil {
					return Board{}, err
				}
			}
			col.Items = mergeNewest(ps, drafts, limit)
		}
		b.Columns = append(b.Columns, col)
	}
	return b, nil
}

// mergeNewest merges partners and drafts, newest change first, up to limit.
func mergeNewest(ps []Summary, drafts []BoardItem, limit int) []BoardItem {
	out := make([]BoardItem, 0, min(limit, len(ps)+len(drafts)))
	i, j := 0, 0
	for len(out) < limit && (i < len(ps) || j < len(drafts)) {
		if j >= len(drafts) || (i < len(ps) && !ps[i].UpdatedAt.Before(drafts[j].UpdatedAt)) {
			out = append(out, partnerItem(ps[i]))
			i++
		} else {
			out = append(out, drafts[j])
			j++
		}
	}
	return out
}

func partnerItem(s Summary) BoardItem {
	id := s.TenantID
	return BoardItem{Kind: "partner", TenantID: &id, TenantSlug: s.TenantSlug, Name: s.Name, Reference: s.Reference, KlarnaAccountID: s.KlarnaAccountID,
		Stage: s.Stage, State: s.State, ProductStatus: s.ProductStatus, Stuck: s.Stuck, Warnings: s.Warnings, LastError: s.SyncError,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, PartiallyOperationalAt: s.PartiallyOperationalAt, OperationalAt: s.OperationalAt}
}

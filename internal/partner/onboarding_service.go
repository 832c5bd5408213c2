package partner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/notify"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// DraftFilter selects drafts for the list.
type DraftFilter struct {
	Status DraftStatus // "" = every status
	Cursor string
	Limit  int
}

// OnboardingStore persists drafts. Every read takes the caller's scope: a
// draft for a new partner has no tenant and is visible to the scope of
// every tenant only.
type OnboardingStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateDraft(ctx context.Context, d *Draft) error
	Draft(ctx context.Context, sc scope.Scope, id uuid.UUID) (Draft, error)
	// LockDraft reads a draft in sc for update (inside InTx).
	LockDraft(ctx context.Context, sc scope.Scope, id uuid.UUID) (Draft, error)
	// UpdateDraft writes every mutable field of d and sets updated_at.
	UpdateDraft(ctx context.Context, d *Draft) error
	DeleteDraft(ctx context.Context, id uuid.UUID) error
	ListDrafts(ctx context.Context, sc scope.Scope, f DraftFilter) ([]Draft, string, error)
	CountDrafts(ctx context.Context, sc scope.Scope, status DraftStatus) (int64, error)
	// AccountOfTenant is the Klarna account linked to a partner tenant.
	AccountOfTenant(ctx context.Context, tenantID uuid.UUID) (string, error)
	// SlugTenant is the tenant with slug and the Klarna accounts linked to it.
	SlugTenant(ctx context.Context, slug string) (tenantID uuid.UUID, accounts []string, found bool, err error)
}

// OnboardingKlarna is the part of the Klarna client onboarding uses.
type OnboardingKlarna interface {
	Onboard(ctx context.Context, req klarna.OnboardRequest, opts ...klarna.CallOption) (*klarna.OnboardResponse, error)
	ListPaymentProfiles(ctx context.Context, opts ...klarna.CallOption) ([]klarna.PaymentProfile, error)
	ListAcquiringAccounts(ctx context.Context, opts ...klarna.CallOption) ([]klarna.AcquiringAccount, error)
	ResolvePartnerAccountID(ctx context.Context, reference string, opts ...klarna.CallOption) (string, error)
	GetAccount(ctx context.Context, accountID string, opts ...klarna.CallOption) (*klarna.PartnerAccount, error)
	ListBusinessEntities(ctx context.Context, accountID string, opts ...klarna.CallOption) ([]klarna.BusinessEntity, error)
	ListBrands(ctx context.Context, accountID string, opts ...klarna.CallOption) ([]klarna.Brand, error)
	ListStoreGroups(ctx context.Context, accountID string, opts ...klarna.CallOption) ([]klarna.StoreGroup, error)
	ListStores(ctx context.Context, accountID string, opts ...klarna.CallOption) ([]klarna.Store, error)
	ListPaymentProducts(ctx context.Context, accountID string, opts ...klarna.CallOption) ([]klarna.PaymentProduct, error)
	ListPaymentAccounts(ctx context.Context, accountID, productID string, opts ...klarna.CallOption) ([]klarna.PaymentAccount, error)
}

// OnboardEnqueuer queues a draft's submission in the caller's transaction.
type OnboardEnqueuer interface {
	EnqueueOnboard(ctx context.Context, draftID uuid.UUID, submission int64) error
}

// TenantMaker returns the partner tenant with slug, creating it if missing
// (identity.Service.EnsurePartnerTenant).
type TenantMaker func(ctx context.Context, slug, name string) (uuid.UUID, error)

// OnboardingOptions wire the onboarding service.
type OnboardingOptions struct {
	Store    OnboardingStore
	Klarna   OnboardingKlarna // nil: Klarna is not configured
	Enqueuer OnboardEnqueuer
	Tenants  TenantMaker
	Partners *Service // links the new account (and releases its parked webhooks)
	Audit    actor.Recorder
	// Announce tells who onboards (and whoever submitted) that an
	// onboarding ended; optional.
	Announce notify.Announcer
	// Salt is the bank account salt pre-shared with Klarna (optional).
	Salt []byte
	// MaxAttempts is how many onboard calls a submission makes before it
	// is marked failed (default 8); RetryBase the first retry's delay
	// (default 5 s, doubling up to 5 min) when Klarna names none.
	MaxAttempts int
	RetryBase   time.Duration
	Now         func() time.Time
}

// OnboardingService prepares onboarding drafts and submits them to Klarna.
type OnboardingService struct {
	o OnboardingOptions

	mu        sync.Mutex
	catalogue *Catalogue
	catAt     time.Time
}

// NewOnboardingService wires the service.
func NewOnboardingService(o OnboardingOptions) *OnboardingService {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &OnboardingService{o: o}
}

// Catalogue is what a payment product can be built from.
type Catalogue struct {
	PaymentProfiles   []klarna.PaymentProfile
	AcquiringAccounts []klarna.AcquiringAccount
}

const catalogueTTL = time.Minute

func (s *OnboardingService) klarna() (OnboardingKlarna, error) {
	if s.o.Klarna == nil {
		return nil, apperr.E(apperr.Unavailable, "Klarna is not configured (PARTNERDESK_KLARNA_API_KEY), so partners cannot be onboarded.")
	}
	return s.o.Klarna, nil
}

// Catalogue lists the payment profiles and acquiring accounts, read from
// Klarna and kept for a minute.
func (s *OnboardingService) Catalogue(ctx context.Context) (Catalogue, error) {
	kl, err := s.klarna()
	if err != nil {
		return Catalogue{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.catalogue != nil && s.o.Now().Sub(s.catAt) < catalogueTTL {
		return *s.catalogue, nil
	}
	profiles, err := kl.ListPaymentProfiles(ctx)
	if err != nil {
		return Catalogue{}, err
	}
	accounts, err := kl.ListAcquiringAccounts(ctx)
	if err != nil {
		return Catalogue{}, err
	}
	s.catalogue, s.catAt = &Catalogue{PaymentProfiles: profiles, AcquiringAccounts: accounts}, s.o.Now()
	return *s.catalogue, nil
}

// Count is the number of drafts in sc with the status List filters by.
func (s *OnboardingService) Count(ctx context.Context, sc scope.Scope, status DraftStatus) (int64, error) {
	return s.o.Store.CountDrafts(ctx, sc, status)
}

// List lists the drafts in sc, most recently changed first.
func (s *OnboardingService) List(ctx context.Context, sc scope.Scope, f DraftFilter) ([]Draft, string, error) {
	switch f.Status {
	case "", DraftEditing, DraftSubmitted, DraftSucceeded, DraftRejected, DraftConflict, DraftFailed:
	default:
		return nil, "", apperr.Validation("Unknown status.", apperr.FieldError{Field: "status", Message: "one of draft, submitted, succeeded, rejected, conflict, failed"})
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	return s.o.Store.ListDrafts(ctx, sc, f)
}

// Get reads one draft in sc.
func (s *OnboardingService) Get(ctx context.Context, sc scope.Scope, id uuid.UUID) (Draft, error) {
	return s.o.Store.Draft(ctx, sc, id)
}

// Validation is what submitting d would refuse now.
func (s *OnboardingService) Validation(d *Draft) []apperr.FieldError {
	errs := ValidateOnboarding(&d.Payload, d.Existing)
	if d.Payload.HashBankAccounts && len(s.o.Salt) == 0 {
		errs = append(errs, apperr.FieldError{Field: "hash_bank_accounts", Message: "Partner Desk has no bank account salt (PARTNERDESK_KLARNA_BANK_ACCOUNT_SALT); send the numbers in clear or ask your administrator to configure the salt agreed with Klarna."})
	}
	return errs
}

func userOf(ctx context.Context) *uuid.UUID {
	if a := actor.From(ctx); a.UserID != uuid.Nil {
		id := a.UserID
		return &id
	}
	return nil
}

func (s *OnboardingService) audit(ctx context.Context, action string, d *Draft, after any) error {
	return s.o.Audit(ctx, actor.Change{Action: action, TenantID: d.TenantID, TargetType: "onboarding_draft", TargetID: d.ID.String(), After: after})
}

// Create starts a draft: kind "new" (needs the scope of every tenant), or
// "incremental" for tenantID, pre-filled with what its Klarna account holds.
func (s *OnboardingService) Create(ctx context.Context, sc scope.Scope, kind string, tenantID *uuid.UUID) (Draft, error) {
	now := s.o.Now()
	d := Draft{ID: uuid.New(), Kind: kind, Status: DraftEditing, IdempotencyKey: uuid.New(), Version: 1, CreatedBy: userOf(ctx), UpdatedBy: userOf(ctx),
		CreatedAt: now, UpdatedAt: now, Payload: Onboarding{BusinessEntities: []BusinessEntity{}, Brands: []Brand{}, StoreGroups: []StoreGroup{}}}
	switch kind {
	case "new":
		if tenantID != nil {
			return Draft{}, apperr.Validation("A new partner has no tenant yet.", apperr.FieldError{Field: "tenant_id", Message: "only for kind incremental"})
		}
		if !sc.IsAll() {
			return Draft{}, apperr.E(apperr.Forbidden, "Only the acquirer onboards new partners.")
		}
	case "incremental":
		if tenantID == nil {
			return Draft{}, apperr.Validation("Choose the partner to add to.", apperr.FieldError{Field: "tenant_id", Message: "is required for kind incremental"})
		}
		if !sc.Contains(*tenantID) {
			return Draft{}, apperr.E(apperr.NotFound, "No such partner.")
		}
		accountID, err := s.o.Store.AccountOfTenant(ctx, *tenantID)
		if err != nil {
			return Draft{}, err
		}
		held, err := s.readAccount(ctx, accountID)
		if err != nil {
			return Draft{}, err
		}
		o, ex := FromKlarna(held)
		d.TenantID, d.KlarnaAccountID, d.Payload, d.Existing = tenantID, accountID, o, &ex
	default:
		return Draft{}, apperr.Validation("Unknown kind.", apperr.FieldError{Field: "kind", Message: "one of new, incremental"})
	}
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.o.Store.CreateDraft(ctx, &d); err != nil {
			return err
		}
		return s.audit(ctx, "onboarding:create", &d, map[string]any{"kind": kind, "klarna_account_id": d.KlarnaAccountID})
	})
	return d, err
}

// readAccount reads everything an account holds at Klarna.
func (s *OnboardingService) readAccount(ctx context.Context, accountID string) (KlarnaAccount, error) {
	kl, err := s.klarna()
	if err != nil {
		return KlarnaAccount{}, err
	}
	var k KlarnaAccount
	acc, err := kl.GetAccount(ctx, accountID)
	if err != nil {
		return k, err
	}
	k.Account = *acc
	if k.Entities, err = kl.ListBusinessEntities(ctx, accountID); err != nil {
		return k, err
	}
	if k.Brands, err = kl.ListBrands(ctx, accountID); err != nil {
		return k, err
	}
	if k.StoreGroups, err = kl.ListStoreGroups(ctx, accountID); err != nil {
		return k, err
	}
	if k.Stores, err = kl.ListStores(ctx, accountID); err != nil {
		return k, err
	}
	if k.Products, err = kl.ListPaymentProducts(ctx, accountID); err != nil {
		return k, err
	}
	for i, p := range k.Products {
		if len(p.PaymentAccounts) > 0 {
			continue
		}
		if k.Products[i].PaymentAccounts, err = kl.ListPaymentAccounts(ctx, accountID, p.PaymentProductID); err != nil {
			return k, err
		}
	}
	return k, nil
}

// editable are the statuses in which a draft may change or be discarded:
// nothing of it is on its way to Klarna.
func editable(st DraftStatus) bool {
	return st == DraftEditing || st == DraftRejected || st == DraftConflict
}

// Save stores the admin's edit. It never refuses an invalid payload (the
// draft's validation says what is wrong); it refuses a stale version
// (another admin saved in between) with a conflict.
func (s *OnboardingService) Save(ctx context.Context, sc scope.Scope, id uuid.UUID, version int, step string, payload Onboarding) (Draft, error) {
	var d Draft
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if d, err = s.o.Store.LockDraft(ctx, sc, id); err != nil {
			return err
		}
		if !editable(d.Status) {
			return apperr.E(apperr.Conflict, "This onboarding is %s and can no longer be edited.", d.Status)
		}
		if version != d.Version {
			return apperr.E(apperr.Conflict, "Someone else saved this draft in the meantime (version %d, yours is %d). Reload it to see their changes.", d.Version, version)
		}
		d.Payload, d.Step, d.Version, d.UpdatedBy = payload, step, d.Version+1, userOf(ctx)
		if err := s.o.Store.UpdateDraft(ctx, &d); err != nil {
			return err
		}
		return s.audit(ctx, "onboarding:save", &d, map[string]any{"version": d.Version, "step": step, "reference": payload.PartnerAccountReference})
	})
	if err != nil {
		return Draft{}, err
	}
	return s.o.Store.Draft(ctx, sc, id)
}

// Discard deletes a draft nothing of which is at Klarna.
func (s *OnboardingService) Discard(ctx context.Context, sc scope.Scope, id uuid.UUID) error {
	return s.o.Store.InTx(ctx, func(ctx context.Context) error {
		d, err := s.o.Store.LockDraft(ctx, sc, id)
		if err != nil {
			return err
		}
		if !editable(d.Status) {
			return apperr.E(apperr.Conflict, "This onboarding is %s and cannot be discarded.", d.Status)
		}
		if err := s.o.Store.DeleteDraft(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, "onboarding:discard", &d, map[string]any{"reference": d.Payload.PartnerAccountReference, "status": d.Status})
	})
}

// Payload is the exact onboard request submitting sends.
func (s *OnboardingService) Payload(ctx context.Context, sc scope.Scope, id uuid.UUID) (klarna.OnboardRequest, error) {
	d, err := s.o.Store.Draft(ctx, sc, id)
	if err != nil {
		return klarna.OnboardRequest{}, err
	}
	return ToKlarna(&d.Payload, d.Existing, s.o.Salt)
}

// Submit validates the draft and, in one transaction, marks it submitted
// and queues the onboard job. Submitting a draft that is already on its
// way, or through, returns it unchanged (a double click queues one call);
// submitting a failed one is the retry, with the same Klarna-Idempotency-Key.
func (s *OnboardingService) Submit(ctx context.Context, sc scope.Scope, id uuid.UUID) (Draft, error) {
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		d, err := s.o.Store.LockDraft(ctx, sc, id)
		if err != nil {
			return err
		}
		if d.Status == DraftSubmitted || d.Status == DraftSucceeded {
			return nil // a double click, or a retry of the request
		}
		return s.submitLocked(ctx, &d)
	})
	if err != nil {
		return Draft{}, err
	}
	return s.o.Store.Draft(ctx, sc, id)
}

// submitLocked validates d and queues it; ctx carries the transaction.
func (s *OnboardingService) submitLocked(ctx context.Context, d *Draft) error {
	if _, err := s.klarna(); err != nil {
		return err
	}
	if errs := s.Validation(d); len(errs) > 0 {
		return &apperr.Error{Code: apperr.Unprocessable, Message: fmt.Sprintf("The onboarding has %d problem(s) to fix before it can be sent to Klarna.", len(errs)), Fields: errs}
	}
	action := "onboarding:submit"
	if d.Status == DraftFailed {
		action = "onboarding:retry"
	}
	now := s.o.Now()
	d.Status, d.SubmittedAt, d.CompletedAt, d.NextAttemptAt = DraftSubmitted, &now, nil, nil
	d.FieldErrors, d.Conflict, d.LastError, d.Attempts = nil, nil, "", 0
	if u := userOf(ctx); u != nil {
		d.UpdatedBy = u
	}
	if err := s.o.Store.UpdateDraft(ctx, d); err != nil {
		return err
	}
	if err := s.o.Enqueuer.EnqueueOnboard(ctx, d.ID, now.UnixMicro()); err != nil {
		return fmt.Errorf("queue onboarding: %w", err)
	}
	return s.audit(ctx, action, d, map[string]any{"reference": d.Payload.PartnerAccountReference, "idempotency_key": d.IdempotencyKey})
}

// CreateSubmitted makes a draft for a new partner from o and submits it at
// once, in the transaction ctx carries (the bulk upload creates its rows'
// drafts this way). It returns Invalid with every field error when o does
// not validate, and nothing is written.
func (s *OnboardingService) CreateSubmitted(ctx context.Context, o Onboarding) (uuid.UUID, error) {
	now := s.o.Now()
	d := Draft{ID: uuid.New(), Kind: "new", Status: DraftEditing, IdempotencyKey: uuid.New(), Version: 1, Payload: o,
		CreatedBy: userOf(ctx), UpdatedBy: userOf(ctx), CreatedAt: now, UpdatedAt: now, Step: "review"}
	if errs := s.Validation(&d); len(errs) > 0 {
		return uuid.Nil, apperr.Validation("The onboarding is not valid.", errs...)
	}
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.o.Store.CreateDraft(ctx, &d); err != nil {
			return err
		}
		return s.submitLocked(ctx, &d) // one audit entry (the submission) per draft
	})
	if err != nil {
		return uuid.Nil, err
	}
	return d.ID, nil
}

// Resolve settles one resource of a conflict: take_klarna puts Klarna's
// version into the draft (it is then not sent again); rename gives the
// draft's resource newRef (and its cross-references follow).
func (s *OnboardingService) Resolve(ctx context.Context, sc scope.Scope, id uuid.UUID, kind, ref, action, newRef string) (Draft, error) {
	err := s.o.Store.InTx(ctx, func(ctx context.Context) error {
		d, err := s.o.Store.LockDraft(ctx, sc, id)
		if err != nil {
			return err
		}
		if d.Status != DraftConflict {
			return apperr.E(apperr.Conflict, "This onboarding has no conflict to resolve.")
		}
		at := -1
		for i, c := range d.Conflict {
			if c.Kind == kind && c.Reference == ref {
				at = i
			}
		}
		if at < 0 {
			return apperr.Validation("No such conflict.", apperr.FieldError{Field: "reference", Message: fmt.Sprintf("no %s %q conflicts", kind, ref)})
		}
		switch action {
		case "take_klarna":
			if err := takeKlarna(&d, d.Conflict[at]); err != nil {
				return err
			}
		case "rename":
			newRef = strings.TrimSpace(newRef)
			if newRef == "" || newRef == ref {
				return apperr.Validation("Enter the new reference.", apperr.FieldError{Field: "new_reference", Message: "Enter a reference that differs from the one Klarna already holds."})
			}
			if !renameRef(&d.Payload, kind, ref, newRef) {
				return apperr.Validation("The resource is not in the draft.", apperr.FieldError{Field: "reference", Message: fmt.Sprintf("the draft has no %s %q", kind, ref)})
			}
		default:
			return apperr.Validation("Unknown action.", apperr.FieldError{Field: "action", Message: "one of take_klarna, rename"})
		}
		d.Conflict = append(d.Conflict[:at:at], d.Conflict[at+1:]...)
		if len(d.Conflict) == 0 {
			d.Status = DraftEditing
		}
		d.Version++
		d.UpdatedBy = userOf(ctx)
		if err := s.o.Store.UpdateDraft(ctx, &d); err != nil {
			return err
		}
		return s.audit(ctx, "onboarding:resolve", &d, map[string]any{"kind": kind, "reference": ref, "action": action, "new_reference": newRef})
	})
	if err != nil {
		return Draft{}, err
	}
	return s.o.Store.Draft(ctx, sc, id)
}

// takeKlarna replaces the draft's resource with what Klarna holds and
// marks it existing, so it is not sent again.
func takeKlarna(d *Draft, c ConflictItem) error {
	if d.Existing == nil {
		d.Existing = &Existing{}
	}
	ex := d.Existing
	mark := func(m *map[string]bool, k string) {
		if *m == nil {
			*m = map[string]bool{}
		}
		(*m)[k] = true
	}
	raw, _ := json.Marshal(c.Klarna)
	o := &d.Payload
	switch c.Kind {
	case "business_entity":
		var ke klarna.BusinessEntity
		if err := json.Unmarshal(raw, &ke); err != nil {
			return err
		}
		for i := range o.BusinessEntities {
			if o.BusinessEntities[i].Reference == c.Reference {
				o.BusinessEntities[i] = entityFromKlarna(&ke)
			}
		}
		mark(&ex.BusinessEntities, c.Reference)
	case "brand":
		var kb klarna.Brand
		if err := json.Unmarshal(raw, &kb); err != nil {
			return err
		}
		for i := range o.Brands {
			if o.Brands[i].Reference == c.Reference {
				nb := Brand{Reference: kb.BrandReference, DisplayName: kb.DisplayName}
				if el := kb.Element; el != nil {
					nb.LogoURL, nb.IconURL, nb.FeatureImageURL = el.LogoURL, el.IconURL, el.FeatureImageURL
				}
				o.Brands[i] = nb
			}
		}
		mark(&ex.Brands, c.Reference)
	case "store_group":
		var kg klarna.StoreGroup
		if err := json.Unmarshal(raw, &kg); err != nil {
			return err
		}
		for i := range o.StoreGroups {
			g := &o.StoreGroups[i]
			if g.Reference == c.Reference {
				stores := g.Stores
				back, _ := FromKlarna(KlarnaAccount{StoreGroups: []klarna.StoreGroup{kg}})
				*g = back.StoreGroups[0]
				if g.BrandReference == "" {
					g.BrandReference = o.StoreGroups[i].BrandReference
				}
				g.Stores = stores
			}
		}
		mark(&ex.StoreGroups, c.Reference)
	case "store":
		var ks klarna.Store
		if err := json.Unmarshal(raw, &ks); err != nil {
			return err
		}
		for i := range o.StoreGroups {
			for j := range o.StoreGroups[i].Stores {
				if st := &o.StoreGroups[i].Stores[j]; st.Reference == c.Reference {
					st.Type, st.URL = ks.Type, ks.URL
				}
			}
		}
		mark(&ex.Stores, c.Reference)
	case "payment_account":
		var ka klarna.PaymentAccount
		if err := json.Unmarshal(raw, &ka); err != nil {
			return err
		}
		if pp := o.PaymentProduct; pp != nil {
			for i := range pp.PaymentAccounts {
				a := &pp.PaymentAccounts[i]
				if a.Reference == c.Reference && (ka.PaymentAcquiringAccountID == "" || a.AcquiringAccountID == ka.PaymentAcquiringAccountID) {
					if ka.DefaultMerchantCategoryCode != "" {
						a.DefaultMerchantCategoryCode = ka.DefaultMerchantCategoryCode
					}
					if ka.PartnerBusinessEntityReference != "" {
						a.BusinessEntityReference = ka.PartnerBusinessEntityReference
					}
					if ka.DefaultStoreGroupReference != "" {
						a.DefaultStoreGroupReference = ka.DefaultStoreGroupReference
					}
					mark(&ex.PaymentAccounts, paymentAccountKey(a.AcquiringAccountID, a.Reference))
				}
			}
		}
	default:
		return apperr.Validation("Klarna's version of this cannot be taken; change the reference instead.", apperr.FieldError{Field: "action", Message: "use rename for " + c.Kind})
	}
	return nil
}

// renameRef gives a resource of the payload a new reference and updates
// the references to it.
func renameRef(o *Onboarding, kind, from, to string) bool {
	found := false
	switch kind {
	case "account":
		if o.PartnerAccountReference == from {
			o.PartnerAccountReference, found = to, true
		}
	case "business_entity":
		for i := range o.BusinessEntities {
			if o.BusinessEntities[i].Reference == from {
				o.BusinessEntities[i].Reference, found = to, true
			}
		}
		if pp := o.PaymentProduct; pp != nil && found {
			for i := range pp.PaymentAccounts {
				if pp.PaymentAccounts[i].BusinessEntityReference == from {
					pp.PaymentAccounts[i].BusinessEntityReference = to
				}
			}
		}
	case "brand":
		for i := range o.Brands {
			if o.Brands[i].Reference == from {
				o.Brands[i].Reference, found = to, true
			}
		}
		for i := range o.StoreGroups {
			if found && o.StoreGroups[i].BrandReference == from {
				o.StoreGroups[i].BrandReference = to
			}
		}
	case "store_group":
		for i := range o.StoreGroups {
			if o.StoreGroups[i].Reference == from {
				o.StoreGroups[i].Reference, found = to, true
			}
		}
		if pp := o.PaymentProduct; pp != nil && found {
			for i := range pp.PaymentAccounts {
				if pp.PaymentAccounts[i].DefaultStoreGroupReference == from {
					pp.PaymentAccounts[i].DefaultStoreGroupReference = to
				}
			}
		}
	case "store":
		for i := range o.StoreGroups {
			for j := range o.StoreGroups[i].Stores {
				if o.StoreGroups[i].Stores[j].Reference == from {
					o.StoreGroups[i].Stores[j].Reference, found = to, true
				}
			}
		}
	case "payment_account":
		if pp := o.PaymentProduct; pp != nil {
			for i := range pp.PaymentAccounts {
				if pp.PaymentAccounts[i].Reference == from {
					pp.PaymentAccounts[i].Reference, found = to, true
				}
			}
		}
	}
	return found
}

// RetryLater asks the job queue to run the submission again after After.
type RetryLater struct {
	After time.Duration
	Err   error
}

func (r *RetryLater) Error() string { return fmt.Sprintf("retry in %s: %v", r.After, r.Err) }
func (r *RetryLater) Unwrap() error { return r.Err }

// RetryIn is when to run again (the job queue snoozes for it).
func (r *RetryLater) RetryIn() time.Duration { return r.After }

// Run makes the onboard call of a submitted draft: the onboard job's work.
// The call carries the draft's fixed Klarna-Idempotency-Key, so running it
// again (a retry, or a rescue after a crash mid-call) never onboards twice.
// It returns *RetryLater when Klarna should be asked again later.
func (s *OnboardingService) Run(ctx context.Context, id uuid.UUID) error {
	kl, err := s.klarna()
	if err != nil {
		return err
	}
	d, err := s.o.Store.Draft(ctx, scope.All(), id)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.Status != DraftSubmitted {
		return nil // settled already, or taken back
	}
	req, pm, err := toKlarna(&d.Payload, d.Existing, s.o.Salt)
	if err != nil {
		return s.settle(ctx, id, func(d *Draft) (string, any) {
			d.Status, d.LastError = DraftFailed, plainError(err)
			return "onboarding:failed", map[string]any{"error": d.LastError}
		})
	}
	if err := s.settle(ctx, id, func(d *Draft) (string, any) { d.Attempts++; d.NextAttemptAt = nil; return "", nil }); err != nil {
		return err
	}
	res, callErr := kl.Onboard(ctx, req, klarna.WithIdempotencyKey(d.IdempotencyKey.String()),
		klarna.About("onboarding", d.ID.String()), klarna.LogPartner(d.KlarnaAccountID))
	ctx = context.WithoutCancel(ctx) // the outcome is recorded even when the job is being stopped
	if callErr == nil {
		return s.succeed(ctx, id, res)
	}
	var ke *klarna.Error
	errors.As(callErr, &ke)
	status := klarna.HTTPStatusOf(callErr)
	switch {
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		fields := make([]apperr.FieldError, 0)
		if ke != nil {
			for _, v := range ke.ValidationErrors {
				msg := v.Reason
				if msg == "" {
					msg = v.ErrorMessage
				}
				fields = append(fields, apperr.FieldError{Field: pm.fromKlarnaPath(v.Parameter), Message: "Klarna: " + msg})
			}
		}
		return s.settle(ctx, id, func(d *Draft) (string, any) {
			d.Status, d.FieldErrors, d.LastError = DraftRejected, fields, "Klarna refused the data: "+klarnaMessage(ke)
			return "onboarding:rejected", map[string]any{"field_errors": fields}
		})
	case status == http.StatusConflict && ke != nil && strings.Contains(ke.ErrorMessage, "still being processed"):
		return s.retry(ctx, id, callErr, 0)
	case status == http.StatusConflict:
		items := s.conflictDiff(ctx, &d, &req, pm, klarnaMessage(ke))
		return s.settle(ctx, id, func(d *Draft) (string, any) {
			d.Status, d.Conflict, d.LastError = DraftConflict, items, "Klarna holds some of these resources differently: "+klarnaMessage(ke)
			return "onboarding:conflict", map[string]any{"conflicts": len(items)}
		})
	case status == 0 || status == http.StatusTooManyRequests || status >= 500:
		var after time.Duration
		if ke != nil {
			after = ke.RetryAfter
		}
		return s.retry(ctx, id, callErr, after)
	default:
		return s.settle(ctx, id, func(d *Draft) (string, any) {
			d.Status, d.LastError = DraftFailed, plainError(callErr)
			return "onboarding:failed", map[string]any{"error": d.LastError}
		})
	}
}

func klarnaMessage(ke *klarna.Error) string {
	if ke == nil {
		return ""
	}
	msg := ke.ErrorMessage
	if ke.ErrorID != "" {
		msg += " (error_id " + ke.ErrorID + ")"
	}
	return msg
}

func plainError(err error) string {
	if e := apperr.As(err); e != nil && e.Message != "" {
		if ke := (*klarna.Error)(nil); errors.As(err, &ke) && ke.ErrorID != "" {
			return e.Message + " (error_id " + ke.ErrorID + ")"
		}
		return e.Message
	}
	return err.Error()
}

// settle changes a submitted draft in one transaction and audits it
// (action "" audits nothing).
func (s *OnboardingService) settle(ctx context.Context, id uuid.UUID, change func(d *Draft) (action string, after any)) error {
	return s.o.Store.InTx(ctx, func(ctx context.Context) error {
		d, err := s.o.Store.LockDraft(ctx, scope.All(), id)
		if err != nil {
			return err
		}
		if d.Status != DraftSubmitted {
			return nil
		}
		action, after := change(&d)
		if d.Status != DraftSubmitted {
			now := s.o.Now()
			d.CompletedAt, d.NextAttemptAt = &now, nil
		}
		if err := s.o.Store.UpdateDraft(ctx, &d); err != nil {
			return err
		}
		if action == "" {
			return nil
		}
		if err := s.audit(actor.With(ctx, actor.System), action, &d, after); err != nil {
			return err
		}
		return s.announceEnd(ctx, &d)
	})
}

// announceEnd notifies that d's onboarding ended (succeeded, failed or was
// refused by Klarna); other statuses say nothing.
func (s *OnboardingService) announceEnd(ctx context.Context, d *Draft) error {
	if s.o.Announce == nil {
		return nil
	}
	name := d.Payload.PartnerAccountName
	if name == "" {
		name = d.Payload.PartnerAccountReference
	}
	n := notify.Notification{Kind: "onboarding_failed", Body: d.LastError, Link: "/onboarding/drafts/" + d.ID.String(),
		DedupeKey: fmt.Sprintf("onboarding:%s:%s:%d", d.ID, d.Status, d.Attempts)}
	switch d.Status {
	case DraftSucceeded:
		n.Kind, n.Title, n.Body = "onboarding_done", "Onboarded "+name, "Klarna created the partner account "+d.KlarnaAccountID+"."
	case DraftFailed:
		n.Title = "Onboarding of " + name + " failed"
	case DraftRejected:
		n.Title = "Klarna refused the onboarding of " + name
	default:
		return nil
	}
	var users []uuid.UUID
	if d.CreatedBy != nil {
		users = append(users, *d.CreatedBy)
	}
	return s.o.Announce.Announce(ctx, notify.Event{Tenant: d.TenantID, Action: "partner:onboard", Acquirer: true, Users: users, Notification: n})
}

// retry records a failed attempt and schedules the next, or gives up
// after MaxAttempts.
func (s *OnboardingService) retry(ctx context.Context, id uuid.UUID, cause error, after time.Duration) error {
	var again *RetryLater
	err := s.settle(ctx, id, func(d *Draft) (string, any) {
		d.LastError = plainError(cause)
		if d.Attempts >= s.o.MaxAttempts {
			d.Status = DraftFailed
			d.LastError = fmt.Sprintf("Gave up after %d attempts: %s", d.Attempts, d.LastError)
			return "onboarding:failed", map[string]any{"error": d.LastError, "attempts": d.Attempts}
		}
		if after <= 0 {
			after = min(s.o.RetryBase<<min(d.Attempts-1, 16), 5*time.Minute)
		}
		next := s.o.Now().Add(after)
		d.NextAttemptAt = &next
		again = &RetryLater{After: after, Err: cause}
		return "", nil
	})
	if err != nil {
		return err
	}
	if again != nil {
		return again
	}
	return nil
}

var reSlug = regexp.MustCompile(`[^a-z0-9]+`)

// SlugOf is the tenant slug made from a partner reference.
func SlugOf(ref string) string {
	s := strings.Trim(reSlug.ReplaceAllString(strings.ToLower(ref), "-"), "-")
	if len(s) > 56 {
		s = strings.TrimRight(s[:56], "-")
	}
	if len(s) < 2 {
		s = "partner-" + s
	}
	return s
}

// partnerTenant is the tenant for a new account: the one named after the
// reference unless it belongs to another Klarna account already.
func (s *OnboardingService) partnerTenant(ctx context.Context, ref, name, accountID string) (uuid.UUID, error) {
	base := SlugOf(ref)
	for n := 1; n < 100; n++ {
		slug := base
		if n > 1 {
			slug = fmt.Sprintf("%s-%d", base, n)
		}
		_, accounts, found, err := s.o.Store.SlugTenant(ctx, slug)
		if err != nil {
			return uuid.Nil, err
		}
		if found && len(accounts) > 0 && !slices.Contains(accounts, accountID) {
			continue
		}
		return s.o.Tenants(ctx, slug, name)
	}
	return uuid.Nil, fmt.Errorf("no free tenant slug for %q", ref)
}

// succeed records Klarna's answer: the partner tenant (new partners),
// the account linked to it, and the ids Klarna returned.
func (s *OnboardingService) succeed(ctx context.Context, id uuid.UUID, res *klarna.OnboardResponse) error {
	r := resultOf(res)
	return s.o.Store.InTx(ctx, func(ctx context.Context) error {
		ctx = actor.With(ctx, actor.System)
		d, err := s.o.Store.LockDraft(ctx, scope.All(), id)
		if err != nil {
			return err
		}
		if d.Status != DraftSubmitted {
			return nil
		}
		if d.TenantID == nil {
			name := d.Payload.PartnerAccountName
			if name == "" {
				name = d.Payload.PartnerAccountReference
			}
			t, err := s.partnerTenant(ctx, d.Payload.PartnerAccountReference, name, r.PartnerAccountID)
			if err != nil {
				return err
			}
			d.TenantID = &t
		}
		if err := s.o.Partners.LinkAccount(ctx, *d.TenantID, r.PartnerAccountID); err != nil {
			return err
		}
		now := s.o.Now()
		d.Status, d.Result, d.KlarnaAccountID, d.CompletedAt, d.NextAttemptAt, d.LastError = DraftSucceeded, &r, r.PartnerAccountID, &now, nil, ""
		if err := s.o.Store.UpdateDraft(ctx, &d); err != nil {
			return err
		}
		if err := s.audit(ctx, "onboarding:succeeded", &d, map[string]any{"klarna_account_id": r.PartnerAccountID, "attempts": d.Attempts}); err != nil {
			return err
		}
		return s.announceEnd(ctx, &d)
	})
}

func resultOf(res *klarna.OnboardResponse) Result {
	r := Result{PartnerAccountID: res.PartnerAccountID, BusinessEntities: []ResultID{}, Brands: []ResultID{}, StoreGroups: []ResultID{}, Stores: []ResultID{}, PaymentAccounts: []ResultPaymentAccount{}}
	for _, e := range res.PartnerBusinessEntities {
		r.BusinessEntities = append(r.BusinessEntities, ResultID{Reference: e.PartnerBusinessEntityReference, ID: e.PartnerBusinessEntityID})
	}
	for _, b := range res.Brands {
		r.Brands = append(r.Brands, ResultID{Reference: b.BrandReference, ID: b.BrandID})
	}
	for _, g := range res.StoreGroups {
		r.StoreGroups = append(r.StoreGroups, ResultID{Reference: g.StoreGroupReference, ID: g.StoreGroupID})
		for _, st := range g.Stores {
			r.Stores = append(r.Stores, ResultID{Reference: st.StoreReference, ID: st.StoreID})
		}
	}
	for _, p := range res.Products {
		if r.PaymentProductID == "" {
			r.PaymentProductID = p.PaymentProductID
		}
		for _, a := range p.PaymentAccounts {
			r.PaymentAccounts = append(r.PaymentAccounts, ResultPaymentAccount{PaymentAccountID: a.PaymentAccountID, PaymentAcquiringAccountID: a.PaymentAcquiringAccountID, PaymentAccountReference: a.PaymentAccountReference})
		}
	}
	return r
}

// conflictDiff reads what Klarna holds under the request's references and
// lists each resource that differs, field by field. When Klarna's copy
// cannot be read (e.g. a payment account reference used by another
// account) the item carries Klarna's message instead.
func (s *OnboardingService) conflictDiff(ctx context.Context, d *Draft, req *klarna.OnboardRequest, pm pathMap, msg string) []ConflictItem {
	var items []ConflictItem
	accountID := d.KlarnaAccountID
	if accountID == "" {
		accountID, _ = s.o.Klarna.ResolvePartnerAccountID(ctx, req.PartnerAccountReference)
	}
	var held KlarnaAccount
	if accountID != "" {
		held, _ = s.readAccount(ctx, accountID)
	}
	add := func(kind, ref, path string, klarnaV, payloadV any, skip ...string) {
		k, p := comparable(klarnaV, skip), comparable(payloadV, skip)
		var fields []string
		for key := range union(k, p) {
			if !jsonEqual(k[key], p[key]) {
				fields = append(fields, key)
			}
		}
		if len(fields) > 0 {
			slices.Sort(fields)
			items = append(items, ConflictItem{Kind: kind, Reference: ref, Path: path, Klarna: k, Payload: p, Fields: fields})
		}
	}
	for i, e := range req.PartnerBusinessEntities {
		for _, h := range held.Entities {
			if h.PartnerBusinessEntityReference == e.PartnerBusinessEntityReference {
				add("business_entity", e.PartnerBusinessEntityReference, fmt.Sprintf("partner_business_entities[%d]", indexOf(pm.entities, i)), h, e)
			}
		}
	}
	for i, b := range req.Brands {
		for _, h := range held.Brands {
			if h.BrandReference == b.BrandReference {
				add("brand", b.BrandReference, fmt.Sprintf("brands[%d]", indexOf(pm.brands, i)), h, b)
			}
		}
	}
	for i, g := range req.StoreGroups {
		for _, h := range held.StoreGroups {
			if h.StoreGroupReference == g.StoreGroupReference {
				add("store_group", g.StoreGroupReference, fmt.Sprintf("store_groups[%d]", indexOf(pm.groups, i)), h, g, "stores")
			}
		}
		for j, st := range g.Stores {
			for _, h := range held.Stores {
				if h.StoreReference == st.StoreReference {
					add("store", st.StoreReference, pm.fromKlarnaPath(fmt.Sprintf("store_groups[%d].stores[%d]", i, j)), h, st, "store_group_reference")
				}
			}
		}
	}
	for _, p := range req.Products {
		for j, a := range p.PaymentAccounts {
			path := pm.fromKlarnaPath(fmt.Sprintf("products[0].payment_accounts[%d]", j))
			matched := false
			for _, hp := range held.Products {
				for _, h := range hp.PaymentAccounts {
					if h.PaymentAccountReference == a.PaymentAccountReference && h.PaymentAcquiringAccountID == a.PaymentAcquiringAccountID {
						matched = true
						add("payment_account", a.PaymentAccountReference, path, h, a, "status")
					}
				}
			}
			if !matched && strings.Contains(msg, a.PaymentAccountReference) {
				items = append(items, ConflictItem{Kind: "payment_account", Reference: a.PaymentAccountReference, Path: path,
					Klarna: map[string]any{"error_message": msg}, Payload: comparable(a, nil), Fields: []string{"payment_account_reference"}})
			}
		}
	}
	if len(items) == 0 {
		items = append(items, ConflictItem{Kind: "account", Reference: req.PartnerAccountReference, Path: "partner_account_reference",
			Klarna: map[string]any{"error_message": msg}, Payload: map[string]any{"partner_account_reference": req.PartnerAccountReference}, Fields: []string{}})
	}
	return items
}

// comparable is a resource as a JSON object without Klarna's generated
// ids (they are never in a payload) and the keys in skip.
func comparable(v any, skip []string) map[string]any {
	b, _ := json.Marshal(v)
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	for k := range m {
		if strings.HasSuffix(k, "_id") && k != "payment_acquiring_account_id" && k != "payment_profile_id" {
			delete(m, k)
		}
	}
	for _, k := range skip {
		delete(m, k)
	}
	return m
}

func union(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

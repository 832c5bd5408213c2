package partner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// DataService edits a partner's data at Klarna after onboarding: the
// account contact, business entities, brands, store groups and stores.
// Each save is checked whole (every invalid field at once, immutable
// fields refused) against what the directory last read from Klarna, then
// queued as one change: the resource's own POST or PATCH, pushed by the
// change service (changes.go), never a re-onboard.
type DataService struct {
	dir     *Directory
	changes *ChangeService
	images  *ImageChecker
}

// NewDataService wires the service and registers the Klarna calls of its
// kinds of change on changes.
func NewDataService(dir *Directory, changes *ChangeService, images *ImageChecker) *DataService {
	s := &DataService{dir: dir, changes: changes, images: images}
	registerDataAppliers(changes)
	return s
}

// BrandWarning is an unresolved warning Klarna raised about a brand.
type BrandWarning struct {
	BrandID, Warning, Value string
}

// DataView is what the data forms need beside the tree.
type DataView struct {
	AccountID string
	Warnings  []BrandWarning
}

// View reads the partner's unresolved brand warnings; NotFound outside sc.
func (s *DataService) View(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (DataView, error) {
	sum, err := s.dir.o.Store.Partner(ctx, sc, tenantID, s.dir.stuckBefore())
	if err != nil {
		return DataView{}, err
	}
	v := DataView{AccountID: sum.KlarnaAccountID, Warnings: []BrandWarning{}}
	if v.AccountID == "" {
		return v, nil
	}
	err = s.dir.o.Store.InTx(ctx, func(ctx context.Context) error {
		ws, err := s.dir.o.Store.WarningSubjects(ctx, v.AccountID)
		for w, subjects := range ws {
			for subject, value := range subjects {
				v.Warnings = append(v.Warnings, BrandWarning{BrandID: subject, Warning: w, Value: value})
			}
		}
		return err
	})
	return v, err
}

// CheckImage tells whether an image URL resolves to an image.
func (s *DataService) CheckImage(ctx context.Context, url string) ImageCheck {
	return s.images.Check(ctx, url)
}

// editable is the partner's tree when its account can take changes.
func (s *DataService) editable(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (Tree, error) {
	t, err := s.dir.Tree(ctx, sc, tenantID)
	if err != nil {
		return t, err
	}
	switch {
	case t.Summary.KlarnaAccountID == "":
		return t, apperr.E(apperr.Conflict, "This partner has no Klarna account linked yet, so there is nothing to change at Klarna.")
	case t.Summary.State == string(klarna.AccountDisabled):
		return t, apperr.E(apperr.Conflict, "Klarna has disabled this partner's account; it takes no changes until Klarna enables it again.")
	}
	return t, nil
}

func (s *DataService) enqueue(ctx context.Context, t Tree, action, kind, op, id, ref string, payload, before any) (Change, error) {
	p, err := json.Marshal(payload)
	if err != nil {
		return Change{}, err
	}
	var b json.RawMessage
	if before != nil {
		if b, err = json.Marshal(before); err != nil {
			return Change{}, err
		}
	}
	return s.changes.Enqueue(ctx, action, Change{TenantID: t.Summary.TenantID, AccountID: t.Summary.KlarnaAccountID, Kind: kind, Operation: op,
		ResourceID: id, ResourceRef: ref, Payload: p, Before: b})
}

func noSuch(what string) error {
	return apperr.E(apperr.NotFound, "This partner has no such %s.", what)
}

func findBrandNode(t Tree, id string) *klarna.Brand {
	for i := range t.Brands {
		if t.Brands[i].Brand.BrandID == id {
			return &t.Brands[i].Brand
		}
	}
	return nil
}

func allGroups(t Tree) []StoreGroupNode {
	out := append([]StoreGroupNode(nil), t.Unassigned...)
	for _, b := range t.Brands {
		out = append(out, b.StoreGroups...)
	}
	return out
}

func brandRefs(t Tree) (byID map[string]string, byRef map[string]string) {
	byID, byRef = map[string]string{}, map[string]string{}
	for _, b := range t.Brands {
		byID[b.Brand.BrandID], byRef[b.Brand.BrandReference] = b.Brand.BrandReference, b.Brand.BrandID
	}
	return byID, byRef
}

func brandPatch(in Brand) klarna.Brand {
	// The element is always sent, so a cleared image URL is cleared at Klarna.
	return klarna.Brand{DisplayName: in.DisplayName, Element: &klarna.BrandElement{LogoURL: in.LogoURL, IconURL: in.IconURL, FeatureImageURL: in.FeatureImageURL}}
}

// UpdateBrand queues a brand's PATCH.
func (s *DataService) UpdateBrand(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, brandID string, in Brand) (Change, error) {
	t, err := s.editable(ctx, sc, tenantID)
	if err != nil {
		return Change{}, err
	}
	b := findBrandNode(t, brandID)
	if b == nil {
		return Change{}, noSuch("brand")
	}
	now := BrandOf(*b)
	if err := CheckBrand(in, &now, HeldOf(t)); err != nil {
		return Change{}, err
	}
	return s.enqueue(ctx, t, "brand:update", KindBrand, "update", b.BrandID, b.BrandReference, brandPatch(in), brandPatch(now))
}

// CreateBrand queues a new brand's POST.
func (s *DataService) CreateBrand(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, in Brand) (Change, error) {
	t, err := s.editable(ctx, sc, tenantID)
	if err != nil {
		return Change{}, err
	}
	if err := CheckBrand(in, nil, HeldOf(t)); err != nil {
		return Change{}, err
	}
	body := brandPatch(in)
	body.BrandReference = in.Reference
	if in.LogoURL == "" && in.IconURL == "" && in.FeatureImageURL == "" {
		body.Element = nil
	}
	return s.enqueue(ctx, t, "brand:create", KindBrand, "create", "", in.Reference, body, nil)
}

func findGroupNode(t Tree, id string) *StoreGroupNode {
	for _, g := range allGroups(t) {
		if g.StoreGroup.StoreGroupID == id {
			return &g
		}
	}
	return nil
}

// UpdateStoreGroup queues a store group's PATCH (its brand, support
// contact and social media links; its stores are resources of their own).
func (s *DataService) UpdateStoreGroup(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, groupID string, in StoreGroup) (Change, error) {
	t, err := s.editable(ctx, sc, tenantID)
	if err != nil {
		return Change{}, err
	}
	g := findGroupNode(t, groupID)
	if g == nil {
		return Change{}, noSuch("store group")
	}
	byID, byRef := brandRefs(t)
	now := StoreGroupOf(g.StoreGroup, byID)
	in.Stores = nil
	if err := CheckStoreGroup(in, &now, HeldOf(t)); err != nil {
		return Change{}, err
	}
	return s.enqueue(ctx, t, "store_group:update", KindStoreGroup, "update", groupID, g.StoreGroup.StoreGroupReference, storeGroupPatch(in, byRef), storeGroupPatch(now, byRef))
}

// storeGroupPatch is a store group's PATCH body; the support contact is
// always sent, so cleared fields are cleared at Klarna.
func storeGroupPatch(g StoreGroup, brandID map[string]string) klarna.StoreGroup {
	body := storeGroupToKlarna(&g)
	body.StoreGroupReference, body.BrandReference, body.BrandID = "", "", brandID[g.BrandReference]
	if body.SupportContact == nil {
		body.SupportContact = &klarna.SupportContact{}
	}
	return body
}

// CreateStoreGroup queues a new store group's POST.
func (s *DataService) CreateStoreGroup(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, in StoreGroup) (Change, error) {
	t, err := s.editable(ctx, sc, tenantID)
	if err != nil {
		return Change{}, err
	}
	in.Stores = nil
	if err := CheckStoreGroup(in, nil, HeldOf(t)); err != nil {
		return Change{}, err
	}
	return s.enqueue(ctx, t, "store_group:create", KindStoreGroup, "create", "", in.Reference, storeGroupToKlarna(&in), nil)
}

// UpdateStore queues a store's PATCH (its type and URL).
func (s *DataService) UpdateStore(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, storeID string, in StoreEdit) (Change, error) {
	t, err := s.editable(ctx, sc, tenantID)
	if err != nil {
		return Change{}, err
	}
	var st *klarna.Store
	for _, g := range allGroups(t) {
		for i := range g.Stores {
			if g.Stores[i].StoreID == storeID {
				st = &g.Stores[i]
				if st.StoreGroupID == "" {
					st.StoreGroupID = g.StoreGroup.StoreGroupID
				}
			}
		}
	}
	if st == nil {
		return Change{}, noSuch("store")
	}
	now := StoreDef{Reference: st.StoreReference, Type: st.Type, URL: st.URL}
	if err := CheckStore(in, &now, st.StoreGroupID, HeldOf(t)); err != nil {
		return Change{}, err
	}
	return s.enqueue(ctx, t, "store:update", KindStore, "update", storeID, st.StoreReference, klarna.Store{Type: in.Type, URL: in.URL}, klarna.Store{Type: st.Type, URL: st.URL})
}

// CreateStore queues a new store's POST in one of the account's store groups.
func (s *DataService) CreateStore(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, in StoreEdit) (Change, error) {
	t, err := s.editable(ctx, sc, tenantID)
	if err != nil {
		return Change{}, err
	}
	if err := CheckStore(in, nil, "", HeldOf(t)); err != nil {
		return Change{}, err
	}
	body := klarna.Store{StoreReference: in.Reference, StoreGroupID: in.StoreGroupID, Type: in.Type, URL: in.URL}
	return s.enqueue(ctx, t, "store:create", KindStore, "create", "", in.Reference, body, nil)
}

// UpdateContact queues the account's updateAccount with its new contact.
func (s *DataService) UpdateContact(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, in Contact) (Change, error) {
	t, err := s.editable(ctx, sc, tenantID)
	if err != nil {
		return Change{}, err
	}
	if err := CheckContact(in); err != nil {
		return Change{}, err
	}
	body := klarna.PartnerAccount{PartnerAccountContact: &klarna.Contact{GivenName: in.GivenName, FamilyName: in.FamilyName, Email: in.Email, Phone: in.Phone}}
	return s.enqueue(ctx, t, "account:update", KindAccount, "update", t.Summary.KlarnaAccountID, t.Summary.Reference, body,
		klarna.PartnerAccount{PartnerAccountContact: &t.Contact})
}

// entityPatch is an entity's PATCH body: what Klarna keeps is not sent again.
func entityPatch(e BusinessEntity) (klarna.BusinessEntity, error) {
	body, err := entityToKlarna(&e, false, nil)
	body.PartnerBusinessEntityReference, body.LegalRegistrationCountry = "", ""
	if body.SupplementaryBusinessData == nil {
		body.SupplementaryBusinessData = &klarna.SupplementaryBusinessData{}
	}
	return body, err
}

// UpdateBusinessEntity queues an entity's PATCH: its legal data,
// addresses, stakeholders and payout bank accounts.
func (s *DataService) UpdateBusinessEntity(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, entityID string, in BusinessEntity) (Change, error) {
	t, err := s.editable(ctx, sc, tenantID)
	if err != nil {
		return Change{}, err
	}
	var e *klarna.BusinessEntity
	for i := range t.BusinessEntities {
		if t.BusinessEntities[i].PartnerBusinessEntityID == entityID {
			e = &t.BusinessEntities[i]
		}
	}
	if e == nil {
		return Change{}, noSuch("business entity")
	}
	now := EntityOf(*e)
	if err := CheckBusinessEntity(in, &now, HeldOf(t)); err != nil {
		return Change{}, err
	}
	body, err := entityPatch(in)
	if err != nil {
		return Change{}, err
	}
	before, err := entityPatch(now)
	if err != nil {
		return Change{}, err
	}
	return s.enqueue(ctx, t, "business_entity:update", KindBusinessEntity, "update", entityID, e.PartnerBusinessEntityReference, body, before)
}

// CreateBusinessEntity queues a new entity's POST.
func (s *DataService) CreateBusinessEntity(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, in BusinessEntity) (Change, error) {
	t, err := s.editable(ctx, sc, tenantID)
	if err != nil {
		return Change{}, err
	}
	if err := CheckBusinessEntity(in, nil, HeldOf(t)); err != nil {
		return Change{}, err
	}
	body, err := entityToKlarna(&in, false, nil)
	if err != nil {
		return Change{}, err
	}
	return s.enqueue(ctx, t, "business_entity:create", KindBusinessEntity, "create", "", in.Reference, body, nil)
}

// ---- the Klarna calls ----

// applier decodes a change's payload as a T and makes call; id names the
// created resource. Klarna's field paths come back as the edit forms'
// fields (OurField), so a refused change points at the field to fix.
func applier[T any, R any](kind string, call func(ctx context.Context, k *klarna.Client, c Change, body T, opts ...klarna.CallOption) (*R, error), id func(*R) string) Applier {
	return func(ctx context.Context, k *klarna.Client, c Change, opts ...klarna.CallOption) (any, string, error) {
		var body T
		if err := json.Unmarshal(c.Payload, &body); err != nil {
			return nil, "", fmt.Errorf("partner: the %s change's payload: %w", kind, err)
		}
		res, err := call(ctx, k, c, body, opts...)
		if err != nil {
			return nil, "", onOurFields(kind, err)
		}
		rid := ""
		if id != nil && res != nil {
			rid = id(res)
		}
		return res, rid, nil
	}
}

func onOurFields(kind string, err error) error {
	var ke *klarna.Error
	if !errors.As(err, &ke) || len(ke.ValidationErrors) == 0 {
		return err
	}
	cp := *ke
	cp.ValidationErrors = make([]klarna.ValidationError, len(ke.ValidationErrors))
	for i, v := range ke.ValidationErrors {
		v.Parameter = OurField(kind, v.Parameter)
		cp.ValidationErrors[i] = v
	}
	return &cp
}

func registerDataAppliers(cs *ChangeService) {
	cs.Register(KindAccount, "update", applier(KindAccount, func(ctx context.Context, k *klarna.Client, c Change, b klarna.PartnerAccount, o ...klarna.CallOption) (*klarna.PartnerAccount, error) {
		return k.UpdateAccount(ctx, c.AccountID, b, o...)
	}, nil))
	cs.Register(KindBusinessEntity, "update", applier(KindBusinessEntity, func(ctx context.Context, k *klarna.Client, c Change, b klarna.BusinessEntity, o ...klarna.CallOption) (*klarna.BusinessEntity, error) {
		return k.UpdateBusinessEntity(ctx, c.AccountID, c.ResourceID, b, o...)
	}, nil))
	cs.Register(KindBusinessEntity, "create", applier(KindBusinessEntity, func(ctx context.Context, k *klarna.Client, c Change, b klarna.BusinessEntity, o ...klarna.CallOption) (*klarna.BusinessEntity, error) {
		return k.CreateBusinessEntity(ctx, c.AccountID, b, o...)
	}, func(r *klarna.BusinessEntity) string { return r.PartnerBusinessEntityID }))
	cs.Register(KindBrand, "update", applier(KindBrand, func(ctx context.Context, k *klarna.Client, c Change, b klarna.Brand, o ...klarna.CallOption) (*klarna.Brand, error) {
		return k.UpdateBrand(ctx, c.AccountID, c.ResourceID, b, o...)
	}, nil))
	cs.Register(KindBrand, "create", applier(KindBrand, func(ctx context.Context, k *klarna.Client, c Change, b klarna.Brand, o ...klarna.CallOption) (*klarna.Brand, error) {
		return k.CreateBrand(ctx, c.AccountID, b, o...)
	}, func(r *klarna.Brand) string { return r.BrandID }))
	cs.Register(KindStoreGroup, "update", applier(KindStoreGroup, func(ctx context.Context, k *klarna.Client, c Change, b klarna.StoreGroup, o ...klarna.CallOption) (*klarna.StoreGroup, error) {
		return k.UpdateStoreGroup(ctx, c.AccountID, c.ResourceID, b, o...)
	}, nil))
	cs.Register(KindStoreGroup, "create", applier(KindStoreGroup, func(ctx context.Context, k *klarna.Client, c Change, b klarna.StoreGroup, o ...klarna.CallOption) (*klarna.StoreGroup, error) {
		return k.CreateStoreGroup(ctx, c.AccountID, b, o...)
	}, func(r *klarna.StoreGroup) string { return r.StoreGroupID }))
	cs.Register(KindStore, "update", applier(KindStore, func(ctx context.Context, k *klarna.Client, c Change, b klarna.Store, o ...klarna.CallOption) (*klarna.Store, error) {
		return k.UpdateStore(ctx, c.AccountID, c.ResourceID, b, o...)
	}, nil))
	cs.Register(KindStore, "create", applier(KindStore, func(ctx context.Context, k *klarna.Client, c Change, b klarna.Store, o ...klarna.CallOption) (*klarna.Store, error) {
		return k.CreateStore(ctx, c.AccountID, b, o...)
	}, func(r *klarna.Store) string { return r.StoreID }))
}

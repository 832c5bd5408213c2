package partner

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Operations of payment product changes.
const (
	OpDisableProduct = "disable"
	OpEnableProduct  = "enable"
)

// ProductChanges is what the product service needs of the change core.
type ProductChanges interface {
	Register(kind, operation string, a Applier)
	Enqueue(ctx context.Context, action string, c Change) (Change, error)
	List(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, f ChangeFilter) ([]Change, string, error)
}

// ProductTrees reads a partner's page (its product and payment accounts).
type ProductTrees interface {
	Tree(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (Tree, error)
}

// ProductService shows a partner's payment product, its payment accounts and
// its status history, and disables or enables it at Klarna through the
// change core, each with a reason.
type ProductService struct {
	store   ProductStore
	trees   ProductTrees
	changes ProductChanges
	now     func() time.Time
}

// NewProductService wires the service and registers the Klarna calls of
// payment product changes with the change core.
func NewProductService(store ProductStore, trees ProductTrees, changes ProductChanges) *ProductService {
	changes.Register(KindPaymentProduct, OpDisableProduct, func(ctx context.Context, k *klarna.Client, c Change, opts ...klarna.CallOption) (any, string, error) {
		p, err := k.DisablePaymentProduct(ctx, c.AccountID, c.ResourceID, opts...)
		return p, "", err
	})
	changes.Register(KindPaymentProduct, OpEnableProduct, func(ctx context.Context, k *klarna.Client, c Change, opts ...klarna.CallOption) (any, string, error) {
		p, err := k.EnablePaymentProduct(ctx, c.AccountID, c.ResourceID, opts...)
		return p, "", err
	})
	return &ProductService{store: store, trees: trees, changes: changes, now: time.Now}
}

// ProductView is a partner's "Payment product" tab.
type ProductView struct {
	Summary Summary
	// Product with its payment accounts; nil when the account has none.
	Product *klarna.PaymentProduct
	History []ProductEvent
}

// HistoryLimit is how many history rows a view holds.
const HistoryLimit = 100

// View is a partner's product in sc; NotFound outside sc.
func (s *ProductService) View(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (ProductView, error) {
	t, err := s.trees.Tree(ctx, sc, tenantID)
	if err != nil {
		return ProductView{}, err
	}
	v := ProductView{Summary: t.Summary, Product: t.PaymentProduct}
	v.History, err = s.store.ProductHistory(ctx, sc, tenantID, HistoryLimit)
	return v, err
}

// Disable asks Klarna to disable the partner's payment product (no new
// payments; refunds and disputes go on), with a required reason.
func (s *ProductService) Disable(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, reason string) (Change, error) {
	return s.request(ctx, sc, tenantID, OpDisableProduct, reason)
}

// Enable asks Klarna to enable the partner's payment product again, with a
// required reason.
func (s *ProductService) Enable(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, reason string) (Change, error) {
	return s.request(ctx, sc, tenantID, OpEnableProduct, reason)
}

func targetStatus(op string) klarna.PaymentProductStatus {
	if op == OpEnableProduct {
		return klarna.ProductEnabled
	}
	return klarna.ProductDisabled
}

func (s *ProductService) request(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, op, reason string) (Change, error) {
	reason, err := CheckReason(reason)
	if err != nil {
		return Change{}, err
	}
	t, err := s.trees.Tree(ctx, sc, tenantID)
	if err != nil {
		return Change{}, err
	}
	p := t.PaymentProduct
	switch {
	case t.Summary.KlarnaAccountID == "":
		return Change{}, apperr.E(apperr.Conflict, "This partner has no Klarna account yet, so it has no payment product.")
	case p == nil:
		return Change{}, apperr.E(apperr.Conflict, "This partner's account has no payment product at Klarna.")
	case p.Status == klarna.ProductTerminated:
		return Change{}, apperr.E(apperr.Conflict, "The payment product is TERMINATED: Klarna shut it down, and only Klarna can change it.")
	case p.Status == targetStatus(op):
		return Change{}, apperr.E(apperr.Conflict, "The payment product is %s already.", p.Status)
	case op == OpEnableProduct && t.Summary.OffboardedAt != nil:
		return Change{}, apperr.E(apperr.Conflict, "This partner was offboarded; its payment product stays disabled.")
	}
	var out Change
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.enqueue(ctx, t.Summary, p, op, reason)
		return err
	})
	return out, err
}

// enqueue pushes one product change unless one is pending already, and
// records the request in the history (in the transaction of ctx).
func (s *ProductService) enqueue(ctx context.Context, sum Summary, p *klarna.PaymentProduct, op, reason string) (Change, error) {
	cs, _, err := s.changes.List(ctx, scope.Tenants(sum.TenantID), sum.TenantID, ChangeFilter{Kind: KindPaymentProduct, Resource: p.PaymentProductID, Status: string(ChangePending), Limit: 5})
	if err != nil {
		return Change{}, err
	}
	if len(cs) > 0 {
		if c := cs[0]; c.Operation == op {
			return c, nil // the same change is on its way already
		} else {
			return Change{}, apperr.E(apperr.Conflict, "A change to %s this payment product is still on its way to Klarna; wait until it is applied.", c.Operation)
		}
	}
	target := targetStatus(op)
	payload, _ := json.Marshal(map[string]string{"status": string(target), "reason": reason})
	before, _ := json.Marshal(map[string]string{"status": string(p.Status)})
	c, err := s.changes.Enqueue(ctx, "product:"+op, Change{TenantID: sum.TenantID, AccountID: sum.KlarnaAccountID, Kind: KindPaymentProduct, Operation: op,
		ResourceID: p.PaymentProductID, Payload: payload, Before: before, Reason: reason})
	if err != nil {
		return Change{}, err
	}
	a := actor.From(ctx)
	e := ProductEvent{ID: uuid.New(), TenantID: sum.TenantID, AccountID: sum.KlarnaAccountID, ProductID: p.PaymentProductID, Kind: ProductRequest,
		Source: SourcePartnerDesk, Status: string(target), PreviousStatus: string(p.Status), Reason: reason, ActorLabel: a.Label, ChangeID: &c.ID, OccurredAt: s.now()}
	if a.UserID != uuid.Nil {
		id := a.UserID
		e.ActorID = &id
	}
	return c, s.store.AddProductRequest(ctx, e)
}

// DisableAllProducts implements ProductOffboarder: the partner's product is
// asked to be disabled unless it is disabled (or terminated) already.
func (s *ProductService) DisableAllProducts(ctx context.Context, tenantID uuid.UUID, reason string) ([]uuid.UUID, error) {
	t, err := s.trees.Tree(ctx, scope.All(), tenantID)
	if err != nil {
		return nil, err
	}
	p := t.PaymentProduct
	if t.Summary.KlarnaAccountID == "" || p == nil || p.Status == klarna.ProductDisabled || p.Status == klarna.ProductTerminated {
		return []uuid.UUID{}, nil
	}
	c, err := s.enqueue(ctx, t.Summary, p, OpDisableProduct, reason)
	if err != nil {
		return nil, err
	}
	return []uuid.UUID{c.ID}, nil
}

// ChangesOutcome implements ProductOffboarder.
func (s *ProductService) ChangesOutcome(ctx context.Context, tenantID uuid.UUID, ids []uuid.UUID) (bool, string, error) {
	cs, _, err := s.changes.List(ctx, scope.All(), tenantID, ChangeFilter{Kind: KindPaymentProduct, Limit: 100})
	if err != nil {
		return false, "", err
	}
	byID := map[uuid.UUID]Change{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	applied := true
	for _, id := range ids {
		c, ok := byID[id]
		switch {
		case !ok:
			applied = false
		case c.Status == ChangeFailed:
			msg := c.Error
			if msg == "" {
				msg = "the change failed"
			}
			return false, msg, nil
		case c.Status != ChangeApplied:
			applied = false
		}
	}
	return applied, "", nil
}

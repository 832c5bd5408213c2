package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// PartnerDirectory is the partner directory for the API; every read takes
// the caller's scope.
type PartnerDirectory interface {
	List(ctx context.Context, sc scope.Scope, f partner.Filter, cursor string, limit int) ([]partner.Summary, string, error)
	ExportCSV(ctx context.Context, sc scope.Scope, f partner.Filter, w io.Writer) error
	Board(ctx context.Context, sc scope.Scope, limit int) (partner.Board, error)
	Tree(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (partner.Tree, error)
	RequestRefresh(ctx context.Context, sc scope.Scope, tenantID uuid.UUID) (accountID string, queued bool, err error)
	Readiness(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, src partner.ReadinessSources) ([]partner.ReadinessItem, error)
}

// partnerFilter reads the directory's filters; every bad one is reported
// at once, with the limit's.
func partnerFilter(c *gin.Context, fe *filterErrors) (partner.Filter, error) {
	f := partner.Filter{Q: c.Query("q"), State: c.Query("state"), ProductStatus: c.Query("product_status"), Stage: partner.Stage(c.Query("onboarding")), Warning: c.Query("warning")}
	f.Sort, f.Desc = strings.CutPrefix(c.Query("sort"), "-")
	if err := partner.CheckFilter(f); err != nil {
		if ae := apperr.As(err); ae != nil {
			*fe = append(*fe, ae.Fields...)
		}
	}
	return f, fe.err()
}

func (s *server) listPartners(c *gin.Context) {
	var fe filterErrors
	limit := fe.limit(c.Query)
	f, err := partnerFilter(c, &fe)
	if err != nil {
		writeProblem(c, err)
		return
	}
	ps, next, err := s.opts.Directory.List(c.Request.Context(), scopeOf(c), f, c.Query("cursor"), limit)
	if err != nil {
		writeProblem(c, err)
		return
	}
	page := apigen.PartnerPage{Items: make([]apigen.PartnerSummary, 0, len(ps))}
	for _, p := range ps {
		page.Items = append(page.Items, partnerSummaryDTO(p))
	}
	if next != "" {
		page.NextCursor = &next
	}
	c.JSON(http.StatusOK, page)
}

func (s *server) exportPartners(c *gin.Context) {
	var fe filterErrors
	f, err := partnerFilter(c, &fe)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="partners-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	c.Status(http.StatusOK)
	if err := s.opts.Directory.ExportCSV(c.Request.Context(), scopeOf(c), f, c.Writer); err != nil {
		// Headers are sent; all that is left is to stop the stream and log.
		loggerFrom(c).Error("partner export interrupted", "error", err)
	}
}

func (s *server) getOnboardingBoard(c *gin.Context) {
	var fe filterErrors
	limit := fe.limit(c.Query)
	if err := fe.err(); err != nil {
		writeProblem(c, err)
		return
	}
	b, err := s.opts.Directory.Board(c.Request.Context(), scopeOf(c), limit)
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := apigen.OnboardingBoard{StuckAfterSeconds: int(b.StuckAfter / time.Second), Stages: make([]apigen.OnboardingBoardStage, 0, len(b.Columns))}
	for _, col := range b.Columns {
		st := apigen.OnboardingBoardStage{Stage: apigen.OnboardingStage(col.Stage), Count: col.Count, Items: make([]apigen.OnboardingBoardItem, 0, len(col.Items))}
		for _, it := range col.Items {
			st.Items = append(st.Items, boardItemDTO(it))
		}
		out.Stages = append(out.Stages, st)
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) getPartner(c *gin.Context) {
	t, err := s.opts.Directory.Tree(c.Request.Context(), scopeOf(c), tenantOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, partnerDetailDTO(t))
}

func (s *server) refreshPartner(c *gin.Context) {
	id, queued, err := s.opts.Directory.RequestRefresh(c.Request.Context(), scopeOf(c), tenantOf(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusAccepted, apigen.PartnerRefreshQueued{KlarnaAccountId: id, Queued: queued})
}

func partnerSummaryDTO(p partner.Summary) apigen.PartnerSummary {
	return apigen.PartnerSummary{TenantId: p.TenantID, TenantSlug: p.TenantSlug, Name: p.Name, Reference: p.Reference, KlarnaAccountId: p.KlarnaAccountID,
		State: p.State, ProductStatus: p.ProductStatus, OnboardingStage: apigen.OnboardingStage(p.Stage), Stuck: p.Stuck,
		EntityCount: p.EntityCount, BrandCount: p.BrandCount, StoreCount: p.StoreCount, PaymentAccountCount: p.PaymentAccountCount,
		Warnings: nonNil(p.Warnings), CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), SyncedAt: utcPtr(p.SyncedAt), SyncError: p.SyncError,
		PartiallyOperationalAt: utcPtr(p.PartiallyOperationalAt), OperationalAt: utcPtr(p.OperationalAt), OffboardedAt: utcPtr(p.OffboardedAt)}
}

func boardItemDTO(it partner.BoardItem) apigen.OnboardingBoardItem {
	out := apigen.OnboardingBoardItem{Kind: apigen.OnboardingBoardItemKind(it.Kind), TenantId: it.TenantID, DraftId: it.DraftID, Name: it.Name, Reference: it.Reference,
		KlarnaAccountId: it.KlarnaAccountID, Stage: apigen.OnboardingStage(it.Stage), State: it.State, ProductStatus: it.ProductStatus, Stuck: it.Stuck,
		Warnings: nonNil(it.Warnings), LastError: it.LastError, CreatedAt: it.CreatedAt.UTC(), UpdatedAt: it.UpdatedAt.UTC(),
		SubmittedAt: utcPtr(it.SubmittedAt), PartiallyOperationalAt: utcPtr(it.PartiallyOperationalAt), OperationalAt: utcPtr(it.OperationalAt)}
	if it.Kind == "draft" {
		st, n := it.DraftStatus, it.Attempts
		out.DraftStatus, out.Attempts = &st, &n
	} else {
		slug := it.TenantSlug
		out.TenantSlug = &slug
	}
	return out
}

func partnerDetailDTO(t partner.Tree) apigen.PartnerDetail {
	out := apigen.PartnerDetail{Summary: partnerSummaryDTO(t.Summary),
		Contact:          apigen.PartnerContact{GivenName: t.Contact.GivenName, FamilyName: t.Contact.FamilyName, Email: t.Contact.Email, Phone: t.Contact.Phone},
		BusinessEntities: []apigen.PartnerBusinessEntityNode{}, Brands: []apigen.PartnerBrandNode{}, UnassignedStoreGroups: []apigen.PartnerStoreGroupNode{}}
	for _, e := range t.BusinessEntities {
		n := apigen.PartnerBusinessEntityNode{Id: e.PartnerBusinessEntityID, Reference: e.PartnerBusinessEntityReference, LegalName: e.LegalRegisteredEntityName,
			Country: e.LegalRegistrationCountry, MerchantCategoryCodes: nonNil(e.EnabledMerchantCategoryCodes)}
		if e.SupplementaryBusinessData != nil {
			var m map[string]any
			if b, err := json.Marshal(e.SupplementaryBusinessData); err == nil && json.Unmarshal(b, &m) == nil {
				n.SupplementaryData = &m
			}
		}
		out.BusinessEntities = append(out.BusinessEntities, n)
	}
	out.PaymentProduct = paymentProductDTO(t.PaymentProduct)
	for _, b := range t.Brands {
		n := apigen.PartnerBrandNode{Id: b.Brand.BrandID, Reference: b.Brand.BrandReference, DisplayName: b.Brand.DisplayName, StoreGroups: []apigen.PartnerStoreGroupNode{}}
		if e := b.Brand.Element; e != nil {
			n.LogoUrl, n.IconUrl, n.FeatureImageUrl = e.LogoURL, e.IconURL, e.FeatureImageURL
		}
		for _, g := range b.StoreGroups {
			n.StoreGroups = append(n.StoreGroups, storeGroupDTO(g))
		}
		out.Brands = append(out.Brands, n)
	}
	for _, g := range t.Unassigned {
		out.UnassignedStoreGroups = append(out.UnassignedStoreGroups, storeGroupDTO(g))
	}
	return out
}

// paymentProductDTO is the product with its payment accounts (nil for none).
func paymentProductDTO(p *klarna.PaymentProduct) *apigen.PartnerPaymentProductNode {
	if p == nil {
		return nil
	}
	n := apigen.PartnerPaymentProductNode{Id: p.PaymentProductID, ProfileId: p.PaymentProfileID, Status: string(p.Status), PaymentAccounts: []apigen.PartnerPaymentAccountNode{}}
	for _, a := range p.PaymentAccounts {
		n.PaymentAccounts = append(n.PaymentAccounts, apigen.PartnerPaymentAccountNode{Id: a.PaymentAccountID, Reference: a.PaymentAccountReference,
			MerchantCategoryCode: a.DefaultMerchantCategoryCode, AcquiringAccountId: a.PaymentAcquiringAccountID,
			BusinessEntityId: a.PartnerBusinessEntityID, BusinessEntityReference: a.PartnerBusinessEntityReference,
			DefaultStoreGroupId: a.DefaultStoreGroupID, DefaultStoreGroupReference: a.DefaultStoreGroupReference, Status: string(a.Status)})
	}
	return &n
}

func storeGroupDTO(g partner.StoreGroupNode) apigen.PartnerStoreGroupNode {
	sg := g.StoreGroup
	n := apigen.PartnerStoreGroupNode{Id: sg.StoreGroupID, Reference: sg.StoreGroupReference, BrandId: sg.BrandID, BrandReference: sg.BrandReference, Stores: []apigen.PartnerStoreNode{}}
	n.SocialMediaLinks = make([]struct {
		Provider string `json:"provider"`
		Url      string `json:"url"`
	}, 0, len(sg.SocialMediaLinks))
	for _, l := range sg.SocialMediaLinks {
		n.SocialMediaLinks = append(n.SocialMediaLinks, struct {
			Provider string `json:"provider"`
			Url      string `json:"url"`
		}{l.Provider, l.URL})
	}
	sc := sg.SupportContact
	if sc == nil {
		sc = &klarna.SupportContact{}
	}
	n.SupportContact.Email, n.SupportContact.Phone, n.SupportContact.ContactForm = sc.Email, sc.Phone, sc.ContactForm
	for _, st := range g.Stores {
		n.Stores = append(n.Stores, apigen.PartnerStoreNode{Id: st.StoreID, Reference: st.StoreReference, Type: st.Type, Url: st.URL})
	}
	return n
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

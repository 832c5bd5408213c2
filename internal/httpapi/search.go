package httpapi

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/search"
)

// search is the global search (issue 13). Any logged-in user may call it;
// each kind is searched in the scope of the action that reads it, so a
// role without settlement:read finds no payouts, and another partner's
// object is never read (its id answers what an unknown id does).
func (s *server) search(c *gin.Context) {
	p := principalOf(c)
	sc := search.Scopes{
		Partners:    s.authz.Scope(p.Authz, "partner:read"),
		Disputes:    s.authz.Scope(p.Authz, "dispute:read"),
		Payments:    s.authz.Scope(p.Authz, "payment:read"),
		Settlements: s.authz.Scope(p.Authz, "settlement:read"),
		Webhooks:    s.authz.Scope(p.Authz, "webhook:read"),
	}
	res, err := s.opts.Search.Search(c.Request.Context(), sc, c.Query("q"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, searchResultDTO(res))
}

func searchResultDTO(r search.Result) apigen.SearchResult {
	out := apigen.SearchResult{Groups: make([]apigen.SearchGroup, 0, len(r.Groups))}
	for _, g := range r.Groups {
		dg := apigen.SearchGroup{Kind: apigen.SearchKind(g.Kind), More: g.More, Items: make([]apigen.SearchHit, 0, len(g.Hits))}
		if p := searchMorePath(g.Kind, r.Q); p != "" && g.More {
			dg.MorePath = &p
		}
		for _, h := range g.Hits {
			dg.Items = append(dg.Items, searchHitDTO(h))
		}
		out.Groups = append(out.Groups, dg)
	}
	if r.Exact != nil {
		h := searchHitDTO(*r.Exact)
		out.Exact = &h
	}
	return out
}

func searchHitDTO(h search.Hit) apigen.SearchHit {
	return apigen.SearchHit{Kind: apigen.SearchKind(h.Kind), Id: h.ID, Label: h.Label, Secondary: h.Secondary, TenantId: h.TenantID,
		TenantName: h.TenantName, Exact: h.Exact, Path: searchPath(h)}
}

// partnerTabs is the tab of a partner's page that shows a resource of each
// kind (ui/src/features/partners/tabs); the overview shows the rest.
var partnerTabs = map[search.Kind]string{
	search.KindBusinessEntity: "account",
	search.KindPaymentProduct: "products",
	search.KindBrand:          "brand",
	search.KindStoreGroup:     "brand",
	search.KindStore:          "brand",
}

// searchPath is the SPA's page of a hit (ui/src/app/routes.tsx).
func searchPath(h search.Hit) string {
	esc := url.PathEscape
	switch h.Kind {
	case search.KindDispute:
		return "/disputes/" + esc(h.Open)
	case search.KindPayment:
		return "/payments/" + esc(h.Open)
	case search.KindPayout:
		return "/settlements/payouts/" + esc(h.Open)
	case search.KindTransaction:
		return "/settlements/transactions?" + url.Values{"q": {h.Open}}.Encode()
	case search.KindWebhookEvent:
		return "/webhooks/" + esc(h.Open)
	}
	p := "/partners/" + esc(h.Open)
	if tab := partnerTabs[h.Kind]; tab != "" {
		p += "?tab=" + tab
	}
	return p
}

// searchMorePath is the SPA's list of every match of a kind, where the list
// searches the same way.
func searchMorePath(k search.Kind, q string) string {
	v := url.Values{"q": {q}}.Encode()
	switch k {
	case search.KindPartner:
		return "/partners?" + v
	case search.KindDispute:
		return "/disputes?view=all&" + v
	case search.KindPayment:
		return "/payments?" + v
	case search.KindTransaction:
		return "/settlements/transactions?" + v
	}
	return ""
}

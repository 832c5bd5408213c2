package search

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// fake answers every source from fixed rows and records which it was asked.
type fake struct {
	asked     []string
	partners  []partner.Summary
	resources []ResourceHit
	disputes  []dispute.Dispute
	payout    *settlement.PayoutDetail
	lines     []settlement.Line
	events    []webhook.Event
}

func (f *fake) ListPartners(_ context.Context, _ scope.Scope, _ partner.Filter, _ string, limit int) ([]partner.Summary, string, error) {
	f.asked = append(f.asked, "partners")
	return cut(f.partners, limit)
}

func (f *fake) Resources(_ context.Context, _ scope.Scope, _ string, limit int) ([]ResourceHit, error) {
	f.asked = append(f.asked, "resources")
	return f.resources[:min(limit, len(f.resources))], nil
}

func (f *fake) WebhookEvents(_ context.Context, _ scope.Scope, _ string, _ int) ([]webhook.Event, error) {
	f.asked = append(f.asked, "events")
	return f.events, nil
}

func (f *fake) List(_ context.Context, _ scope.Scope, _ dispute.Filter, _ string, limit int) ([]dispute.Dispute, string, error) {
	f.asked = append(f.asked, "disputes")
	return cut(f.disputes, limit)
}

func (f *fake) GetPayout(_ context.Context, _ scope.Scope, _ string) (settlement.PayoutDetail, error) {
	f.asked = append(f.asked, "payout")
	if f.payout == nil {
		return settlement.PayoutDetail{}, apperr.E(apperr.NotFound, "No such payout.")
	}
	return *f.payout, nil
}

func (f *fake) SearchLines(_ context.Context, _ scope.Scope, _, _ string, limit int) ([]settlement.Line, string, error) {
	f.asked = append(f.asked, "lines")
	return cut(f.lines, limit)
}

func cut[T any](rows []T, limit int) ([]T, string, error) {
	if len(rows) > limit {
		return rows[:limit], "more", nil
	}
	return rows, "", nil
}

func service(f *fake) *Service {
	return New(Options{Store: f, Partners: f, Disputes: f, Settlements: f})
}

func all() Scopes {
	return Scopes{Partners: scope.All(), Disputes: scope.All(), Settlements: scope.All(), Webhooks: scope.All()}
}

func TestSearch(t *testing.T) {
	tenant := uuid.New()
	t.Run("OK_OneExactMatchIsTheExactOne", func(t *testing.T) {
		f := &fake{disputes: []dispute.Dispute{{ID: "krn:d:1", TenantID: tenant, PartnerName: "Aurora", State: "INITIATED", Amount: 1250, Currency: "EUR", OpenedAt: time.Now()}}}
		res, err := service(f).Search(t.Context(), all(), " krn:d:1 ")
		if err != nil {
			t.Fatal(err)
		}
		if res.Q != "krn:d:1" || len(res.Groups) != 1 || res.Exact == nil || res.Exact.Open != "krn:d:1" || res.Exact.Secondary == "" {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("OK_TwoExactMatchesAreNone", func(t *testing.T) {
		f := &fake{disputes: []dispute.Dispute{{ID: "d", OrderID: "o", TenantID: tenant}}, lines: []settlement.Line{{ID: 1, TenantID: tenant, LineFields: settlement.LineFields{OrderID: "o"}}}}
		res, err := service(f).Search(t.Context(), all(), "o")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Groups) != 2 || res.Groups[0].Kind != KindDispute || res.Groups[1].Kind != KindTransaction || res.Exact != nil {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("OK_ANameIsNoExactMatch", func(t *testing.T) {
		f := &fake{partners: []partner.Summary{{TenantID: tenant, TenantSlug: "aurora", Name: "Aurora Outfitters"}}}
		res, _ := service(f).Search(t.Context(), all(), "outf")
		if len(res.Groups) != 1 || res.Groups[0].Hits[0].Exact || res.Exact != nil {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("OK_APartnerFoundByAResourceIsTheResource", func(t *testing.T) {
		f := &fake{partners: []partner.Summary{{TenantID: tenant, TenantSlug: "aurora", Name: "Aurora Outfitters"}},
			resources: []ResourceHit{{Kind: partner.KindStore, KlarnaID: "krn:store:1", TenantID: tenant, TenantName: "Aurora Outfitters"}}}
		res, _ := service(f).Search(t.Context(), all(), "krn:store:1")
		if len(res.Groups) != 1 || res.Groups[0].Kind != KindStore || res.Exact == nil {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("OK_EachKindCutToPerKind", func(t *testing.T) {
		f := &fake{}
		for i := range PerKind + 3 {
			f.lines = append(f.lines, settlement.Line{ID: int64(i), TenantID: tenant})
		}
		res, _ := service(f).Search(t.Context(), all(), "o")
		if len(res.Groups) != 1 || len(res.Groups[0].Hits) != PerKind || !res.Groups[0].More {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("OK_AnEmptyScopeIsNotSearched", func(t *testing.T) {
		f := &fake{}
		if _, err := service(f).Search(t.Context(), Scopes{Disputes: scope.Tenants(tenant)}, "x"); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(f.asked, []string{"disputes"}) {
			t.Fatalf("asked %v, want only the disputes", f.asked)
		}
	})
	for _, q := range []string{"", "  ", string(make([]byte, MaxQuery+1))} {
		t.Run(fmt.Sprintf("ErrInvalid_%d", len(q)), func(t *testing.T) {
			f := &fake{}
			_, err := service(f).Search(t.Context(), all(), q)
			var e *apperr.Error
			if !apperr.Is(err, apperr.Invalid) || !asErr(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "q" || len(f.asked) != 0 {
				t.Fatalf("%v (asked %v)", err, f.asked)
			}
		})
	}
}

func asErr(err error, target **apperr.Error) bool {
	e, ok := err.(*apperr.Error)
	*target = e
	return ok
}

func TestNameMatches(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want bool
	}{{"au", true}, {"ou", false}, {"outf", true}, {"krn:aurora", false}, {"a@aurora", false}} {
		if got := nameMatches("Aurora Outfitters", tc.q); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.q, got, tc.want)
		}
	}
}

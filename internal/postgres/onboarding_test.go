package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// A draft for a new partner belongs to no tenant: only the scope of every
// tenant sees it. A partner's incremental draft is seen in its scope only;
// another partner gets 404 on it and an empty list.
func TestOnboardingDrafts_ScopedInSQL(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	a, b := twoPartners(t, db)
	st := db.Onboarding()
	now := time.Now()
	newDraft := partner.Draft{ID: uuid.New(), Kind: "new", Status: partner.DraftEditing, IdempotencyKey: uuid.New(), Version: 1, CreatedAt: now, UpdatedAt: now,
		Payload: partner.Onboarding{PartnerAccountReference: "NEW-1"}}
	incr := partner.Draft{ID: uuid.New(), Kind: "incremental", TenantID: &a.ID, Status: partner.DraftEditing, IdempotencyKey: uuid.New(), Version: 1,
		CreatedAt: now.Add(time.Second), UpdatedAt: now.Add(time.Second), Payload: partner.Onboarding{PartnerAccountReference: "a-co"},
		Existing: &partner.Existing{PaymentAccounts: map[string]bool{"krn:acq\x1fPA-1": true}}}
	for _, d := range []*partner.Draft{&newDraft, &incr} {
		if err := st.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		sc   scope.Scope
		want []uuid.UUID
	}{
		{"OK_AllSeesBoth", scope.All(), []uuid.UUID{incr.ID, newDraft.ID}},
		{"OK_PartnerSeesItsOwn", scope.Tenants(a.ID), []uuid.UUID{incr.ID}},
		{"OK_OtherPartnerSeesNothing", scope.Tenants(b.ID), nil},
		{"OK_NoneSeesNothing", scope.None(), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, _, err := st.ListDrafts(ctx, tc.sc, partner.DraftFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != len(tc.want) {
				t.Fatalf("got %d drafts, want %d", len(ds), len(tc.want))
			}
			for i, d := range ds {
				if d.ID != tc.want[i] {
					t.Fatalf("draft %d is %s, want %s", i, d.ID, tc.want[i])
				}
			}
		})
	}
	if _, err := st.Draft(ctx, scope.Tenants(b.ID), incr.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("another partner reads the draft: %v", err)
	}
	if _, err := st.Draft(ctx, scope.Tenants(a.ID), newDraft.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("a partner reads a new partner's draft: %v", err)
	}
	got, err := st.Draft(ctx, scope.Tenants(a.ID), incr.ID)
	if err != nil || !got.Existing.HasPaymentAccount("krn:acq", "PA-1") {
		t.Fatalf("existing resources did not round-trip: %+v %v", got.Existing, err)
	}
	// Keyset paging: one per page, in order, then the end.
	p1, next, err := st.ListDrafts(ctx, scope.All(), partner.DraftFilter{Limit: 1})
	if err != nil || len(p1) != 1 || next == "" {
		t.Fatalf("page 1: %v %q %v", p1, next, err)
	}
	p2, next2, err := st.ListDrafts(ctx, scope.All(), partner.DraftFilter{Limit: 1, Cursor: next})
	if err != nil || len(p2) != 1 || p2[0].ID != newDraft.ID || next2 != "" {
		t.Fatalf("page 2: %v %q %v", p2, next2, err)
	}
}

package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/audit"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// seedEvent stores a verified event and assigns it to tenant (nil: none).
func seedEvent(t *testing.T, db *postgres.DB, id string, tenant *uuid.UUID) int64 {
	t.Helper()
	var pk int64
	err := db.InTx(context.Background(), func(ctx context.Context) error {
		var err error
		pk, _, err = db.Webhooks().Ingest(ctx, webhook.Event{EventID: id, EventType: "partner.account.test", ReceivedAt: time.Now(), Raw: []byte(`{}`), Status: webhook.StatusReceived}, []byte(`{}`))
		if err != nil {
			return err
		}
		return db.Webhooks().SetOutcome(ctx, webhook.Event{PK: pk, Status: webhook.StatusProcessed, TenantID: tenant})
	})
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

// Every webhook read filters on the scope in SQL: a bounded scope sees its
// tenants' events only (never the events of no tenant, never quarantine),
// the empty scope sees nothing, and a detail outside the scope is NotFound.
func TestWebhookReadsAreScoped(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	a, b := twoPartners(t, db)
	pkA := seedEvent(t, db, "evt-a", &a.ID)
	pkB := seedEvent(t, db, "evt-b", &b.ID)
	seedEvent(t, db, "evt-none", nil)
	if err := db.Webhooks().Quarantine(ctx, webhook.Quarantined{ReceivedAt: time.Now(), Reason: webhook.RejectBadSignature, Body: []byte("{}"), BodySize: 2}, 50); err != nil {
		t.Fatal(err)
	}
	ids := func(sc scope.Scope) string {
		evs, _, err := db.Webhooks().List(ctx, sc, webhook.Filter{}, webhook.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, e := range evs {
			out += e.EventID + "(" + e.TenantName + ") "
		}
		return out
	}
	for name, tc := range map[string]struct {
		sc   scope.Scope
		want string
	}{
		"OK_All":          {scope.All(), "evt-none() evt-b(B Co) evt-a(A Co) "},
		"OK_OneTenant":    {scope.Tenants(a.ID), "evt-a(A Co) "},
		"OK_EmptyIsNone":  {scope.None(), ""},
		"OK_NarrowedAway": {scope.Tenants(a.ID).Narrow(b.ID), ""},
	} {
		t.Run(name, func(t *testing.T) {
			if got := ids(tc.sc); got != tc.want {
				t.Fatalf("List(%s) = %q, want %q", tc.sc, got, tc.want)
			}
		})
	}
	t.Run("ErrNotFound_DetailOutsideScope", func(t *testing.T) {
		if _, _, err := db.Webhooks().Get(ctx, scope.Tenants(a.ID), pkB); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("Get of B's event in A's scope: %v, want NotFound", err)
		}
		if ev, _, err := db.Webhooks().Get(ctx, scope.Tenants(a.ID), pkA); err != nil || ev.TenantName != "A Co" {
			t.Fatalf("Get of A's event: %+v %v", ev, err)
		}
	})
	t.Run("OK_MatchingAndLockAreScoped", func(t *testing.T) {
		err := db.InTx(ctx, func(ctx context.Context) error {
			pks, err := db.Webhooks().Matching(ctx, scope.Tenants(a.ID), webhook.Filter{}, 100)
			if err != nil {
				return err
			}
			if len(pks) != 1 || pks[0] != pkA {
				return fmt.Errorf("matching in A's scope: %v", pks)
			}
			if _, err := db.Webhooks().Lock(ctx, scope.Tenants(a.ID), pkB); !apperr.Is(err, apperr.NotFound) {
				return fmt.Errorf("lock of B's event in A's scope: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OK_CountsAndQuarantine", func(t *testing.T) {
		c, err := db.Webhooks().Counts(ctx, scope.Tenants(a.ID))
		if err != nil || c.ByStatus[webhook.StatusProcessed] != 1 || c.Quarantined != 0 {
			t.Fatalf("counts in A's scope: %+v %v", c, err)
		}
		if c, _ := db.Webhooks().Counts(ctx, scope.All()); c.ByStatus[webhook.StatusProcessed] != 3 || c.Quarantined != 1 {
			t.Fatalf("counts for all: %+v", c)
		}
		if q, _, _ := db.Webhooks().ListQuarantine(ctx, scope.Tenants(a.ID, b.ID), webhook.Page{Limit: 10}); len(q) != 0 {
			t.Fatalf("a partner scope sees %d quarantined deliveries", len(q))
		}
		if q, _, _ := db.Webhooks().ListQuarantine(ctx, scope.All(), webhook.Page{Limit: 10}); len(q) != 1 {
			t.Fatalf("All sees %d quarantined deliveries", len(q))
		}
	})
}

func TestPartnerAndDisputeReadsAreScoped(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	a, b := twoPartners(t, db)
	const acct = "krn:partner:global:account:test:SCOPE1"
	if _, err := db.Partners().LinkAccount(ctx, acct, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Disputes().Apply(ctx, dispute.Report{Dispute: dispute.Dispute{ID: "d-1", TenantID: a.ID, KlarnaAccountID: acct, State: "INITIATED", StateAt: time.Now(), OpenedAt: time.Now(), KlarnaUpdatedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Partners().Account(ctx, scope.Tenants(a.ID), acct); err != nil {
		t.Fatalf("own account: %v", err)
	}
	for _, sc := range []scope.Scope{scope.Tenants(b.ID), scope.None()} {
		if _, err := db.Partners().Account(ctx, sc, acct); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("account in %s: %v, want NotFound", sc, err)
		}
		if _, err := db.Disputes().Get(ctx, sc, "d-1"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("dispute in %s: %v, want NotFound", sc, err)
		}
	}
	if st, err := db.Disputes().Get(ctx, scope.All(), "d-1"); err != nil || st.TenantID != a.ID {
		t.Fatalf("dispute for All: %+v %v", st, err)
	}
}

// Audit reads filter on the scope in SQL, rows of no tenant only for All,
// and the page carries each row's tenant name from a join.
func TestAuditReadsAreScoped(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	a, b := twoPartners(t, db)
	svc := audit.NewService(db.Audit(), audit.Options{})
	err := db.InTx(ctx, func(ctx context.Context) error {
		for _, e := range []audit.Entry{{TenantID: &a.ID, Action: "x:a", TargetID: "row-a"}, {TenantID: &b.ID, Action: "x:b", TargetID: "row-b"}, {Action: "auth:login", TargetID: "row-none"}} {
			if err := svc.Record(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := func(sc scope.Scope) string {
		evs, _, err := svc.List(ctx, sc, audit.Filter{}, audit.Page{})
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, e := range evs {
			out += e.TargetID + "(" + e.TenantName + ") "
		}
		var streamed int
		if err := db.Audit().Stream(ctx, sc, audit.Filter{}, func(audit.Event) error { streamed++; return nil }); err != nil || streamed != len(evs) {
			t.Fatalf("Stream(%s) gave %d rows, List %d (%v)", sc, streamed, len(evs), err)
		}
		return out
	}
	cases := []struct {
		sc   scope.Scope
		want string
	}{
		{scope.All(), "row-none() row-b(B Co) row-a(A Co) "},
		{scope.Tenants(a.ID), "row-a(A Co) "},
		{scope.Tenants(a.ID, b.ID), "row-b(B Co) row-a(A Co) "},
		{scope.None(), ""},
	}
	for _, tc := range cases {
		if got := rows(tc.sc); got != tc.want {
			t.Errorf("List(%s) = %q, want %q", tc.sc, got, tc.want)
		}
	}
}

// The recent logins list names users of the scope's tenants only: everyone
// for All, a partner's members for that partner, nobody for the empty scope.
func TestRecentLoginsAreScoped(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	a, b := twoPartners(t, db)
	for _, m := range []struct {
		email  string
		tenant uuid.UUID
	}{{"ann@a.example", a.ID}, {"bob@b.example", b.ID}} {
		u, err := db.Identity().UpsertUser(ctx, identity.User{ID: uuid.New(), Issuer: "https://idp.example", Subject: m.email, Email: m.email})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Identity().AddMembership(ctx, identity.Membership{UserID: u.ID, TenantID: m.tenant, Role: "merchant-admin", Source: identity.SourceManual}); err != nil {
			t.Fatal(err)
		}
	}
	emails := func(sc scope.Scope) string {
		us, err := db.Identity().RecentLogins(ctx, sc, 10)
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, u := range us {
			out += u.Email + " "
		}
		return out
	}
	if got := emails(scope.All()); got != "bob@b.example ann@a.example " {
		t.Errorf("all tenants: %q", got)
	}
	if got := emails(scope.Tenants(a.ID)); got != "ann@a.example " {
		t.Errorf("tenant A: %q, want only A's member", got)
	}
	if got := emails(scope.None()); got != "" {
		t.Errorf("empty scope: %q, want nobody", got)
	}
}

// twoPartners creates partner tenants "A Co" (a-co) and "B Co" (b-co), the
// own and the other tenant of the scope tests.
func twoPartners(t *testing.T, db *postgres.DB) (a, b identity.Tenant) {
	t.Helper()
	a = identity.Tenant{ID: uuid.New(), Kind: identity.KindPartner, Slug: "a-co", Name: "A Co"}
	b = identity.Tenant{ID: uuid.New(), Kind: identity.KindPartner, Slug: "b-co", Name: "B Co"}
	for _, tn := range []identity.Tenant{a, b} {
		if err := db.Identity().CreateTenant(context.Background(), tn); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

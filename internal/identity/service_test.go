package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type anyRole struct{}

func (anyRole) RoleExists(string) bool { return true }

func noAudit(context.Context, actor.Change) error { return nil }

func setup(t *testing.T, groups []identity.GroupRole) (*identity.Service, identity.Store, identity.Tenant) {
	t.Helper()
	store := pgtest.New(t).Identity()
	acq := identity.Tenant{ID: uuid.New(), Kind: identity.KindAcquirer, Slug: "acquirer", Name: "Acquirer"}
	if err := store.CreateTenant(context.Background(), acq); err != nil {
		t.Fatal(err)
	}
	return identity.NewService(store, anyRole{}, noAudit, groups), store, acq
}

func rolesOf(t *testing.T, store identity.Store, u identity.User) []identity.Membership {
	t.Helper()
	ms, err := store.Memberships(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// An invitation (and so PARTNERDESK_BOOTSTRAP_ADMINS, which are invitations)
// is only accepted by an address the IdP says is verified; the unverified
// user still logs in, with no roles.
func TestInvitationNeedsVerifiedEmail(t *testing.T) {
	t.Parallel()
	svc, store, acq := setup(t, nil)
	ctx := context.Background()
	if _, err := svc.Invite(ctx, acq.ID, "boss@acquirer.example", []string{"acquirer-admin"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	mallory, err := svc.Login(ctx, identity.Claims{Issuer: "https://idp", Subject: "mallory", Email: "boss@acquirer.example", EmailVerified: false})
	if err != nil {
		t.Fatalf("an unverified user cannot log in: %v", err)
	}
	if ms := rolesOf(t, store, mallory); len(ms) != 0 {
		t.Fatalf("an unverified address accepted the invitation: %+v", ms)
	}
	boss, err := svc.Login(ctx, identity.Claims{Issuer: "https://idp", Subject: "boss", Email: "boss@acquirer.example", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	if ms := rolesOf(t, store, boss); len(ms) != 1 || ms[0].Role != "acquirer-admin" {
		t.Fatalf("the verified address did not accept: %+v", ms)
	}
}

// When the IdP drops the last enabled acquirer admin from the admin group,
// the role is kept, so the acquirer is never locked out.
func TestGroupSyncKeepsLastAcquirerAdmin(t *testing.T) {
	t.Parallel()
	svc, store, _ := setup(t, []identity.GroupRole{{Group: "admins", TenantSlug: "acquirer", Role: identity.AcquirerAdminRole}})
	ctx := context.Background()
	c := identity.Claims{Issuer: "https://idp", Subject: "ada", Email: "ada@acquirer.example", EmailVerified: true, Groups: []string{"admins"}}
	ada, err := svc.Login(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	bo, err := svc.Login(ctx, identity.Claims{Issuer: "https://idp", Subject: "bo", Groups: []string{"admins"}})
	if err != nil {
		t.Fatal(err)
	}
	c.Groups = nil
	if _, err := svc.Login(ctx, c); err != nil {
		t.Fatal(err)
	}
	if ms := rolesOf(t, store, ada); len(ms) != 0 {
		t.Fatalf("with another admin left the role should go: %+v", ms)
	}
	if _, err := svc.Login(ctx, identity.Claims{Issuer: "https://idp", Subject: "bo"}); err != nil {
		t.Fatal(err)
	}
	if ms := rolesOf(t, store, bo); len(ms) != 1 {
		t.Fatalf("the last admin lost the role through group sync: %+v", ms)
	}
}

// An unknown user and another tenant's user get the same answer.
func TestGrantNeedsMember(t *testing.T) {
	t.Parallel()
	svc, _, acq := setup(t, nil)
	ctx := context.Background()
	p, err := svc.EnsurePartnerTenant(ctx, "aurora", "Aurora")
	if err != nil {
		t.Fatal(err)
	}
	outsider, err := svc.Login(ctx, identity.Claims{Issuer: "https://idp", Subject: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []uuid.UUID{outsider.ID, uuid.New()} {
		for _, tn := range []uuid.UUID{p.ID, acq.ID} {
			role := "merchant-finance"
			if tn == acq.ID {
				role = identity.AcquirerAdminRole
			}
			err := svc.Grant(ctx, tn, id, role)
			if apperr.CodeOf(err) != apperr.NotFound || apperr.As(err).Message != "No such user in this tenant." {
				t.Errorf("grant to a non-member: %v", err)
			}
		}
	}
}

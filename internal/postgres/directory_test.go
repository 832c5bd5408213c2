package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// dirPartner is a partner seeded for the directory tests: its tenant, and
// (unless state is "-") a linked account read from "Klarna" with one
// resource of each kind, every id and reference derived from key.
type dirPartner struct {
	key, name, state, product string
	tenant                    identity.Tenant
	account                   string
}

func (p dirPartner) id(kind string) string { return "krn:test:" + kind + ":" + p.key }

func seedDirectory(t *testing.T, db *postgres.DB, ps ...*dirPartner) {
	t.Helper()
	ctx := context.Background()
	for i, p := range ps {
		p.tenant = identity.Tenant{ID: uuid.New(), Kind: identity.KindPartner, Slug: "dir-" + p.key, Name: p.name}
		if err := db.Identity().CreateTenant(ctx, p.tenant); err != nil {
			t.Fatal(err)
		}
		if p.state == "-" {
			continue
		}
		p.account = "krn:partner:global:account:test:" + p.key
		if _, err := db.Partners().LinkAccount(ctx, p.account, p.tenant.ID); err != nil {
			t.Fatal(err)
		}
		res := func(kind, id, ref, parent string, v any) partner.Resource {
			b, _ := json.Marshal(v)
			return partner.Resource{Kind: kind, KlarnaID: id, Reference: ref, ParentID: parent, Data: b}
		}
		snap := partner.Snapshot{
			Account: klarna.PartnerAccount{PartnerAccountID: p.account, PartnerAccountReference: "REF-" + p.key, PartnerAccountName: p.name,
				PartnerAccountContact: &klarna.Contact{GivenName: "Ada", Email: "Owner." + p.key + "@Example.com"}, State: klarna.PartnerAccountState(p.state)},
			ProductStatus: p.product,
			Resources: []partner.Resource{
				res(partner.KindBusinessEntity, p.id("entity"), "LE-"+p.key, "", klarna.BusinessEntity{PartnerBusinessEntityID: p.id("entity"), PartnerBusinessEntityReference: "LE-" + p.key}),
				res(partner.KindPaymentProduct, p.id("product"), "", "", klarna.PaymentProduct{PaymentProductID: p.id("product")}),
				res(partner.KindPaymentAccount, p.id("payment-account"), "PA-"+p.key, p.id("product"), klarna.PaymentAccount{PaymentAccountID: p.id("payment-account")}),
				res(partner.KindBrand, p.id("brand"), "BR-"+p.key, "", klarna.Brand{BrandID: p.id("brand")}),
				res(partner.KindStoreGroup, p.id("store-group"), "SG-"+p.key, p.id("brand"), klarna.StoreGroup{StoreGroupID: p.id("store-group")}),
				res(partner.KindStore, p.id("store"), "ST-"+p.key, p.id("store-group"), klarna.Store{StoreID: p.id("store")}),
			},
		}
		// Distinct, ordered times: created and read one minute apart.
		at := time.Date(2026, 11, 1, 10, i, 0, 0, time.UTC)
		if err := db.Directory().SaveSnapshot(ctx, p.account, snap, at); err != nil {
			t.Fatal(err)
		}
	}
}

func slugs(ps []partner.Summary) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.TenantSlug)
	}
	return out
}

func TestDirectorySearchFindsAPartnerByEachKindOfKlarnaIDAndReference(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	ada := &dirPartner{key: "ada01", name: "Ada Lovelace Books", state: "OPERATIONAL", product: "ENABLED"}
	bob := &dirPartner{key: "bob02", name: "Bobcat Outdoor", state: "OPERATIONAL", product: "ENABLED"}
	seedDirectory(t, db, ada, bob)
	for _, tc := range []struct{ name, q string }{
		{"AccountID", ada.account},
		{"BusinessEntityID", ada.id("entity")},
		{"PaymentProductID", ada.id("product")},
		{"PaymentAccountID", ada.id("payment-account")},
		{"BrandID", ada.id("brand")},
		{"StoreGroupID", ada.id("store-group")},
		{"StoreID", ada.id("store")},
		{"OurReference", "REF-ada01"},
		{"ResourceReference", "ST-ada01"},
		{"ContactEmailAnyCase", "owner.ADA01@example.com"},
		{"NamePrefixAnyCase", "ada lo"},
		{"NameContained", "Lovelace"},
		{"Slug", "dir-ada01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := db.Directory().ListPartners(ctx, scope.All(), partner.Filter{Q: tc.q}, "", 50)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(slugs(got), []string{"dir-ada01"}) {
				t.Fatalf("q=%q found %v, want only dir-ada01", tc.q, slugs(got))
			}
		})
	}
	// A piece of an id is not an id: ids match exactly.
	got, _, err := db.Directory().ListPartners(ctx, scope.All(), partner.Filter{Q: "krn:test:store"}, "", 50)
	if err != nil || len(got) != 0 {
		t.Fatalf("a partial id found %v (%v), want nothing", slugs(got), err)
	}
	// LIKE wildcards in the text are text.
	got, _, err = db.Directory().ListPartners(ctx, scope.All(), partner.Filter{Q: "%"}, "", 50)
	if err != nil || len(got) != 0 {
		t.Fatalf("q=%% found %v (%v), want nothing", slugs(got), err)
	}
}

func TestDirectoryFiltersByStateProductAndOnboardingStage(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	op := &dirPartner{key: "op", name: "Operational Co", state: "OPERATIONAL", product: "ENABLED"}
	po := &dirPartner{key: "po", name: "Partial Co", state: "PARTIALLY_OPERATIONAL", product: "ENABLED"}
	dis := &dirPartner{key: "dis", name: "Disabled Co", state: "DISABLED", product: "DISABLED"}
	none := &dirPartner{key: "none", name: "Unlinked Co", state: "-"}
	seedDirectory(t, db, op, po, dis, none)
	// po became partially operational when linked, just now: stuck only
	// for a threshold in the past of that.
	for _, tc := range []struct {
		name string
		f    partner.Filter
		want []string
	}{
		{"StateOperational", partner.Filter{State: "OPERATIONAL"}, []string{"dir-op"}},
		{"StateUnknownIsUnlinked", partner.Filter{State: "UNKNOWN"}, []string{"dir-none"}},
		{"ProductDisabled", partner.Filter{ProductStatus: "DISABLED"}, []string{"dir-dis"}},
		{"ProductNone", partner.Filter{ProductStatus: "NONE"}, []string{"dir-none"}},
		{"StagePartial", partner.Filter{Stage: partner.StagePartiallyOperational}, []string{"dir-po"}},
		{"StageDraftIsUnlinked", partner.Filter{Stage: partner.StageDraft}, []string{"dir-none"}},
		{"StageDisabled", partner.Filter{Stage: partner.StageDisabled}, []string{"dir-dis"}},
		{"StageStuckWhenPartialLongerThanThreshold", partner.Filter{Stage: partner.StageStuck, StuckBefore: time.Now().Add(time.Minute)}, []string{"dir-po"}},
		{"StageStuckNotYet", partner.Filter{Stage: partner.StageStuck, StuckBefore: time.Now().Add(-time.Hour)}, []string{}},
		{"StageFailedHasNoPartners", partner.Filter{Stage: partner.StageFailed}, []string{}},
		{"FiltersCombine", partner.Filter{State: "OPERATIONAL", ProductStatus: "DISABLED"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := db.Directory().ListPartners(ctx, scope.All(), tc.f, "", 50)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(slugs(got), tc.want) {
				t.Fatalf("%+v found %v, want %v", tc.f, slugs(got), tc.want)
			}
		})
	}
	got, _, err := db.Directory().ListPartners(ctx, scope.All(), partner.Filter{Q: "Partial", StuckBefore: time.Now().Add(time.Minute)}, "", 50)
	if err != nil || len(got) != 1 || !got[0].Stuck || got[0].Stage != partner.StagePartiallyOperational {
		t.Fatalf("the stuck partner's row: %+v %v", got, err)
	}
	if c := got[0]; c.EntityCount != 1 || c.BrandCount != 1 || c.StoreCount != 1 || c.PaymentAccountCount != 1 || c.Reference != "REF-po" || c.SyncedAt == nil {
		t.Fatalf("the row's counts and reference: %+v", c)
	}
}

func TestDirectorySortsAndPagesWithoutGapsOrRepeats(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	var ps []*dirPartner
	states := []string{"OPERATIONAL", "PARTIALLY_OPERATIONAL", "DISABLED"}
	for i := range 7 {
		// Two partners share each name: the tie-breaker must page them.
		ps = append(ps, &dirPartner{key: fmt.Sprintf("p%d", i), name: fmt.Sprintf("Shop %d", i/2), state: states[i%3], product: "ENABLED"})
	}
	seedDirectory(t, db, ps...)
	for _, sort := range []string{"name", "created_at", "updated_at", "state"} {
		for _, desc := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s_desc=%v", sort, desc), func(t *testing.T) {
				f := partner.Filter{Sort: sort, Desc: desc}
				all, next, err := db.Directory().ListPartners(ctx, scope.All(), f, "", 100)
				if err != nil || next != "" || len(all) != 7 {
					t.Fatalf("one page: %d rows, next %q, %v", len(all), next, err)
				}
				var paged []partner.Summary
				cursor := ""
				for range 10 {
					page, n, err := db.Directory().ListPartners(ctx, scope.All(), f, cursor, 2)
					if err != nil {
						t.Fatal(err)
					}
					paged = append(paged, page...)
					if n == "" {
						break
					}
					cursor = n
				}
				if !slices.Equal(slugs(paged), slugs(all)) {
					t.Fatalf("pages of 2 give %v, one page %v", slugs(paged), slugs(all))
				}
				for i := 1; i < len(all); i++ {
					a, b := all[i-1], all[i]
					var c int
					switch sort {
					case "name":
						c = strings.Compare(a.Name, b.Name)
					case "created_at":
						c = a.CreatedAt.Compare(b.CreatedAt)
					case "updated_at":
						c = a.UpdatedAt.Compare(b.UpdatedAt)
					case "state":
						c = strings.Compare(a.State, b.State)
					}
					if (!desc && c > 0) || (desc && c < 0) {
						t.Fatalf("rows %d and %d out of order for %s desc=%v: %+v / %+v", i-1, i, sort, desc, a, b)
					}
				}
			})
		}
	}
	// A cursor of one sort is refused by another.
	_, next, err := db.Directory().ListPartners(ctx, scope.All(), partner.Filter{Sort: "name"}, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Directory().ListPartners(ctx, scope.All(), partner.Filter{Sort: "state"}, next, 2); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("a name cursor with sort=state: %v, want invalid", err)
	}
}

// A merchant's scope reaches its own partner only: not in the list, not by
// search of the other's ids, not in the export stream, and a direct read of
// the other is NotFound.
func TestDirectoryKeepsEachMerchantToItsOwnPartner(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	own := &dirPartner{key: "own", name: "Own Shop", state: "OPERATIONAL", product: "ENABLED"}
	other := &dirPartner{key: "other", name: "Other Shop", state: "OPERATIONAL", product: "ENABLED"}
	seedDirectory(t, db, own, other)
	sc := scope.Tenants(own.tenant.ID)
	for _, q := range []string{"", "Shop", other.account, other.id("store"), "REF-other", "owner.other@example.com"} {
		got, _, err := db.Directory().ListPartners(ctx, sc, partner.Filter{Q: q}, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got {
			if p.TenantID != own.tenant.ID {
				t.Fatalf("q=%q in the own scope found %s", q, p.TenantSlug)
			}
		}
	}
	var streamed []string
	if err := db.Directory().StreamPartners(ctx, sc, partner.Filter{}, func(s partner.Summary) error {
		streamed = append(streamed, s.TenantSlug)
		return nil
	}); err != nil || !slices.Equal(streamed, []string{"dir-own"}) {
		t.Fatalf("stream in the own scope: %v %v", streamed, err)
	}
	if _, err := db.Directory().Partner(ctx, sc, other.tenant.ID, time.Now()); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("reading the other partner: %v, want not found", err)
	}
	if p, err := db.Directory().Partner(ctx, sc, own.tenant.ID, time.Now()); err != nil || p.KlarnaAccountID != own.account {
		t.Fatalf("reading the own partner: %+v %v", p, err)
	}
	got, _, err := db.Directory().ListPartners(ctx, scope.None(), partner.Filter{}, "", 50)
	if err != nil || len(got) != 0 {
		t.Fatalf("the empty scope lists %v (%v)", slugs(got), err)
	}
	counts, err := db.Directory().StageCounts(ctx, sc, time.Now(), false)
	if err != nil || counts[partner.StageOperational] != 1 || counts[partner.StageDraft]+counts[partner.StageStuck]+counts[partner.StagePartiallyOperational] != 0 {
		t.Fatalf("stage counts in the own scope: %v %v", counts, err)
	}
}

// The export writes every row the filter selects, in CSV, through the
// domain's writer.
func TestDirectoryExportStreamsTheFilteredSet(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ps := []*dirPartner{}
	for i := range 5 {
		st := "OPERATIONAL"
		if i%2 == 1 {
			st = "DISABLED"
		}
		ps = append(ps, &dirPartner{key: fmt.Sprintf("x%d", i), name: fmt.Sprintf("=Export %d", i), state: st, product: "ENABLED"})
	}
	seedDirectory(t, db, ps...)
	d := partner.NewDirectory(partner.DirectoryOptions{Store: db.Directory(), StuckAfter: time.Minute})
	var buf bytes.Buffer
	if err := d.ExportCSV(context.Background(), scope.All(), partner.Filter{State: "OPERATIONAL"}, &buf); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 4 || !bytes.HasPrefix(lines[0], []byte("tenant_id,tenant_slug,name")) {
		t.Fatalf("export:\n%s", buf.String())
	}
	if !bytes.Contains(lines[1], []byte(",'=Export 0,")) {
		t.Fatalf("a name starting with = must not be a formula: %s", lines[1])
	}
}

// Accounts are due for a read when partially operational beyond the
// resync delay (their webhook is overdue) or not read for the interval.
func TestDirectoryDueForSync(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	op := &dirPartner{key: "dop", name: "Op", state: "OPERATIONAL", product: "ENABLED"}
	po := &dirPartner{key: "dpo", name: "Po", state: "PARTIALLY_OPERATIONAL", product: "ENABLED"}
	seedDirectory(t, db, op, po)
	// Both were read on 2026-11-01 (seedDirectory's times).
	ids, err := db.Directory().DueForSync(ctx, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), 10)
	if err != nil || len(ids) != 0 {
		t.Fatalf("nothing is due before the reads: %v %v", ids, err)
	}
	ids, err = db.Directory().DueForSync(ctx, time.Now().Add(time.Minute), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), 10)
	if err != nil || !slices.Equal(ids, []string{po.account}) {
		t.Fatalf("the partially operational account is due: %v %v", ids, err)
	}
	ids, err = db.Directory().DueForSync(ctx, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Now(), 10)
	if err != nil || len(ids) != 2 {
		t.Fatalf("every account not read since now is due: %v %v", ids, err)
	}
}

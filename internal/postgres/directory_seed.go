package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

var (
	benchWords1 = strings.Fields("Nordic Aurora Borealis Cascade Dalarna Elm Fjord Granite Harbor Iris Juniper Kestrel Lumen Meadow North Oak Pine Quartz River Stone Tundra Umber Valley Willow Yarrow Zephyr Amber Birch Cedar Delta Ember Frost Glacier Heath Isle Jade Kelp Larch Moss Nimbus Onyx Polar Quill Reef Sage Tidal Umbra Vale Wren Zinc")
	benchWords2 = strings.Fields("Outfitters Bikes Coffee Design Electronics Fashion Games Home Interiors Jewellery Kitchen Lighting Market Nursery Optics Pets Quilts Records Shoes Tools Umbrellas Vintage Wines Yoga Books Crafts Deli Florist Garden Hardware")
)

// BenchPartner is partner i of the benchmark directory, derived from i
// alone, so a benchmark can ask for any partner without reading it.
type BenchPartner struct {
	I       int
	Tenant  uuid.UUID
	Slug    string
	Name    string
	Account string
	Email   string
	State   string
	Linked  bool
}

// BenchID is the Klarna id of kind (account, store, …) of bench partner i.
func BenchID(kind string, i int) string {
	return fmt.Sprintf("krn:partner:global:%s:test:%08x%06d", kind, uint32(i)*2654435761, i)
}

// BenchPartnerAt is bench directory partner i: 2 % not linked yet, 5 %
// partially operational, 5 % disabled, the rest operational.
func BenchPartnerAt(i int) BenchPartner {
	p := BenchPartner{
		I:      i,
		Tenant: uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprint("bench-", i))),
		Slug:   fmt.Sprintf("bench-d-%06d", i),
		Name:   fmt.Sprintf("%s %s %d", benchWords1[i%len(benchWords1)], benchWords2[(i/len(benchWords1))%len(benchWords2)], i),
		Email:  fmt.Sprintf("owner%d@shop%d.example", i, i),
		Linked: i%50 != 0,
	}
	p.Account = BenchID("account", i)
	switch i % 20 {
	case 1:
		p.State = "PARTIALLY_OPERATIONAL"
	case 2:
		p.State = "DISABLED"
	default:
		p.State = "OPERATIONAL"
	}
	return p
}

// SeedPartnersResult says what SeedBenchPartners did.
type SeedPartnersResult struct {
	Partners, Linked, Resources int
	Skipped                     bool // exactly that many were there already
	Took                        time.Duration
}

// SeedBenchPartners loads n directory partners (slugs bench-d-…) with COPY:
// tenants, accounts and six resources each (entity, product, payment
// account, brand, store group, store), then analyzes the tables. It skips
// when exactly n are there and replaces a different number.
func (db *DB) SeedBenchPartners(ctx context.Context, n int) (SeedPartnersResult, error) {
	t0 := time.Now()
	var have int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM tenants WHERE kind = 'partner' AND slug LIKE 'bench-d-%'`).Scan(&have); err != nil {
		return SeedPartnersResult{}, err
	}
	if have == n {
		return SeedPartnersResult{Partners: n, Skipped: true}, nil
	}
	if have > 0 {
		if _, err := db.Pool.Exec(ctx, `DELETE FROM partner_resources WHERE klarna_account_id IN (SELECT a.klarna_account_id FROM partner_accounts a JOIN tenants t ON t.id = a.tenant_id WHERE t.slug LIKE 'bench-d-%');
			DELETE FROM partner_accounts WHERE tenant_id IN (SELECT id FROM tenants WHERE slug LIKE 'bench-d-%');
			DELETE FROM tenants WHERE slug LIKE 'bench-d-%'`); err != nil {
			return SeedPartnersResult{}, fmt.Errorf("remove the bench directory: %w", err)
		}
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	copyRows := func(table string, cols []string, rows int, row func(i int) []any) error {
		_, err := db.Pool.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromSlice(rows, func(i int) ([]any, error) { return row(i), nil }))
		if err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		return nil
	}
	if err := copyRows("tenants", []string{"id", "kind", "slug", "name", "created_at"}, n, func(i int) []any {
		p := BenchPartnerAt(i)
		return []any{p.Tenant, "partner", p.Slug, p.Name, base.Add(time.Duration(i) * time.Minute)}
	}); err != nil {
		return SeedPartnersResult{}, err
	}
	var linked []BenchPartner
	for i := range n {
		if p := BenchPartnerAt(i); p.Linked {
			linked = append(linked, p)
		}
	}
	if err := copyRows("partner_accounts", []string{"klarna_account_id", "tenant_id", "state", "state_at", "created_at", "reference", "name", "contact_email", "product_status",
		"entity_count", "brand_count", "store_count", "payment_account_count", "warnings", "synced_at", "partially_operational_at", "operational_at", "updated_at"}, len(linked), func(j int) []any {
		p := linked[j]
		at := base.Add(time.Duration(j) * time.Minute)
		product := "ENABLED"
		if p.State == "DISABLED" {
			product = "DISABLED"
		}
		var op *time.Time
		if p.State == "OPERATIONAL" {
			op = &at
		}
		return []any{p.Account, p.Tenant, p.State, at, at, "REF-" + p.Slug, p.Name, p.Email, product, 1, 1, 1, 1, []string{}, at, at, op, at.Add(time.Hour)}
	}); err != nil {
		return SeedPartnersResult{}, err
	}
	kinds := []string{partner.KindBusinessEntity, partner.KindPaymentProduct, partner.KindPaymentAccount, partner.KindBrand, partner.KindStoreGroup, partner.KindStore}
	if err := copyRows("partner_resources", []string{"klarna_account_id", "kind", "klarna_id", "reference", "parent_id", "data", "synced_at"}, len(linked)*len(kinds), func(j int) []any {
		p, kind := linked[j/len(kinds)], kinds[j%len(kinds)]
		return []any{p.Account, kind, BenchID(kind, p.I), strings.ToUpper(kind[:2]) + "-" + p.Slug, "", `{}`, base}
	}); err != nil {
		return SeedPartnersResult{}, err
	}
	if _, err := db.Pool.Exec(ctx, `VACUUM ANALYZE tenants, partner_accounts, partner_resources`); err != nil {
		return SeedPartnersResult{}, err
	}
	return SeedPartnersResult{Partners: n, Linked: len(linked), Resources: len(linked) * len(kinds), Took: time.Since(t0)}, nil
}

// DirectoryListSQL is the store's SQL of a directory page, for the
// benchmarks' baselines.
func DirectoryListSQL(sc scope.Scope, f partner.Filter, limit int) (string, []any, error) {
	return listSQL(sc, f, "", limit)
}

package postgres_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/payment"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

// planNode is the part of EXPLAIN (FORMAT JSON) the test reads.
type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Index    string     `json:"Index Name"`
	Rows     float64    `json:"Plan Rows"`
	Plans    []planNode `json:"Plans"`
}

func (n planNode) walk(fn func(planNode)) {
	fn(n)
	for _, c := range n.Plans {
		c.walk(fn)
	}
}

func (n planNode) String() string {
	var b strings.Builder
	var w func(planNode, int)
	w = func(n planNode, depth int) {
		fmt.Fprintf(&b, "%s%s", strings.Repeat("  ", depth), n.NodeType)
		if n.Relation != "" {
			fmt.Fprintf(&b, " on %s", n.Relation)
		}
		if n.Index != "" {
			fmt.Fprintf(&b, " using %s", n.Index)
		}
		fmt.Fprintf(&b, " (rows %.0f)\n", n.Rows)
		for _, c := range n.Plans {
			w(c, depth+1)
		}
	}
	w(n, 0)
	return b.String()
}

// At size, every list and search of disputes, settlements and payments
// reads an index in its order and stops at the page: no sequential scan of
// the big tables and no sort of more than a page's worth of rows. (The
// seeded sizes are a tenth of `make bench`'s at most — 300 000 payments,
// 3 % of its 10 000 000 — enough for the planner to see large tables;
// docs/benchmarks.md has the timings at full size.)
func TestListPlansStayIndexScansAtSize(t *testing.T) {
	db := pgtest.New(t)
	ctx := t.Context()
	now := time.Now()
	if _, err := db.SeedBenchDisputes(ctx, 100, 100_000, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedBenchSettlements(ctx, postgres.SeedSettlementsOptions{Payouts: 2_000, Lines: 400_000, BigPayout: 40_000}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedBenchPartners(ctx, 100_000); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedBenchPayments(ctx, postgres.SeedPaymentsOptions{Payments: 300_000, EventsEvery: 100}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `VACUUM (ANALYZE) disputes, payouts, settlement_lines, payments, payment_events, payment_days`); err != nil {
		t.Fatal(err)
	}
	var merchant uuid.UUID
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM tenants WHERE slug = 'bench-p-00001'`).Scan(&merchant); err != nil {
		t.Fatal(err)
	}
	big := map[string]bool{"disputes": true, "payouts": true, "settlement_lines": true, "tenants": true, "partner_accounts": true, "partner_resources": true,
		"payments": true, "payment_events": true, "payment_days": true}
	directory := func(f partner.Filter) (string, []any) {
		f.StuckBefore = now.Add(-7 * 24 * time.Hour)
		sql, args, err := postgres.DirectoryListSQL(scope.All(), f, 50)
		if err != nil {
			t.Fatal(err)
		}
		return sql, args
	}
	someone := postgres.BenchPartnerAt(4321)
	queue := func(view string, f dispute.Filter) dispute.Filter { f.View, f.Now = view, now; return f }
	filtered := dispute.Filter{Tenants: []uuid.UUID{merchant}, States: []string{"INITIATED"}, Reasons: []string{klarna.ReasonNotReceived}}
	payments := func(sc scope.Scope, f payment.Filter, cursor string) (string, []any) {
		sql, args, err := postgres.PaymentListSQL(sc, f, cursor, 51)
		if err != nil {
			t.Fatal(err)
		}
		return sql, args
	}
	one := []uuid.UUID{merchant}
	// a partner outside the busiest tenth: a thirtieth of the busy ones' payments
	var small uuid.UUID
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM tenants WHERE slug = 'bench-p-00050'`).Scan(&small); err != nil {
		t.Fatal(err)
	}
	declined := []string{klarna.PaymentDeclined}
	// a cursor half-way through the year: the next page of a page that
	// ended there
	mid := postgres.PaymentCursor(payment.Payment{ID: postgres.BenchPaymentID(150_000), CreatedAt: now.AddDate(0, -6, 0)})
	today := now.UTC().Truncate(24 * time.Hour)
	month := payment.HealthFilter{From: today.AddDate(0, 0, -30), To: today.AddDate(0, 0, 1)}
	type query struct {
		name string
		sql  string
		args []any
	}
	q := func(name string) func(string, []any) query {
		return func(sql string, args []any) query { return query{name, sql, args} }
	}
	for _, c := range []query{
		q("queue first page, all partners")(postgres.DisputeFirstPageSQL(scope.All(), queue("needs_action", dispute.Filter{}), 50)),
		q("queue expires soon")(postgres.DisputeFirstPageSQL(scope.All(), queue("expires_soon", dispute.Filter{}), 50)),
		q("queue closed")(postgres.DisputeFirstPageSQL(scope.All(), queue("closed", dispute.Filter{}), 50)),
		q("queue all")(postgres.DisputeFirstPageSQL(scope.All(), queue("all", dispute.Filter{}), 50)),
		q("queue of one merchant")(postgres.DisputeFirstPageSQL(scope.Tenants(merchant), queue("needs_action", dispute.Filter{}), 50)),
		q("queue filtered")(postgres.DisputeFirstPageSQL(scope.All(), queue("needs_action", filtered), 50)),
		q("queue search by order id")(postgres.DisputeFirstPageSQL(scope.All(), queue("all", dispute.Filter{Q: "order-123"}), 50)),
		q("payouts first page")(postgres.PayoutFirstPageSQL(scope.All(), settlement.PayoutFilter{}, 51)),
		q("payouts of one merchant")(postgres.PayoutFirstPageSQL(scope.Tenants(merchant), settlement.PayoutFilter{}, 51)),
		q("payout lines, first page")(postgres.PayoutLinesFirstPageSQL(scope.All(), "BENCH00000007", settlement.LineFilter{}, 51)),
		q("the big payout's lines, first page")(postgres.PayoutLinesFirstPageSQL(scope.All(), "BENCH00000000", settlement.LineFilter{}, 51)),
		q("line search by order id")(postgres.LineSearchSQL(scope.All(), "BENCH00000007-o0000001", 0, 51)),
		q("line search of one merchant")(postgres.LineSearchSQL(scope.Tenants(merchant), "BENCH00000001-o0000001", 0, 51)),
		q("directory first page")(directory(partner.Filter{})),
		q("directory filtered (operational, product enabled)")(directory(partner.Filter{State: "OPERATIONAL", ProductStatus: "ENABLED"})),
		q("directory search by name")(directory(partner.Filter{Q: strings.ToLower(someone.Name[:len(someone.Name)-2])})),
		q("directory search by a name's first letters")(directory(partner.Filter{Q: "nord"})),
		q("directory search by a store id")(directory(partner.Filter{Q: postgres.BenchID(partner.KindStore, someone.I)})),
		q("directory search by e-mail")(directory(partner.Filter{Q: someone.Email})),
		// --- global search (issue 13): the queries /search adds to the lists' own
		// (directory, dispute queue, line search: above) ---
		q("search: a resource by its Klarna id")(postgres.SearchResourcesSQL(scope.All(), postgres.BenchID(partner.KindStore, someone.I), 21)),
		q("search: a resource by its reference")(postgres.SearchResourcesSQL(scope.All(), "ST-"+someone.Slug, 21)),
		q("search: a resource, one merchant")(postgres.SearchResourcesSQL(scope.Tenants(someone.Tenant), "ST-"+someone.Slug, 21)),
		q("search: a webhook event by its id")(postgres.SearchWebhookEventsSQL(scope.All(), "evt-123", 5)),
		q("search: a webhook event, one merchant")(postgres.SearchWebhookEventsSQL(scope.Tenants(merchant), "evt-123", 5)),
		q("search: disputes by dispute id")(postgres.DisputeFirstPageSQL(scope.All(), queue("all", dispute.Filter{Q: "bench-d-00000042"}), 5)),
		q("search: disputes by order id, one merchant")(postgres.DisputeFirstPageSQL(scope.Tenants(merchant), queue("all", dispute.Filter{Q: "order-00000042"}), 5)),
		q("search: partners by account id")(directory(partner.Filter{Q: someone.Account})),
		q("search: partners by our reference")(directory(partner.Filter{Q: "REF-" + someone.Slug})),
		q("search: lines by capture id, one merchant")(postgres.LineSearchSQL(scope.Tenants(merchant), "krn:payment:eu1:transaction:x:capture:1", 0, 6)),
		// --- end global search ---
		// --- home (issue 13): each tile's count ---
		q("home: disputes due within 24 h")(postgres.DisputeCountSQL(scope.All(), queue("expires_soon", dispute.Filter{DueWithin: 24 * time.Hour}))),
		q("home: disputes due within 72 h")(postgres.DisputeCountSQL(scope.All(), queue("expires_soon", dispute.Filter{}))),
		q("home: unassigned disputes")(postgres.DisputeCountSQL(scope.All(), queue("needs_action", dispute.Filter{Unassigned: true}))),
		q("home: unassigned disputes, one merchant")(postgres.DisputeCountSQL(scope.Tenants(merchant), queue("needs_action", dispute.Filter{Unassigned: true}))),
		q("home: escalated disputes")(postgres.DisputeCountSQL(scope.All(), queue("needs_action", dispute.Filter{Escalated: true}))),
		q("home: stuck onboardings")(postgres.DirectoryCountSQL(scope.All(), partner.Filter{Stage: partner.StageStuck, StuckBefore: now.Add(-7 * 24 * time.Hour)})),
		q("home: products disabled")(postgres.DirectoryCountSQL(scope.All(), partner.Filter{ProductStatus: "DISABLED"})),
		q("home: brand data incomplete")(postgres.DirectoryCountSQL(scope.All(), partner.Filter{Warning: "brand_data_incomplete"})),
		q("home: products disabled, one merchant")(postgres.DirectoryCountSQL(scope.Tenants(merchant), partner.Filter{ProductStatus: "DISABLED"})),
		// --- end home ---
		// --- payments (issue 16) ---
		q("payments first page, all partners")(payments(scope.All(), payment.Filter{}, "")),
		q("payments of one partner (filter)")(payments(scope.All(), payment.Filter{Tenants: one}, "")),
		q("payments of one merchant (its scope)")(payments(scope.Tenants(merchant), payment.Filter{}, "")),
		q("payments of a small partner")(payments(scope.All(), payment.Filter{Tenants: []uuid.UUID{small}}, "")),
		q("payments of a small merchant (its scope), by state")(payments(scope.Tenants(small), payment.Filter{States: declined}, "")),
		q("payments by state")(payments(scope.All(), payment.Filter{States: declined}, "")),
		q("payments by state and partner")(payments(scope.All(), payment.Filter{Tenants: one, States: declined}, "")),
		q("payments by state and currency")(payments(scope.All(), payment.Filter{States: declined, Currencies: []string{"SEK"}}, "")),
		q("payments by two states")(payments(scope.All(), payment.Filter{States: []string{klarna.PaymentExpired, klarna.PaymentCanceled}}, "")),
		q("payments by currency, path and interoperability")(payments(scope.All(), payment.Filter{Currencies: []string{"USD"},
			Paths: []string{klarna.IntegrationServerSide}, Interop: new(false)}, "")),
		q("payments created in a week")(payments(scope.All(), payment.Filter{From: today.AddDate(0, -3, 0), To: today.AddDate(0, -3, 7)}, "")),
		q("payments q by id")(payments(scope.All(), payment.Filter{Query: postgres.BenchPaymentID(4242)}, "")),
		q("payments q by reference")(payments(scope.All(), payment.Filter{Query: postgres.BenchPaymentReference(4242)}, "")),
		q("payments q by transaction id")(payments(scope.All(), payment.Filter{Query: "krn:payment:eu1:transaction:bench-o00004242"}, "")),
		q("payments q by order id")(payments(scope.All(), payment.Filter{Query: "bench-o00004242"}, "")),
		q("payments q by an unknown id")(payments(scope.All(), payment.Filter{Query: "krn:payment:eu1:request:NOSUCH"}, "")),
		q("payments q by order id, one merchant")(payments(scope.Tenants(merchant), payment.Filter{Query: "bench-o00004242"}, "")),
		q("payments next page")(payments(scope.All(), payment.Filter{}, mid)),
		q("payments next page of one partner")(payments(scope.All(), payment.Filter{Tenants: one}, mid)),
		q("payments next page by state")(payments(scope.All(), payment.Filter{States: declined}, mid)),
		q("payment health per partner, 30 days")(postgres.PaymentHealthSQL(scope.All(), month)),
		q("payment health per partner, 30 days, one partner")(postgres.PaymentHealthSQL(scope.All(), payment.HealthFilter{Tenants: one, From: month.From, To: month.To})),
		// --- end payments ---
	} {
		t.Run(c.name, func(t *testing.T) {
			sqlText, args, err := postgres.PgxSQL(c.sql, c.args)
			if err != nil {
				t.Fatal(err)
			}
			var out []byte
			if err := db.Pool.QueryRow(ctx, `EXPLAIN (FORMAT JSON) `+sqlText, args...).Scan(&out); err != nil {
				t.Fatal(err)
			}
			var plans []struct {
				Plan planNode `json:"Plan"`
			}
			if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
				t.Fatalf("EXPLAIN: %v %s", err, out)
			}
			plan := plans[0].Plan
			plan.walk(func(n planNode) {
				if n.NodeType == "Seq Scan" && big[n.Relation] {
					t.Errorf("reads all of %s:\n%s", n.Relation, plan)
				}
				if n.NodeType == "Sort" && n.Rows > 1000 {
					t.Errorf("sorts %.0f rows to show a page:\n%s", n.Rows, plan)
				}
			})
		})
	}
}

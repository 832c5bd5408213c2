package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// benchPaymentPrefix starts every bench payment's id (BenchPaymentID).
const benchPaymentPrefix = "krn:payment:eu1:request:bench-"

// BenchPaymentID is the payment request id of the seeder's payment i (0 the
// oldest), so a benchmark can name one without reading it.
func BenchPaymentID(i int) string { return benchPaymentPrefix + pad8(i) }

// BenchPaymentReference is payment i's payment_request_reference.
func BenchPaymentReference(i int) string { return "PR-" + pad8(i) }

func pad8(i int) string {
	s := strconv.Itoa(i)
	if len(s) < 8 {
		s = "00000000"[len(s):] + s
	}
	return s
}

// SeedPaymentsOptions size SeedBenchPayments.
type SeedPaymentsOptions struct {
	// Partners to create when no bench partners (slug bench-p-NNNNN, made
	// by SeedBenchDisputes too) exist; existing ones are used as they are.
	Partners int
	Payments int
	// EventsEvery gives every EventsEvery-th payment its state reports in
	// payment_events (0: none). The others' events column still counts the
	// reports their lifecycle had; only the rows are left out.
	EventsEvery int
}

// SeedPaymentsResult says what SeedBenchPayments did.
type SeedPaymentsResult struct {
	Skipped                    bool
	Partners, Payments, Events int
	Days                       int // payment_days rows of the bench partners
	Took                       time.Duration
	// Copy, Indexes and DayFigures are the time of the COPY of the payments,
	// of rebuilding their secondary indexes and of the day figures.
	Copy, Indexes, DayFigures time.Duration
}

// SeedBenchPayments loads o.Payments payment requests (ids BenchPaymentID)
// spread over the bench partners (a tenth of them holding two thirds),
// created over the year before now, oldest first: 85 % authorized (COMPLETED
// for a third of the partners, Klarna's v2 spelling, AUTHORIZED for the
// rest), 6 % declined, 4 % expired, 2 % canceled, 3 % still in flight
// (SUBMITTED, PREPARED, IN_PROGRESS or PENDING_CONFIRMATION), each with the
// times of its lifecycle (3–5 reports for a finished one). The bench
// partners' payment_days are then rebuilt from their payments with one
// INSERT … SELECT … GROUP BY, by payment.Contribution's rules.
//
// It is idempotent: when the bench partners' payment_days add up to exactly
// o.Payments and the last bench payment is BenchPaymentID(o.Payments-1) it
// does nothing (the days are written with the payments, in one transaction,
// and go with the partners); otherwise it removes the bench payments and
// loads again.
//
// Speed: one transaction; the payments are COPYed with the secondary
// indexes of payments dropped (rebuilt from their own definitions after the
// load) and, for a superuser, without the per-row foreign key checks.
func (db *DB) SeedBenchPayments(ctx context.Context, o SeedPaymentsOptions, now time.Time) (SeedPaymentsResult, error) {
	start := time.Now()
	res := SeedPaymentsResult{Payments: o.Payments}
	if o.Payments < 0 || o.EventsEvery < 0 {
		return res, fmt.Errorf("seed payments: payments and events-every 0 or more")
	}
	var havePartners int
	var haveDays int64
	var last, next bool
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM tenants WHERE slug LIKE 'bench-p-%'),
		(SELECT coalesce(sum(d.payments), 0) FROM payment_days d JOIN tenants t ON t.id = d.tenant_id WHERE t.slug LIKE 'bench-p-%'),
		EXISTS (SELECT FROM payments WHERE payment_request_id = $1), EXISTS (SELECT FROM payments WHERE payment_request_id = $2)`,
		BenchPaymentID(o.Payments-1), BenchPaymentID(o.Payments)).Scan(&havePartners, &haveDays, &last, &next); err != nil {
		return res, err
	}
	if havePartners > 0 && haveDays == int64(o.Payments) && (last || o.Payments == 0) && !next {
		res.Skipped, res.Partners = true, havePartners
		return res, nil
	}
	// Without foreign key checks when it may (no cascades either: the
	// events go first).
	tx, err := beginSeed(ctx, db, "512MB")
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.Exec(ctx, `DELETE FROM payment_events WHERE payment_request_id LIKE '`+benchPaymentPrefix+`%'`); err != nil {
		return res, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM payments WHERE payment_request_id LIKE '`+benchPaymentPrefix+`%'`); err != nil {
		return res, err
	}
	tenants, accounts, err := benchPartners(ctx, tx, o.Partners, now)
	if err != nil {
		return res, err
	}
	res.Partners = len(tenants)
	indexes, err := dropSecondaryIndexes(ctx, tx, "payments")
	if err != nil {
		return res, err
	}
	t0 := time.Now()
	events, err := copyBenchPayments(ctx, tx, o, tenants, accounts, now)
	if err != nil {
		return res, err
	}
	res.Copy, t0 = time.Since(t0), time.Now()
	for _, def := range indexes {
		if _, err := tx.Exec(ctx, def); err != nil {
			return res, fmt.Errorf("rebuild index: %w", err)
		}
	}
	res.Indexes = time.Since(t0)
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"payment_events"}, []string{"payment_request_id", "tenant_id", "event_id", "state", "previous_state",
		"state_reason", "at", "received_at"}, pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
		e := events[i]
		prev := ""
		if e.n > 0 {
			prev = events[i-1].state
		}
		return []any{BenchPaymentID(e.payment), e.tenant, "bench-evt-" + pad8(e.payment) + "-" + strconv.Itoa(e.n), e.state, prev, "",
			e.at, e.at.Add(1500 * time.Millisecond)}, nil
	})); err != nil {
		return res, fmt.Errorf("copy payment events: %w", err)
	}
	res.Events = len(events)
	// The day figures, by payment.Contribution's rules: the day the payment
	// was created (UTC), authorized for AUTHORIZED or COMPLETED (timed when
	// both times are known and in order), open for any state that is not
	// final (or not known), the interoperability token expected when a
	// source is named.
	t0 = time.Now()
	if _, err := tx.Exec(ctx, `DELETE FROM payment_days WHERE tenant_id IN (SELECT id FROM tenants WHERE slug LIKE 'bench-p-%')`); err != nil {
		return res, fmt.Errorf("payment days: %w", err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO payment_days (tenant_id, day, payments, authorized, declined, expired, canceled, open, auth_timed, auth_seconds,
			interop_expected, interop_carried, hosted, server_side, recurring)
		SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date, count(*),
			count(*) FILTER (WHERE state = ANY($1)),
			count(*) FILTER (WHERE state = $2),
			count(*) FILTER (WHERE state = $3),
			count(*) FILTER (WHERE state = $4),
			count(*) FILTER (WHERE state <> ALL($1) AND state NOT IN ($2, $3, $4)),
			count(*) FILTER (WHERE state = ANY($1) AND authorized_at >= submitted_at),
			coalesce(sum(extract(epoch FROM authorized_at - submitted_at)) FILTER (WHERE state = ANY($1) AND authorized_at >= submitted_at), 0)::float8,
			count(*) FILTER (WHERE interop_source <> ''),
			count(*) FILTER (WHERE interop_source <> '' AND interop_token),
			count(*) FILTER (WHERE integration_path = $5),
			count(*) FILTER (WHERE integration_path = $6),
			count(*) FILTER (WHERE payment_type = $7)
		FROM payments WHERE tenant_id IN (SELECT id FROM tenants WHERE slug LIKE 'bench-p-%')
		GROUP BY 1, 2`,
		[]string{klarna.PaymentAuthorized, klarna.PaymentCompleted}, klarna.PaymentDeclined, klarna.PaymentExpired, klarna.PaymentCanceled,
		klarna.IntegrationHosted, klarna.IntegrationServerSide, klarna.PaymentRecurring)
	if err != nil {
		return res, fmt.Errorf("payment days: %w", err)
	}
	res.Days, res.DayFigures = int(tag.RowsAffected()), time.Since(t0)
	if err := tx.Commit(ctx); err != nil {
		return res, err
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE payments, payment_events, payment_days`); err != nil {
		return res, err
	}
	res.Took = time.Since(start)
	return res, nil
}

// benchEvent is one state report of a payment that keeps its events.
type benchEvent struct {
	payment, n int // payment index, report number (0 the first)
	tenant     uuid.UUID
	state      string
	at         time.Time
}

var (
	benchPaymentCurrencies = []string{"EUR", "EUR", "EUR", "SEK", "NOK", "DKK", "GBP", "USD"}
	benchInteropSources    = []string{"KLARNA_APP", "KLARNA_APP", "EXPRESS_CHECKOUT", "SIGN_IN_WITH_KLARNA"}
	benchInFlight          = []string{klarna.PaymentSubmitted, klarna.PaymentPrepared, klarna.PaymentInProgress, klarna.PaymentPendingConfirmation}
)

var benchPaymentColumns = []string{"payment_request_id", "tenant_id", "klarna_account_id", "reference", "purchase_reference", "payment_transaction_id",
	"order_id", "payment_account_id", "payment_account_reference", "state", "state_reason", "state_at", "amount", "currency", "integration_path",
	"payment_type", "customer_token", "interop_source", "interop_token", "created_at", "submitted_at", "authorized_at", "final_at", "expires_at",
	"events", "updated_at"}

// copyBenchPayments streams the payments, oldest first (the table's pages
// in time order, as a live table's are), and returns the state reports of
// the payments that keep theirs (every o.EventsEvery-th).
//
// A payment's lifecycle: SUBMITTED when created; then, unless it stays
// there, sometimes PREPARED (1–5 s later), IN_PROGRESS (5–60 s), for some
// authorized ones PENDING_CONFIRMATION, and its final state 20 s – 5 min
// after the last (an expiry at expires_at, an hour after creation). The
// newest payment is an hour old, so every time is in the past.
func copyBenchPayments(ctx context.Context, tx pgx.Tx, o SeedPaymentsOptions, tenants []uuid.UUID, accounts []string, now time.Time) ([]benchEvent, error) {
	rng := rand.New(rand.NewPCG(23, uint64(len(tenants))<<32|uint64(o.Payments)))
	partners := len(tenants)
	payAccounts, payRefs := make([]string, partners), make([]string, partners)
	for p := range partners {
		payAccounts[p] = fmt.Sprintf("krn:partner:global:payment-account:live:BENCH%05d", p)
		payRefs[p] = fmt.Sprintf("PA-BENCH%05d", p)
	}
	end := now.UTC().Add(-time.Hour)
	begin := end.AddDate(-1, 0, 0)
	step := end.Sub(begin) / time.Duration(max(1, o.Payments))
	var events []benchEvent
	type report struct {
		state string
		at    time.Time
	}
	life := make([]report, 0, 5)
	row := make([]any, len(benchPaymentColumns))
	var at time.Time // of the payment's latest report so far
	secs := func(lo, hi int) time.Duration {
		return time.Duration(lo*1000+rng.IntN((hi-lo)*1000)) * time.Millisecond
	}
	add := func(state string, d time.Duration) { at = at.Add(d); life = append(life, report{state, at}) }
	i := -1
	src := pgx.CopyFromFunc(func() ([]any, error) {
		i++
		if i >= o.Payments {
			return nil, nil
		}
		p := rng.IntN(partners)
		if rng.IntN(3) > 0 { // a tenth of the partners get two thirds
			p = rng.IntN(max(1, partners/10))
		}
		created := begin.Add(time.Duration(i)*step + time.Duration(rng.Int64N(int64(max(step, 1))))).Truncate(time.Millisecond)
		life = append(life[:0], report{klarna.PaymentSubmitted, created})
		at = created
		var final string
		switch x := rng.IntN(1000); {
		case x < 850:
			final = klarna.PaymentAuthorized
			if p%3 == 2 {
				final = klarna.PaymentCompleted
			}
		case x < 910:
			final = klarna.PaymentDeclined
		case x < 950:
			final = klarna.PaymentExpired
		case x < 970:
			final = klarna.PaymentCanceled
		default:
			final = benchInFlight[rng.IntN(len(benchInFlight))]
		}
		expires := created.Add(time.Hour)
		if final != klarna.PaymentSubmitted {
			if rng.IntN(2) == 0 || final == klarna.PaymentPrepared {
				add(klarna.PaymentPrepared, secs(1, 5))
			}
			switch final {
			case klarna.PaymentPrepared:
			case klarna.PaymentExpired, klarna.PaymentCanceled:
				if rng.IntN(2) == 0 {
					add(klarna.PaymentInProgress, secs(5, 60))
				}
			default:
				add(klarna.PaymentInProgress, secs(5, 60))
				if final == klarna.PaymentPendingConfirmation || (final == klarna.PaymentAuthorized || final == klarna.PaymentCompleted) && rng.IntN(10) < 3 {
					add(klarna.PaymentPendingConfirmation, secs(5, 120))
				}
			}
			switch final {
			case klarna.PaymentExpired:
				at = expires
				life = append(life, report{final, at})
			case klarna.PaymentAuthorized, klarna.PaymentCompleted, klarna.PaymentDeclined, klarna.PaymentCanceled:
				add(final, secs(20, 300))
			}
		}
		last := life[len(life)-1]
		var txID, orderID, reason string
		var authorizedAt, finalAt any
		authorized := last.state == klarna.PaymentAuthorized || last.state == klarna.PaymentCompleted
		if authorized {
			txID = "krn:payment:eu1:transaction:bench-o" + pad8(i)
			orderID = klarna.OrderIDOfTransaction(txID)
			authorizedAt = last.at
		}
		switch last.state {
		case klarna.PaymentAuthorized, klarna.PaymentCompleted, klarna.PaymentCanceled, klarna.PaymentExpired, klarna.PaymentDeclined:
			finalAt = last.at
		}
		if last.state == klarna.PaymentDeclined {
			reason = "DECLINED_BY_RISK"
		}
		purchase := ""
		if rng.IntN(10) > 0 {
			purchase = "ORDER-" + strconv.Itoa(p) + "-" + pad8(i)
		}
		amount := int64(500 + rng.IntN(25000))
		if rng.IntN(20) == 0 {
			amount *= 20
		}
		currency := benchPaymentCurrencies[p%len(benchPaymentCurrencies)]
		if rng.IntN(5) == 0 {
			currency = benchPaymentCurrencies[rng.IntN(len(benchPaymentCurrencies))]
		}
		path := klarna.IntegrationHosted
		if p%4 == 1 {
			path = klarna.IntegrationServerSide
		}
		if rng.IntN(20) == 0 {
			path = ""
		}
		ptype := klarna.PaymentOneTime
		switch x := rng.IntN(50); {
		case x < 5:
			ptype = klarna.PaymentRecurring
		case x == 5:
			ptype = ""
		}
		source, token := "", false
		if rng.IntN(100) < 15 {
			source = benchInteropSources[rng.IntN(len(benchInteropSources))]
			carried := 95
			if p%7 == 3 { // a seventh of the partners mostly forget the token
				carried = 20
			}
			token = rng.IntN(100) < carried
		}
		if o.EventsEvery > 0 && i%o.EventsEvery == 0 {
			for n, r := range life {
				events = append(events, benchEvent{payment: i, n: n, tenant: tenants[p], state: r.state, at: r.at})
			}
		}
		row[0], row[1], row[2], row[3], row[4], row[5] = BenchPaymentID(i), tenants[p], accounts[p], BenchPaymentReference(i), purchase, txID
		row[6], row[7], row[8], row[9], row[10], row[11] = orderID, payAccounts[p], payRefs[p], last.state, reason, last.at
		row[12], row[13], row[14], row[15], row[16], row[17] = amount, currency, path, ptype, authorized && ptype == klarna.PaymentRecurring, source
		row[18], row[19], row[20], row[21], row[22], row[23] = token, created, created, authorizedAt, finalAt, expires
		row[24], row[25] = len(life), last.at.Add(2*time.Second)
		return row, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"payments"}, benchPaymentColumns, src); err != nil {
		return nil, fmt.Errorf("copy payments: %w", err)
	}
	return events, nil
}

// beginSeed begins a bench seed's transaction: maintenance_work_mem for its
// index builds, and, for a superuser, no foreign key checks or cascades
// (session_replication_role replica).
func beginSeed(ctx context.Context, db *DB, workMem string) (pgx.Tx, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '`+workMem+`'`); err != nil {
		_ = tx.Rollback(ctx)
		return nil, err
	}
	var super bool
	if err := tx.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		_ = tx.Rollback(ctx)
		return nil, err
	}
	if super {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			_ = tx.Rollback(ctx)
			return nil, err
		}
	}
	return tx, nil
}

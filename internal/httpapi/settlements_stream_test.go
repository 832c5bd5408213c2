package httpapi_test

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rssBytes is the process's resident set (Linux /proc/self/statm).
func rssBytes(t *testing.T) uint64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * uint64(os.Getpagesize())
}

// lineCounter counts the CSV's lines as they arrive, keeping none.
type lineCounter struct{ n, bytes int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += int64(bytes.Count(p, []byte{'\n'}))
	c.bytes += int64(len(p))
	return len(p), nil
}

// A payout of 1 000 000 lines exports completely while the process's heap
// and RSS stay flat: the rows are written as they are read and flushed,
// never gathered. The server runs in this process, so its memory is ours.
func TestPayoutLinesExportStreamsAMillionLines(t *testing.T) {
	// Not parallel: the bound is on the whole process, so no other test may allocate meanwhile.
	const lines = 1_000_000
	a := settlementsApp(t)
	ctx := t.Context()
	aurora, err := a.DB.Identity().TenantBySlug(ctx, "aurora")
	if err != nil {
		t.Fatal(err)
	}
	db := a.DB.SQL()
	if _, err := db.ExecContext(ctx, `INSERT INTO payouts (payment_reference, tenant_id, klarna_account_id, payout_date, currency, object, line_count, lines_complete)
		VALUES ('KLMILLION', $1, 'krn:partner:global:account:test:AURORA', '2025-09-05', 'EUR', '{}', $2, true)`, aurora.ID, lines); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := db.ExecContext(ctx, `INSERT INTO settlement_lines (payment_reference, tenant_id, line_key, seq, type, detailed_type, amount, currency,
			vat_rate, vat_amount, sale_date, capture_date, order_id, short_order_id, capture_id, merchant_reference1, purchase_country)
		SELECT 'KLMILLION', $1, 'k' || i, i, CASE WHEN i % 2 = 0 THEN 'SALE' ELSE 'FEE' END, CASE WHEN i % 2 = 0 THEN 'PURCHASE' ELSE 'PURCHASE_FEE_PERCENTAGE' END,
			1000 + i % 50000, 'EUR', CASE WHEN i % 2 = 1 THEN 2500 END, CASE WHEN i % 2 = 1 THEN 250 END,
			'2025-09-01T10:00:00Z'::timestamptz + i * interval '1 second', '2025-09-02T10:00:00Z'::timestamptz + i * interval '1 second',
			'order-' || (i / 2), 'R' || (i / 2), 'capture-' || (i / 2), 'NLO-' || (i / 2), 'DE'
		FROM generate_series(0, $2 - 1) AS i`, aurora.ID, lines); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d lines in %v", lines, time.Since(start))

	c := a.Login("merchant-finance")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap0, rss0 := ms.HeapInuse, rssBytes(t)
	var mu sync.Mutex
	peakHeap, peakRSS := heap0, rss0
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				r := rssBytes(t)
				mu.Lock()
				peakHeap, peakRSS = max(peakHeap, m.HeapInuse), max(peakRSS, r)
				mu.Unlock()
			}
		}
	}()
	start = time.Now()
	resp, err := c.HTTP.Get(c.Base + "/api/v1/payouts/KLMILLION/lines/export.csv")
	if err != nil {
		t.Fatal(err)
	}
	var got lineCounter
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	first, _ := br.ReadString('\n')
	if _, err := io.Copy(&got, br); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	took := time.Since(start)
	close(done)
	<-sampled
	if resp.StatusCode != 200 || !strings.HasPrefix(first, "payment_reference,seq,type,") {
		t.Fatalf("export: %d %q", resp.StatusCode, first)
	}
	if got.n != lines {
		t.Fatalf("exported %d rows, want %d", got.n, lines)
	}
	mu.Lock()
	heapGrowth, rssGrowth := int64(peakHeap)-int64(heap0), int64(peakRSS)-int64(rss0)
	mu.Unlock()
	const mib = 1 << 20
	t.Logf("exported %d rows (%d MiB) in %v (%.0f rows/s); peak heap growth %.1f MiB, peak RSS growth %.1f MiB",
		got.n, got.bytes/mib, took, float64(got.n)/took.Seconds(), float64(heapGrowth)/mib, float64(rssGrowth)/mib)
	// The CSV is some 200 MiB; a buffered export would grow by that much.
	// A streamed one stays within a few MiB (see the log), far under 64 MiB.
	if heapGrowth > 64*mib || rssGrowth > 64*mib {
		t.Fatalf("memory grew with the export: heap +%d MiB, RSS +%d MiB", heapGrowth/mib, rssGrowth/mib)
	}
}

package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testReport() *report {
	return &report{StartedAt: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), Scale: 0.01, Disputes: 10000, Partners: 10, Clients: 100,
		Duration: "5s", Raw: map[string]any{}, Rows: []row{
			{Measure: "queue p99", Unit: "ms", PartnerDesk: 40, Baseline: 20, LowerIsBetter: true, Goal: "p99 < 50 ms", Met: ptr(true), Chart: "queue p99"},
			{Measure: "queue throughput", Unit: "req/s", PartnerDesk: 500, Baseline: 1000, Goal: "≥ 0.7× bare", Met: ptr(false), Chart: "queue throughput"},
			{Measure: "ingest p99", Unit: "ms", PartnerDesk: 12, Baseline: math.NaN()},
		}}
}

func TestTableShowsRatiosAndGoals(t *testing.T) {
	md := testReport().markdown()
	for _, want := range []string{
		"| queue p99 | ms | 40.0 | 20.0 | 2.00× | p99 < 50 ms ✅ |",
		"| queue throughput | req/s | 500 | 1000 | 0.50× | ≥ 0.7× bare ❌ |",
		"| ingest p99 | ms | 12.0 | – | – |  |",
		"BENCH_SCALE=0.01",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
}

// The chart plots how Partner Desk fares against its baseline: half as
// fast and twice as slow are both 0.5.
func TestChartOrientsEveryBarTheSameWay(t *testing.T) {
	r := testReport()
	for _, x := range r.Rows[:2] {
		if got := x.relative(); got != 0.5 {
			t.Errorf("%s: relative %g, want 0.5", x.Measure, got)
		}
	}
	svg := r.svg()
	if strings.Count(svg, "<rect") != 3 || !strings.Contains(svg, ">queue throughput<") || strings.Contains(svg, "ingest p99") {
		t.Errorf("want a background and two bars (rows without a baseline left out):\n%s", svg)
	}
}

func TestWriteReplacesTheDocsTableOnly(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.Mkdir("docs", 0o755); err != nil {
		t.Fatal(err)
	}
	doc := "# Benchmarks\n\nintro\n\n" + docsBegin + "\nold table\n" + docsEnd + "\n\nafter\n"
	if err := os.WriteFile(filepath.Join("docs", "benchmarks.md"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	r := testReport()
	if err := r.write(false); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join("docs", "benchmarks.md"))
	got := string(b)
	if strings.Contains(got, "old table") || !strings.Contains(got, "| queue p99 |") || !strings.HasPrefix(got, "# Benchmarks\n\nintro\n") || !strings.HasSuffix(got, docsEnd+"\n\nafter\n") {
		t.Errorf("docs:\n%s", got)
	}
	for _, f := range []string{"latest.md", "latest.json", "latest.svg"} {
		if _, err := os.Stat(filepath.Join("bench", "results", f)); err != nil {
			t.Error(err)
		}
	}
	js, _ := os.ReadFile(filepath.Join("bench", "results", "latest.json"))
	if !strings.Contains(string(js), `"baseline": null`) || !strings.Contains(string(js), `"ratio": 2`) {
		t.Errorf("JSON: a missing baseline is null and each row has its ratio:\n%s", js)
	}

	// A partial run leaves the docs alone.
	r.Rows = r.Rows[:1]
	if err := r.write(true); err != nil {
		t.Fatal(err)
	}
	if b2, _ := os.ReadFile(filepath.Join("docs", "benchmarks.md")); string(b2) != got {
		t.Error("a BENCH_ONLY run changed the docs")
	}
}

func TestInitialJavaScriptIsWhatIndexLoads(t *testing.T) {
	dir := t.TempDir()
	old := uiDist
	uiDist = dir
	t.Cleanup(func() { uiDist = old })
	files := map[string]string{
		"index.html": `<script src="/color-scheme.js"></script>
<script type="module" crossorigin src="/assets/index-A.js"></script>
<link rel="modulepreload" crossorigin href="/assets/react-B.js">
<link rel="stylesheet" crossorigin href="/assets/app.css">`,
		"color-scheme.js":         strings.Repeat("a", 300),
		"assets/index-A.js":       strings.Repeat("b", 5000),
		"assets/index-A.js.gz":    strings.Repeat("z", 700),
		"assets/react-B.js":       strings.Repeat("c", 9000),
		"assets/react-B.js.gz":    strings.Repeat("z", 1000),
		"assets/disputes-C.js":    strings.Repeat("d", 4000),
		"assets/disputes-C.js.gz": strings.Repeat("z", 500),
	}
	if err := os.Mkdir(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := testReport()
	r.Rows = nil
	if err := (&env{}).uiSize(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	// 300 (not precompressed: sent as it is) + 700 + 1000; every file: + 500
	if got := r.Rows[0]; got.PartnerDesk != 2.0 || got.Baseline != 2.5 {
		t.Errorf("initial %g kB of %g kB, want 2 of 2.5", got.PartnerDesk, got.Baseline)
	}
}

// The growth table has a column per size and says how the largest size's
// throughput compares with the smallest's; a size not measured shows "–".
func TestGrowthTableComparesTheLargestWithTheSmallest(t *testing.T) {
	r := testReport()
	r.Growth = []growthRow{
		{List: "queue first page", Factor: 1, P50: 200, RPS: 400, BareRPS: 600},
		{List: "queue first page", Factor: 10, P50: 150, RPS: 500, BareRPS: 700},
		{List: "queue first page", Factor: 1000, P50: 100, RPS: 800, BareRPS: 900},
		{List: "directory search", Factor: 10, P50: 20, RPS: 1000, BareRPS: 1200},
	}
	md := r.markdown()
	for _, want := range []string{
		"| list | full size | 1/10 | 1/100 | 1/1000 | full ÷ 1/1000 throughput |",
		"| queue first page | 400 (600), 200 | 500 (700), 150 | – | 800 (900), 100 | 0.50× (bare 0.67×) |",
		"| directory search | – | 1000 (1200), 20.0 | – | – | – |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("growth table lacks %q:\n%s", want, md)
		}
	}
}

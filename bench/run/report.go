package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// row is one line of the table. The ratio is Partner Desk ÷ baseline; for
// LowerIsBetter rows (times, memory, bytes) below 1 is better.
type row struct {
	Measure       string  `json:"measure"`
	Unit          string  `json:"unit"`
	PartnerDesk   float64 `json:"partnerdesk"`
	Baseline      float64 `json:"baseline"` // NaN: none
	LowerIsBetter bool    `json:"lower_is_better"`
	Goal          string  `json:"goal,omitempty"`
	Met           *bool   `json:"goal_met,omitempty"`
	// Chart labels the row's bar in the chart; rows without one (no
	// baseline to compare with, or another view of a charted row) have none.
	Chart string `json:"-"`
}

func (x row) ratio() float64 {
	if math.IsNaN(x.Baseline) || x.Baseline <= 0 {
		return math.NaN()
	}
	return x.PartnerDesk / x.Baseline
}

// relative is Partner Desk's performance relative to the baseline: 1 is as
// good, below 1 worse (baseline ÷ Partner Desk for LowerIsBetter rows).
func (x row) relative() float64 {
	r := x.ratio()
	if x.LowerIsBetter && r > 0 {
		return 1 / r
	}
	return r
}

// MarshalJSON writes a missing baseline as null (JSON has no NaN).
func (x row) MarshalJSON() ([]byte, error) {
	type plain row
	var base *float64
	if !math.IsNaN(x.Baseline) {
		base = &x.Baseline
	}
	var ratio *float64
	if r := x.ratio(); !math.IsNaN(r) {
		ratio = &r
	}
	return json.Marshal(struct {
		plain
		Baseline *float64 `json:"baseline"`
		Ratio    *float64 `json:"ratio"`
	}{plain(x), base, ratio})
}

type report struct {
	StartedAt  time.Time      `json:"started_at"`
	Seconds    float64        `json:"seconds"`
	Commit     string         `json:"commit"`
	CPU        string         `json:"cpu"`
	CPUs       int            `json:"cpus"`
	PostgreSQL string         `json:"postgresql"`
	Scale      float64        `json:"scale"`
	Partners   int            `json:"partners"`
	Disputes   int            `json:"disputes"`
	Payments   int            `json:"payments"`
	Clients    int            `json:"clients"`
	Duration   string         `json:"duration_per_load_measure"`
	Rows       []row          `json:"rows"`
	Raw        map[string]any `json:"raw"`
	Notes      []string       `json:"notes,omitempty"`
	Growth     []growthRow    `json:"growth,omitempty"`
	// Interactions are the server times of the UI's list interactions.
	Interactions []interactionRow `json:"interactions,omitempty"`
	lists        []listResult     // the list measures in order (for the growth table)
}

func num(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "–"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run of %s (commit %s, %.0f s), BENCH_SCALE=%g: %d disputes over %d partners, %d payments, %d concurrent clients on the lists, %s per load measure. ",
		r.StartedAt.Format(time.RFC3339), r.Commit, r.Seconds, r.Scale, r.Disputes, r.Partners, r.Payments, r.Clients, r.Duration)
	fmt.Fprintf(&b, "Machine: %d CPUs (%s), PostgreSQL %s; the load generator, serve, the baselines and PostgreSQL share it.\n\n", r.CPUs, r.CPU, r.PostgreSQL)
	b.WriteString("| measure | unit | Partner Desk | baseline | ratio | goal |\n|---|---|---:|---:|---:|---|\n")
	for _, x := range r.Rows {
		ratio := "–"
		if v := x.ratio(); !math.IsNaN(v) {
			ratio = fmt.Sprintf("%.2f×", v)
		}
		goal := x.Goal
		if x.Met != nil {
			goal += map[bool]string{true: " ✅", false: " ❌"}[*x.Met]
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", x.Measure, x.Unit, num(x.PartnerDesk), num(x.Baseline), ratio, goal)
	}
	b.WriteString("\nRatio = Partner Desk ÷ baseline (for times, memory and sizes lower is better).\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n- %s", n)
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
	}
	b.WriteString(r.growthMarkdown())
	b.WriteString(r.interactionsMarkdown())
	return b.String()
}

// svg is a bar chart of each row's relative performance on a log scale
// (1 = as good as the baseline).
func (r *report) svg() string {
	var rows []row
	for _, x := range r.Rows {
		if v := x.relative(); x.Chart != "" && !math.IsNaN(v) && v > 0 {
			rows = append(rows, x)
		}
	}
	const (
		left, width, barH, gap, top = 230.0, 420.0, 18.0, 8.0, 46.0
		lo, hi                      = 0.01, 10.0
	)
	h := top + float64(len(rows))*(barH+gap) + 34
	xOf := func(v float64) float64 {
		v = math.Min(math.Max(v, lo), hi)
		return left + width*(math.Log10(v)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="system-ui, sans-serif" font-size="12">`+"\n", left+width+60, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#fff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="18" font-size="14" font-weight="600">Partner Desk relative to its baseline (1 = as good; log scale)</text>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="34" fill="#555">BENCH_SCALE=%g, %s; for times and memory: baseline ÷ Partner Desk</text>`+"\n", r.Scale, r.StartedAt.Format("2006-01-02 15:04 MST"))
	for _, t := range []float64{0.01, 0.1, 0.5, 1, 10} {
		x := xOf(t)
		stroke := "#ddd"
		if t == 1 {
			stroke = "#333"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="%s"/>`+"\n", x, top-6, x, h-28, stroke)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" fill="#555">%g</text>`+"\n", x, h-12, t)
	}
	for i, x := range rows {
		y := top + float64(i)*(barH+gap)
		v := x.relative()
		color := "#2f9e44"
		if v < 0.7 {
			color = "#e8590c"
		}
		x0, x1 := xOf(1), xOf(v)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="end">%s</text>`+"\n", left-8, y+barH-5, html.EscapeString(x.Chart))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.0f" width="%.1f" height="%.0f" fill="%s"/>`+"\n", math.Min(x0, x1), y, math.Max(math.Abs(x1-x0), 1), barH, color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" fill="#333">%s</text>`+"\n", math.Max(x0, x1)+4, y+barH-5, num(v))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

const docsBegin, docsEnd = "<!-- bench:latest -->", "<!-- /bench:latest -->"

// write prints the table and writes bench/results/latest.{md,json,svg} and
// the table and chart into docs/benchmarks.md; a run of only some measures
// (BENCH_ONLY) writes bench/results/partial.{md,json,svg} and nothing else.
func (r *report) write(partial bool) error {
	md := r.markdown()
	fmt.Println()
	fmt.Print(md)
	dir := filepath.Join("bench", "results")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	svg := r.svg()
	base := "latest"
	if partial {
		base = "partial"
	}
	for ext, data := range map[string]string{".md": md, ".json": string(js) + "\n", ".svg": svg} {
		if err := os.WriteFile(filepath.Join(dir, base+ext), []byte(data), 0o644); err != nil {
			return err
		}
	}
	if partial {
		fmt.Fprintf(os.Stderr, "\nwritten: %s/partial.{md,json,svg} (BENCH_ONLY: docs/benchmarks.md left as it is)\n", dir)
		return nil
	}
	if err := os.WriteFile(filepath.Join("docs", "benchmarks.svg"), []byte(svg), 0o644); err != nil {
		return err
	}
	doc := filepath.Join("docs", "benchmarks.md")
	old, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	i, j := bytes.Index(old, []byte(docsBegin)), bytes.Index(old, []byte(docsEnd))
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %s … %s section", doc, docsBegin, docsEnd)
	}
	section := "\n" + md + "\n![Partner Desk relative to each baseline](benchmarks.svg)\n"
	out := append(append(append([]byte{}, old[:i+len(docsBegin)]...), section...), old[j:]...)
	if err := os.WriteFile(doc, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\nwritten: %s/latest.{md,json,svg}, docs/benchmarks.md, docs/benchmarks.svg\n", dir)
	return nil
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

func gitCommit() string {
	out, err := exec.Command("git", "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/bench/load"
)

// growthFactors: the lists are measured again on databases this many times
// smaller, to show whether a request's cost grows with the data (a hidden
// OFFSET, or a count over a whole table, would).
var growthFactors = []int{10, 100, 1000}

// minGrowthDisputes is the smallest database measured: below it the
// filtered queue page (one partner, one state, one reason) may be empty.
const minGrowthDisputes = 1000

// listResult is one list measure's figures, kept for the growth table.
type listResult struct {
	short    string
	pd, bare load.Result
}

// growthRow is one list at one size.
type growthRow struct {
	List     string  `json:"list"`
	Factor   int     `json:"smaller_by"` // 1: the run's own size
	Disputes int     `json:"disputes"`
	P50      float64 `json:"p50_ms"`
	RPS      float64 `json:"req_per_s"`
	BareRPS  float64 `json:"bare_req_per_s"`
}

// growth seeds a database per factor (kept, like the main one) and runs the
// list measures there, at the same concurrency and for half as long.
func (e *env) growth(ctx context.Context, r *report) error {
	for _, l := range r.lists {
		r.Growth = append(r.Growth, growthRow{List: l.short, Factor: 1, Disputes: e.disputes, P50: ms(l.pd.P50), RPS: l.pd.RPS, BareRPS: l.bare.RPS})
	}
	for _, f := range growthFactors {
		sub := *e
		sub.procs = nil
		sub.setScale(e.scale / float64(f))
		if sub.disputes < minGrowthDisputes {
			r.Notes = append(r.Notes, fmt.Sprintf("cost as the work grows: 1/%d of this size is left out (%d disputes; the filtered queue page needs at least %d)", f, sub.disputes, minGrowthDisputes))
			continue
		}
		sub.dur = max(2*time.Second, e.dur/2)
		name := fmt.Sprintf("%s_small_%d", benchDB, f)
		if err := ensureDB(ctx, e.cluster.DSN("postgres"), name); err != nil {
			return err
		}
		sub.dsn = e.cluster.DSN(name)
		step("the lists at 1/%d of the size: database %s, %d disputes", f, name, sub.disputes)
		err := sub.prepare(ctx, map[string]bool{"disputes": true, "settlements": true, "directory": true, "payments": true})
		sr := &report{Raw: map[string]any{}}
		for _, m := range []func(context.Context, *report) error{sub.queue, sub.settlementLists, sub.directory, sub.payments} {
			if err != nil {
				break
			}
			err = m(ctx, sr)
		}
		for _, p := range sub.procs {
			p.stop()
		}
		if err != nil {
			return fmt.Errorf("1/%d of the size: %w", f, err)
		}
		for _, l := range sr.lists {
			r.Growth = append(r.Growth, growthRow{List: l.short, Factor: f, Disputes: sub.disputes, P50: ms(l.pd.P50), RPS: l.pd.RPS, BareRPS: l.bare.RPS})
		}
		r.Notes = append(r.Notes, sr.Notes...)
	}
	return nil
}

// growthMarkdown is the table of each list's figures by size: largest
// first, then each smaller database, and the throughput at the largest size
// relative to the smallest (1 = flat), Partner Desk's and the bare
// handler's: when both fall alike, the cost that grows is the query's own.
func (r *report) growthMarkdown() string {
	if len(r.Growth) == 0 {
		return ""
	}
	var lists []string
	by := map[string]map[int]growthRow{}
	for _, g := range r.Growth {
		if by[g.List] == nil {
			lists = append(lists, g.List)
			by[g.List] = map[int]growthRow{}
		}
		by[g.List][g.Factor] = g
	}
	factors := append([]int{1}, growthFactors...)
	var b strings.Builder
	b.WriteString("\nCost as the work grows: each list on databases 10, 100 and 1000 times smaller (same 100 clients, half as long). ")
	b.WriteString("Cells: Partner Desk req/s (bare req/s), p50 ms.\n\n| list |")
	for _, f := range factors {
		if f == 1 {
			b.WriteString(" full size |")
		} else {
			fmt.Fprintf(&b, " 1/%d |", f)
		}
	}
	b.WriteString(" full ÷ 1/1000 throughput |\n|---|")
	b.WriteString(strings.Repeat("---:|", len(factors)+1) + "\n")
	for _, l := range lists {
		fmt.Fprintf(&b, "| %s |", l)
		for _, f := range factors {
			g, ok := by[l][f]
			if !ok {
				b.WriteString(" – |")
				continue
			}
			fmt.Fprintf(&b, " %s (%s), %s |", num(g.RPS), num(g.BareRPS), num(g.P50))
		}
		full, okF := by[l][1]
		small, okS := by[l][growthFactors[len(growthFactors)-1]]
		if okF && okS && small.RPS > 0 && small.BareRPS > 0 {
			fmt.Fprintf(&b, " %.2f× (bare %.2f×) |\n", full.RPS/small.RPS, full.BareRPS/small.BareRPS)
		} else {
			b.WriteString(" – |\n")
		}
	}
	return b.String()
}

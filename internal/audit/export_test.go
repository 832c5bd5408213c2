package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/audit"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the export (run with -update if the change is intended)\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestExportCSV(t *testing.T) {
	t.Parallel()
	db, svc := newService(t, fixedClock(90*time.Second))
	ada := uuid.MustParse("0b6c1f5e-3f43-4a51-9a4e-1d2f1f0a0001")
	tenA := uuid.MustParse("7d0f4a3c-5b2e-4c8d-8e9f-0a1b2c3d0a0a")
	tenB := uuid.MustParse("7d0f4a3c-5b2e-4c8d-8e9f-0a1b2c3d0b0b")
	ctx := audit.WithMeta(context.Background(), audit.Meta{RequestID: "req-7", IP: "203.0.113.9", UserAgent: `Mozilla/5.0 (X11; Linux x86_64) "quoted", comma`})
	entries := []audit.Entry{
		{Actor: audit.Actor{ID: &ada, Label: "ada@acquirer.example"}, Action: "auth:login"},
		{Actor: audit.Actor{ID: &ada, Label: "ada@acquirer.example"}, TenantID: &tenA, Action: "partner:onboard",
			TargetType: "partner", TargetID: "krn:partner:global:account:test:AB12",
			After: map[string]any{"name": "Café Nord, AB", "country": "SE"}},
		{Actor: audit.Actor{Label: "token:ci"}, TenantID: &tenA, Action: "credential:create", TargetType: "api_key",
			TargetID: "=HYPERLINK(\"http://evil.example\")", After: map[string]any{"name": "shop", "api_key": "klarna_live_api_SECRET"}},
		{Actor: audit.Actor{Label: "+cmd|' /C calc'!A0"}, TenantID: &tenB, Action: "dispute:respond", TargetType: "dispute",
			TargetID: "-1\nsecond line", Before: map[string]any{"note": "line one"}, After: map[string]any{"note": "line one\nline two"}},
		{Action: "settlement:sync", TargetID: "@SUM(A1)"},
	}
	for _, e := range entries {
		if err := db.InTx(ctx, func(ctx context.Context) error { return svc.Record(ctx, e) }); err != nil {
			t.Fatal(err)
		}
	}

	var buf bytes.Buffer
	if err := svc.ExportCSV(context.Background(), scope.All(), audit.Filter{}, &buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "export.csv", buf.Bytes())
	if strings.Contains(buf.String(), "SECRET") {
		t.Fatal("the export contains a secret value")
	}

	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatalf("export is not valid CSV: %v", err)
	}
	if len(rows) != len(entries)+1 || strings.Join(rows[0], ",") != strings.Join(audit.CSVHeader, ",") {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsAny(cell[:1], "=+-@") {
				t.Fatalf("cell %q would run as a spreadsheet formula", cell)
			}
		}
	}

	t.Run("OK_FilteredByTenant", func(t *testing.T) {
		var buf bytes.Buffer
		if err := svc.ExportCSV(context.Background(), scope.Tenants(tenB), audit.Filter{}, &buf); err != nil {
			t.Fatal(err)
		}
		rows, _ := csv.NewReader(&buf).ReadAll()
		if len(rows) != 2 || rows[1][5] != "dispute:respond" {
			t.Fatalf("tenant B export: %v", rows)
		}
	})
	t.Run("OK_EmptyScopeIsHeaderOnly", func(t *testing.T) {
		var buf bytes.Buffer
		if err := svc.ExportCSV(context.Background(), scope.None(), audit.Filter{}, &buf); err != nil {
			t.Fatal(err)
		}
		if buf.String() != strings.Join(audit.CSVHeader, ",")+"\r\n" {
			t.Fatalf("got %q", buf.String())
		}
	})
	t.Run("ErrWriter_StopsTheExport", func(t *testing.T) {
		w := &failingWriter{after: 100}
		err := svc.ExportCSV(context.Background(), scope.All(), audit.Filter{}, w)
		if !errors.Is(err, errDisconnected) {
			t.Fatalf("export to a broken writer = %v", err)
		}
	})
}

var errDisconnected = errors.New("client went away")

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errDisconnected
	}
	return len(p), nil
}

func BenchmarkRecord(b *testing.B) {
	db, svc := newService(b, nil)
	tenant := uuid.New()
	actor := uuid.New()
	ctx := audit.WithMeta(context.Background(), audit.Meta{RequestID: "bench", IP: "192.0.2.1", UserAgent: "go-bench"})
	before := partner{Name: "Acme", Country: "SE", Address: &address{Street: "Storgatan 1", City: "Stockholm"}}
	after := partner{Name: "Acme AB", Country: "SE", Address: &address{Street: "Storgatan 2", City: "Stockholm"}}
	b.ResetTimer()
	for b.Loop() {
		err := db.InTx(ctx, func(ctx context.Context) error {
			return svc.Record(ctx, audit.Entry{Actor: audit.Actor{ID: &actor, Label: "ada@example.com"}, TenantID: &tenant,
				Action: "partner:manage", TargetType: "partner", TargetID: "p1", Before: before, After: after})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify walks a trail of 1000 events per iteration.
func BenchmarkVerify(b *testing.B) {
	db, svc := newService(b, nil)
	for i := range 1000 {
		record(b, db, svc, audit.Entry{Actor: audit.Actor{Label: "ada@example.com"}, Action: "partner:manage", TargetID: strconv.Itoa(i),
			Before: partner{Name: "Acme", Volume: float64(i)}, After: partner{Name: "Acme AB", Volume: float64(i) / 7}})
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := svc.Verify(context.Background())
		if err != nil || !res.OK || res.Checked != 1000 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

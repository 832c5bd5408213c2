package postgres_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

// The rows of a run are stored with COPY and come back in file order; a row
// is handed out to be sent until it is marked sent, and marking it a second
// time fails, so a row can never become two drafts.
func TestBulkRows_StoredInOrderAndSentOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	st := db.Bulk()
	var csv bytes.Buffer
	if _, err := partner.GenerateBulkCSV(&csv, 25, 5, "PD-ST", "krn:profile", "krn:acq"); err != nil {
		t.Fatal(err)
	}
	rows, err := partner.ParseBulkCSV(&csv)
	if err != nil {
		t.Fatal(err)
	}
	run := partner.BulkRun{ID: uuid.New(), Filename: "store.csv", Status: partner.BulkRunning, TotalRows: 25, ValidRows: 20, InvalidRows: 5, CreatedAt: time.Now()}
	if err := db.InTx(ctx, func(ctx context.Context) error { return st.CreateBulkRun(ctx, &run, rows) }); err != nil {
		t.Fatal(err)
	}
	got, err := st.BulkRun(ctx, run.ID)
	if err != nil || got.Progress.Pending != 20 || got.Progress.Submitted+got.Progress.Succeeded+got.Progress.Failed != 0 {
		t.Fatalf("run %+v, %v", got, err)
	}
	invalid, _, err := st.BulkRows(ctx, run.ID, "invalid", "", 100)
	if err != nil || len(invalid) != 5 || invalid[0].Row != 6 || invalid[0].Status != partner.BulkRowInvalid || len(invalid[0].Errors) == 0 {
		t.Fatalf("invalid rows %+v, %v", invalid, err)
	}
	// Pages in file order.
	var lines []int
	cursor := ""
	for {
		page, next, err := st.BulkRows(ctx, run.ID, "", cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			lines = append(lines, r.Row)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(lines) != 25 || lines[0] != 2 || lines[24] != 26 {
		t.Fatalf("rows by page: %v", lines)
	}

	draft := partner.Draft{ID: uuid.New(), Kind: "new", Status: partner.DraftSubmitted, IdempotencyKey: uuid.New(), Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := db.Onboarding().CreateDraft(ctx, &draft); err != nil {
		t.Fatal(err)
	}
	var first partner.BulkRow
	err = db.InTx(ctx, func(ctx context.Context) error {
		next, err := st.NextBulkRows(ctx, run.ID, 1)
		if err != nil {
			return err
		}
		first = next[0]
		return st.MarkBulkRowSent(ctx, run.ID, first.Row, draft.ID)
	})
	if err != nil || first.Row != 2 || first.Payload.PartnerAccountReference != "PD-ST-00001" {
		t.Fatalf("first row %+v, %v", first, err)
	}
	err = db.InTx(ctx, func(ctx context.Context) error { return st.MarkBulkRowSent(ctx, run.ID, first.Row, draft.ID) })
	if err == nil {
		t.Fatal("a row was marked sent twice")
	}
	err = db.InTx(ctx, func(ctx context.Context) error {
		next, err := st.NextBulkRows(ctx, run.ID, 100)
		if err != nil {
			return err
		}
		if len(next) != 19 || next[0].Row == first.Row {
			t.Fatalf("after one sent: %d rows to send, first line %d", len(next), next[0].Row)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pending, submitted, err := st.BulkBacklog(ctx, run.ID)
	if err != nil || pending != 19 || submitted != 1 {
		t.Fatalf("backlog %d pending, %d submitted, %v", pending, submitted, err)
	}
	got, _ = st.BulkRun(ctx, run.ID)
	if got.Progress.Pending != 19 || got.Progress.Submitted != 1 {
		t.Fatalf("progress %+v", got.Progress)
	}
	// Its draft deleted, a sent row counts as failed, never as pending again.
	if err := db.Onboarding().DeleteDraft(ctx, draft.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = st.BulkRun(ctx, run.ID)
	if got.Progress.Pending != 19 || got.Progress.Failed != 1 {
		t.Fatalf("progress after the draft was deleted %+v", got.Progress)
	}
}

package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/partner"
)

// BulkStore implements partner.BulkStore. Bulk runs belong to no partner
// tenant (they create partners), so its methods take no scope: the bulk
// routes answer only callers whose partner:onboard holds across all partners
// (httpapi's bulk gate), and rows become drafts through the onboarding store.
type BulkStore struct{ db *DB }

// Bulk returns the bulk onboarding store.
func (db *DB) Bulk() *BulkStore { return &BulkStore{db: db} }

var _ partner.BulkStore = (*BulkStore)(nil)

func (s *BulkStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// CreateBulkRun inserts the run and COPYs its rows (inside InTx).
func (s *BulkStore) CreateBulkRun(ctx context.Context, run *partner.BulkRun, rows []partner.BulkRow) error {
	if err := s.db.conn(ctx).Exec(`INSERT INTO onboarding_bulk_runs (id, filename, status, total_rows, valid_rows, invalid_rows, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, run.ID, run.Filename, string(run.Status), run.TotalRows, run.ValidRows, run.InvalidRows, run.CreatedBy, run.CreatedAt).Error; err != nil {
		return fmt.Errorf("create bulk run: %w", err)
	}
	return PgxTx(ctx, func(tx pgx.Tx) error {
		i := 0
		var encErr error
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(rows) {
				return nil, nil
			}
			r := rows[i]
			i++
			payload, err := json.Marshal(r.Payload)
			if err != nil {
				encErr = err
				return nil, err
			}
			var errs any
			if len(r.Errors) > 0 {
				b, err := json.Marshal(r.Errors)
				if err != nil {
					return nil, err
				}
				errs = json.RawMessage(b)
			}
			return []any{run.ID, r.Row, r.Reference, json.RawMessage(payload), errs}, nil
		})
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"onboarding_bulk_rows"}, []string{"run_id", "row_number", "reference", "payload", "errors"}, src)
		if encErr != nil {
			err = encErr
		}
		if err != nil {
			return fmt.Errorf("copy bulk rows: %w", err)
		}
		if int(n) != len(rows) {
			return fmt.Errorf("copy bulk rows: %d of %d stored", n, len(rows))
		}
		return nil
	})
}

// bulkRunSelect reads runs with their progress from their rows' drafts.
const bulkRunSelect = `SELECT r.id, r.filename, r.status, r.total_rows, r.valid_rows, r.invalid_rows, r.created_by,
		coalesce(u.email, '') AS created_by_email, coalesce(u.name, '') AS created_by_name, r.created_at, r.started_at, r.finished_at,
		p.pending, p.submitted, p.succeeded, p.failed
	FROM onboarding_bulk_runs r
	LEFT JOIN users u ON u.id = r.created_by
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE b.errors IS NULL AND b.submitted_at IS NULL) AS pending,
			count(*) FILTER (WHERE d.status = 'submitted') AS submitted,
			count(*) FILTER (WHERE d.status = 'succeeded') AS succeeded,
			count(*) FILTER (WHERE b.errors IS NULL AND b.submitted_at IS NOT NULL AND coalesce(d.status, '') NOT IN ('submitted', 'succeeded')) AS failed
		FROM onboarding_bulk_rows b LEFT JOIN onboarding_drafts d ON d.id = b.draft_id
		WHERE b.run_id = r.id) p`

type bulkRunRow struct {
	ID                                    uuid.UUID
	Filename                              string
	Status                                string
	TotalRows, ValidRows, InvalidRows     int
	CreatedBy                             *uuid.UUID
	CreatedByEmail, CreatedByName         string
	CreatedAt                             time.Time
	StartedAt, FinishedAt                 *time.Time
	Pending, Submitted, Succeeded, Failed int
}

func (r bulkRunRow) domain() partner.BulkRun {
	return partner.BulkRun{ID: r.ID, Filename: r.Filename, Status: partner.BulkRunStatus(r.Status), TotalRows: r.TotalRows, ValidRows: r.ValidRows, InvalidRows: r.InvalidRows,
		Progress:  partner.BulkProgress{Pending: r.Pending, Submitted: r.Submitted, Succeeded: r.Succeeded, Failed: r.Failed},
		CreatedBy: r.CreatedBy, CreatedByEmail: r.CreatedByEmail, CreatedByName: r.CreatedByName, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
}

func (s *BulkStore) BulkRun(ctx context.Context, id uuid.UUID) (partner.BulkRun, error) {
	var rows []bulkRunRow
	if err := s.db.conn(ctx).Raw(bulkRunSelect+` WHERE r.id = ?`, id).Scan(&rows).Error; err != nil {
		return partner.BulkRun{}, fmt.Errorf("bulk run: %w", err)
	}
	if len(rows) == 0 {
		return partner.BulkRun{}, apperr.E(apperr.NotFound, "No such bulk onboarding run.")
	}
	return rows[0].domain(), nil
}

func (s *BulkStore) LockBulkRun(ctx context.Context, id uuid.UUID) (partner.BulkRun, error) {
	g, err := mustTx(ctx, "lock bulk run")
	if err != nil {
		return partner.BulkRun{}, err
	}
	var ids []uuid.UUID
	if err := g.Raw(`SELECT id FROM onboarding_bulk_runs WHERE id = ? FOR UPDATE`, id).Scan(&ids).Error; err != nil {
		return partner.BulkRun{}, fmt.Errorf("lock bulk run: %w", err)
	}
	if len(ids) == 0 {
		return partner.BulkRun{}, apperr.E(apperr.NotFound, "No such bulk onboarding run.")
	}
	return s.BulkRun(ctx, id)
}

func (s *BulkStore) LockBulkRunStatus(ctx context.Context, id uuid.UUID) (partner.BulkRunStatus, error) {
	g, err := mustTx(ctx, "lock bulk run status")
	if err != nil {
		return "", err
	}
	var st []string
	if err := g.Raw(`SELECT status FROM onboarding_bulk_runs WHERE id = ? FOR SHARE`, id).Scan(&st).Error; err != nil {
		return "", fmt.Errorf("lock bulk run status: %w", err)
	}
	if len(st) == 0 {
		return "", apperr.E(apperr.NotFound, "No such bulk onboarding run.")
	}
	return partner.BulkRunStatus(st[0]), nil
}

func (s *BulkStore) BulkBacklog(ctx context.Context, id uuid.UUID) (int, int, error) {
	var c struct{ Pending, Submitted int }
	if err := s.db.conn(ctx).Raw(`SELECT
			(SELECT count(*) FROM onboarding_bulk_rows WHERE run_id = ? AND errors IS NULL AND submitted_at IS NULL) AS pending,
			(SELECT count(*) FROM onboarding_drafts d JOIN onboarding_bulk_rows b ON b.draft_id = d.id WHERE d.status = 'submitted' AND b.run_id = ?) AS submitted`,
		id, id).Scan(&c).Error; err != nil {
		return 0, 0, fmt.Errorf("bulk backlog: %w", err)
	}
	return c.Pending, c.Submitted, nil
}

func (s *BulkStore) BulkRuns(ctx context.Context, cursor string, limit int) ([]partner.BulkRun, string, error) {
	q, args := bulkRunSelect, []any{}
	if cursor != "" {
		c, err := keyset.DecodeUUID(cursor)
		if err != nil {
			return nil, "", err
		}
		q += ` WHERE (r.created_at, r.id) < (?, ?)`
		args = append(args, c.At, c.ID)
	}
	q += ` ORDER BY r.created_at DESC, r.id DESC LIMIT ?`
	args = append(args, limit+1)
	var rows []bulkRunRow
	if err := s.db.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("bulk runs: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[len(rows)-1]
		next = keyset.EncodeUUID(keyset.UUIDCursor{At: last.CreatedAt, ID: last.ID})
	}
	out := make([]partner.BulkRun, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, next, nil
}

func (s *BulkStore) UpdateBulkRun(ctx context.Context, run *partner.BulkRun) error {
	res := s.db.conn(ctx).Exec(`UPDATE onboarding_bulk_runs SET status = ?, started_at = ?, finished_at = ? WHERE id = ?`,
		string(run.Status), run.StartedAt, run.FinishedAt, run.ID)
	if res.Error != nil {
		return fmt.Errorf("update bulk run: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.E(apperr.NotFound, "No such bulk onboarding run.")
	}
	return nil
}

// bulkRowSelect reads rows with their draft's outcome.
const bulkRowSelect = `SELECT b.row_number, b.reference, b.errors, b.draft_id, b.submitted_at IS NOT NULL AS sent,
		coalesce(d.status, '') AS draft_status, coalesce(d.klarna_account_id, '') AS klarna_account_id,
		coalesce(d.last_error, '') AS last_error, d.field_errors, r.status AS run_status
	FROM onboarding_bulk_rows b
	JOIN onboarding_bulk_runs r ON r.id = b.run_id
	LEFT JOIN onboarding_drafts d ON d.id = b.draft_id
	WHERE b.run_id = ?`

var bulkRowFilters = map[partner.BulkRowFilter]string{
	"":          "TRUE",
	"invalid":   "b.errors IS NOT NULL",
	"pending":   "b.errors IS NULL AND (b.submitted_at IS NULL OR d.status = 'submitted')",
	"succeeded": "d.status = 'succeeded'",
	"failed":    "b.errors IS NULL AND b.submitted_at IS NOT NULL AND coalesce(d.status, '') NOT IN ('submitted', 'succeeded')",
}

type bulkRowRow struct {
	RowNumber       int
	Reference       string
	Errors          []byte
	DraftID         *uuid.UUID
	Sent            bool
	DraftStatus     string
	KlarnaAccountID string
	LastError       string
	FieldErrors     []byte
	RunStatus       string
}

func (r bulkRowRow) domain() (partner.BulkRowResult, error) {
	var errs, klarnaErrs []apperr.FieldError
	if len(r.Errors) > 0 {
		if err := json.Unmarshal(r.Errors, &errs); err != nil {
			return partner.BulkRowResult{}, fmt.Errorf("bulk row %d errors: %w", r.RowNumber, err)
		}
	}
	if len(r.FieldErrors) > 0 && string(r.FieldErrors) != "null" {
		if err := json.Unmarshal(r.FieldErrors, &klarnaErrs); err != nil {
			return partner.BulkRowResult{}, fmt.Errorf("bulk row %d draft errors: %w", r.RowNumber, err)
		}
	}
	return partner.NewBulkRowResult(r.RowNumber, r.Reference, errs, r.DraftID, r.Sent, partner.DraftStatus(r.DraftStatus), r.KlarnaAccountID, r.LastError, klarnaErrs,
		partner.BulkRunStatus(r.RunStatus)), nil
}

func (s *BulkStore) BulkRows(ctx context.Context, runID uuid.UUID, f partner.BulkRowFilter, cursor string, limit int) ([]partner.BulkRowResult, string, error) {
	cond, ok := bulkRowFilters[f]
	if !ok {
		return nil, "", apperr.Validation("Unknown row status.", apperr.FieldError{Field: "status", Message: "one of invalid, pending, succeeded, failed"})
	}
	q, args := bulkRowSelect+` AND `+cond, []any{runID}
	if cursor != "" {
		after, err := keyset.DecodeOrdinal(cursor)
		if err != nil {
			return nil, "", err
		}
		q += ` AND b.row_number > ?`
		args = append(args, after)
	}
	q += ` ORDER BY b.row_number LIMIT ?`
	args = append(args, limit+1)
	var rows []bulkRowRow
	if err := s.db.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("bulk rows: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = keyset.EncodeOrdinal(int64(rows[len(rows)-1].RowNumber))
	}
	out := make([]partner.BulkRowResult, 0, len(rows))
	for _, r := range rows {
		d, err := r.domain()
		if err != nil {
			return nil, "", err
		}
		out = append(out, d)
	}
	return out, next, nil
}

// EachBulkRow streams the rows in pages of 1 000, so a 10 000-row run is
// never held in memory at once.
func (s *BulkStore) EachBulkRow(ctx context.Context, runID uuid.UUID, fn func(partner.BulkRowResult) error) error {
	cursor := ""
	for {
		rows, next, err := s.BulkRows(ctx, runID, "", cursor, 1000)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

func (s *BulkStore) NextBulkRows(ctx context.Context, runID uuid.UUID, limit int) ([]partner.BulkRow, error) {
	g, err := mustTx(ctx, "next bulk rows")
	if err != nil {
		return nil, err
	}
	var rows []struct {
		RowNumber int
		Reference string
		Payload   []byte
	}
	if err := g.Raw(`SELECT row_number, reference, payload FROM onboarding_bulk_rows
		WHERE run_id = ? AND errors IS NULL AND submitted_at IS NULL ORDER BY row_number LIMIT ? FOR UPDATE SKIP LOCKED`, runID, limit).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("next bulk rows: %w", err)
	}
	out := make([]partner.BulkRow, 0, len(rows))
	for _, r := range rows {
		br := partner.BulkRow{Row: r.RowNumber, Reference: r.Reference}
		if err := json.Unmarshal(r.Payload, &br.Payload); err != nil {
			return nil, fmt.Errorf("bulk row %d payload: %w", r.RowNumber, err)
		}
		out = append(out, br)
	}
	return out, nil
}

func (s *BulkStore) MarkBulkRowSent(ctx context.Context, runID uuid.UUID, row int, draftID uuid.UUID) error {
	res := s.db.conn(ctx).Exec(`UPDATE onboarding_bulk_rows SET draft_id = ?, submitted_at = now() WHERE run_id = ? AND row_number = ? AND submitted_at IS NULL`, draftID, runID, row)
	if res.Error != nil {
		return fmt.Errorf("mark bulk row sent: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("mark bulk row sent: row %d of run %s was already sent", row, runID)
	}
	return nil
}

func (s *BulkStore) MarkBulkRowInvalid(ctx context.Context, runID uuid.UUID, row int, errs []apperr.FieldError) error {
	b, err := json.Marshal(errs)
	if err != nil {
		return err
	}
	res := s.db.conn(ctx).Exec(`UPDATE onboarding_bulk_rows SET errors = ? WHERE run_id = ? AND row_number = ? AND errors IS NULL`, b, runID, row)
	if res.Error != nil {
		return fmt.Errorf("mark bulk row invalid: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return s.db.conn(ctx).Exec(`UPDATE onboarding_bulk_runs SET valid_rows = valid_rows - 1, invalid_rows = invalid_rows + 1 WHERE id = ?`, runID).Error
	}
	return nil
}

func (s *BulkStore) TakenReferences(ctx context.Context, refs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(refs) == 0 {
		return out, nil
	}
	var taken []string
	if err := s.db.conn(ctx).Raw(`SELECT reference FROM partner_accounts WHERE reference = ANY(?)
		UNION SELECT partner_account_reference FROM onboarding_drafts WHERE partner_account_reference = ANY(?) AND status NOT IN ('rejected', 'failed')`,
		pq.Array(refs), pq.Array(refs)).Scan(&taken).Error; err != nil {
		return nil, fmt.Errorf("taken references: %w", err)
	}
	for _, r := range taken {
		out[r] = true
	}
	return out, nil
}

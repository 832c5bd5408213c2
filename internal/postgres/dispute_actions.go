package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
)

// DisputeResponseStore implements dispute.ResponseStore: drafts, their
// files (kept in bytea) and the answers submitted. The dispute was read in
// the caller's scope before any of these is called.
type DisputeResponseStore struct{ db *DB }

// DisputeResponses returns the store.
func (db *DB) DisputeResponses() *DisputeResponseStore { return &DisputeResponseStore{db: db} }

var _ dispute.ResponseStore = (*DisputeResponseStore)(nil)

type disputeDraftRow struct {
	DisputeID      string
	Kind           string
	Information    string
	RefundAmount   *int64
	Checklist      pq.StringArray `gorm:"type:text[]"`
	Version        int64
	UpdatedBy      *uuid.UUID
	UpdatedByLabel string
	UpdatedAt      time.Time
}

type disputeFileRow struct {
	ID                 uuid.UUID
	DisputeID, Kind    string
	Filename           string
	ContentType        string
	Size               int
	Sha256             []byte
	Data               []byte
	KlarnaAttachmentID *string
	CreatedAt          time.Time
}

func (r disputeFileRow) attachment() dispute.Attachment {
	a := dispute.Attachment{ID: r.ID, DisputeID: r.DisputeID, Kind: r.Kind, Filename: r.Filename, ContentType: r.ContentType, Size: r.Size,
		SHA256: r.Sha256, CreatedAt: r.CreatedAt, Data: r.Data}
	if r.KlarnaAttachmentID != nil {
		a.KlarnaID = *r.KlarnaAttachmentID
	}
	return a
}

const attachmentCols = `id, dispute_id, kind, filename, content_type, size, sha256, klarna_attachment_id, created_at`

func (s *DisputeResponseStore) Draft(ctx context.Context, id, kind string) (dispute.Draft, error) {
	var rows []disputeDraftRow
	if err := s.db.conn(ctx).Raw(`SELECT dispute_id, kind, information, refund_amount, checklist, version, updated_by, updated_by_label, updated_at
		FROM dispute_drafts WHERE dispute_id = ? AND kind = ?`, id, kind).Scan(&rows).Error; err != nil {
		return dispute.Draft{}, fmt.Errorf("dispute draft: %w", err)
	}
	d := dispute.Draft{DisputeID: id, Kind: kind, Checklist: []string{}}
	if len(rows) == 1 {
		r := rows[0]
		at := r.UpdatedAt
		d = dispute.Draft{DisputeID: id, Kind: kind, Information: r.Information, RefundAmount: r.RefundAmount, Checklist: append([]string{}, r.Checklist...),
			Version: r.Version, UpdatedByID: r.UpdatedBy, UpdatedBy: r.UpdatedByLabel, UpdatedAt: &at}
	}
	var files []disputeFileRow
	if err := s.db.conn(ctx).Raw(`SELECT `+attachmentCols+` FROM dispute_draft_attachments WHERE dispute_id = ? AND kind = ? ORDER BY created_at, id`,
		id, kind).Scan(&files).Error; err != nil {
		return dispute.Draft{}, fmt.Errorf("dispute draft files: %w", err)
	}
	d.Attachments = make([]dispute.Attachment, 0, len(files))
	for _, f := range files {
		d.Attachments = append(d.Attachments, f.attachment())
	}
	return d, nil
}

func (s *DisputeResponseStore) SaveDraft(ctx context.Context, d dispute.Draft) (dispute.Draft, bool, error) {
	var n int64
	var err error
	checklist := pq.StringArray(d.Checklist)
	if d.Version == 0 {
		res := s.db.conn(ctx).Exec(`INSERT INTO dispute_drafts (dispute_id, kind, information, refund_amount, checklist, version, updated_by, updated_by_label, updated_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?, now()) ON CONFLICT (dispute_id, kind) DO NOTHING`,
			d.DisputeID, d.Kind, d.Information, d.RefundAmount, checklist, d.UpdatedByID, d.UpdatedBy)
		n, err = res.RowsAffected, res.Error
	} else {
		res := s.db.conn(ctx).Exec(`UPDATE dispute_drafts SET information = ?, refund_amount = ?, checklist = ?, version = version + 1,
			updated_by = ?, updated_by_label = ?, updated_at = now() WHERE dispute_id = ? AND kind = ? AND version = ?`,
			d.Information, d.RefundAmount, checklist, d.UpdatedByID, d.UpdatedBy, d.DisputeID, d.Kind, d.Version)
		n, err = res.RowsAffected, res.Error
	}
	if err != nil {
		return dispute.Draft{}, false, fmt.Errorf("save dispute draft: %w", err)
	}
	if n == 0 {
		return dispute.Draft{}, false, nil
	}
	saved, err := s.Draft(ctx, d.DisputeID, d.Kind)
	return saved, true, err
}

func (s *DisputeResponseStore) AddAttachment(ctx context.Context, a dispute.Attachment, by *uuid.UUID) (dispute.Attachment, bool, error) {
	var rows []disputeFileRow
	err := s.db.conn(ctx).Raw(`INSERT INTO dispute_draft_attachments (dispute_id, kind, filename, content_type, size, sha256, data, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dispute_id, kind, sha256) DO NOTHING RETURNING `+attachmentCols,
		a.DisputeID, a.Kind, a.Filename, a.ContentType, a.Size, a.SHA256, a.Data, by).Scan(&rows).Error
	if err != nil {
		return dispute.Attachment{}, false, fmt.Errorf("dispute attachment: %w", err)
	}
	if len(rows) == 1 {
		return rows[0].attachment(), false, nil
	}
	// Posted at the same time by a retry: the first one's row.
	if err := s.db.conn(ctx).Raw(`SELECT `+attachmentCols+` FROM dispute_draft_attachments WHERE dispute_id = ? AND kind = ? AND sha256 = ?`,
		a.DisputeID, a.Kind, a.SHA256).Scan(&rows).Error; err != nil || len(rows) != 1 {
		return dispute.Attachment{}, false, errors.Join(fmt.Errorf("dispute attachment: the same file vanished"), err)
	}
	return rows[0].attachment(), true, nil
}

func (s *DisputeResponseStore) Attachment(ctx context.Context, id, kind string, att uuid.UUID, withData bool) (dispute.Attachment, error) {
	cols := attachmentCols
	if withData {
		cols += ", data"
	}
	var rows []disputeFileRow
	if err := s.db.conn(ctx).Raw(`SELECT `+cols+` FROM dispute_draft_attachments WHERE dispute_id = ? AND kind = ? AND id = ?`, id, kind, att).
		Scan(&rows).Error; err != nil {
		return dispute.Attachment{}, fmt.Errorf("dispute attachment: %w", err)
	}
	if len(rows) == 0 {
		return dispute.Attachment{}, apperr.E(apperr.NotFound, "The draft has no such file.")
	}
	return rows[0].attachment(), nil
}

func (s *DisputeResponseStore) DeleteAttachment(ctx context.Context, id, kind string, att uuid.UUID) error {
	res := s.db.conn(ctx).Exec(`DELETE FROM dispute_draft_attachments WHERE dispute_id = ? AND kind = ? AND id = ?`, id, kind, att)
	if res.Error != nil {
		return fmt.Errorf("delete dispute attachment: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.E(apperr.NotFound, "The draft has no such file.")
	}
	return nil
}

func (s *DisputeResponseStore) SetKlarnaAttachment(ctx context.Context, att uuid.UUID, klarnaID string) error {
	return s.db.conn(ctx).Exec(`UPDATE dispute_draft_attachments SET klarna_attachment_id = ? WHERE id = ?`, klarnaID, att).Error
}

type disputeActionRow struct {
	ID             uuid.UUID
	DisputeID      string
	Kind, Status   string
	IdempotencyKey string
	Information    string
	RefundAmount   *int64
	Attachments    int
	Error          string
	CreatedBy      *uuid.UUID
	CreatedByLabel string
	CreatedAt      time.Time
	FinishedAt     *time.Time
}

func (r disputeActionRow) action() dispute.Action {
	return dispute.Action{ID: r.ID, DisputeID: r.DisputeID, Kind: r.Kind, Status: r.Status, IdempotencyKey: r.IdempotencyKey, Information: r.Information,
		RefundAmount: r.RefundAmount, Attachments: r.Attachments, Error: r.Error, CreatedByID: r.CreatedBy, CreatedBy: r.CreatedByLabel,
		CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt}
}

const actionCols = `id, dispute_id, kind, status, idempotency_key, information, refund_amount, attachments, error, created_by, created_by_label, created_at, finished_at`

func (s *DisputeResponseStore) CreateAction(ctx context.Context, a dispute.Action) (dispute.Action, error) {
	var rows []disputeActionRow
	err := s.db.conn(ctx).Raw(`INSERT INTO dispute_actions (dispute_id, kind, idempotency_key, information, refund_amount, attachments, created_by, created_by_label)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dispute_id) WHERE status = 'pending' DO NOTHING RETURNING `+actionCols,
		a.DisputeID, a.Kind, a.IdempotencyKey, a.Information, a.RefundAmount, a.Attachments, a.CreatedByID, a.CreatedBy).Scan(&rows).Error
	if err != nil {
		return dispute.Action{}, fmt.Errorf("dispute action: %w", err)
	}
	if len(rows) == 0 {
		return dispute.Action{}, apperr.E(apperr.Conflict, "An answer to this dispute is already being sent to Klarna; wait for it to finish.")
	}
	return rows[0].action(), nil
}

func (s *DisputeResponseStore) Action(ctx context.Context, id uuid.UUID) (dispute.Action, error) {
	var rows []disputeActionRow
	if err := s.db.conn(ctx).Raw(`SELECT `+actionCols+` FROM dispute_actions WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return dispute.Action{}, fmt.Errorf("dispute action: %w", err)
	}
	if len(rows) == 0 {
		return dispute.Action{}, apperr.E(apperr.NotFound, "No such action.")
	}
	return rows[0].action(), nil
}

func (s *DisputeResponseStore) FinishAction(ctx context.Context, id uuid.UUID, status, errMsg string, at time.Time) error {
	return s.db.conn(ctx).Exec(`UPDATE dispute_actions SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'pending'`,
		status, strings.TrimSpace(errMsg), at, id).Error
}

func (s *DisputeResponseStore) Actions(ctx context.Context, disputeID string) ([]dispute.Action, error) {
	var rows []disputeActionRow
	if err := s.db.conn(ctx).Raw(`SELECT `+actionCols+` FROM dispute_actions WHERE dispute_id = ? ORDER BY created_at DESC, id DESC LIMIT 100`,
		disputeID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("dispute actions: %w", err)
	}
	out := make([]dispute.Action, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.action())
	}
	return out, nil
}

package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/identity"
)

// SavedViewStore keeps users' named filter sets. Every method takes the
// user: a user reads and changes only their own views.
type SavedViewStore struct{ db *DB }

// SavedViews returns the saved view store.
func (db *DB) SavedViews() *SavedViewStore { return &SavedViewStore{db: db} }

func (s *SavedViewStore) List(ctx context.Context, userID uuid.UUID, list string) ([]identity.SavedView, error) {
	rows, err := s.db.conn(ctx).Raw(`SELECT id, list, name, query, created_at FROM saved_views WHERE user_id = ? AND list = ? ORDER BY name`, userID, list).Rows()
	if err != nil {
		return nil, fmt.Errorf("saved views: %w", err)
	}
	defer rows.Close()
	out := []identity.SavedView{}
	for rows.Next() {
		var v identity.SavedView
		if err := rows.Scan(&v.ID, &v.List, &v.Name, &v.Query, &v.CreatedAt); err != nil {
			return nil, fmt.Errorf("saved views: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Save stores a view; the same name replaces the user's view of that name.
func (s *SavedViewStore) Save(ctx context.Context, userID uuid.UUID, list, name, query string) (identity.SavedView, error) {
	var v identity.SavedView
	err := s.db.conn(ctx).Raw(`INSERT INTO saved_views (id, user_id, list, name, query) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, list, name) DO UPDATE SET query = EXCLUDED.query
		RETURNING id, list, name, query, created_at`, uuid.New(), userID, list, name, query).Row().Scan(&v.ID, &v.List, &v.Name, &v.Query, &v.CreatedAt)
	if err != nil {
		return v, fmt.Errorf("save view: %w", err)
	}
	return v, nil
}

func (s *SavedViewStore) Delete(ctx context.Context, userID, id uuid.UUID) error {
	res := s.db.conn(ctx).Exec(`DELETE FROM saved_views WHERE id = ? AND user_id = ?`, id, userID)
	if res.Error != nil {
		return fmt.Errorf("delete view: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.E(apperr.NotFound, "No such view.")
	}
	return nil
}

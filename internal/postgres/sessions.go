package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/auth"
	"github.com/partnerdesk/partnerdesk/internal/identity"
)

type flowRow struct {
	State        string `gorm:"primaryKey"`
	Nonce        string
	CodeVerifier string
	ReturnTo     string
	Resume       string
	BrowserHash  []byte
	CreatedAt    time.Time
}

func (flowRow) TableName() string { return "login_flows" }

type sessionRow struct {
	IDHash     []byte `gorm:"primaryKey"`
	UserID     uuid.UUID
	CSRFToken  string `gorm:"column:csrf_token"`
	AuthTime   time.Time
	IDToken    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	IP         string `gorm:"column:ip"`
	UserAgent  string
}

func (sessionRow) TableName() string { return "sessions" }

func (r sessionRow) domain() auth.Session {
	return auth.Session{IDHash: r.IDHash, UserID: r.UserID, CSRFToken: r.CSRFToken, AuthTime: r.AuthTime, IDToken: r.IDToken, CreatedAt: r.CreatedAt,
		LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt, IP: r.IP, UserAgent: r.UserAgent}
}

// SessionStore implements auth.Store.
type SessionStore struct{ db *DB }

// Sessions returns the session store.
func (db *DB) Sessions() *SessionStore { return &SessionStore{db: db} }

var _ auth.Store = (*SessionStore)(nil)

func (s *SessionStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

func (s *SessionStore) SaveFlow(ctx context.Context, f auth.Flow) error {
	// Flows older than an hour are abandoned logins: sweep them here, cheaply.
	s.db.conn(ctx).Where("created_at < ?", time.Now().Add(-time.Hour)).Delete(&flowRow{})
	return s.db.conn(ctx).Create(&flowRow{State: f.State, Nonce: f.Nonce, CodeVerifier: f.CodeVerifier, ReturnTo: f.ReturnTo, BrowserHash: f.BrowserHash, CreatedAt: f.CreatedAt}).Error
}

func (s *SessionStore) TakeFlow(ctx context.Context, state string) (auth.Flow, error) {
	var rows []flowRow
	if err := s.db.conn(ctx).Clauses(clause.Returning{}).Where("state = ?", state).Delete(&rows).Error; err != nil {
		return auth.Flow{}, fmt.Errorf("take flow: %w", err)
	}
	if len(rows) == 0 {
		return auth.Flow{}, apperr.E(apperr.NotFound, "No such login.")
	}
	r := rows[0]
	return auth.Flow{State: r.State, Nonce: r.Nonce, CodeVerifier: r.CodeVerifier, ReturnTo: r.ReturnTo, BrowserHash: r.BrowserHash, CreatedAt: r.CreatedAt}, nil
}

func (s *SessionStore) CreateSession(ctx context.Context, a auth.Session) error {
	row := sessionRow{IDHash: a.IDHash, UserID: a.UserID, CSRFToken: a.CSRFToken, AuthTime: a.AuthTime, IDToken: a.IDToken, CreatedAt: a.CreatedAt,
		LastSeenAt: a.LastSeenAt, ExpiresAt: a.ExpiresAt, IP: a.IP, UserAgent: a.UserAgent}
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

type sessionUserRow struct {
	Session sessionRow `gorm:"embedded"`
	User    userRow    `gorm:"embedded;embeddedPrefix:u_"`
}

// SessionByHash reads the session and its user in one query: it runs on
// every request a browser makes.
func (s *SessionStore) SessionByHash(ctx context.Context, hash []byte) (auth.Session, identity.User, error) {
	var r sessionUserRow
	res := s.db.conn(ctx).Raw(`SELECT s.*, u.id AS u_id, u.issuer AS u_issuer, u.subject AS u_subject, u.email AS u_email, u.name AS u_name,
			u.disabled_at AS u_disabled_at, u.created_at AS u_created_at, u.last_login_at AS u_last_login_at, u.last_login_claims AS u_last_login_claims
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`, hash).Scan(&r)
	if res.Error != nil {
		return auth.Session{}, identity.User{}, fmt.Errorf("session: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return auth.Session{}, identity.User{}, apperr.E(apperr.NotFound, "No such session.")
	}
	return r.Session.domain(), r.User.domain(), nil
}

func (s *SessionStore) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	return s.db.conn(ctx).Model(&sessionRow{}).Where("id_hash = ?", hash).Update("last_seen_at", at).Error
}

func (s *SessionStore) RevokeSession(ctx context.Context, hash []byte, at time.Time) (auth.Session, error) {
	var r sessionRow
	res := s.db.conn(ctx).Model(&r).Clauses(clause.Returning{}).Where("id_hash = ? AND revoked_at IS NULL", hash).Update("revoked_at", at)
	if res.Error != nil {
		return auth.Session{}, fmt.Errorf("revoke session: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return auth.Session{}, apperr.E(apperr.NotFound, "No such session.")
	}
	return r.domain(), nil
}

func (s *SessionStore) RevokeUserSessions(ctx context.Context, userID uuid.UUID, at time.Time) error {
	return s.db.conn(ctx).Model(&sessionRow{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", at).Error
}

func (s *SessionStore) CountLoginAttempt(ctx context.Context, client string, window time.Time) (int, error) {
	var n int
	err := s.db.conn(ctx).Raw(`INSERT INTO login_attempts (client, window_start, attempts) VALUES (?, ?, 1)
		ON CONFLICT (client, window_start) DO UPDATE SET attempts = login_attempts.attempts + 1 RETURNING attempts`, client, window).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count login attempt: %w", err)
	}
	return n, nil
}

package postgres

import (
	"context"
	"fmt"

	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/search"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// SearchStore implements search.Store: the global search's lookups that no
// list makes (the other kinds reuse the directory's, the dispute queue's
// and the settlements' own queries).
type SearchStore struct{ db *DB }

// Search returns the global search's store.
func (db *DB) Search() *SearchStore { return &SearchStore{db: db} }

var _ search.Store = (*SearchStore)(nil)

// resourceName is a resource's name in Klarna's data, when its kind has one.
const resourceName = `coalesce(nullif(r.data ->> 'legal_registered_entity_name', ''), nullif(r.data ->> 'display_name', ''), nullif(r.data ->> 'url', ''), '')`

// SearchResourcesSQL is the query of Resources: the resources whose Klarna
// id or reference is q (the indexes partner_resources_klarna_id and
// partner_resources_reference), of accounts of partners in sc. It has no
// ORDER BY on purpose: a reference many partners share stops at limit
// instead of sorting every match (the service orders what it keeps and says
// there may be more).
func SearchResourcesSQL(sc scope.Scope, q string, limit int) (string, []any) {
	cond, args := scopeCond("pa.tenant_id", sc)
	return `SELECT r.kind, r.klarna_id, r.reference, ` + resourceName + `, pa.tenant_id, t.name
		FROM partner_resources r JOIN partner_accounts pa ON pa.klarna_account_id = r.klarna_account_id JOIN tenants t ON t.id = pa.tenant_id
		WHERE (r.klarna_id = ? OR (r.reference = ? AND r.reference <> '')) AND ` + cond + ` LIMIT ?`,
		append(append([]any{q, q}, args...), limit)
}

func (s *SearchStore) Resources(ctx context.Context, sc scope.Scope, q string, limit int) ([]search.ResourceHit, error) {
	if sc.IsEmpty() {
		return nil, nil
	}
	query, args := SearchResourcesSQL(sc, q, limit)
	rows, err := s.db.conn(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("search resources: %w", err)
	}
	defer rows.Close()
	var out []search.ResourceHit
	for rows.Next() {
		var h search.ResourceHit
		if err := rows.Scan(&h.Kind, &h.KlarnaID, &h.Reference, &h.Name, &h.TenantID, &h.TenantName); err != nil {
			return nil, fmt.Errorf("search resources: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// SearchWebhookEventsSQL is the query of WebhookEvents: the events whose
// Klarna event id is q (its unique index), in sc.
func SearchWebhookEventsSQL(sc scope.Scope, q string, limit int) (string, []any) {
	cond, args := scopeCond("e.tenant_id", sc)
	return `SELECT ` + eventListCols + ` FROM webhook_events e LEFT JOIN tenants t ON t.id = e.tenant_id
		WHERE e.event_id = ? AND ` + cond + ` ORDER BY e.id LIMIT ?`, append(append([]any{q}, args...), limit)
}

func (s *SearchStore) WebhookEvents(ctx context.Context, sc scope.Scope, q string, limit int) ([]webhook.Event, error) {
	if sc.IsEmpty() {
		return nil, nil
	}
	query, args := SearchWebhookEventsSQL(sc, q, limit)
	var rows []eventRow
	if err := s.db.conn(ctx).Raw(query, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("search webhook events: %w", err)
	}
	out := make([]webhook.Event, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

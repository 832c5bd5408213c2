package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/keyset"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// DirectoryStore implements partner.DirectoryStore.
type DirectoryStore struct{ db *DB }

// Directory returns the partner directory store.
func (db *DB) Directory() *DirectoryStore { return &DirectoryStore{db: db} }

var _ partner.DirectoryStore = (*DirectoryStore)(nil)

func (s *DirectoryStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// A directory row is a partner tenant with its (first linked) Klarna
// account, so each tenant is one row whatever it has linked.
const directoryFrom = ` FROM tenants t LEFT JOIN LATERAL (
	SELECT * FROM partner_accounts pa WHERE pa.tenant_id = t.id ORDER BY pa.created_at, pa.klarna_account_id LIMIT 1) a ON TRUE`

// stageExpr is a row's onboarding stage (partner.Stage); stuckExpr (one
// argument: the stuck-before time) whether it is stuck.
const (
	stageExpr = `CASE WHEN a.klarna_account_id IS NULL THEN 'draft' WHEN a.state = 'OPERATIONAL' THEN 'operational'
		WHEN a.state = 'DISABLED' THEN 'disabled' WHEN a.state = 'PARTIALLY_OPERATIONAL' THEN 'partially_operational' ELSE 'submitted' END`
	stuckExpr   = `coalesce(a.state = 'PARTIALLY_OPERATIONAL' AND a.partially_operational_at < ?, false)`
	updatedExpr = `coalesce(a.updated_at, t.created_at)`
)

const directoryColumns = `t.id, t.slug, t.name, coalesce(a.reference, ''), coalesce(a.klarna_account_id, ''), coalesce(a.name, ''), coalesce(a.contact_email, ''),
	coalesce(a.state, ''), coalesce(a.product_status, ''), ` + stageExpr + `, ` + stuckExpr + `,
	coalesce(a.entity_count, 0), coalesce(a.brand_count, 0), coalesce(a.store_count, 0), coalesce(a.payment_account_count, 0),
	coalesce(a.warnings, '{}'), t.created_at, ` + updatedExpr + `, a.synced_at, coalesce(a.sync_error, ''), a.partially_operational_at, a.operational_at,
	(SELECT o.completed_at FROM partner_offboardings o WHERE o.tenant_id = t.id)`

func scanSummary(rows *sql.Rows) (partner.Summary, error) {
	var p partner.Summary
	var stage string
	var warnings pq.StringArray
	err := rows.Scan(&p.TenantID, &p.TenantSlug, &p.Name, &p.Reference, &p.KlarnaAccountID, &p.KlarnaName, &p.ContactEmail, &p.State, &p.ProductStatus, &stage, &p.Stuck,
		&p.EntityCount, &p.BrandCount, &p.StoreCount, &p.PaymentAccountCount, &warnings, &p.CreatedAt, &p.UpdatedAt, &p.SyncedAt, &p.SyncError,
		&p.PartiallyOperationalAt, &p.OperationalAt, &p.OffboardedAt)
	p.Stage, p.Warnings = partner.Stage(stage), []string(warnings)
	if p.Warnings == nil {
		p.Warnings = []string{}
	}
	return p, err
}

// sortColumn is the SQL of a sort key and how a cursor value of it parses.
func sortColumn(key string) (expr string, isTime bool) {
	switch key {
	case "created_at":
		return "t.created_at", true
	case "updated_at":
		return updatedExpr, true
	case "state":
		return "coalesce(a.state, '')", false
	default:
		return "t.name", false
	}
}

// searchCond finds the partners q names: the union of index lookups, one
// per kind of match, collected first (an array the outer query looks up by
// primary key). A Klarna id (krn:…) is looked up as an id or reference only,
// an e-mail address also as a contact; other text also as the partner's
// name: by prefix, and from three characters contained (trigrams).
func searchCond(q string) (string, []any) {
	lq := strings.ToLower(q)
	isID := strings.HasPrefix(lq, "krn:")
	isEmail := !isID && strings.Contains(q, "@")
	var branches []string
	var args []any
	if !isID && !isEmail {
		// Contained (trigrams, from three characters) covers the prefix.
		names, pattern := `lower(name) LIKE ? ESCAPE '\'`, likeEscape(lq)+"%"
		if len([]rune(q)) >= 3 {
			names, pattern = `name ILIKE ? ESCAPE '\'`, "%"+likeEscape(q)+"%"
		}
		branches = append(branches, `SELECT id FROM tenants WHERE kind = 'partner' AND (`+names+` OR slug = ?)`)
		args = append(args, pattern, lq)
	}
	accounts := `SELECT tenant_id FROM partner_accounts WHERE klarna_account_id = ? OR (reference = ? AND reference <> '')`
	args = append(args, q, q)
	if isEmail {
		accounts += ` OR (lower(contact_email) = ? AND contact_email <> '')`
		args = append(args, lq)
	}
	branches = append(branches, accounts,
		`SELECT pa.tenant_id FROM partner_resources r JOIN partner_accounts pa ON pa.klarna_account_id = r.klarna_account_id
			WHERE r.klarna_id = ? OR (r.reference = ? AND r.reference <> '')`)
	args = append(args, q, q)
	return "t.id = ANY(ARRAY(" + strings.Join(branches, " UNION ") + "))", args
}

// directoryWhere is the WHERE clause for sc and f (without paging).
func directoryWhere(sc scope.Scope, f partner.Filter) (string, []any) {
	tc, targs := tenantConds(sc, f)
	ac, aargs := accountConds("a", f)
	return " WHERE " + strings.Join(append(tc, ac...), " AND "), append(targs, aargs...)
}

// tenantConds are the conditions of sc and f on the tenant (t) alone.
func tenantConds(sc scope.Scope, f partner.Filter) ([]string, []any) {
	cond, args := scopeCond("t.id", sc)
	conds := []string{"t.kind = 'partner'", cond}
	if q := strings.TrimSpace(f.Q); q != "" {
		c, a := searchCond(q)
		conds, args = append(conds, c), append(args, a...)
	}
	return conds, args
}

// accountConds are the conditions of f on the account (alias a).
func accountConds(a string, f partner.Filter) ([]string, []any) {
	var conds []string
	var args []any
	switch f.State {
	case "":
	case "UNKNOWN":
		conds = append(conds, "coalesce(a.state, '') = ''")
	default:
		conds = append(conds, "a.state = ?")
		args = append(args, f.State)
	}
	switch f.ProductStatus {
	case "":
	case "NONE":
		conds = append(conds, "coalesce(a.product_status, '') = ''")
	default:
		conds = append(conds, "a.product_status = ?")
		args = append(args, f.ProductStatus)
	}
	if w := partner.Warnings[f.Warning]; w != "" {
		conds = append(conds, "a.warnings <> '{}' AND a.warnings @> ARRAY[?]::text[]")
		args = append(args, w)
	}
	switch f.Stage {
	case "":
	case partner.StageDraft:
		conds = append(conds, "a.klarna_account_id IS NULL")
	case partner.StageSubmitted:
		conds = append(conds, "a.klarna_account_id IS NOT NULL AND a.state NOT IN ('OPERATIONAL', 'DISABLED', 'PARTIALLY_OPERATIONAL')")
	case partner.StagePartiallyOperational:
		conds = append(conds, "a.state = 'PARTIALLY_OPERATIONAL'")
	case partner.StageOperational:
		conds = append(conds, "a.state = 'OPERATIONAL'")
	case partner.StageDisabled:
		conds = append(conds, "a.state = 'DISABLED'")
	case partner.StageStuck:
		conds = append(conds, "a.state = 'PARTIALLY_OPERATIONAL' AND a.partially_operational_at < ?")
		args = append(args, f.StuckBefore)
	default: // failed: a partner has an account; failures are drafts'
		conds = append(conds, "FALSE")
	}
	if a != "a" {
		for i, c := range conds {
			conds[i] = strings.ReplaceAll(c, "a.", a+".")
		}
	}
	return conds, args
}

// cursorKey names the order a cursor belongs to, e.g. "-updated_at".
func cursorKey(f partner.Filter) string {
	key := f.Sort
	if key == "" {
		key = "name"
	}
	if f.Desc {
		key = "-" + key
	}
	return key
}

// listSQL is the query of one directory page (limit+1 rows, to tell
// whether another page follows).
func listSQL(sc scope.Scope, f partner.Filter, cursor string, limit int) (string, []any, error) {
	key := cursorKey(f)
	col, isTime := sortColumn(f.Sort)
	tc, args := tenantConds(sc, f)
	ac, aargs := accountConds("a", f)
	dir, cmp := "ASC", ">"
	if f.Desc {
		dir, cmp = "DESC", "<"
	}
	if cursor != "" {
		bad := apperr.Validation("The cursor is not valid; start from the first page.", apperr.FieldError{Field: "cursor", Message: "is not a cursor this list returned"})
		c, err := keyset.DecodeValues(cursor, key, 2)
		if err != nil {
			return "", nil, err
		}
		id, err := uuid.Parse(c.Values[1])
		if err != nil {
			return "", nil, bad
		}
		var v any = c.Values[0]
		if isTime {
			t, err := time.Parse(time.RFC3339Nano, c.Values[0])
			if err != nil {
				return "", nil, bad
			}
			v = t
		}
		page := fmt.Sprintf("(%s, t.id) %s (?, ?)", col, cmp)
		if strings.HasPrefix(col, "t.") {
			tc, args = append(tc, page), append(args, v, id)
		} else {
			ac, aargs = append(ac, page), append(aargs, v, id)
		}
	}
	order := fmt.Sprintf(" ORDER BY %s %s, t.id %s LIMIT ?", col, dir, dir)
	from := directoryFrom
	if len(ac) == 0 && strings.HasPrefix(col, "t.") {
		// Nothing depends on the account: take the page of tenants first
		// and join only its accounts.
		// The page's ids come from an index-only scan (tenants_partner_page).
		from = ` FROM (SELECT t.id FROM tenants t WHERE ` + strings.Join(tc, " AND ") + order + `) page JOIN tenants t ON t.id = page.id` +
			strings.TrimPrefix(directoryFrom, " FROM tenants t")
		args = append(args, limit+1)
		tc = []string{"TRUE"}
	}
	q := `SELECT ` + directoryColumns + from + " WHERE " + strings.Join(append(tc, ac...), " AND ") + order
	args = append([]any{f.StuckBefore}, append(args, aargs...)...)
	return q, append(args, limit+1), nil
}

// CountPartners counts the directory rows of sc matching f: the rows the
// list pages through (DirectoryCountSQL).
func (s *DirectoryStore) CountPartners(ctx context.Context, sc scope.Scope, f partner.Filter) (int64, error) {
	var n int64
	q, args := DirectoryCountSQL(sc, f)
	if err := s.db.conn(ctx).Raw(q, args...).Row().Scan(&n); err != nil {
		return 0, fmt.Errorf("count partners: %w", err)
	}
	return n, nil
}

// DirectoryCountSQL is the count CountPartners runs (for the plan test).
// Without a search, a filter that needs an account counts the accounts
// that match it and are their tenant's first (the one the directory
// shows), over an index of the few that need someone; tenants are not read
// (only partner tenants hold accounts).
func DirectoryCountSQL(sc scope.Scope, f partner.Filter) (string, []any) {
	needsAccount := f.Warning != "" || f.Stage == partner.StageStuck || (f.ProductStatus != "" && f.ProductStatus != "NONE")
	if needsAccount && strings.TrimSpace(f.Q) == "" {
		cond, args := scopeCond("a.tenant_id", sc)
		ac, aargs := accountConds("a", f)
		return `SELECT count(*) FROM partner_accounts a WHERE ` + cond + ` AND ` + strings.Join(ac, " AND ") + `
			AND a.klarna_account_id = (SELECT b.klarna_account_id FROM partner_accounts b WHERE b.tenant_id = a.tenant_id ORDER BY b.created_at, b.klarna_account_id LIMIT 1)`,
			append(args, aargs...)
	}
	where, args := directoryWhere(sc, f)
	return `SELECT count(*)` + directoryFrom + where, args
}

func (s *DirectoryStore) ListPartners(ctx context.Context, sc scope.Scope, f partner.Filter, cursor string, limit int) ([]partner.Summary, string, error) {
	q, args, err := listSQL(sc, f, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, "", fmt.Errorf("list partners: %w", err)
	}
	defer rows.Close()
	out := make([]partner.Summary, 0, limit)
	for rows.Next() {
		p, err := scanSummary(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list partners: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list partners: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[len(out)-1]
		var v string
		switch f.Sort {
		case "created_at":
			v = last.CreatedAt.UTC().Format(time.RFC3339Nano)
		case "updated_at":
			v = last.UpdatedAt.UTC().Format(time.RFC3339Nano)
		case "state":
			v = last.State
		default:
			v = last.Name
		}
		next = keyset.EncodeValues(keyset.Values{Key: cursorKey(f), Values: []string{v, last.TenantID.String()}})
	}
	return out, next, nil
}

func (s *DirectoryStore) StreamPartners(ctx context.Context, sc scope.Scope, f partner.Filter, fn func(partner.Summary) error) error {
	col, _ := sortColumn(f.Sort)
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	where, args := directoryWhere(sc, f)
	rows, err := s.db.conn(ctx).Raw(`SELECT `+directoryColumns+directoryFrom+where+fmt.Sprintf(" ORDER BY %s %s, t.id %s", col, dir, dir),
		append([]any{f.StuckBefore}, args...)...).Rows()
	if err != nil {
		return fmt.Errorf("stream partners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanSummary(rows)
		if err != nil {
			return fmt.Errorf("stream partners: %w", err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *DirectoryStore) Partner(ctx context.Context, sc scope.Scope, tenantID uuid.UUID, stuckBefore time.Time) (partner.Summary, error) {
	where, args := directoryWhere(sc, partner.Filter{})
	rows, err := s.db.conn(ctx).Raw(`SELECT `+directoryColumns+directoryFrom+where+" AND t.id = ?",
		append(append([]any{stuckBefore}, args...), tenantID)...).Rows()
	if err != nil {
		return partner.Summary{}, fmt.Errorf("partner: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return partner.Summary{}, fmt.Errorf("partner: %w", err)
		}
		return partner.Summary{}, apperr.E(apperr.NotFound, "No such partner.")
	}
	p, err := scanSummary(rows)
	if err != nil {
		return p, fmt.Errorf("partner: %w", err)
	}
	return p, nil
}

func (s *DirectoryStore) Resources(ctx context.Context, accountID string) ([]partner.Resource, error) {
	rows, err := s.db.conn(ctx).Raw(`SELECT kind, klarna_id, reference, parent_id, data::text FROM partner_resources WHERE klarna_account_id = ?
		ORDER BY kind, reference, klarna_id`, accountID).Rows()
	if err != nil {
		return nil, fmt.Errorf("partner resources: %w", err)
	}
	defer rows.Close()
	var out []partner.Resource
	for rows.Next() {
		var r partner.Resource
		var data string
		if err := rows.Scan(&r.Kind, &r.KlarnaID, &r.Reference, &r.ParentID, &data); err != nil {
			return nil, fmt.Errorf("partner resources: %w", err)
		}
		r.Data = json.RawMessage(data)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *DirectoryStore) Contact(ctx context.Context, accountID string) (klarna.Contact, error) {
	var c klarna.Contact
	var raw []string
	if err := s.db.conn(ctx).Raw(`SELECT contact::text FROM partner_accounts WHERE klarna_account_id = ?`, accountID).Scan(&raw).Error; err != nil {
		return c, fmt.Errorf("partner contact: %w", err)
	}
	if len(raw) == 1 {
		if err := json.Unmarshal([]byte(raw[0]), &c); err != nil {
			return c, fmt.Errorf("partner contact: %w", err)
		}
	}
	return c, nil
}

func (s *DirectoryStore) WarningSubjects(ctx context.Context, accountID string) (map[string]map[string]string, error) {
	var raw []string
	if err := s.db.conn(ctx).Raw(`SELECT warning_subjects::text FROM partner_accounts WHERE klarna_account_id = ? FOR UPDATE`, accountID).Scan(&raw).Error; err != nil {
		return nil, fmt.Errorf("warning subjects: %w", err)
	}
	out := map[string]map[string]string{}
	if len(raw) == 1 {
		if err := json.Unmarshal([]byte(raw[0]), &out); err != nil {
			return nil, fmt.Errorf("warning subjects: %w", err)
		}
	}
	return out, nil
}

func (s *DirectoryStore) SaveSnapshot(ctx context.Context, accountID string, snap partner.Snapshot, at time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		db := s.db.conn(ctx)
		acc := snap.Account
		warnings := pq.StringArray{}
		for w, subjects := range snap.Warnings {
			if len(subjects) > 0 {
				warnings = append(warnings, w)
			}
		}
		subjects, err := json.Marshal(snap.Warnings)
		if err != nil {
			return err
		}
		set, args := accountSet(acc, at)
		res := db.Exec(`UPDATE partner_accounts SET `+set+`,
			product_status = ?, entity_count = ?, brand_count = ?, store_count = ?, payment_account_count = ?,
			warnings = ?, warning_subjects = ?::jsonb, synced_at = ?
			WHERE klarna_account_id = ?`,
			append(args, snap.ProductStatus, snap.Count(partner.KindBusinessEntity), snap.Count(partner.KindBrand), snap.Count(partner.KindStore), snap.Count(partner.KindPaymentAccount),
				warnings, string(subjects), at, accountID)...)
		if res.Error != nil {
			return fmt.Errorf("save account snapshot: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return apperr.E(apperr.NotFound, "No such Klarna account.")
		}
		if err := db.Exec(`DELETE FROM partner_resources WHERE klarna_account_id = ?`, accountID).Error; err != nil {
			return fmt.Errorf("save account snapshot: %w", err)
		}
		if len(snap.Resources) == 0 {
			return nil
		}
		var kinds, ids, refs, parents, data pq.StringArray
		seen := map[string]bool{}
		for _, r := range snap.Resources {
			if r.KlarnaID == "" || seen[r.Kind+"\x00"+r.KlarnaID] {
				continue
			}
			seen[r.Kind+"\x00"+r.KlarnaID] = true
			kinds, ids, refs, parents, data = append(kinds, r.Kind), append(ids, r.KlarnaID), append(refs, r.Reference), append(parents, r.ParentID), append(data, string(r.Data))
		}
		if err := db.Exec(`INSERT INTO partner_resources (klarna_account_id, kind, klarna_id, reference, parent_id, data, synced_at)
			SELECT ?, k, i, r, p, d::jsonb, ? FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS u(k, i, r, p, d)`,
			accountID, at, kinds, ids, refs, parents, data).Error; err != nil {
			return fmt.Errorf("save account resources: %w", err)
		}
		return nil
	})
}

// accountSet is the SET list (and its arguments) that stores what a read
// of the account returned, at: what Klarna holds wins (its state is the
// latest known, whatever webhooks arrive later with older times).
func accountSet(acc klarna.PartnerAccount, at time.Time) (string, []any) {
	contact := klarna.Contact{}
	if acc.PartnerAccountContact != nil {
		contact = *acc.PartnerAccountContact
	}
	contactJSON, _ := json.Marshal(contact) // plain strings: cannot fail
	state := string(acc.State)
	return `reference = ?, name = ?, contact_email = ?, contact = ?::jsonb,
			state = CASE WHEN ? <> '' THEN ? ELSE state END, state_at = CASE WHEN ? <> '' THEN greatest(coalesce(state_at, ?), ?) ELSE state_at END,
			partially_operational_at = CASE WHEN ? = 'PARTIALLY_OPERATIONAL' THEN coalesce(partially_operational_at, created_at) ELSE partially_operational_at END,
			operational_at = CASE WHEN ? = 'OPERATIONAL' THEN coalesce(operational_at, ?) ELSE operational_at END,
			sync_error = '', updated_at = ?`,
		[]any{acc.PartnerAccountReference, acc.PartnerAccountName, contact.Email, string(contactJSON), state, state, state, at, at, state, state, at, at}
}

func (s *DirectoryStore) SaveAccount(ctx context.Context, accountID string, acc klarna.PartnerAccount, at time.Time) error {
	set, args := accountSet(acc, at)
	res := s.db.conn(ctx).Exec(`UPDATE partner_accounts SET `+set+` WHERE klarna_account_id = ?`, append(args, accountID)...)
	if res.Error != nil {
		return fmt.Errorf("save account: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.E(apperr.NotFound, "No such Klarna account.")
	}
	return nil
}

func (s *DirectoryStore) SetSyncError(ctx context.Context, accountID, msg string) error {
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	return s.db.conn(ctx).Exec(`UPDATE partner_accounts SET sync_error = ? WHERE klarna_account_id = ?`, msg, accountID).Error
}

func (s *DirectoryStore) AddBrandWarning(ctx context.Context, accountID, warning, brandID string) error {
	return s.db.conn(ctx).Exec(`UPDATE partner_accounts SET
		warning_subjects = warning_subjects || jsonb_build_object(?::text, coalesce(warning_subjects -> ?::text, '{}'::jsonb) || jsonb_build_object(?::text,
			coalesce((SELECT r.data -> 'element' ->> 'logo_url' FROM partner_resources r WHERE r.klarna_account_id = ? AND r.kind = 'brand' AND r.klarna_id = ?), ''))),
		warnings = CASE WHEN ? = ANY(warnings) THEN warnings ELSE array_append(warnings, ?) END, updated_at = now()
		WHERE klarna_account_id = ?`, warning, warning, brandID, accountID, brandID, warning, warning, accountID).Error
}

func (s *DirectoryStore) DueForSync(ctx context.Context, partialBefore, syncedBefore time.Time, limit int) ([]string, error) {
	var ids []string
	err := s.db.conn(ctx).Raw(`SELECT klarna_account_id FROM partner_accounts
		WHERE (state IN ('PARTIALLY_OPERATIONAL', '') AND coalesce(partially_operational_at, created_at) < ? AND coalesce(synced_at, '-infinity') < ?)
		   OR coalesce(synced_at, '-infinity') < ?
		ORDER BY synced_at NULLS FIRST LIMIT ?`, partialBefore, partialBefore, syncedBefore, limit).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("accounts due for sync: %w", err)
	}
	return ids, nil
}

// draftStage maps a draft's status to its stage.
const draftStage = `CASE d.status WHEN 'draft' THEN 'draft' WHEN 'submitted' THEN 'submitted' ELSE 'failed' END`

func (s *DirectoryStore) StageCounts(ctx context.Context, sc scope.Scope, stuckBefore time.Time, withDrafts bool) (map[partner.Stage]int, error) {
	cond, args := scopeCond("t.id", sc)
	q := `SELECT stage, count(*) AS n, count(*) FILTER (WHERE stuck) AS stuck FROM (SELECT ` + stageExpr + ` AS stage, ` + stuckExpr + ` AS stuck` + directoryFrom +
		` WHERE t.kind = 'partner' AND ` + cond
	args = append([]any{stuckBefore}, args...)
	if withDrafts {
		q += ` UNION ALL SELECT ` + draftStage + `, d.status = 'submitted' AND d.submitted_at < ? FROM onboarding_drafts d WHERE d.tenant_id IS NULL AND d.status <> 'succeeded'`
		args = append(args, stuckBefore)
	}
	q += `) x GROUP BY stage`
	var rows []struct {
		Stage string
		N     int
		Stuck int
	}
	if err := s.db.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("stage counts: %w", err)
	}
	out := map[partner.Stage]int{}
	for _, r := range rows {
		out[partner.Stage(r.Stage)] += r.N
		out[partner.StageStuck] += r.Stuck
	}
	return out, nil
}

func (s *DirectoryStore) Drafts(ctx context.Context, stage partner.Stage, stuckBefore time.Time, limit int) ([]partner.BoardItem, error) {
	var cond string
	args := []any{stuckBefore}
	switch stage {
	case partner.StageDraft:
		cond = "d.status = 'draft'"
	case partner.StageSubmitted:
		cond = "d.status = 'submitted'"
	case partner.StageFailed:
		cond = "d.status IN ('rejected', 'conflict', 'failed')"
	case partner.StageStuck:
		cond = "d.status = 'submitted' AND d.submitted_at < ?"
		args = append(args, stuckBefore)
	default:
		return nil, nil
	}
	args = append(args, limit)
	rows, err := s.db.conn(ctx).Raw(`SELECT d.id, d.status, d.partner_account_name, d.partner_account_reference, d.klarna_account_id, `+draftStage+`,
		d.status = 'submitted' AND coalesce(d.submitted_at < ?, false), d.last_error, d.attempts, d.created_at, d.updated_at, d.submitted_at
		FROM onboarding_drafts d WHERE d.tenant_id IS NULL AND `+cond+` ORDER BY d.updated_at DESC, d.id DESC LIMIT ?`, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("board drafts: %w", err)
	}
	defer rows.Close()
	var out []partner.BoardItem
	for rows.Next() {
		it := partner.BoardItem{Kind: "draft", Warnings: []string{}}
		var id uuid.UUID
		var st string
		if err := rows.Scan(&id, &it.DraftStatus, &it.Name, &it.Reference, &it.KlarnaAccountID, &st, &it.Stuck, &it.LastError, &it.Attempts,
			&it.CreatedAt, &it.UpdatedAt, &it.SubmittedAt); err != nil {
			return nil, fmt.Errorf("board drafts: %w", err)
		}
		it.DraftID, it.Stage = &id, partner.Stage(st)
		out = append(out, it)
	}
	return out, rows.Err()
}

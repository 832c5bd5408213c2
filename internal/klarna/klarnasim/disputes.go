package klarnasim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Dispute behaviour (README §8). UNCONFIRMED choices are marked.
const (
	appealWindow = 10 * 24 * time.Hour
	disputeFee   = 2500 // minor units, per dispute; never refunded (§8.5)
)

// Scenario flags of the test environment (README §8.9).
const (
	ScenarioWinOnEvidence              = "dispute_win_on_evidence"
	ScenarioLoseOnExpiry               = "dispute_lose_on_expiry"
	ScenarioPreArbAcceptLoss           = "dispute_pre_arb_accept_loss"
	ScenarioPreArbWindowExpired        = "dispute_pre_arb_window_expired"
	ScenarioPreArbLoseAfterArbitration = "dispute_pre_arb_lose_after_arbitration"
)

var scenarios = []string{ScenarioWinOnEvidence, ScenarioLoseOnExpiry, ScenarioPreArbAcceptLoss, ScenarioPreArbWindowExpired, ScenarioPreArbLoseAfterArbitration}

// scenarioFromEmail reads a flag such as customer+us+dispute_win_on_evidence@klarna.com.
func scenarioFromEmail(email string) string {
	local, _, _ := strings.Cut(email, "@")
	for _, sc := range scenarios {
		if strings.HasSuffix(local, "+"+sc) || strings.Contains(local, "+"+sc+"+") {
			return sc
		}
	}
	return ""
}

// responseWindow is the INITIATED deadline per reason (README §8.3).
func responseWindow(reason string) time.Duration {
	switch reason {
	case klarna.ReasonPurchaseUnauthorized:
		return 7 * 24 * time.Hour
	case klarna.ReasonPurchaseHighRisk:
		return 96 * time.Hour
	default:
		return 21 * 24 * time.Hour
	}
}

type attachmentRec struct {
	ID          string
	Filename    string
	ContentType string
	Data        []byte
}

type dispute struct {
	D           klarna.Dispute
	Seq         int64
	Partner     string
	MerchantID  string
	Scenario    string
	NextAt      time.Time
	Attachments []*attachmentRec
	Held        bool
	// SaleDate is when the disputed payment was authorized (its lines' sale_date).
	SaleDate time.Time `json:",omitzero"`

	raw atomic.Pointer[[]byte] // cached JSON of D; cleared on every change
}

// json returns the encoded dispute, cached until the next change.
func (d *dispute) json() []byte {
	if p := d.raw.Load(); p != nil {
		return *p
	}
	b, _ := json.Marshal(d.D)
	d.raw.Store(&b)
	return b
}

func (d *dispute) changed() { d.raw.Store(nil) }

func (d *dispute) attachment(id string) *attachmentRec {
	for _, a := range d.Attachments {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// disputeIndex keeps disputes sorted by (created_at, seq) overall and per
// partner, plus state counts, so the list endpoint pages 100k disputes fast.
type disputeIndex struct {
	all        []*dispute
	bySeq      map[int64]*dispute
	byPartner  map[string][]*dispute
	dirty      map[string]bool       // "" = all
	stateCount map[string]int        // state, and partner+"|"+state
	byRef      map[string][]*dispute // "o:"+order_id, "t:"+payment_transaction_id, "p:"+purchase_reference
}

func (ix *disputeIndex) add(d *dispute) {
	if ix.bySeq == nil {
		ix.bySeq = map[int64]*dispute{}
		ix.dirty = map[string]bool{}
	}
	ix.bySeq[d.Seq] = d
	n := len(ix.all)
	ix.all = append(ix.all, d)
	if n > 0 && less(d, ix.all[n-1]) {
		ix.dirty[""] = true
	}
	pl := ix.byPartner[d.Partner]
	if len(pl) > 0 && less(d, pl[len(pl)-1]) {
		ix.dirty[d.Partner] = true
	}
	ix.byPartner[d.Partner] = append(pl, d)
	ix.count(d, string(d.D.State), 1)
	if ix.byRef == nil {
		ix.byRef = map[string][]*dispute{}
	}
	for _, k := range []string{"o:" + d.D.OrderID, "t:" + d.D.PaymentTransactionID, "p:" + d.D.PurchaseReference} {
		ix.byRef[k] = append(ix.byRef[k], d)
	}
}

// candidates narrows the scan to the disputes matching one of the exact-match
// reference filters (order ids, transaction ids, purchase references), sorted.
func (ix *disputeIndex) candidates(f *disputeFilter, partner string) ([]*dispute, bool) {
	var best map[string]bool
	var prefix string
	for _, c := range []struct {
		p string
		m map[string]bool
	}{{"o:", f.orders}, {"t:", f.txs}, {"p:", f.purchases}} {
		if c.m != nil && (best == nil || len(c.m) < len(best)) {
			best, prefix = c.m, c.p
		}
	}
	if best == nil {
		return nil, false
	}
	var out []*dispute
	for v := range best {
		for _, d := range ix.byRef[prefix+v] {
			if partner == "" || d.Partner == partner {
				out = append(out, d)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out, true
}

func (ix *disputeIndex) count(d *dispute, state string, delta int) {
	ix.stateCount[state] += delta
	ix.stateCount[d.Partner+"|"+state] += delta
}

func less(a, b *dispute) bool {
	if !a.D.CreatedAt.Equal(b.D.CreatedAt.Time) {
		return a.D.CreatedAt.Before(b.D.CreatedAt.Time)
	}
	return a.Seq < b.Seq
}

// sort orders a dirty slice; the caller holds the write lock.
func (ix *disputeIndex) sort(partner string) {
	if !ix.dirty[partner] {
		return
	}
	list := ix.list(partner)
	sort.Slice(list, func(i, j int) bool { return less(list[i], list[j]) })
	delete(ix.dirty, partner)
}

// list returns the (sorted unless dirty) slice of all disputes or one partner's.
func (ix *disputeIndex) list(partner string) []*dispute {
	if partner != "" {
		return ix.byPartner[partner]
	}
	return ix.all
}

func (s *Sim) disputeHandlers() map[klarna.Operation]handler {
	return map[klarna.Operation]handler{
		klarna.OpListDisputes:       s.hListDisputes,
		klarna.OpGetDispute:         s.hGetDispute,
		klarna.OpUploadAttachment:   s.hUploadAttachment,
		klarna.OpDownloadAttachment: s.hDownloadAttachment,
		klarna.OpRepresentDispute:   s.hRepresent,
		klarna.OpAcceptDisputeLoss:  s.hAcceptLoss,
		klarna.OpAppealDispute:      s.hAppeal,
	}
}

// ---- list ----

// multi reads an array parameter given as repeated keys or a comma list
// (README §8.1: serialisation UNCONFIRMED, accept both).
func multi(q url.Values, key string) []string {
	var out []string
	for _, v := range q[key] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func encodeCursor(d *dispute) string {
	return base64.RawURLEncoding.EncodeToString([]byte("d" + strconv.FormatInt(d.Seq, 10)))
}

func decodeCursor(s string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'd' {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	return n, err == nil
}

type disputeFilter struct {
	orders, txs, states, reasons, purchases map[string]bool
	createdFrom, createdTo                  time.Time
	closedFrom, closedTo                    time.Time
	updatedFrom, updatedTo                  time.Time
	onlyIndexed                             bool // only state filters → counts known
}

func set(vs []string, fold bool) map[string]bool {
	if len(vs) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, v := range vs {
		if fold {
			v = strings.ToUpper(v)
		}
		m[v] = true
	}
	return m
}

func (f *disputeFilter) match(d *dispute) bool {
	if f.states != nil && !f.states[string(d.D.State)] {
		return false
	}
	if f.reasons != nil && !f.reasons[d.D.DisputeReason] {
		return false
	}
	if f.orders != nil && !f.orders[d.D.OrderID] {
		return false
	}
	if f.txs != nil && !f.txs[d.D.PaymentTransactionID] {
		return false
	}
	if f.purchases != nil && !f.purchases[d.D.PurchaseReference] {
		return false
	}
	if !inRange(d.D.CreatedAt.Time, f.createdFrom, f.createdTo) || !inRange(d.D.UpdatedAt.Time, f.updatedFrom, f.updatedTo) {
		return false
	}
	if !f.closedFrom.IsZero() || !f.closedTo.IsZero() {
		ca := closedAt(d)
		if ca.IsZero() || !inRange(ca, f.closedFrom, f.closedTo) {
			return false
		}
	}
	return true
}

func inRange(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

func closedAt(d *dispute) time.Time {
	if d.D.State == klarna.DisputeClosed && d.D.StateContext != nil {
		return d.D.StateContext.ClosedAt.Time
	}
	return time.Time{}
}

func (s *Sim) hListDisputes(c *rctx) *reply {
	q := c.r.URL.Query()
	var ve []klarna.ValidationError
	limit := func(key string, n int) []string {
		vs := multi(q, key)
		if len(vs) > n {
			ve = append(ve, vErr(key, fmt.Sprintf("must have at most %d items", n)))
		}
		return vs
	}
	f := disputeFilter{
		orders:    set(limit("order_ids", 100), false),
		txs:       set(limit("payment_transaction_ids", 100), false),
		states:    set(limit("state", 100), true),
		reasons:   set(limit("reason", 10), true),
		purchases: set(limit("purchase_references", 10), false),
	}
	sortBy := limit("sort_by", 10)
	tm := func(key string) time.Time {
		v := q.Get(key)
		if v == "" {
			return time.Time{}
		}
		t, err := klarna.ParseTimestamp(v)
		if err != nil {
			ve = append(ve, vErr(key, "must be an ISO 8601 date-time"))
		}
		return t
	}
	f.createdFrom, f.createdTo = tm("created_at_start"), tm("created_at_end")
	f.closedFrom, f.closedTo = tm("closed_at_start"), tm("closed_at_end")
	f.updatedFrom, f.updatedTo = tm("updated_at_start"), tm("updated_at_end")
	size := defaultDisputePage
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxDisputePage {
			ve = append(ve, vErr("size", fmt.Sprintf("must be between 1 and %d", maxDisputePage)))
		} else {
			size = n
		}
	}
	var after int64 = -1
	if v := q.Get("starting_after"); v != "" {
		n, ok := decodeCursor(v)
		if !ok {
			ve = append(ve, vErr("starting_after", "is not a valid cursor"))
		}
		after = n
	}
	if q.Get("ending_before") != "" && q.Get("starting_after") != "" {
		ve = append(ve, vErr("ending_before", "cannot be combined with starting_after"))
	}
	order := defaultDisputeSort
	if len(sortBy) > 0 {
		order = sortBy[0]
		switch order {
		case "created_at", "-created_at", "closed_at", "-closed_at":
		default:
			ve = append(ve, vErr("sort_by", "must be one of created_at, -created_at, closed_at, -closed_at"))
		}
	}
	if len(ve) > 0 {
		return invalid(ve...)
	}
	f.onlyIndexed = f.orders == nil && f.txs == nil && f.reasons == nil && f.purchases == nil &&
		f.createdFrom.IsZero() && f.createdTo.IsZero() && f.closedFrom.IsZero() && f.closedTo.IsZero() && f.updatedFrom.IsZero() && f.updatedTo.IsZero()

	ix := &s.st.disputeIdx
	for {
		s.mu.RLock()
		if !ix.dirty[c.partner] {
			break
		}
		s.mu.RUnlock()
		s.mu.Lock()
		ix.sort(c.partner)
		s.mu.Unlock()
	}
	defer s.mu.RUnlock()
	list := ix.list(c.partner)
	total := len(list)
	if narrowed, ok := ix.candidates(&f, c.partner); ok {
		list = narrowed
	}
	// The list is ordered by created_at, so a created_at window is a sub-slice.
	if !f.createdFrom.IsZero() {
		list = list[sort.Search(len(list), func(i int) bool { return !list[i].D.CreatedAt.Before(f.createdFrom) }):]
	}
	if !f.createdTo.IsZero() {
		list = list[:sort.Search(len(list), func(i int) bool { return !list[i].D.CreatedAt.Before(f.createdTo) })]
	}

	page := make([]*dispute, 0, size+1)
	if strings.HasSuffix(order, "created_at") {
		desc := order[0] == '-'
		start := 0
		if desc {
			start = len(list) - 1
		}
		if after >= 0 {
			cur := ix.bySeq[after]
			if cur == nil {
				return invalid(vErr("starting_after", "is not a valid cursor"))
			}
			pos := sort.Search(len(list), func(i int) bool { return !less(list[i], cur) })
			if desc {
				start = pos - 1
			} else {
				start = pos + 1
			}
		}
		step := 1
		if desc {
			step = -1
		}
		for i := start; i >= 0 && i < len(list) && len(page) <= size; i += step {
			if f.match(list[i]) {
				page = append(page, list[i])
			}
		}
	} else {
		var matched []*dispute
		for _, d := range list {
			if d.D.State == klarna.DisputeClosed && f.match(d) {
				matched = append(matched, d)
			}
		}
		desc := order[0] == '-'
		sort.SliceStable(matched, func(i, j int) bool {
			a, b := closedAt(matched[i]), closedAt(matched[j])
			if a.Equal(b) {
				return matched[i].Seq < matched[j].Seq
			}
			return a.Before(b) != desc
		})
		start := 0
		if after >= 0 {
			for i, d := range matched {
				if d.Seq == after {
					start = i + 1
				}
			}
		}
		for i := start; i < len(matched) && len(page) <= size; i++ {
			page = append(page, matched[i])
		}
	}
	more := len(page) > size
	if more {
		page = page[:size]
	}
	var out klarna.DisputeList
	out.Pagination.Count = len(page)
	if len(page) > 0 {
		first := encodeCursor(page[0])
		out.Pagination.FirstItem = &first
	}
	if f.onlyIndexed && strings.HasSuffix(order, "created_at") {
		if f.states != nil {
			total = 0
			for st := range f.states {
				if c.partner != "" {
					total += ix.stateCount[c.partner+"|"+st]
				} else {
					total += ix.stateCount[st]
				}
			}
		}
		out.Pagination.Total = &total
	}
	if more {
		last := encodeCursor(page[len(page)-1])
		out.Pagination.LastItem = &last
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("size", strconv.Itoa(size))
		nq.Set("starting_after", last)
		out.Pagination.Links = &klarna.PaginationLinks{Next: &klarna.Link{Href: c.base + klarna.Routes[klarna.OpListDisputes].Path + "?" + nq.Encode(), Method: "GET", Rel: "next"}}
	}
	// The page is assembled from each dispute's cached JSON.
	var buf bytes.Buffer
	buf.Grow(len(page)*2048 + 512)
	buf.WriteString(`{"disputes":[`)
	for i, d := range page {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(d.json())
	}
	buf.WriteString(`],"pagination":`)
	pb, _ := json.Marshal(out.Pagination)
	buf.Write(pb)
	buf.WriteByte('}')
	return &reply{status: 200, ctype: "application/json", body: buf.Bytes()}
}

// ---- get / attachments ----

func (s *Sim) disputeFor(c *rctx) (*dispute, *reply) {
	id := c.r.PathValue("payment_dispute_id")
	if id == "" || len(id) > 100 {
		return nil, invalid(vErr("payment_dispute_id", "must be 1 to 100 characters"))
	}
	d := s.st.Disputes[id]
	if d == nil || (c.partner != "" && d.Partner != c.partner) {
		return nil, notFound("Resource " + id)
	}
	return d, nil
}

func (s *Sim) hGetDispute(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, rp := s.disputeFor(c)
	if rp != nil {
		return rp
	}
	return &reply{status: 200, ctype: "application/json", body: d.json()}
}

// sniff names the allowed file type of data (README §8.7), or "".
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return klarna.AttachmentContentTypes[".docx"]
	}
	return ""
}

func uploadable(st klarna.DisputeState) bool {
	return st == klarna.DisputeInitiated || st == klarna.DisputePreArbitration
}

func (s *Sim) hUploadAttachment(c *rctx) *reply {
	mt, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return kerr(400, klarna.ErrTypeInput, klarna.CodeInvalidContentType, "Expected multipart/form-data")
	}
	mr := multipart.NewReader(bytes.NewReader(c.body), params["boundary"])
	var data []byte
	var partName, filename string
	haveFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return kerr(400, klarna.ErrTypeInput, klarna.CodeInvalidContentType, "Malformed multipart body")
		}
		b, _ := io.ReadAll(part)
		switch part.FormName() {
		case "file":
			data, partName, haveFile = b, part.FileName(), true
		case "filename":
			filename = string(b)
		}
	}
	if !haveFile || len(data) == 0 {
		return invalid(vErr("file", "is required"))
	}
	if len(data) > klarna.MaxAttachmentBytes {
		return invalid(vErr("file", "must be at most 7 MB"))
	}
	ctype := sniff(data)
	if ctype == "" {
		return invalid(vErr("file", "must be a PDF, JPEG, PNG or DOCX file"))
	}
	if filename == "" {
		filename = partName
	}
	if filename != "" {
		ext := strings.ToLower(filepath.Ext(filename))
		stem := strings.TrimSuffix(filename, filepath.Ext(filename))
		n := utf8.RuneCountInString(stem)
		switch {
		case n < 1 || n > klarna.MaxAttachmentNameRune:
			return invalid(vErr("filename", "must be 1 to 1000 characters excluding the extension"))
		case klarna.AttachmentContentTypes[ext] != ctype:
			return invalid(vErr("filename", "extension must match the file type"))
		}
	} else {
		filename = "attachment" + map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}[ctype]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, rp := s.disputeFor(c)
	if rp != nil {
		return rp
	}
	if !uploadable(d.D.State) {
		return conflict(fmt.Sprintf("Attachments cannot be uploaded while the dispute is %s", d.D.State))
	}
	a := &attachmentRec{ID: fmt.Sprintf("%s:attachment:%d", d.D.PaymentDisputeID, len(d.Attachments)+1), Filename: filename, ContentType: ctype, Data: data}
	d.Attachments = append(d.Attachments, a)
	return jsonReply(201, klarna.UploadAttachmentResponse{PaymentDisputeAttachmentID: a.ID})
}

func (s *Sim) hDownloadAttachment(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, rp := s.disputeFor(c)
	if rp != nil {
		return rp
	}
	id := c.r.PathValue("payment_dispute_attachment_id")
	a := d.attachment(id)
	if a == nil {
		return notFound("Attachment " + id)
	}
	return &reply{status: 200, ctype: a.ContentType, body: a.Data, header: http.Header{
		"Content-Disposition": {mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename})},
	}}
}

func (s *Sim) attachmentURL(base string, d *dispute, id string) string {
	return base + klarna.Routes[klarna.OpDownloadAttachment].Expand(d.D.PaymentDisputeID, id)
}

func (s *Sim) evidenceAttachments(c *rctx, d *dispute, refs []klarna.AttachmentRef, path string) ([]klarna.Attachment, []klarna.ValidationError) {
	var ve []klarna.ValidationError
	var out []klarna.Attachment
	for i, r := range refs {
		a := d.attachment(r.PaymentDisputeAttachmentID)
		if a == nil {
			ve = append(ve, vErr(fmt.Sprintf("%s[%d].payment_dispute_attachment_id", path, i), "is not an attachment of this dispute"))
			continue
		}
		if utf8.RuneCountInString(r.Description) > 1000 {
			ve = append(ve, vErr(fmt.Sprintf("%s[%d].description", path, i), "must be at most 1000 characters"))
		}
		out = append(out, klarna.Attachment{PaymentDisputeAttachmentID: a.ID, Description: r.Description, MimeType: a.ContentType, URL: s.attachmentURL(c.base, d, a.ID)})
	}
	return out, ve
}

// ---- actions ----

func (s *Sim) hRepresent(c *rctx) *reply {
	var in klarna.RepresentRequest
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, rp := s.disputeFor(c)
	if rp != nil {
		return rp
	}
	if d.D.State != klarna.DisputeInitiated {
		return conflict(fmt.Sprintf("Evidence can only be submitted while INITIATED; the dispute is %s", d.D.State))
	}
	var ve []klarna.ValidationError
	if len(in.Attachments) < 1 || len(in.Attachments) > 10 {
		ve = append(ve, vErr("attachments", "must have 1 to 10 items"))
	}
	atts, ave := s.evidenceAttachments(c, d, in.Attachments, "attachments")
	ve = append(ve, ave...)
	if utf8.RuneCountInString(in.AdditionalInformation) > 5000 {
		ve = append(ve, vErr("additional_information", "must be at most 5000 characters"))
	}
	if p := in.PartnerProposedRefundAmount; p != nil && (*p < 0 || *p >= d.D.DisputeDetails.DisputeAmount) {
		ve = append(ve, vErr("partner_proposed_refund_amount", "must be less than the disputed amount"))
	}
	if len(ve) > 0 {
		return invalid(ve...)
	}
	now := s.clock.Now()
	s.representLocked(d, atts, in.AdditionalInformation, now)
	return jsonReply(201, klarna.RepresentResponse{State: klarna.DisputeRepresentment, CreatedAt: klarna.At(now), AdditionalInformation: in.AdditionalInformation, Attachments: in.Attachments})
}

func (s *Sim) hAcceptLoss(c *rctx) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, rp := s.disputeFor(c)
	if rp != nil {
		return rp
	}
	if d.D.State != klarna.DisputeInitiated && d.D.State != klarna.DisputePreArbitration {
		return conflict(fmt.Sprintf("Loss can only be accepted while INITIATED or PRE_ARBITRATION; the dispute is %s", d.D.State))
	}
	if d.D.State == klarna.DisputeInitiated {
		s.setRepresentmentState(d, klarna.EvidenceWaived)
	}
	// Detailed outcome for accept-loss is UNCONFIRMED (§8.7).
	s.closeLocked(d, klarna.OutcomeLost, "PARTNER_ACCEPTED_THE_LOSS", s.clock.Now())
	return jsonReply(202, klarna.AcceptLossResponse{State: klarna.DisputeClosed})
}

func (s *Sim) hAppeal(c *rctx) *reply {
	var in klarna.AppealRequest
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, rp := s.disputeFor(c)
	if rp != nil {
		return rp
	}
	if d.D.State != klarna.DisputePreArbitration {
		return conflict(fmt.Sprintf("An appeal is only possible in PRE_ARBITRATION; the dispute is %s", d.D.State))
	}
	var ve []klarna.ValidationError
	if n := utf8.RuneCountInString(in.AdditionalInformation); n < 1 || n > 10000 {
		ve = append(ve, vErr("additional_information", "must be 1 to 10000 characters"))
	}
	if len(in.Attachments) > 10 {
		ve = append(ve, vErr("attachments", "must have at most 10 items"))
	}
	atts, ave := s.evidenceAttachments(c, d, in.Attachments, "attachments")
	ve = append(ve, ave...)
	if len(ve) > 0 {
		return invalid(ve...)
	}
	now := s.clock.Now()
	s.appealLocked(d, in.AdditionalInformation, atts, now)
	return jsonReply(201, klarna.AppealResponse{State: klarna.DisputeArbitration, CreatedAt: klarna.At(now), AdditionalInformation: in.AdditionalInformation})
}

// ---- state machine ----

func (s *Sim) setState(d *dispute, to klarna.DisputeState, now time.Time) {
	d.changed()
	s.st.disputeIdx.count(d, string(d.D.State), -1)
	d.D.PreviousState = d.D.State
	d.D.State = to
	d.D.UpdatedAt = klarna.At(now)
	s.st.disputeIdx.count(d, string(to), 1)
}

func (s *Sim) representment(d *dispute) *klarna.Representment {
	if d.D.Representment != nil {
		return d.D.Representment
	}
	if d.D.StateContext != nil && d.D.StateContext.Representment != nil {
		return d.D.StateContext.Representment
	}
	d.D.Representment = &klarna.Representment{}
	return d.D.Representment
}

func (s *Sim) setRepresentmentState(d *dispute, st string) {
	r := s.representment(d)
	r.PreviousState, r.State = r.State, st
	d.D.Representment = r
}

func (s *Sim) schedule(d *dispute, at time.Time) {
	d.changed()
	d.NextAt = at
	if !at.IsZero() {
		s.sched.add(at, "dispute", d.D.PaymentDisputeID)
	}
}

func (s *Sim) representLocked(d *dispute, atts []klarna.Attachment, info string, now time.Time) {
	ev := &klarna.PartnerEvidence{CreatedAt: klarna.At(now), AdditionalInformation: info, Attachments: atts}
	s.setRepresentmentState(d, klarna.EvidenceReceived)
	s.setState(d, klarna.DisputeRepresentment, now)
	d.D.StateContext = &klarna.StateContext{PartnerEvidence: ev}
	s.schedule(d, now.Add(s.opts.DisputeReviewDelay))
	p := s.eventPayload(d)
	p.PartnerEvidence = ev
	s.emitDispute(klarna.EventDisputeRepresentment, d, p)
}

func (s *Sim) preArbitrationLocked(d *dispute, now time.Time) {
	if d.D.StateContext != nil && d.D.StateContext.PartnerEvidence != nil {
		s.representment(d).PartnerEvidence = d.D.StateContext.PartnerEvidence
	}
	s.setState(d, klarna.DisputePreArbitration, now)
	d.D.Arbitration = &klarna.Arbitration{PreliminaryOutcome: klarna.OutcomeLost, PreliminaryOutcomeDetailed: "INSUFFICIENT_PROOF_OF_DELIVERY"}
	exp := now.Add(appealWindow)
	d.D.StateContext = &klarna.StateContext{ArbitrationExpiresAt: klarna.At(exp)}
	s.schedule(d, exp)
	p := s.eventPayload(d)
	p.ArbitrationExpiresAt = klarna.At(exp)
	p.Arbitration = &klarna.Arbitration{PreliminaryOutcome: d.D.Arbitration.PreliminaryOutcome, PreliminaryOutcomeDetailed: d.D.Arbitration.PreliminaryOutcomeDetailed}
	s.emitDispute(klarna.EventDisputePreArbitration, d, p)
}

func (s *Sim) appealLocked(d *dispute, info string, atts []klarna.Attachment, now time.Time) {
	req := &klarna.ArbitrationRequest{RequestedAt: klarna.At(now), AdditionalInformation: info, Attachments: atts}
	d.D.Arbitration.ArbitrationRequest = req
	s.setState(d, klarna.DisputeArbitration, now)
	d.D.StateContext = &klarna.StateContext{}
	s.schedule(d, now.Add(s.opts.ArbitrationDelay))
	p := s.eventPayload(d)
	p.ArbitrationRequest = req
	s.emitDispute(klarna.EventDisputeArbitration, d, p)
}

func (s *Sim) closeLocked(d *dispute, outcome, detailed string, now time.Time) {
	if d.D.StateContext != nil && d.D.StateContext.PartnerEvidence != nil {
		s.representment(d).PartnerEvidence = d.D.StateContext.PartnerEvidence
	}
	s.representment(d)
	s.setState(d, klarna.DisputeClosed, now)
	d.D.StateContext = &klarna.StateContext{DisputeOutcome: outcome, DisputeOutcomeDetailed: detailed, ClosedAt: klarna.At(now)}
	s.schedule(d, time.Time{})
	p := s.eventPayload(d)
	p.DisputeOutcome, p.DisputeOutcomeDetailed, p.ClosedAt = outcome, detailed, klarna.At(now)
	s.emitDispute(klarna.EventDisputeClosed, d, p)
	s.st.Ledger.disputeClosed(d, outcome, now)
}

// fireDispute handles a dispute's due deadline or decision.
func (s *Sim) fireDispute(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.Disputes[id]
	now := s.clock.Now()
	if d == nil || d.NextAt.IsZero() || now.Before(d.NextAt) {
		return
	}
	s.advanceLocked(d, now)
}

// advanceLocked performs the dispute's next automatic step now.
func (s *Sim) advanceLocked(d *dispute, now time.Time) bool {
	switch d.D.State {
	case klarna.DisputeInitiated: // evidence deadline missed → LOST
		s.setRepresentmentState(d, klarna.EvidenceRequestExpired)
		s.closeLocked(d, klarna.OutcomeLost, "PARTNER_DID_NOT_REPLY_TO_DISPUTE_REQUEST", now)
	case klarna.DisputeRepresentment: // Klarna's review
		switch d.Scenario {
		case ScenarioPreArbAcceptLoss, ScenarioPreArbWindowExpired, ScenarioPreArbLoseAfterArbitration:
			s.preArbitrationLocked(d, now)
		default:
			s.closeLocked(d, klarna.OutcomeWon, "KLARNA_RESOLVED_DISPUTE_IN_PARTNER_FAVOR", now)
		}
	case klarna.DisputePreArbitration: // appeal window expired → preliminary becomes final
		detail := "INSUFFICIENT_PROOF_OF_DELIVERY"
		if d.D.Arbitration != nil {
			detail = d.D.Arbitration.PreliminaryOutcomeDetailed
		}
		s.closeLocked(d, klarna.OutcomeLost, detail, now)
	case klarna.DisputeArbitration:
		if d.Scenario == ScenarioPreArbLoseAfterArbitration {
			s.closeLocked(d, klarna.OutcomeLost, "INSUFFICIENT_PROOF_OF_DELIVERY", now)
		} else {
			s.closeLocked(d, klarna.OutcomeWon, "KLARNA_RESOLVED_DISPUTE_IN_PARTNER_FAVOR", now)
		}
	default:
		return false
	}
	return true
}

func (s *Sim) eventPayload(d *dispute) klarna.DisputeEventPayload {
	return klarna.DisputeEventPayload{
		PaymentDisputeID: d.D.PaymentDisputeID, OrderID: d.D.OrderID, PaymentTransactionID: d.D.PaymentTransactionID,
		PaymentAccountID: d.D.PaymentAccountID, PaymentAccountReference: d.D.PaymentAccountReference,
		PaymentTransactionReference: d.D.PaymentTransactionReference, PurchaseReference: d.D.PurchaseReference,
		MerchantReference2: d.D.MerchantReference2, CaptureID: d.D.CaptureID, PaymentCaptureReference: d.D.PaymentCaptureReference,
		PaymentCaptureID: d.D.PaymentCaptureID, State: d.D.State, PreviousState: d.D.PreviousState,
		Configuration: d.D.Configuration, UpdatedAt: d.D.UpdatedAt, PartnerAccountID: d.Partner,
	}
}

func (s *Sim) emitDispute(eventType string, d *dispute, p klarna.DisputeEventPayload) {
	s.emitLocked(eventType, d.Partner, d.D.ProductID, d.MerchantID, p)
}

// ---- opening disputes ----

// DisputeSpec describes disputes to open (control API and seeding).
type DisputeSpec struct {
	PartnerAccountID string    `json:"partner_account_id"` // "" = a random partner
	Reason           string    `json:"reason"`             // default PRODUCTS_OR_SERVICES_NOT_RECEIVED
	Amount           int64     `json:"amount"`             // minor units; default random
	Currency         string    `json:"currency"`           // default the partner's settlement currency
	Scenario         string    `json:"scenario"`           // a §8.9 flag
	CustomerEmail    string    `json:"customer_email"`     // alternative way to carry the flag
	HoldPolicy       string    `json:"hold_policy"`        // NONE | ON_DISPUTE_INITIATED (default)
	CreatedAt        time.Time `json:"created_at"`         // backdate (deadlines follow); default now
	Count            int       `json:"count"`              // default 1, max 200000
	// State walks the new dispute to this state (REPRESENTMENT, PRE_ARBITRATION,
	// ARBITRATION, CLOSED) with synthetic evidence.
	State string `json:"state"`
	// Silent skips webhooks and settlement lines (bulk seeding).
	Silent bool `json:"silent"`
}

var reasons = []string{klarna.ReasonNotReceived, klarna.ReasonDefectiveOrNotAsDescribed, klarna.ReasonRefundNotProcessed, klarna.ReasonIncorrectAmount, klarna.ReasonPurchaseUnauthorized, klarna.ReasonPurchaseHighRisk}

// OpenDisputes opens disputes per spec and returns their ids.
func (s *Sim) OpenDisputes(spec DisputeSpec) ([]string, error) {
	if spec.Count <= 0 {
		spec.Count = 1
	}
	if spec.Count > 200000 {
		return nil, errors.New("count must be at most 200000")
	}
	if spec.Scenario == "" {
		spec.Scenario = scenarioFromEmail(spec.CustomerEmail)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var partners []*account
	if spec.PartnerAccountID != "" {
		a := s.st.Accounts[spec.PartnerAccountID]
		if a == nil {
			return nil, fmt.Errorf("partner account %s does not exist", spec.PartnerAccountID)
		}
		partners = []*account{a}
	} else {
		for _, id := range sortedKeys(s.st.Accounts) {
			if a := s.st.Accounts[id]; a.Product != nil && len(a.Product.PaymentAccounts) > 0 {
				partners = append(partners, a)
			}
		}
	}
	if len(partners) == 0 {
		return nil, errors.New("no onboarded partner with a payment account")
	}
	ids := make([]string, 0, spec.Count)
	now := s.clock.Now()
	for i := 0; i < spec.Count; i++ {
		a := partners[i%len(partners)]
		d := s.openLocked(a, spec, i, now)
		if spec.State != "" {
			if err := s.walkLocked(d, klarna.DisputeState(strings.ToUpper(spec.State)), now, spec.Silent); err != nil {
				return ids, err
			}
		}
		ids = append(ids, d.D.PaymentDisputeID)
	}
	return ids, nil
}

func (s *Sim) openLocked(a *account, spec DisputeSpec, i int, now time.Time) *dispute {
	return s.openForLocked(a, spec, i, now, nil)
}

// openForLocked opens a dispute about payment p, or (p nil) about one of
// the partner's captured payments not disputed yet that fits the spec's
// currency, amount and time, or else about a new payment authorized and
// captured a few days before it (a silent dispute makes none and names an
// order of its own).
func (s *Sim) openForLocked(a *account, spec DisputeSpec, i int, now time.Time, p *paymentRec) *dispute {
	if a.Product == nil || len(a.Product.PaymentAccounts) == 0 {
		return nil
	}
	s.st.DisputeSeq++
	seq := s.st.DisputeSeq
	reason := spec.Reason
	if reason == "" {
		reason = reasons[int(seq)%len(reasons)]
	}
	fallback := 5000 + (seq*7919)%200000
	currency := spec.Currency
	if currency == "" {
		currency = a.Currency
	}
	hold := spec.HoldPolicy
	if hold == "" {
		hold = "ON_DISPUTE_INITIATED"
	}
	created := now
	if !spec.CreatedAt.IsZero() {
		created = spec.CreatedAt.UTC().Add(time.Duration(i) * time.Second)
	}
	if p == nil {
		p = s.paymentForDisputeLocked(a, currency, spec.Amount, created, spec.Silent, fallback)
	}
	amount := spec.Amount
	if amount <= 0 {
		amount = fallback
		if p != nil {
			amount = p.Amount
		}
	}
	pa := a.Product.PaymentAccounts[int(seq)%len(a.Product.PaymentAccounts)]
	order := uuidv4()
	tx, txRef, purchase := "krn:payment:eu1:authorization:"+order, "pay-"+strconv.FormatInt(seq, 36), fmt.Sprintf("ORD-%d", seq%1000000)
	paID, paRef := pa.PaymentAccountID, pa.PaymentAccountReference
	var sold time.Time
	if p != nil {
		order, tx, txRef, purchase, currency = p.OrderID, p.TransactionID, p.TransactionReference, p.PurchaseReference, p.Currency
		paID, paRef, sold = p.PaymentAccountID, p.PaymentAccountReference, p.authorizedAt()
	}
	expires := created.Add(responseWindow(reason))
	id := fmt.Sprintf("krn:network:eu1:test:payment:dispute:%d", seq)
	d := &dispute{Seq: seq, Partner: a.A.PartnerAccountID, MerchantID: a.MerchantID, Scenario: spec.Scenario, Held: hold == "ON_DISPUTE_INITIATED", SaleDate: sold}
	d.D = klarna.Dispute{
		PaymentDisputeID: id, DisputeReason: reason, State: klarna.DisputeInitiated,
		OrderID: order, PaymentTransactionID: tx,
		PaymentAccountID: paID, PaymentAccountReference: paRef,
		DisputeDetails: &klarna.DisputeDetails{DisputeAmount: amount, Currency: currency, CreatedBy: "CUSTOMER"},
		CreatedAt:      klarna.At(created), UpdatedAt: klarna.At(created),
		StateContext: &klarna.StateContext{Representment: &klarna.Representment{
			State: klarna.EvidenceRequested, ExpiresAt: klarna.At(expires),
			Request: &klarna.EvidenceRequest{RequestedAt: klarna.At(created), AdditionalInformation: reasonText(reason)},
		}},
		Configuration:               &klarna.DisputeConfiguration{BaseFramework: "FRAMEWORK_2026", Options: &klarna.DisputeOptions{HoldPolicy: hold}},
		PaymentTransactionReference: txRef,
		PurchaseReference:           purchase,
		ProductID:                   a.Product.PaymentProductID,
		PartnerAccountID:            a.A.PartnerAccountID,
	}
	s.st.Disputes[id] = d
	s.st.disputeIdx.add(d)
	s.schedule(d, expires)
	if !spec.Silent {
		p := s.eventPayload(d)
		p.DisputeReason, p.DisputeDetails, p.CreatedAt = reason, d.D.DisputeDetails, d.D.CreatedAt
		p.Representment = d.D.StateContext.Representment
		s.emitDispute(klarna.EventDisputeInitiated, d, p)
		s.st.Ledger.disputeOpened(d, created)
	}
	return d
}

func reasonText(reason string) string {
	switch reason {
	case klarna.ReasonNotReceived:
		return "The customer reports the order never arrived. Provide carrier tracking and proof of delivery."
	case klarna.ReasonRefundNotProcessed:
		return "The customer returned the goods and has not been refunded."
	case klarna.ReasonDefectiveOrNotAsDescribed:
		return "The customer says the goods are defective or not as described."
	case klarna.ReasonIncorrectAmount:
		return "The customer was charged a different amount than agreed."
	case klarna.ReasonPurchaseUnauthorized:
		return "The customer does not recognise the purchase."
	default:
		return "Please provide evidence for this purchase."
	}
}

// minimalPDF is a valid one-page PDF used as synthetic evidence.
func minimalPDF(text string) []byte { return renderPDF([]string{text}) }

// walkLocked moves a fresh dispute to the target state (seeding).
func (s *Sim) walkLocked(d *dispute, target klarna.DisputeState, now time.Time, silent bool) error {
	if target == klarna.DisputeInitiated {
		return nil
	}
	a := &attachmentRec{ID: d.D.PaymentDisputeID + ":attachment:1", Filename: "proof-of-delivery.pdf", ContentType: "application/pdf", Data: minimalPDF("Proof of delivery")}
	d.Attachments = append(d.Attachments, a)
	atts := []klarna.Attachment{{PaymentDisputeAttachmentID: a.ID, Description: "Proof of delivery", MimeType: a.ContentType}}
	t := d.D.CreatedAt.Add(time.Hour)
	if t.After(now) {
		t = now
	}
	s.representLocked(d, atts, "Carrier confirms delivery to the customer's address.", t)
	switch target {
	case klarna.DisputeRepresentment:
	case klarna.DisputePreArbitration, klarna.DisputeArbitration:
		d.Scenario = ScenarioPreArbWindowExpired
		s.preArbitrationLocked(d, now)
		if target == klarna.DisputeArbitration {
			s.appealLocked(d, "The preliminary decision overlooked the signed delivery receipt.", nil, now)
		}
	case klarna.DisputeClosed:
		s.closeLocked(d, klarna.OutcomeWon, "KLARNA_RESOLVED_DISPUTE_IN_PARTNER_FAVOR", now)
	default:
		return fmt.Errorf("unknown target state %s", target)
	}
	return nil
}

// AdvanceDispute performs the next automatic step of a dispute now (control API).
func (s *Sim) AdvanceDispute(id string) (klarna.DisputeState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.Disputes[id]
	if d == nil {
		return "", errNotFound
	}
	if !s.advanceLocked(d, s.clock.Now()) {
		return d.D.State, errors.New("the dispute is closed")
	}
	return d.D.State, nil
}

// ExtendDeadline extends the evidence deadline of an INITIATED dispute and
// sends payment.dispute.updated.representment-deadline-extended.
func (s *Sim) ExtendDeadline(id string, by time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.Disputes[id]
	if d == nil {
		return errNotFound
	}
	if d.D.State != klarna.DisputeInitiated {
		return errors.New("only INITIATED disputes have an evidence deadline")
	}
	r := s.representment(d)
	prev := r.ExpiresAt
	r.ExpiresAt = klarna.At(prev.Add(by))
	d.D.UpdatedAt = klarna.At(s.clock.Now())
	s.schedule(d, r.ExpiresAt.Time)
	p := s.eventPayload(d)
	p.Currency = d.D.DisputeDetails.Currency
	p.UpdatedFields = map[string]any{"evidence_response_deadline_at": r.ExpiresAt.UTC().Format(time.RFC3339)}
	p.PreviousFields = map[string]any{"evidence_response_deadline_at": prev.UTC().Format(time.RFC3339)}
	s.emitDispute(klarna.EventDisputeDeadlineExtended, d, p)
	return nil
}

// HasDispute reports whether a partner account has a dispute of this
// reason and amount (the demo's own disputes, told apart from those the
// settlement history or the traffic opened).
func (s *Sim) HasDispute(partnerAccountID, reason string, amount int64) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, d := range s.st.Disputes {
		if d.Partner == partnerAccountID && d.D.DisputeReason == reason && d.D.DisputeDetails != nil && d.D.DisputeDetails.DisputeAmount == amount {
			return true
		}
	}
	return false
}

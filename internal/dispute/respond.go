package dispute

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/actor"
	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/scope"
)

// Limits of an answer (README §8.5, §8.6).
const (
	MaxRepresentInfo   = 5000
	MaxAppealInfo      = 10000
	MaxAttachments     = 10
	MaxAttachmentBytes = klarna.MaxAttachmentBytes
)

// Draft kinds and action kinds.
const (
	KindRepresent  = "represent"
	KindAppeal     = "appeal"
	KindAcceptLoss = "accept_loss"
)

// Action statuses.
const (
	ActionPending = "pending"
	ActionApplied = "applied"
	ActionFailed  = "failed"
)

// Draft is a partner's answer in the making.
type Draft struct {
	DisputeID    string
	Kind         string
	Information  string
	RefundAmount *int64
	Checklist    []string
	Version      int64 // 0: never saved
	UpdatedByID  *uuid.UUID
	UpdatedBy    string
	UpdatedAt    *time.Time
	Attachments  []Attachment
}

// Attachment is a file of a draft (Data only when downloaded).
type Attachment struct {
	ID              uuid.UUID
	DisputeID, Kind string
	Filename        string
	ContentType     string
	Size            int
	SHA256          []byte
	KlarnaID        string
	CreatedAt       time.Time
	Data            []byte
}

// Action is an answer submitted to Klarna.
type Action struct {
	ID             uuid.UUID
	DisputeID      string
	Kind           string
	Status         string
	IdempotencyKey string
	Information    string
	RefundAmount   *int64
	Attachments    int
	Error          string
	CreatedByID    *uuid.UUID
	CreatedBy      string
	CreatedAt      time.Time
	FinishedAt     *time.Time
}

// ResponseStore persists drafts, their files and actions. It takes no
// scope: its rows hang off a dispute id, and every Responder method that a
// user calls first resolves that id with Service.Get in the user's scope
// (another tenant's dispute is NotFound there, before the store is asked);
// the methods only jobs call (Action, FinishAction, SetKlarnaAttachment)
// act for the system on an action already authorized when it was created.
// TestDisputeActionsCrossTenant holds every route to this.
type ResponseStore interface {
	Draft(ctx context.Context, id, kind string) (Draft, error) // Version 0 when none
	// SaveDraft stores d if the stored version is d.Version (0: none yet)
	// and returns it with the next version; ok=false on a stale version.
	SaveDraft(ctx context.Context, d Draft) (saved Draft, ok bool, err error)
	// AddAttachment stores a file, or returns the draft's file of the same
	// sha256 (existing=true).
	AddAttachment(ctx context.Context, a Attachment, by *uuid.UUID) (Attachment, bool, error)
	Attachment(ctx context.Context, id, kind string, att uuid.UUID, withData bool) (Attachment, error)
	DeleteAttachment(ctx context.Context, id, kind string, att uuid.UUID) error
	SetKlarnaAttachment(ctx context.Context, att uuid.UUID, klarnaID string) error
	CreateAction(ctx context.Context, a Action) (Action, error) // Conflict while another is pending
	Action(ctx context.Context, id uuid.UUID) (Action, error)
	FinishAction(ctx context.Context, id uuid.UUID, status, errMsg string, at time.Time) error
	Actions(ctx context.Context, disputeID string) ([]Action, error)
}

// Answerer makes the Dispute API's calls of an answer.
type Answerer interface {
	UploadAttachment(ctx context.Context, disputeID, filename string, data []byte, opts ...klarna.CallOption) (*klarna.UploadAttachmentResponse, error)
	Represent(ctx context.Context, disputeID string, req klarna.RepresentRequest, opts ...klarna.CallOption) (*klarna.RepresentResponse, error)
	Appeal(ctx context.Context, disputeID string, req klarna.AppealRequest, opts ...klarna.CallOption) (*klarna.AppealResponse, error)
	AcceptLoss(ctx context.Context, disputeID string, opts ...klarna.CallOption) (*klarna.AcceptLossResponse, error)
}

// Responder drafts and submits partners' answers to disputes.
type Responder struct {
	disputes *Service
	store    ResponseStore
	klarna   Answerer // nil when Klarna is not configured
	enqueue  func(ctx context.Context, action uuid.UUID) error
	now      func() time.Time
}

// NewResponder wires the responder; enqueue queues an action's job in the
// transaction ctx carries.
func NewResponder(disputes *Service, store ResponseStore, k Answerer, enqueue func(ctx context.Context, action uuid.UUID) error) *Responder {
	return &Responder{disputes: disputes, store: store, klarna: k, enqueue: enqueue, now: disputes.Now}
}

// SetClock replaces the clock deadlines are checked against (tests set it
// to the simulator's).
func (r *Responder) SetClock(now func() time.Time) { r.now = now }

//go:embed evidence.json
var evidenceJSON []byte

// EvidenceItem is one line of a checklist.
type EvidenceItem struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// EvidenceGuide is what Klarna usually needs for a reason.
type EvidenceGuide struct {
	Title       string         `json:"title"`
	Explanation string         `json:"explanation"`
	Items       []EvidenceItem `json:"items"`
}

var evidenceGuides = func() map[string]EvidenceGuide {
	var m map[string]EvidenceGuide
	if err := json.Unmarshal(evidenceJSON, &m); err != nil {
		panic("dispute: evidence.json: " + err.Error())
	}
	if _, ok := m["default"]; !ok {
		panic("dispute: evidence.json has no default")
	}
	return m
}()

// EvidenceGuides are the checklists by reason ("default" for the others).
func EvidenceGuides() map[string]EvidenceGuide { return evidenceGuides }

// GuideFor is the checklist of a reason, the default one when unknown.
func GuideFor(reason string) EvidenceGuide {
	if g, ok := evidenceGuides[reason]; ok {
		return g
	}
	return evidenceGuides["default"]
}

// draftKind is the kind of answer a dispute's state calls for.
func draftKind(d Dispute, kind string) (string, error) {
	switch kind {
	case KindRepresent, KindAppeal:
		return kind, nil
	case "":
		if d.State == "PRE_ARBITRATION" {
			return KindAppeal, nil
		}
		return KindRepresent, nil
	}
	return "", apperr.Validation("The draft kind is not valid.", apperr.FieldError{Field: "kind", Message: "represent or appeal"})
}

// Draft reads the dispute's draft of kind ("" = the one its state calls for).
func (r *Responder) Draft(ctx context.Context, sc scope.Scope, id, kind string) (Dispute, Draft, error) {
	d, err := r.disputes.Get(ctx, sc, id)
	if err != nil {
		return d, Draft{}, err
	}
	if kind, err = draftKind(d, kind); err != nil {
		return d, Draft{}, err
	}
	dr, err := r.store.Draft(ctx, id, kind)
	return d, dr, err
}

// DraftInput is a save of a draft.
type DraftInput struct {
	Kind         string
	Information  string
	RefundAmount *int64
	Checklist    []string
	Version      int64
}

func checkInfo(kind, info string, submit bool, fe *[]apperr.FieldError) {
	n := len([]rune(info))
	switch kind {
	case KindRepresent:
		if n > MaxRepresentInfo {
			*fe = append(*fe, apperr.FieldError{Field: "additional_information", Message: fmt.Sprintf("at most %d characters (now %d)", MaxRepresentInfo, n)})
		}
	case KindAppeal:
		if n > MaxAppealInfo {
			*fe = append(*fe, apperr.FieldError{Field: "additional_information", Message: fmt.Sprintf("at most %d characters (now %d)", MaxAppealInfo, n)})
		} else if submit && strings.TrimSpace(info) == "" {
			*fe = append(*fe, apperr.FieldError{Field: "additional_information", Message: "an appeal needs the information that the decision overlooked"})
		}
	}
}

func checkRefund(d Dispute, kind string, amount *int64, fe *[]apperr.FieldError) {
	if amount == nil {
		return
	}
	switch {
	case kind != KindRepresent:
		*fe = append(*fe, apperr.FieldError{Field: "partner_proposed_refund_amount", Message: "a refund can be proposed only in a representment"})
	case *amount <= 0:
		*fe = append(*fe, apperr.FieldError{Field: "partner_proposed_refund_amount", Message: "must be more than 0"})
	case *amount >= d.Amount:
		*fe = append(*fe, apperr.FieldError{Field: "partner_proposed_refund_amount", Message: fmt.Sprintf("must be below the disputed amount (%d minor units)", d.Amount)})
	}
}

// SaveDraft stores the draft if in.Version is the stored one (Conflict
// otherwise: someone else saved it meanwhile).
func (r *Responder) SaveDraft(ctx context.Context, sc scope.Scope, id string, in DraftInput) (Draft, error) {
	d, err := r.disputes.Get(ctx, sc, id)
	if err != nil {
		return Draft{}, err
	}
	kind, err := draftKind(d, in.Kind)
	if err != nil {
		return Draft{}, err
	}
	var fe []apperr.FieldError
	checkInfo(kind, in.Information, false, &fe)
	checkRefund(d, kind, in.RefundAmount, &fe)
	guide := GuideFor(d.Reason)
	for i, c := range in.Checklist {
		if !slices.ContainsFunc(guide.Items, func(it EvidenceItem) bool { return it.ID == c }) {
			fe = append(fe, apperr.FieldError{Field: fmt.Sprintf("checklist[%d]", i), Message: "not an item of this reason's checklist"})
		}
	}
	if in.Version < 0 {
		fe = append(fe, apperr.FieldError{Field: "version", Message: "the version you read (0 for a new draft)"})
	}
	if len(fe) > 0 {
		return Draft{}, apperr.Validation("The draft has invalid fields.", fe...)
	}
	a := actor.From(ctx)
	var by *uuid.UUID
	if a.UserID != uuid.Nil {
		by = &a.UserID
	}
	saved, ok, err := r.store.SaveDraft(ctx, Draft{DisputeID: id, Kind: kind, Information: in.Information, RefundAmount: in.RefundAmount,
		Checklist: append([]string{}, slices.Compact(slices.Sorted(slices.Values(in.Checklist)))...), Version: in.Version, UpdatedByID: by, UpdatedBy: a.Label})
	if err != nil {
		return Draft{}, err
	}
	if !ok {
		cur, _ := r.store.Draft(ctx, id, kind)
		return Draft{}, apperr.E(apperr.Conflict, "%s saved this draft meanwhile (version %d); reload it before saving again.", firstNonEmpty(cur.UpdatedBy, "Someone"), cur.Version)
	}
	return saved, nil
}

// SniffAttachment is the MIME type of an accepted file by its content (PDF,
// JPEG, PNG, DOCX), "" for anything else.
func SniffAttachment(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return ""
		}
		for _, f := range z.File {
			if f.Name == "word/document.xml" {
				return klarna.AttachmentContentTypes[".docx"]
			}
		}
	}
	return ""
}

// extensionOf is the file name extension Klarna expects for a MIME type.
func extensionOf(ctype string) string {
	switch ctype {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	}
	return ".docx"
}

// AddAttachment stores a file in the dispute's draft of kind. The same file
// posted again is the attachment already there (created=false).
func (r *Responder) AddAttachment(ctx context.Context, sc scope.Scope, id, kind, filename string, data []byte) (Attachment, bool, error) {
	d, err := r.disputes.Get(ctx, sc, id)
	if err != nil {
		return Attachment{}, false, err
	}
	if kind, err = draftKind(d, kind); err != nil {
		return Attachment{}, false, err
	}
	var fe []apperr.FieldError
	ctype := SniffAttachment(data)
	if ctype == "" {
		fe = append(fe, apperr.FieldError{Field: "file", Message: "must be a PDF, JPEG, PNG or DOCX file (its content is not one of these)"})
	}
	if len(data) > MaxAttachmentBytes {
		fe = append(fe, apperr.FieldError{Field: "file", Message: fmt.Sprintf("must be at most 7 MB (this one is %.1f MB)", float64(len(data))/(1<<20))})
	}
	if len(data) == 0 {
		fe = append(fe, apperr.FieldError{Field: "file", Message: "is empty"})
	}
	name := strings.TrimSpace(filename)
	if name == "" {
		name = "evidence"
	}
	if len([]rune(name)) > 200 {
		name = string([]rune(name)[:200])
	}
	if ctype != "" && !strings.EqualFold(klarna.AttachmentContentTypes[strings.ToLower(extOf(name))], ctype) {
		name = strings.TrimSuffix(name, extOf(name)) + extensionOf(ctype)
	}
	if len(fe) > 0 {
		return Attachment{}, false, apperr.Validation("The file cannot be attached.", fe...)
	}
	sum := sha256.Sum256(data)
	a := actor.From(ctx)
	var by *uuid.UUID
	if a.UserID != uuid.Nil {
		by = &a.UserID
	}
	var out Attachment
	var existing bool
	err = r.disputes.store.InTx(ctx, func(ctx context.Context) error {
		dr, err := r.store.Draft(ctx, id, kind)
		if err != nil {
			return err
		}
		if dr.Version == 0 { // the draft exists once it holds a file
			if _, _, err := r.store.SaveDraft(ctx, Draft{DisputeID: id, Kind: kind, Checklist: []string{}, UpdatedByID: by, UpdatedBy: a.Label}); err != nil {
				return err
			}
		}
		for _, f := range dr.Attachments {
			if bytes.Equal(f.SHA256, sum[:]) {
				out, existing = f, true
				return nil
			}
		}
		if len(dr.Attachments) >= MaxAttachments {
			return apperr.Validation("The file cannot be attached.", apperr.FieldError{Field: "file", Message: fmt.Sprintf("at most %d files per answer; remove one first", MaxAttachments)})
		}
		out, existing, err = r.store.AddAttachment(ctx, Attachment{DisputeID: id, Kind: kind, Filename: name, ContentType: ctype, Size: len(data), SHA256: sum[:], Data: data}, by)
		return err
	})
	return out, !existing, err
}

func extOf(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name[i:]
	}
	return ""
}

// Attachment reads a draft's file with its content.
func (r *Responder) Attachment(ctx context.Context, sc scope.Scope, id, kind string, att uuid.UUID) (Attachment, error) {
	d, err := r.disputes.Get(ctx, sc, id)
	if err != nil {
		return Attachment{}, err
	}
	if kind, err = draftKind(d, kind); err != nil {
		return Attachment{}, err
	}
	return r.store.Attachment(ctx, id, kind, att, true)
}

// DeleteAttachment removes a file from a draft.
func (r *Responder) DeleteAttachment(ctx context.Context, sc scope.Scope, id, kind string, att uuid.UUID) error {
	d, err := r.disputes.Get(ctx, sc, id)
	if err != nil {
		return err
	}
	if kind, err = draftKind(d, kind); err != nil {
		return err
	}
	return r.store.DeleteAttachment(ctx, id, kind, att)
}

// Actions lists a dispute's submitted answers, latest first.
func (r *Responder) Actions(ctx context.Context, sc scope.Scope, id string) ([]Action, error) {
	if _, err := r.disputes.Get(ctx, sc, id); err != nil {
		return nil, err
	}
	return r.store.Actions(ctx, id)
}

var actionAudit = map[string]string{KindRepresent: "dispute:represent", KindAcceptLoss: "dispute:accept_loss", KindAppeal: "dispute:appeal"}

// Submit checks an answer and queues it: wrong state, a passed deadline or
// invalid fields are refused before any call to Klarna.
func (r *Responder) Submit(ctx context.Context, sc scope.Scope, id, kind string) (Action, error) {
	d, err := r.disputes.Get(ctx, sc, id)
	if err != nil {
		return Action{}, err
	}
	now := r.now()
	if _, ok := actionAudit[kind]; !ok {
		return Action{}, apperr.E(apperr.NotFound, "No such action.")
	}
	if !slices.Contains(Actions(d, now), kind) {
		if d.DeadlineAt != nil && !now.Before(*d.DeadlineAt) && slices.Contains(Actions(Dispute{State: d.State, RepresentmentState: d.RepresentmentState}, now), kind) {
			return Action{}, apperr.E(apperr.Conflict, "The deadline to answer this dispute passed on %s; Klarna no longer accepts an answer.", d.DeadlineAt.UTC().Format("2 Jan 2006 15:04 MST"))
		}
		return Action{}, apperr.E(apperr.Conflict, "This dispute is %s; %s is not possible in that state.", stateWords(d.State), strings.ReplaceAll(kind, "_", " "))
	}
	act := Action{DisputeID: id, Kind: kind, Status: ActionPending, IdempotencyKey: uuid.NewString()}
	if kind != KindAcceptLoss {
		dr, err := r.store.Draft(ctx, id, kind)
		if err != nil {
			return Action{}, err
		}
		var fe []apperr.FieldError
		if kind == KindRepresent && len(dr.Attachments) == 0 {
			fe = append(fe, apperr.FieldError{Field: "attachments", Message: "attach at least one file of evidence"})
		}
		checkInfo(kind, dr.Information, true, &fe)
		checkRefund(d, kind, dr.RefundAmount, &fe)
		if len(fe) > 0 {
			return Action{}, apperr.Validation("The answer is not complete.", fe...)
		}
		act.Information, act.RefundAmount, act.Attachments = dr.Information, dr.RefundAmount, len(dr.Attachments)
	}
	a := actor.From(ctx)
	if a.UserID != uuid.Nil {
		act.CreatedByID = &a.UserID
	}
	act.CreatedBy = a.Label
	err = r.disputes.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if act, err = r.store.CreateAction(ctx, act); err != nil {
			return err
		}
		if r.disputes.audit != nil {
			tenant := d.TenantID
			if err := r.disputes.audit(ctx, actor.Change{Action: actionAudit[kind], TenantID: &tenant, TargetType: "dispute", TargetID: id,
				After: map[string]any{"action_id": act.ID, "attachments": act.Attachments, "refund_amount": act.RefundAmount}}); err != nil {
				return err
			}
		}
		return r.enqueue(ctx, act.ID)
	})
	return act, err
}

// Apply sends a pending action to Klarna (the job's work). An error asks
// River for another attempt (429, 5xx, no answer); a 400 or 409 fails the
// action with Klarna's message.
func (r *Responder) Apply(ctx context.Context, actionID uuid.UUID) error {
	act, err := r.store.Action(ctx, actionID)
	if err != nil || act.Status != ActionPending {
		return err
	}
	if r.klarna == nil {
		return apperr.E(apperr.Unavailable, "Klarna is not configured.")
	}
	d, err := r.disputes.Get(ctx, scope.All(), act.DisputeID)
	if err != nil {
		return err
	}
	opts := []klarna.CallOption{klarna.OnBehalfOf(d.KlarnaAccountID), klarna.About("dispute", act.DisputeID)}
	var refs []klarna.AttachmentRef
	if act.Kind != KindAcceptLoss {
		dr, err := r.store.Draft(ctx, act.DisputeID, act.Kind)
		if err != nil {
			return err
		}
		for _, f := range dr.Attachments {
			if f.KlarnaID == "" {
				full, err := r.store.Attachment(ctx, act.DisputeID, act.Kind, f.ID, true)
				if err != nil {
					return err
				}
				up, err := r.klarna.UploadAttachment(ctx, act.DisputeID, full.Filename, full.Data, opts...)
				if err != nil {
					return r.failOrRetry(ctx, act, d, err)
				}
				if err := r.store.SetKlarnaAttachment(ctx, f.ID, up.PaymentDisputeAttachmentID); err != nil {
					return err
				}
				f.KlarnaID = up.PaymentDisputeAttachmentID
			}
			refs = append(refs, klarna.AttachmentRef{PaymentDisputeAttachmentID: f.KlarnaID, Description: f.Filename})
		}
	}
	call := append(opts, klarna.WithIdempotencyKey(act.IdempotencyKey))
	var summary string
	switch act.Kind {
	case KindRepresent:
		_, err = r.klarna.Represent(ctx, act.DisputeID, klarna.RepresentRequest{Attachments: refs, AdditionalInformation: act.Information, PartnerProposedRefundAmount: act.RefundAmount}, call...)
		summary = fmt.Sprintf("Evidence submitted with %d %s", len(refs), plural(len(refs), "file", "files"))
		if act.RefundAmount != nil {
			summary += fmt.Sprintf(", proposing a refund of %d minor units", *act.RefundAmount)
		}
	case KindAppeal:
		_, err = r.klarna.Appeal(ctx, act.DisputeID, klarna.AppealRequest{AdditionalInformation: act.Information, Attachments: refs}, call...)
		summary = "Appealed the preliminary decision"
		if len(refs) > 0 {
			summary += fmt.Sprintf(" with %d %s", len(refs), plural(len(refs), "file", "files"))
		}
	case KindAcceptLoss:
		_, err = r.klarna.AcceptLoss(ctx, act.DisputeID, call...)
		summary = "Loss accepted"
	}
	if err != nil {
		return r.failOrRetry(ctx, act, d, err)
	}
	if err := r.disputes.store.InTx(ctx, func(ctx context.Context) error {
		if err := r.store.FinishAction(ctx, act.ID, ActionApplied, "", r.disputes.now()); err != nil {
			return err
		}
		return r.disputes.AddEvent(ctx, Event{DisputeID: act.DisputeID, Kind: "action", State: d.State, Summary: summary,
			ActorID: act.CreatedByID, ActorLabel: act.CreatedBy, EventID: "action:" + act.ID.String()})
	}); err != nil {
		return err
	}
	_, _ = r.disputes.Refresh(ctx, act.DisputeID) // the mirror follows; a failed read is retried by the sync
	return nil
}

// failOrRetry fails the action when Klarna refused it for good (400, 409,
// 404, 422) and re-reads the dispute after a 409; anything else is retried.
func (r *Responder) failOrRetry(ctx context.Context, act Action, d Dispute, err error) error {
	var ke *klarna.Error
	if !errors.As(err, &ke) {
		return err
	}
	switch ke.HTTPStatus {
	case http.StatusBadRequest, http.StatusConflict, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge:
	default:
		return err
	}
	msg := firstNonEmpty(ke.ErrorMessage, ke.ErrorCode, http.StatusText(ke.HTTPStatus))
	if ke.HTTPStatus == http.StatusConflict {
		msg = "Klarna refused the answer in the dispute's current state: " + msg
	}
	if ferr := r.disputes.store.InTx(ctx, func(ctx context.Context) error {
		if err := r.store.FinishAction(ctx, act.ID, ActionFailed, msg, r.disputes.now()); err != nil {
			return err
		}
		return r.disputes.AddEvent(ctx, Event{DisputeID: act.DisputeID, Kind: "action", State: d.State,
			Summary: fmt.Sprintf("%s refused by Klarna: %s", actionWords(act.Kind), msg), ActorID: act.CreatedByID, ActorLabel: act.CreatedBy, EventID: "action:" + act.ID.String()})
	}); ferr != nil {
		return ferr
	}
	if ke.HTTPStatus == http.StatusConflict {
		_, _ = r.disputes.Refresh(ctx, act.DisputeID)
	}
	return nil
}

func actionWords(kind string) string {
	switch kind {
	case KindRepresent:
		return "Evidence"
	case KindAppeal:
		return "Appeal"
	}
	return "Accepting the loss"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

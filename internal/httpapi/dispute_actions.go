package httpapi

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
)

// disputeUploadMaxBody is the body limit of an attachment upload: a 7 MB
// file and its multipart envelope.
const disputeUploadMaxBody = dispute.MaxAttachmentBytes + 1<<20

func guideDTO(g dispute.EvidenceGuide) apigen.EvidenceGuide {
	var out apigen.EvidenceGuide
	b, _ := json.Marshal(g) // same JSON shape
	_ = json.Unmarshal(b, &out)
	return out
}

func draftAttachmentDTO(a dispute.Attachment) apigen.DisputeDraftAttachment {
	return apigen.DisputeDraftAttachment{Id: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
		Sha256: hex.EncodeToString(a.SHA256), UploadedToKlarna: a.KlarnaID != "", CreatedAt: a.CreatedAt}
}

func draftDTO(d dispute.Dispute, dr dispute.Draft) apigen.DisputeDraft {
	out := apigen.DisputeDraft{DisputeId: dr.DisputeID, Kind: apigen.DisputeDraftKind(dr.Kind), AdditionalInformation: dr.Information,
		PartnerProposedRefundAmount: dr.RefundAmount, Checklist: dr.Checklist, Version: dr.Version, UpdatedAt: dr.UpdatedAt,
		Attachments: make([]apigen.DisputeDraftAttachment, 0, len(dr.Attachments)), Guide: guideDTO(dispute.GuideFor(d.Reason)),
		MaxInformation: dispute.MaxRepresentInfo}
	if dr.Kind == dispute.KindAppeal {
		out.MaxInformation = dispute.MaxAppealInfo
	}
	if dr.UpdatedBy != "" {
		out.UpdatedBy = &dr.UpdatedBy
	}
	for _, a := range dr.Attachments {
		out.Attachments = append(out.Attachments, draftAttachmentDTO(a))
	}
	return out
}

func disputeActionDTO(a dispute.Action) apigen.DisputeAction {
	return apigen.DisputeAction{Id: a.ID, DisputeId: a.DisputeID, Kind: apigen.DisputeActionKind(a.Kind), Status: apigen.DisputeActionStatus(a.Status),
		Error: a.Error, Attachments: a.Attachments, PartnerProposedRefundAmount: a.RefundAmount, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt,
		FinishedAt: a.FinishedAt}
}

func (s *server) disputeEvidenceGuide(c *gin.Context) {
	c.JSON(http.StatusOK, dispute.EvidenceGuides())
}

func (s *server) getDisputeDraft(c *gin.Context) {
	d, dr, err := s.opts.Responder.Draft(c.Request.Context(), scopeOf(c), c.Param("dispute"), c.Query("kind"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, draftDTO(d, dr))
}

func (s *server) saveDisputeDraft(c *gin.Context) {
	var in apigen.DisputeDraftInput
	if err := bindJSON(c, &in); err != nil {
		writeProblem(c, err)
		return
	}
	kind := ""
	if in.Kind != nil {
		kind = string(*in.Kind)
	}
	ctx := c.Request.Context()
	dr, err := s.opts.Responder.SaveDraft(ctx, scopeOf(c), c.Param("dispute"), dispute.DraftInput{Kind: kind, Information: in.AdditionalInformation,
		RefundAmount: in.PartnerProposedRefundAmount, Checklist: in.Checklist, Version: in.Version})
	if err != nil {
		writeProblem(c, err)
		return
	}
	d, err := s.opts.Disputes.Get(ctx, scopeOf(c), c.Param("dispute"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, draftDTO(d, dr))
}

func (s *server) uploadDisputeDraftAttachment(c *gin.Context) {
	// Another tenant's dispute is 404 before the body is read.
	if _, err := s.opts.Disputes.Get(c.Request.Context(), scopeOf(c), c.Param("dispute")); err != nil {
		writeProblem(c, err)
		return
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeProblem(c, apperr.Validation("The file cannot be attached.", apperr.FieldError{Field: "file", Message: "must be at most 7 MB"}))
			return
		}
		writeProblem(c, apperr.Validation("Send the file as multipart/form-data.", apperr.FieldError{Field: "file", Message: "a file is required"}))
		return
	}
	if fh.Size > dispute.MaxAttachmentBytes {
		writeProblem(c, apperr.Validation("The file cannot be attached.", apperr.FieldError{Field: "file", Message: "must be at most 7 MB"}))
		return
	}
	f, err := fh.Open()
	if err != nil {
		writeProblem(c, apperr.Wrap(err, apperr.Invalid, "The file could not be read."))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, dispute.MaxAttachmentBytes+1))
	if err != nil {
		writeProblem(c, apperr.Wrap(err, apperr.Invalid, "The file could not be read."))
		return
	}
	a, created, err := s.opts.Responder.AddAttachment(c.Request.Context(), scopeOf(c), c.Param("dispute"), c.Query("kind"), fh.Filename, data)
	if err != nil {
		writeProblem(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, draftAttachmentDTO(a))
}

func attachmentParam(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("attachment"))
	if err != nil {
		writeProblem(c, apperr.E(apperr.NotFound, "The draft has no such file."))
		return uuid.Nil, false
	}
	return id, true
}

func (s *server) downloadDisputeDraftAttachment(c *gin.Context) {
	id, ok := attachmentParam(c)
	if !ok {
		return
	}
	a, err := s.opts.Responder.Attachment(c.Request.Context(), scopeOf(c), c.Param("dispute"), c.Query("kind"), id)
	if err != nil {
		writeProblem(c, err)
		return
	}
	name := strings.NewReplacer(`"`, "", "\\", "", "\r", "", "\n", "", "/", "_").Replace(a.Filename)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, a.ContentType, a.Data)
}

func (s *server) deleteDisputeDraftAttachment(c *gin.Context) {
	id, ok := attachmentParam(c)
	if !ok {
		return
	}
	if err := s.opts.Responder.DeleteAttachment(c.Request.Context(), scopeOf(c), c.Param("dispute"), c.Query("kind"), id); err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) listDisputeActions(c *gin.Context) {
	acts, err := s.opts.Responder.Actions(c.Request.Context(), scopeOf(c), c.Param("dispute"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := make([]apigen.DisputeAction, 0, len(acts))
	for _, a := range acts {
		out = append(out, disputeActionDTO(a))
	}
	c.JSON(http.StatusOK, out)
}

// submitDispute answers a dispute with kind (represent, accept_loss, appeal).
func (s *server) submitDispute(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, err := s.opts.Responder.Submit(c.Request.Context(), scopeOf(c), c.Param("dispute"), kind)
		if err != nil {
			writeProblem(c, err)
			return
		}
		c.JSON(http.StatusAccepted, disputeActionDTO(a))
	}
}

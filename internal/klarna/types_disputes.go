package klarna

import "time"

// DisputeState is an open enum (README §8.2).
type DisputeState string

const (
	DisputeInitiated      DisputeState = "INITIATED"
	DisputeRepresentment  DisputeState = "REPRESENTMENT"
	DisputePreArbitration DisputeState = "PRE_ARBITRATION"
	DisputeArbitration    DisputeState = "ARBITRATION"
	DisputeClosed         DisputeState = "CLOSED"
)

// Representment sub-states (README §8.2).
const (
	EvidenceRequested         = "EVIDENCE_REQUESTED"
	EvidenceReceived          = "EVIDENCE_RECEIVED"
	EvidenceRequestExpired    = "EVIDENCE_REQUEST_EXPIRED"
	EvidenceWaived            = "EVIDENCE_WAIVED"
	RepresentmentAutoRejected = "REPRESENTMENT_AUTOMATICALLY_REJECTED"
)

// Dispute outcomes (README §8.5).
const (
	OutcomeWon  = "WON"
	OutcomeLost = "LOST"
)

// Dispute reasons (README §8.4); the set is open.
const (
	ReasonRefundNotProcessed        = "REFUND_NOT_PROCESSED"
	ReasonNotReceived               = "PRODUCTS_OR_SERVICES_NOT_RECEIVED"
	ReasonDefectiveOrNotAsDescribed = "PRODUCTS_DEFECTIVE_OR_NOT_AS_DESCRIBED"
	ReasonIncorrectAmount           = "INCORRECT_AMOUNT"
	ReasonPurchaseHighRisk          = "PURCHASE_HIGH_RISK"
	ReasonPurchaseUnauthorized      = "PURCHASE_UNAUTHORIZED"
	ReasonNonCompliance             = "NON_COMPLIANCE"
	ReasonNonGuaranteedProgram      = "NON_GUARANTEED_PAYMENT_PROGRAM"
)

// DisputeDetails holds the disputed amount in minor units.
type DisputeDetails struct {
	DisputeAmount int64  `json:"dispute_amount"`
	Currency      string `json:"currency,omitempty"`
	CreatedBy     string `json:"created_by,omitempty"`
	Extra         Extra  `json:"-"`
}

// Attachment is an evidence file reference.
type Attachment struct {
	PaymentDisputeAttachmentID string `json:"payment_dispute_attachment_id,omitempty"`
	Description                string `json:"description,omitempty"`
	MimeType                   string `json:"mime_type,omitempty"`
	URL                        string `json:"url,omitempty"`
	Extra                      Extra  `json:"-"`
}

// EvidenceRequest is Klarna's request for evidence.
type EvidenceRequest struct {
	RequestedAt           Timestamp `json:"requested_at,omitzero"`
	AdditionalInformation string    `json:"additional_information,omitempty"`
	Extra                 Extra     `json:"-"`
}

// PartnerEvidence is what the partner submitted with represent.
type PartnerEvidence struct {
	CreatedAt             Timestamp    `json:"created_at,omitzero"`
	AdditionalInformation string       `json:"additional_information,omitempty"`
	Attachments           []Attachment `json:"attachments,omitempty"`
	Extra                 Extra        `json:"-"`
}

// Representment is the evidence phase sub-object.
type Representment struct {
	State           string           `json:"state,omitempty"`
	PreviousState   string           `json:"previous_state,omitempty"`
	ExpiresAt       Timestamp        `json:"expires_at,omitzero"`
	Request         *EvidenceRequest `json:"request,omitempty"`
	PartnerEvidence *PartnerEvidence `json:"partner_evidence,omitempty"`
	Extra           Extra            `json:"-"`
}

// ArbitrationRequest is the partner's appeal.
type ArbitrationRequest struct {
	RequestedAt           Timestamp    `json:"requested_at,omitzero"`
	AdditionalInformation string       `json:"additional_information,omitempty"`
	Attachments           []Attachment `json:"attachments,omitempty"`
	Extra                 Extra        `json:"-"`
}

// Arbitration holds the preliminary decision and any appeal.
type Arbitration struct {
	PreliminaryOutcome         string              `json:"preliminary_outcome,omitempty"`
	PreliminaryOutcomeDetailed string              `json:"preliminary_outcome_detailed,omitempty"`
	ArbitrationRequest         *ArbitrationRequest `json:"arbitration_request,omitempty"`
	Extra                      Extra               `json:"-"`
}

// StateContext is the state-dependent part of a dispute (README §8.6); all
// shapes share one struct.
type StateContext struct {
	Representment          *Representment   `json:"representment,omitempty"`
	PartnerEvidence        *PartnerEvidence `json:"partner_evidence,omitempty"`
	ArbitrationExpiresAt   Timestamp        `json:"arbitration_expires_at,omitzero"`
	DisputeOutcome         string           `json:"dispute_outcome,omitempty"`
	DisputeOutcomeDetailed string           `json:"dispute_outcome_detailed,omitempty"`
	ClosedAt               Timestamp        `json:"closed_at,omitzero"`
	Extra                  Extra            `json:"-"`
}

// ProcessException is an exception Klarna applied to the dispute process.
type ProcessException struct {
	ExceptionType string `json:"exception_type,omitempty"`
	Reason        string `json:"reason,omitempty"`
	Description   string `json:"description,omitempty"`
	Extra         Extra  `json:"-"`
}

// CustomerEvidence is evidence the customer supplied.
type CustomerEvidence struct {
	PaymentDisputeCustomerEvidenceID string      `json:"payment_dispute_customer_evidence_id,omitempty"`
	Attachment                       *Attachment `json:"attachment,omitempty"`
	Extra                            Extra       `json:"-"`
}

// DisputeOptions configures money handling.
type DisputeOptions struct {
	HoldPolicy string `json:"hold_policy,omitempty"` // NONE | ON_DISPUTE_INITIATED
	Extra      Extra  `json:"-"`
}

// DisputeConfiguration names the framework the dispute follows.
type DisputeConfiguration struct {
	BaseFramework string          `json:"base_framework,omitempty"`
	Options       *DisputeOptions `json:"options,omitempty"`
	Extra         Extra           `json:"-"`
}

// Dispute is a Payment Dispute API v4 dispute (README §8.6).
type Dispute struct {
	PaymentDisputeID            string                `json:"payment_dispute_id"`
	DisputeReason               string                `json:"dispute_reason,omitempty"`
	State                       DisputeState          `json:"state"`
	PreviousState               DisputeState          `json:"previous_state,omitempty"`
	OrderID                     string                `json:"order_id,omitempty"`
	PaymentTransactionID        string                `json:"payment_transaction_id,omitempty"`
	PaymentAccountID            string                `json:"payment_account_id,omitempty"`
	DisputeDetails              *DisputeDetails       `json:"dispute_details,omitempty"`
	CreatedAt                   Timestamp             `json:"created_at,omitzero"`
	UpdatedAt                   Timestamp             `json:"updated_at,omitzero"`
	StateContext                *StateContext         `json:"state_context,omitempty"`
	Representment               *Representment        `json:"representment,omitempty"`
	Arbitration                 *Arbitration          `json:"arbitration,omitempty"`
	ProcessExceptions           []ProcessException    `json:"process_exceptions,omitempty"`
	CustomerEvidences           []CustomerEvidence    `json:"customer_evidences,omitempty"`
	Configuration               *DisputeConfiguration `json:"configuration,omitempty"`
	PaymentTransactionReference string                `json:"payment_transaction_reference,omitempty"`
	PurchaseReference           string                `json:"purchase_reference,omitempty"`
	MerchantReference2          string                `json:"merchant_reference2,omitempty"`
	CaptureID                   string                `json:"capture_id,omitempty"`
	PaymentCaptureReference     string                `json:"payment_capture_reference,omitempty"`
	CaptureKRN                  string                `json:"capture_krn,omitempty"`
	PaymentCaptureID            string                `json:"payment_capture_id,omitempty"`
	ProductID                   string                `json:"product_id,omitempty"`
	PaymentAccountReference     string                `json:"payment_account_reference,omitempty"`
	PartnerAccountID            string                `json:"partner_account_id,omitempty"`
	Extra                       Extra                 `json:"-"`
}

// Deadline returns the partner's current response deadline: the evidence
// deadline while INITIATED, the appeal deadline while PRE_ARBITRATION, and
// the zero time otherwise.
func (d *Dispute) Deadline() time.Time {
	switch d.State {
	case DisputeInitiated:
		if d.StateContext != nil && d.StateContext.Representment != nil && !d.StateContext.Representment.ExpiresAt.IsZero() {
			return d.StateContext.Representment.ExpiresAt.Time
		}
		if d.Representment != nil {
			return d.Representment.ExpiresAt.Time
		}
	case DisputePreArbitration:
		if d.StateContext != nil {
			return d.StateContext.ArbitrationExpiresAt.Time
		}
	}
	return time.Time{}
}

// Link is a pagination link.
type Link struct {
	Href   string `json:"href,omitempty"`
	Method string `json:"method,omitempty"`
	Rel    string `json:"rel,omitempty"`
	Extra  Extra  `json:"-"`
}

// PaginationLinks holds next/prev links.
type PaginationLinks struct {
	Next  *Link `json:"next,omitempty"`
	Prev  *Link `json:"prev,omitempty"`
	Extra Extra `json:"-"`
}

// CursorPagination is the dispute list paging object (README §3.8). LastItem
// is nil on the last page.
type CursorPagination struct {
	Count     int              `json:"count"`
	Total     *int             `json:"total,omitempty"`
	FirstItem *string          `json:"first_item,omitempty"`
	LastItem  *string          `json:"last_item"`
	Links     *PaginationLinks `json:"_links,omitempty"`
	Extra     Extra            `json:"-"`
}

// DisputeList is one page of disputes.
type DisputeList struct {
	Disputes   []Dispute        `json:"disputes"`
	Pagination CursorPagination `json:"pagination"`
	Extra      Extra            `json:"-"`
}

// ListDisputesParams filters the dispute list (README §8.1). PartnerAccountID,
// when set, scopes the list to one partner with the Klarna-Partner-Account header.
type ListDisputesParams struct {
	OrderIDs              []string
	PaymentTransactionIDs []string
	States                []DisputeState
	Reasons               []string
	PurchaseReferences    []string
	SortBy                []string // created_at, -created_at, closed_at, -closed_at
	CreatedAtStart        time.Time
	CreatedAtEnd          time.Time
	ClosedAtStart         time.Time
	ClosedAtEnd           time.Time
	UpdatedAtStart        time.Time
	UpdatedAtEnd          time.Time
	Size                  int
	StartingAfter         string
	PartnerAccountID      string
}

// AttachmentRef names an uploaded attachment in represent/appeal.
type AttachmentRef struct {
	PaymentDisputeAttachmentID string `json:"payment_dispute_attachment_id"`
	Description                string `json:"description,omitempty"`
	Extra                      Extra  `json:"-"`
}

// RepresentRequest submits evidence (only in INITIATED).
type RepresentRequest struct {
	Attachments                 []AttachmentRef `json:"attachments"`
	AdditionalInformation       string          `json:"additional_information,omitempty"`
	PartnerProposedRefundAmount *int64          `json:"partner_proposed_refund_amount,omitempty"`
	Extra                       Extra           `json:"-"`
}

// RepresentResponse answers represent.
type RepresentResponse struct {
	State                 DisputeState    `json:"state"`
	CreatedAt             Timestamp       `json:"created_at,omitzero"`
	AdditionalInformation string          `json:"additional_information,omitempty"`
	Attachments           []AttachmentRef `json:"attachments,omitempty"`
	Extra                 Extra           `json:"-"`
}

// AppealRequest appeals a preliminary decision (only in PRE_ARBITRATION).
type AppealRequest struct {
	AdditionalInformation string          `json:"additional_information"`
	Attachments           []AttachmentRef `json:"attachments,omitempty"`
	Extra                 Extra           `json:"-"`
}

// AppealResponse answers appeal.
type AppealResponse struct {
	State                 DisputeState `json:"state"`
	CreatedAt             Timestamp    `json:"created_at,omitzero"`
	AdditionalInformation string       `json:"additional_information,omitempty"`
	Extra                 Extra        `json:"-"`
}

// AcceptLossResponse answers accept-loss.
type AcceptLossResponse struct {
	State DisputeState `json:"state"`
	Extra Extra        `json:"-"`
}

// UploadAttachmentResponse answers an attachment upload.
type UploadAttachmentResponse struct {
	PaymentDisputeAttachmentID string `json:"payment_dispute_attachment_id"`
	Extra                      Extra  `json:"-"`
}

// File is a downloaded file (attachment or report).
type File struct {
	ContentType string
	Filename    string
	Data        []byte
}

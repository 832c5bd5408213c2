package klarna

import "encoding/json"

// ErrorBody is a Klarna error response. It accepts the Klarna Network shape
// (error_id, error_type, error_code, error_message, validation_errors — or
// the documented alternative "errors"), and the Settlements v1 shape
// (error_code, error_messages, correlation_id) (README §3.5).
type ErrorBody struct {
	ErrorID          string            `json:"error_id,omitempty"`
	ErrorType        string            `json:"error_type,omitempty"`
	ErrorCode        string            `json:"error_code,omitempty"`
	ErrorMessage     string            `json:"error_message,omitempty"`
	DocURL           string            `json:"doc_url,omitempty"`
	ValidationErrors []ValidationError `json:"validation_errors,omitempty"`
	Errors           []ValidationError `json:"errors,omitempty"`
	ErrorMessages    []string          `json:"error_messages,omitempty"`
	CorrelationID    string            `json:"correlation_id,omitempty"`
	Extra            Extra             `json:"-"`
}

// ValidationError names one rejected parameter (a JSON dot path). Reason is
// the SDK spelling; ErrorMessage the error-handling page's.
type ValidationError struct {
	Parameter    string `json:"parameter,omitempty"`
	Reason       string `json:"reason,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
	DocURL       string `json:"doc_url,omitempty"`
	Extra        Extra  `json:"-"`
}

// Error types and codes (README §3.5).
const (
	ErrTypeAccess    = "ACCESS_ERROR"
	ErrTypeInput     = "INPUT_ERROR"
	ErrTypeResource  = "RESOURCE_ERROR"
	ErrTypeTechnical = "TECHNICAL_ERROR"

	CodeNotFound           = "NOT_FOUND"
	CodeOperationNotFound  = "OPERATION_NOT_FOUND"
	CodeUnauthorized       = "UNAUTHORIZED"
	CodeRateLimited        = "RATE_LIMITED"
	CodeResourceNotFound   = "RESOURCE_NOT_FOUND"
	CodeResourceConflict   = "RESOURCE_CONFLICT"
	CodeOperationForbidden = "OPERATION_FORBIDDEN"
	CodeValidation         = "VALIDATION_ERROR"
	CodeInvalidContentType = "INVALID_CONTENT_TYPE"
	CodeInternal           = "INTERNAL_ERROR"
	CodeServerConfig       = "SERVER_CONFIGURATION_ERROR"
	CodeTimeout            = "TIMEOUT"
	CodePayloadTooLarge    = "PAYLOAD_TOO_LARGE" // 413 body is UNCONFIRMED (README §3.5)
)

// DeepLinkRequest is the createDeepLink body (transport UNCONFIRMED, README §11).
type DeepLinkRequest struct {
	JWT   string `json:"jwt"`
	Extra Extra  `json:"-"`
}

// DeepLinkResponse carries the single-use portal URL (valid 60 s).
type DeepLinkResponse struct {
	URL   string `json:"url"`
	Extra Extra  `json:"-"`
}

// WebhookMetadata is the envelope metadata of a webhook (README §7.4).
type WebhookMetadata struct {
	EventID            string    `json:"event_id"`
	EventType          string    `json:"event_type"`
	EventVersion       string    `json:"event_version,omitempty"`
	OccurredAt         Timestamp `json:"occurred_at,omitzero"`
	CorrelationID      string    `json:"correlation_id,omitempty"`
	SubjectAccountID   string    `json:"subject_account_id,omitempty"`
	RecipientAccountID string    `json:"recipient_account_id,omitempty"`
	ProductInstanceID  string    `json:"product_instance_id,omitempty"`
	WebhookID          string    `json:"webhook_id,omitempty"`
	Live               bool      `json:"live"`
	MerchantID         string    `json:"merchant_id,omitempty"`
	Extra              Extra     `json:"-"`
}

// WebhookEnvelope is a delivered webhook: metadata plus an event-specific payload.
type WebhookEnvelope struct {
	Metadata WebhookMetadata `json:"metadata"`
	Payload  json.RawMessage `json:"payload,omitempty"`
	// Optional top-level copies declared by the SDK (README §7.4).
	EventType  string    `json:"event_type,omitempty"`
	EventID    string    `json:"event_id,omitempty"`
	OccurredAt Timestamp `json:"occurred_at,omitzero"`
	Extra      Extra     `json:"-"`
}

// AccountEventPayload is the payload of partner.account.* events (field names
// UNCONFIRMED, README §7.5).
type AccountEventPayload struct {
	PartnerAccountID        string `json:"partner_account_id,omitempty"`
	PartnerAccountReference string `json:"partner_account_reference,omitempty"`
	State                   string `json:"state,omitempty"`
	PreviousState           string `json:"previous_state,omitempty"`
	BrandID                 string `json:"brand_id,omitempty"`
	BrandReference          string `json:"brand_reference,omitempty"`
	Reason                  string `json:"reason,omitempty"`
	PaymentProductID        string `json:"payment_product_id,omitempty"`
	Status                  string `json:"status,omitempty"`
	PreviousStatus          string `json:"previous_status,omitempty"`
	Extra                   Extra  `json:"-"`
}

// DisputeEventPayload is the payload of payment.dispute.* events (README §8.8).
type DisputeEventPayload struct {
	PaymentDisputeID            string                `json:"payment_dispute_id"`
	OrderID                     string                `json:"order_id,omitempty"`
	PaymentTransactionID        string                `json:"payment_transaction_id,omitempty"`
	PaymentAccountID            string                `json:"payment_account_id,omitempty"`
	PaymentAccountReference     string                `json:"payment_account_reference,omitempty"`
	PaymentTransactionReference string                `json:"payment_transaction_reference,omitempty"`
	PurchaseReference           string                `json:"purchase_reference,omitempty"`
	MerchantReference2          string                `json:"merchant_reference2,omitempty"`
	CaptureID                   string                `json:"capture_id,omitempty"`
	PaymentCaptureReference     string                `json:"payment_capture_reference,omitempty"`
	PaymentCaptureID            string                `json:"payment_capture_id,omitempty"`
	State                       DisputeState          `json:"state"`
	PreviousState               DisputeState          `json:"previous_state,omitempty"`
	DisputeReason               string                `json:"dispute_reason,omitempty"`
	DisputeDetails              *DisputeDetails       `json:"dispute_details,omitempty"`
	Configuration               *DisputeConfiguration `json:"configuration,omitempty"`
	CreatedAt                   Timestamp             `json:"created_at,omitzero"`
	UpdatedAt                   Timestamp             `json:"updated_at,omitzero"`
	Representment               *Representment        `json:"representment,omitempty"`
	PartnerEvidence             *PartnerEvidence      `json:"partner_evidence,omitempty"`
	ArbitrationExpiresAt        Timestamp             `json:"arbitration_expires_at,omitzero"`
	Arbitration                 *Arbitration          `json:"arbitration,omitempty"`
	ArbitrationRequest          *ArbitrationRequest   `json:"arbitration_request,omitempty"`
	DisputeOutcome              string                `json:"dispute_outcome,omitempty"`
	DisputeOutcomeDetailed      string                `json:"dispute_outcome_detailed,omitempty"`
	ClosedAt                    Timestamp             `json:"closed_at,omitzero"`
	Currency                    string                `json:"currency,omitempty"`
	UpdatedFields               map[string]any        `json:"updated_fields,omitempty"`
	PreviousFields              map[string]any        `json:"previous_fields,omitempty"`
	PartnerAccountID            string                `json:"partner_account_id,omitempty"`
	Extra                       Extra                 `json:"-"`
}

// SettlementEventPayload is the payload of settlement.report.* events (field
// names UNCONFIRMED, README §7.5).
type SettlementEventPayload struct {
	SettlementID              string            `json:"settlement_id,omitempty"`
	PaymentAcquiringAccountID string            `json:"payment_acquiring_account_id,omitempty"`
	PaymentReference          string            `json:"payment_reference,omitempty"`
	PartnerAccountID          string            `json:"partner_account_id,omitempty"`
	Currency                  string            `json:"currency,omitempty"`
	Links                     map[string]string `json:"links,omitempty"`
	Extra                     Extra             `json:"-"`
}

// DeepLinkJWTHeader and DeepLinkJWTPayload describe the decoded parts of a
// deep-link JWT (README §11); DeepLinkJWT pairs them for inspection and fixtures.
type DeepLinkJWTHeader struct {
	Alg   string   `json:"alg"`
	Typ   string   `json:"typ,omitempty"`
	X5C   []string `json:"x5c,omitempty"`
	Extra Extra    `json:"-"`
}

type DeepLinkJWTPayload struct {
	AMR        []string `json:"amr,omitempty"`
	Issuer     string   `json:"iss,omitempty"`
	JWTID      string   `json:"jti,omitempty"`
	Subject    string   `json:"sub,omitempty"`
	IssuedAt   int64    `json:"iat,omitempty"`
	ExpiresAt  int64    `json:"exp,omitempty"`
	AccountID  string   `json:"account_id,omitempty"`
	OnBehalfOf string   `json:"on_behalf_of,omitempty"`
	Roles      []string `json:"roles,omitempty"`
	Extra      Extra    `json:"-"`
}

type DeepLinkJWT struct {
	Header  DeepLinkJWTHeader  `json:"header"`
	Payload DeepLinkJWTPayload `json:"payload"`
	Extra   Extra              `json:"-"`
}

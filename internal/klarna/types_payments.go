package klarna

import "strings"

// Payment request events (README §7.5: payment.request.state-change.*).
// Their payload is UNCONFIRMED: Klarna documents the event names and the
// request states, not the payload's fields. The names below follow the
// Payment Request resource (payment_request_id, payment_request_reference,
// state, previous_state, state_reason, state_context) and are kept in this
// one file so a confirmed shape is a change here only.
const (
	EventPaymentRequestPrefix = "payment.request.state-change."

	PaymentSubmitted           = "SUBMITTED"
	PaymentPrepared            = "PREPARED"
	PaymentInProgress          = "IN_PROGRESS"
	PaymentPendingConfirmation = "PENDING_CONFIRMATION"
	PaymentAuthorized          = "AUTHORIZED"
	PaymentCompleted           = "COMPLETED"
	PaymentCanceled            = "CANCELED"
	PaymentExpired             = "EXPIRED"
	PaymentDeclined            = "DECLINED"

	// Integration paths (request_context.integration_path).
	IntegrationHosted     = "HOSTED_CHECKOUT"
	IntegrationServerSide = "SERVER_SIDE"

	// Payment types (request_context.payment_type).
	PaymentOneTime   = "ONE_TIME"
	PaymentRecurring = "RECURRING"
)

// PaymentRequestStates are the documented states, in the order a payment
// request usually passes them.
var PaymentRequestStates = []string{PaymentSubmitted, PaymentPrepared, PaymentInProgress, PaymentPendingConfirmation,
	PaymentAuthorized, PaymentCompleted, PaymentCanceled, PaymentExpired, PaymentDeclined}

// PaymentEventType is the event type of a state ("IN_PROGRESS" →
// "payment.request.state-change.in-progress").
func PaymentEventType(state string) string {
	return EventPaymentRequestPrefix + strings.ToLower(strings.ReplaceAll(state, "_", "-"))
}

// PaymentRequestEventPayload is the payload of a payment.request.state-change
// event. Amount is in minor units.
type PaymentRequestEventPayload struct {
	PaymentRequestID        string                      `json:"payment_request_id"`
	PaymentRequestReference string                      `json:"payment_request_reference,omitempty"`
	State                   string                      `json:"state,omitempty"`
	PreviousState           string                      `json:"previous_state,omitempty"`
	StateReason             string                      `json:"state_reason,omitempty"`
	CreatedAt               Timestamp                   `json:"created_at,omitzero"`
	UpdatedAt               Timestamp                   `json:"updated_at,omitzero"`
	ExpiresAt               Timestamp                   `json:"expires_at,omitzero"`
	Amount                  *int64                      `json:"amount,omitempty"`
	Currency                string                      `json:"currency,omitempty"`
	PaymentAccountID        string                      `json:"payment_account_id,omitempty"`
	PaymentAccountReference string                      `json:"payment_account_reference,omitempty"`
	PurchaseReference       string                      `json:"purchase_reference,omitempty"`
	StateContext            *PaymentRequestStateContext `json:"state_context,omitempty"`
	RequestContext          *PaymentRequestContext      `json:"request_context,omitempty"`
	Extra                   Extra                       `json:"-"`
}

// PaymentRequestStateContext is what a state carries. Tokens are secrets:
// Partner Desk records whether one was issued, never its value.
type PaymentRequestStateContext struct {
	// PaymentTransactionID is set once the request is authorized (or
	// completed with a transaction).
	PaymentTransactionID        string `json:"payment_transaction_id,omitempty"`
	PaymentTransactionReference string `json:"payment_transaction_reference,omitempty"`
	// OrderID is the settlement lines' order id of the transaction, when
	// Klarna names it (see OrderIDOfTransaction otherwise).
	OrderID                   string `json:"order_id,omitempty"`
	KlarnaNetworkSessionToken string `json:"klarna_network_session_token,omitempty"`
	PaymentToken              string `json:"payment_token,omitempty"`
	CustomerToken             string `json:"customer_token,omitempty"`
	Extra                     Extra  `json:"-"`
}

// PaymentRequestContext says how the request was made: the integration
// path, one-time or recurring, and the interoperability data the acquirer
// passed along.
type PaymentRequestContext struct {
	IntegrationPath string `json:"integration_path,omitempty"`
	PaymentType     string `json:"payment_type,omitempty"`
	// InteroperabilitySource is the Klarna feature the customer came from
	// (EXPRESS_CHECKOUT, SIGN_IN_WITH_KLARNA, ON_SITE_MESSAGING); when set,
	// Klarna's rules expect the interoperability_token on the request.
	InteroperabilitySource string `json:"interoperability_source,omitempty"`
	// InteroperabilityToken is true when the request carried one.
	InteroperabilityToken bool  `json:"interoperability_token_received,omitempty"`
	Extra                 Extra `json:"-"`
}

// OrderIDOfTransaction is the order id settlement lines carry for a
// payment transaction: the KRN's last segment
// (krn:payment:eu1:authorization:{order id}). UNCONFIRMED: Klarna's v1
// settlement lines name the order, the Network's name the transaction
// (README §9.1); this is the one place that maps one to the other.
func OrderIDOfTransaction(id string) string {
	if i := strings.LastIndexByte(id, ':'); i >= 0 && strings.HasPrefix(id, "krn:payment:") {
		return id[i+1:]
	}
	return ""
}

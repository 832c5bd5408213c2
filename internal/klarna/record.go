package klarna

import (
	"context"
	"errors"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/safetext"
)

// CallRecord is one logical Klarna call as the call log keeps it: what was
// called, for whom, about which of our objects, and how it ended. It holds
// no request or response body, no query string, no header but the
// idempotency key and correlation ids, and no API key: nothing a credential
// call returns and no personal data reaches it. Error messages are
// Klarna's, cleaned, with e-mail addresses and phone-like numbers masked.
type CallRecord struct {
	At        time.Time // when the call started
	Operation Operation
	Method    string
	// Path is the route's template (/v2/accounts/{partner_account_id}),
	// never the expanded path or its query.
	Path string
	Host string // gateway, disputes or settlements
	// PartnerAccount is the Klarna account the call acted for (OnBehalfOf,
	// or the {partner_account_id} of the path); "" for acquirer calls.
	PartnerAccount string
	// ObjectKind and ObjectID name our object the call concerns (About, or
	// the most specific id of the path).
	ObjectKind, ObjectID string
	// Status is the last HTTP status (0 when no answer came).
	Status   int
	Outcome  string // ok, client_error, server_error, rate_limited, network_error, canceled
	Duration time.Duration
	Attempts int // retries + 1
	// IdempotencyKey is the Klarna-Idempotency-Key of a mutation.
	IdempotencyKey string
	// CorrelationID is ours (Partner-Correlation-Id); KlarnaCorrelationID
	// Klarna's (response header or error body).
	CorrelationID       string
	KlarnaCorrelationID string
	// Klarna's error body, when it answered with one; ErrorMessages also
	// carries a transport failure's cause.
	ErrorType     string
	ErrorCode     string
	ErrorID       string
	ErrorMessages []string
}

// Recorder receives a record of every call the client makes. RecordCall is
// called on the caller's goroutine when the call ends; it must return at
// once (buffer, never wait on I/O) and must not keep a reference it changes.
type Recorder interface {
	RecordCall(CallRecord)
}

// About names our object a call concerns (a brand, a dispute, an onboarding
// draft), so the call log links back to it. Without it the most specific id
// in the path is used.
func About(kind, id string) CallOption {
	return func(o *callOptions) { o.objectKind, o.objectID = kind, id }
}

// Bounds of what the call log keeps of Klarna's error body.
const (
	maxErrorMessages = 10
	maxErrorMessage  = 500
	maxRecordField   = 255
)

// pathObjectKinds maps a path parameter to the object kind the call log
// names it by ("" = not an object of its own: the parameter before it is).
var pathObjectKinds = map[string]string{
	"partner_account_id":            "account",
	"partner_business_entity_id":    "business_entity",
	"brand_id":                      "brand",
	"store_group_id":                "store_group",
	"store_id":                      "store",
	"payment_product_id":            "payment_product",
	"payment_account_id":            "payment_account",
	"credential_id":                 "credential",
	"signing_key_id":                "signing_key",
	"webhook_id":                    "webhook_subscription",
	"payment_dispute_id":            "dispute",
	"payment_dispute_attachment_id": "",
	"payment_reference":             "payout",
}

// recordDefaults fills the partner and object a call's path names when the
// caller did not say.
func recordDefaults(route Route, params []string, rec *CallRecord) {
	names := route.ParamNames()
	kind, id := "", ""
	for i, n := range names {
		if i >= len(params) {
			break
		}
		if n == "partner_account_id" && rec.PartnerAccount == "" {
			rec.PartnerAccount = params[i]
		}
		if k := pathObjectKinds[n]; k != "" {
			kind, id = k, params[i]
		}
	}
	if rec.ObjectKind == "" && rec.ObjectID == "" {
		rec.ObjectKind, rec.ObjectID = kind, id
	}
}

var (
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	phonePattern = regexp.MustCompile(`\+?\d[\d \-().]{6,}\d`)
)

// cleanMessage makes an error message storable and safe to show: valid
// UTF-8 without NUL, e-mail addresses and phone-like numbers masked, at most
// maxErrorMessage bytes.
func cleanMessage(s string) string {
	s = safetext.Clean(s, 4*maxErrorMessage)
	s = emailPattern.ReplaceAllString(s, "[email]")
	s = phonePattern.ReplaceAllString(s, "[number]")
	return strings.TrimSpace(safetext.Clean(s, maxErrorMessage))
}

func cleanField(s string) string { return safetext.Clean(s, maxRecordField) }

// transportCause is a transport failure without the request URL (which
// url.Error prints with its query string).
func transportCause(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// errorFields copies Klarna's error body (or the transport cause) into rec.
func errorFields(e *Error, rec *CallRecord) {
	if e == nil {
		return
	}
	rec.ErrorType, rec.ErrorCode, rec.ErrorID = cleanField(e.ErrorType), cleanField(e.ErrorCode), cleanField(e.ErrorID)
	var msgs []string
	if e.HTTPStatus == 0 {
		if errors.Is(e.Err, ErrSimulator) {
			msgs = append(msgs, ErrSimulator.Error())
		} else if m := transportCause(e.Err); m != "" {
			msgs = append(msgs, m)
		}
	}
	if e.ErrorMessage != "" {
		msgs = append(msgs, e.ErrorMessage)
	}
	for _, v := range e.ValidationErrors {
		msgs = append(msgs, strings.TrimPrefix(v.Parameter+": "+v.message(), ": "))
	}
	for _, m := range msgs {
		if len(rec.ErrorMessages) == maxErrorMessages {
			break
		}
		if m = cleanMessage(m); m != "" {
			rec.ErrorMessages = append(rec.ErrorMessages, m)
		}
	}
}

// LogPartner names, for the call log only, the partner account a call
// concerns when it is not sent on its behalf (an incremental onboarding).
// It sends nothing to Klarna.
func LogPartner(accountID string) CallOption {
	return func(o *callOptions) { o.logPartner = accountID }
}

// answerIDs are what a successful answer tells the call log that the
// request could not: the id Klarna gave a created credential, the account
// an onboarding created. Only ids are read, never a secret beside them.
func answerIDs(out any, rec *CallRecord) {
	switch v := out.(type) {
	case *APIKey:
		if rec.ObjectID == "" && v.CredentialID != "" {
			rec.ObjectKind, rec.ObjectID = "credential", v.CredentialID
		}
	case *ClientIdentifier:
		if rec.ObjectID == "" && v.CredentialID != "" {
			rec.ObjectKind, rec.ObjectID = "credential", v.CredentialID
		}
	case *OnboardResponse:
		if rec.PartnerAccount == "" {
			rec.PartnerAccount = v.PartnerAccountID
		}
	}
}

package klarna

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Sign returns the webhook signature Klarna sends: lowercase hex
// HMAC-SHA256 of the raw body keyed with the signing key's UTF-8 bytes
// (README §7.3).
func Sign(secret, rawBody []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(rawBody)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a Klarna-Signature header against the raw body in
// constant time. Hex is compared case-insensitively.
func VerifySignature(secret, rawBody []byte, signatureHex string) bool {
	got, err := hex.DecodeString(strings.TrimSpace(signatureHex))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(rawBody)
	return hmac.Equal(got, m.Sum(nil))
}

// ParseWebhook decodes a delivery tolerantly: unknown properties are kept,
// the SDK's optional top-level event_id/event_type/occurred_at fill in for
// missing metadata, and only an event id and type are required.
func ParseWebhook(raw []byte) (*WebhookEnvelope, error) {
	var env WebhookEnvelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("klarna: parse webhook: %w", err)
	}
	if env.Metadata.EventID == "" {
		env.Metadata.EventID = env.EventID
	}
	if env.Metadata.EventType == "" {
		env.Metadata.EventType = env.EventType
	}
	if env.Metadata.OccurredAt.IsZero() {
		env.Metadata.OccurredAt = env.OccurredAt
	}
	if env.Metadata.EventID == "" || env.Metadata.EventType == "" {
		return nil, errors.New("klarna: parse webhook: metadata.event_id and metadata.event_type are required")
	}
	return &env, nil
}

// DecodePayload decodes the payload into v (e.g. *DisputeEventPayload).
func (e *WebhookEnvelope) DecodePayload(v any) error {
	if len(e.Payload) == 0 {
		return errors.New("klarna: webhook has no payload")
	}
	if err := json.Unmarshal(e.Payload, v); err != nil {
		return fmt.Errorf("klarna: webhook payload: %w", err)
	}
	return nil
}

// MatchEventType reports whether an event type matches a subscription
// pattern: exact, "*", or a prefix wildcard such as "payment.dispute.*".
func MatchEventType(pattern, eventType string) bool {
	if pattern == "*" || pattern == eventType {
		return true
	}
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(eventType, p)
	}
	return false
}

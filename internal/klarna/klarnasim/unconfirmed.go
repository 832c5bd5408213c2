package klarnasim

import "time"

// Simulator behaviour for points the Klarna reference marks UNCONFIRMED
// (README §14), kept in one place so each is easy to correct. Paths and
// header names are in the client's path table (internal/klarna/paths.go).
const (
	// Mutations on a PARTIALLY_OPERATIONAL or DISABLED account answer 409
	// (README §13.2: status code UNCONFIRMED). Reads are allowed.
	statusNotManageable = 409
	// onboard answers 200 (README §5.2: 200 vs 201 UNCONFIRMED); other
	// creations answer 201 (documented for API keys, §6).
	statusOnboard = 200
	statusCreated = 201

	// Dispute list page size default and maximum (README §3.8: default
	// unspecified) and the default order (newest first).
	defaultDisputePage = 20
	maxDisputePage     = 100
	defaultDisputeSort = "-created_at"

	// Per-attempt webhook delivery timeout (README §7.2: UNCONFIRMED).
	webhookAttemptTimeout = 10 * time.Second

	// How long a payment request stays open before it expires (README
	// §7.5 names the EXPIRED state, not the time it takes).
	paymentRequestTTL = 30 * time.Minute

	// Deep-link JWT lifetime bound (README §11: "keep the lifetime short").
	maxJWTLifetime = 5 * time.Minute
)

// Also UNCONFIRMED and decided elsewhere, each with a comment:
//   - 413 error body: INPUT_ERROR / PAYLOAD_TOO_LARGE (klarna.CodePayloadTooLarge).
//   - same idempotency key + different body → 409 RESOURCE_CONFLICT; a key is
//     scoped to (API key, method, path) and kept 24 h (httpx.go, README §3.4).
//     Only successes are remembered: after a 4xx or 5xx the same key may be
//     used again, with a corrected body (onboarding after a 400 or a 409).
//   - rate-limit numbers and the X-Ratelimit-* / Retry-After headers on KN
//     APIs (DefaultRateLimits, README §3.6).
//   - the 51st signing key answers 409 (notifications.go).
//   - accept-loss detailed outcome PARTNER_ACCEPTED_THE_LOSS (disputes.go, §8.7).
//   - payload fields of account, product, brand and settlement events
//     (klarna.AccountEventPayload, klarna.SettlementEventPayload, §7.5).
//   - CSV report columns (csvHeader in settlements.go, §9.4).
//   - payment request event payloads (klarna.PaymentRequestEventPayload,
//     §7.5), the payment transaction id krn:payment:eu1:authorization:{order
//     id} whose last segment is the settlement lines' order id
//     (klarna.OrderIDOfTransaction), and the state reasons CUSTOMER_DECLINED,
//     RISK_DECLINED, PARTNER_CANCELED (payments.go).
//   - the Klarna-Partner-Account header scopes dispute and settlement lists
//     to one partner (§2.1); without it the acquirer sees everything.

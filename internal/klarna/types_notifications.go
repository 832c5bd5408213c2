package klarna

// SigningKey signs webhook deliveries (README §7.1). SigningKey (the secret)
// is returned only when the key is created.
type SigningKey struct {
	SigningKeyID string    `json:"signing_key_id,omitempty"`
	SigningKey   string    `json:"signing_key,omitempty"`
	CreatedAt    Timestamp `json:"created_at,omitzero"`
	Extra        Extra     `json:"-"`
}

// Webhook is a webhook subscription and the body of create/update.
type Webhook struct {
	WebhookID    string    `json:"webhook_id,omitempty"`
	URL          string    `json:"url,omitempty"`
	EventTypes   []string  `json:"event_types,omitempty"`
	EventVersion string    `json:"event_version,omitempty"`
	SigningKeyID string    `json:"signing_key_id,omitempty"`
	Status       string    `json:"status,omitempty"`
	CreatedAt    Timestamp `json:"created_at,omitzero"`
	Extra        Extra     `json:"-"`
}

// SimulateWebhookRequest asks Klarna to send a sample event to a webhook.
type SimulateWebhookRequest struct {
	EventType    string `json:"event_type"`
	EventVersion string `json:"event_version,omitempty"`
}

// SigningKeyList and WebhookList are list wrappers ({"webhooks": [...]} is
// documented for v1; the signing-key wrapper is UNCONFIRMED).
type (
	SigningKeyList struct {
		Items []SigningKey `json:"signing_keys"`
	}
	WebhookList struct {
		Items []Webhook `json:"webhooks"`
	}
)

// Event types (README §7.5).
const (
	EventAccountOperational       = "partner.account.state-change.operational"
	EventBrandDataIncomplete      = "partner.account.brand.data-incomplete"
	EventProductDisabled          = "partner.account.product.payment.state-change.disabled"
	EventProductEnabled           = "partner.account.product.payment.state-change.enabled"
	EventDisputeInitiated         = "payment.dispute.state-change.initiated"
	EventDisputeRepresentment     = "payment.dispute.state-change.representment"
	EventDisputePreArbitration    = "payment.dispute.state-change.pre-arbitration"
	EventDisputeArbitration       = "payment.dispute.state-change.arbitration"
	EventDisputeClosed            = "payment.dispute.state-change.closed"
	EventDisputeDeadlineExtended  = "payment.dispute.updated.representment-deadline-extended"
	EventSettlementReportCreated  = "settlement.report.created"
	EventSettlementReportUploaded = "settlement.report.uploaded-to-sftp"
)

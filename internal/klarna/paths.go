package klarna

import (
	"net/url"
	"strings"
)

// Host names the base URL an operation is served from (README §1): the Klarna
// Network gateway, the Payment Dispute API host and the Settlements v1 host.
type Host int

const (
	HostGateway Host = iota
	HostDisputes
	HostSettlements
)

func (h Host) String() string {
	switch h {
	case HostDisputes:
		return "disputes"
	case HostSettlements:
		return "settlements"
	default:
		return "gateway"
	}
}

// Rate-limit categories (README §3.6). Which category the credential and
// notification operations belong to is UNCONFIRMED; they are counted as
// partner management.
const (
	CategoryOnboarding        = "ACCOUNT_ONBOARDING"
	CategoryPartnerManagement = "PARTNER_MANAGEMENT"
	CategoryDispute           = "DISPUTE"
	CategorySettlement        = "SETTLEMENT"
)

// Operation names one Klarna call; it is the metric label and the key of Routes.
type Operation string

// Route is the method and path template of an operation. Path parameters are
// written {name}. Confidence per README §5.1/§6/§7.1/§8.1/§9.3/§11.
type Route struct {
	Method      string
	Host        Host
	Path        string
	Category    string
	Unconfirmed string // README section when the path is UNCONFIRMED, "" when documented
}

const (
	OpOnboard                 Operation = "onboard"
	OpGetAccount              Operation = "get_account"
	OpUpdateAccount           Operation = "update_account"
	OpListBusinessEntities    Operation = "list_business_entities"
	OpGetBusinessEntity       Operation = "get_business_entity"
	OpCreateBusinessEntity    Operation = "create_business_entity"
	OpUpdateBusinessEntity    Operation = "update_business_entity"
	OpListBrands              Operation = "list_brands"
	OpGetBrand                Operation = "get_brand"
	OpCreateBrand             Operation = "create_brand"
	OpUpdateBrand             Operation = "update_brand"
	OpListStoreGroups         Operation = "list_store_groups"
	OpGetStoreGroup           Operation = "get_store_group"
	OpCreateStoreGroup        Operation = "create_store_group"
	OpUpdateStoreGroup        Operation = "update_store_group"
	OpListStores              Operation = "list_stores"
	OpGetStore                Operation = "get_store"
	OpCreateStore             Operation = "create_store"
	OpUpdateStore             Operation = "update_store"
	OpListPaymentProducts     Operation = "list_payment_products"
	OpGetPaymentProduct       Operation = "get_payment_product"
	OpDisablePaymentProduct   Operation = "disable_payment_product"
	OpEnablePaymentProduct    Operation = "enable_payment_product"
	OpListPaymentAccounts     Operation = "list_payment_accounts"
	OpGetPaymentAccount       Operation = "get_payment_account"
	OpCreatePaymentAccount    Operation = "create_payment_account"
	OpListPaymentProfiles     Operation = "list_payment_profiles"
	OpListAcquiringAccounts   Operation = "list_acquiring_accounts"
	OpResolvePartnerAccountID Operation = "resolve_partner_account_id"
	OpResolvePaymentAccountID Operation = "resolve_payment_account_id"

	OpListAPIKeys             Operation = "list_api_keys"
	OpCreateAPIKey            Operation = "create_api_key"
	OpGetAPIKey               Operation = "get_api_key"
	OpUpdateAPIKey            Operation = "update_api_key"
	OpDisableAPIKey           Operation = "disable_api_key"
	OpListClientIdentifiers   Operation = "list_client_identifiers"
	OpCreateClientIdentifier  Operation = "create_client_identifier"
	OpGetClientIdentifier     Operation = "get_client_identifier"
	OpUpdateClientIdentifier  Operation = "update_client_identifier"
	OpDisableClientIdentifier Operation = "disable_client_identifier"
	OpListClientCertificates  Operation = "list_client_certificates"
	OpCreateClientCertificate Operation = "create_client_certificate"
	OpGetClientCertificate    Operation = "get_client_certificate"
	OpGetMTLSEnforcement      Operation = "get_mtls_enforcement"

	OpListSigningKeys  Operation = "list_signing_keys"
	OpCreateSigningKey Operation = "create_signing_key"
	OpGetSigningKey    Operation = "get_signing_key"
	OpDeleteSigningKey Operation = "delete_signing_key"
	OpListWebhooks     Operation = "list_webhooks"
	OpCreateWebhook    Operation = "create_webhook"
	OpGetWebhook       Operation = "get_webhook"
	OpUpdateWebhook    Operation = "update_webhook"
	OpDeleteWebhook    Operation = "delete_webhook"
	OpSimulateWebhook  Operation = "simulate_webhook"

	OpListDisputes       Operation = "list_disputes"
	OpGetDispute         Operation = "get_dispute"
	OpUploadAttachment   Operation = "upload_dispute_attachment"
	OpDownloadAttachment Operation = "download_dispute_attachment"
	OpRepresentDispute   Operation = "represent_dispute"
	OpAcceptDisputeLoss  Operation = "accept_dispute_loss"
	OpAppealDispute      Operation = "appeal_dispute"

	OpListPayouts             Operation = "list_payouts"
	OpGetPayout               Operation = "get_payout"
	OpGetPayoutSummary        Operation = "get_payout_summary"
	OpListTransactions        Operation = "list_transactions"
	OpPayoutReportCSV         Operation = "payout_report_csv"
	OpPayoutReportPDF         Operation = "payout_report_pdf"
	OpPayoutsSummaryReportCSV Operation = "payouts_summary_report_csv"
	OpPayoutsSummaryReportPDF Operation = "payouts_summary_report_pdf"

	OpCreateDeepLink Operation = "create_deep_link"
)

const (
	acct    = "/v2/accounts/{partner_account_id}"
	product = acct + "/payment-products/{payment_product_id}"
	creds   = "/v2/account/integration/credentials"
	notif   = "/v2/notification"
	disp    = "/v4/payment/disputes"
	settle  = "/settlements/v1"
)

// Routes is the one table of every Klarna path the client calls and the
// simulator serves. An UNCONFIRMED path (README §14) is fixed here and
// nowhere else.
var Routes = map[Operation]Route{
	OpOnboard:              {"POST", HostGateway, "/v2/distribution/onboard", CategoryOnboarding, ""},
	OpGetAccount:           {"GET", HostGateway, acct, CategoryPartnerManagement, "§5.1 (3P)"},
	OpUpdateAccount:        {"PATCH", HostGateway, acct, CategoryPartnerManagement, ""},
	OpListBusinessEntities: {"GET", HostGateway, acct + "/partner-business-entities", CategoryPartnerManagement, "§5.1 (3P)"},
	OpGetBusinessEntity:    {"GET", HostGateway, acct + "/partner-business-entities/{partner_business_entity_id}", CategoryPartnerManagement, "§5.1 (3P)"},
	OpCreateBusinessEntity: {"POST", HostGateway, acct + "/partner-business-entities", CategoryPartnerManagement, "§5.1 (3P)"},
	OpUpdateBusinessEntity: {"PATCH", HostGateway, acct + "/partner-business-entities/{partner_business_entity_id}", CategoryPartnerManagement, ""},
	OpListBrands:           {"GET", HostGateway, acct + "/brands", CategoryPartnerManagement, "§5.1 (3P)"},
	OpGetBrand:             {"GET", HostGateway, acct + "/brands/{brand_id}", CategoryPartnerManagement, "§5.1 (3P)"},
	OpCreateBrand:          {"POST", HostGateway, acct + "/brands", CategoryPartnerManagement, "§5.1 (3P)"},
	OpUpdateBrand:          {"PATCH", HostGateway, acct + "/brands/{brand_id}", CategoryPartnerManagement, "§5.1 (3P)"},
	OpListStoreGroups:      {"GET", HostGateway, acct + "/store-groups", CategoryPartnerManagement, "§5.1 (3P)"},
	OpGetStoreGroup:        {"GET", HostGateway, acct + "/store-groups/{store_group_id}", CategoryPartnerManagement, "§5.1 (3P)"},
	OpCreateStoreGroup:     {"POST", HostGateway, acct + "/store-groups", CategoryPartnerManagement, "§5.1 (3P)"},
	OpUpdateStoreGroup:     {"PATCH", HostGateway, acct + "/store-groups/{store_group_id}", CategoryPartnerManagement, "§5.1 (3P)"},
	OpListStores:           {"GET", HostGateway, acct + "/stores", CategoryPartnerManagement, "§5.1 (3P)"},
	OpGetStore:             {"GET", HostGateway, acct + "/stores/{store_id}", CategoryPartnerManagement, "§5.1 (3P)"},
	OpCreateStore:          {"POST", HostGateway, acct + "/stores", CategoryPartnerManagement, "§5.1 (3P)"},
	OpUpdateStore:          {"PATCH", HostGateway, acct + "/stores/{store_id}", CategoryPartnerManagement, "§5.1 (3P)"},
	// Payment products: the docs pattern /products/payment/... conflicts with
	// the 3P /payment-products/{id}/... (README §5.1 note); the 3P form is used.
	OpListPaymentProducts:   {"GET", HostGateway, acct + "/payment-products", CategoryPartnerManagement, "§5.1 (3P)"},
	OpGetPaymentProduct:     {"GET", HostGateway, product, CategoryPartnerManagement, "§5.1 (3P)"},
	OpDisablePaymentProduct: {"POST", HostGateway, product + "/disable", CategoryPartnerManagement, "§5.1 (3P)"},
	OpEnablePaymentProduct:  {"POST", HostGateway, product + "/enable", CategoryPartnerManagement, "§5.1 (3P)"},
	OpListPaymentAccounts:   {"GET", HostGateway, product + "/payment-accounts", CategoryPartnerManagement, "§5.1 (3P)"},
	OpGetPaymentAccount:     {"GET", HostGateway, product + "/payment-accounts/{payment_account_id}", CategoryPartnerManagement, "§5.1 (3P)"},
	OpCreatePaymentAccount:  {"POST", HostGateway, product + "/payment-accounts", CategoryPartnerManagement, "§5.1 (3P)"},
	OpListPaymentProfiles:   {"GET", HostGateway, "/v2/distribution/payment-profiles", CategoryPartnerManagement, "§5.1 (3P)"},
	OpListAcquiringAccounts: {"GET", HostGateway, "/v2/account/acquiring/accounts", CategoryPartnerManagement, "§5.1 (3P)"},
	// Identifier resolution: operations and parameters documented, paths not (§5.1).
	OpResolvePartnerAccountID: {"GET", HostGateway, "/v2/distribution/resolve/partner-account-id", CategoryPartnerManagement, "§5.1 (no path)"},
	OpResolvePaymentAccountID: {"GET", HostGateway, "/v2/distribution/resolve/payment-account-id", CategoryPartnerManagement, "§5.1 (no path)"},

	// Credentials generation 2 (README §6, all paths 3P).
	OpListAPIKeys:             {"GET", HostGateway, creds + "/api-key", CategoryPartnerManagement, "§6 (3P)"},
	OpCreateAPIKey:            {"POST", HostGateway, creds + "/api-key", CategoryPartnerManagement, "§6 (3P)"},
	OpGetAPIKey:               {"GET", HostGateway, creds + "/api-key/{credential_id}", CategoryPartnerManagement, "§6 (3P)"},
	OpUpdateAPIKey:            {"PATCH", HostGateway, creds + "/api-key/{credential_id}", CategoryPartnerManagement, "§6 (3P)"},
	OpDisableAPIKey:           {"DELETE", HostGateway, creds + "/api-key/{credential_id}", CategoryPartnerManagement, "§6 (3P)"},
	OpListClientIdentifiers:   {"GET", HostGateway, creds + "/client-identifier", CategoryPartnerManagement, "§6 (3P)"},
	OpCreateClientIdentifier:  {"POST", HostGateway, creds + "/client-identifier", CategoryPartnerManagement, "§6 (3P)"},
	OpGetClientIdentifier:     {"GET", HostGateway, creds + "/client-identifier/{credential_id}", CategoryPartnerManagement, "§6 (3P)"},
	OpUpdateClientIdentifier:  {"PATCH", HostGateway, creds + "/client-identifier/{credential_id}", CategoryPartnerManagement, "§6 (3P)"},
	OpDisableClientIdentifier: {"DELETE", HostGateway, creds + "/client-identifier/{credential_id}", CategoryPartnerManagement, "§6 (3P)"},
	OpListClientCertificates:  {"GET", HostGateway, creds + "/client-certificate", CategoryPartnerManagement, "§2.2 (3P)"},
	OpCreateClientCertificate: {"POST", HostGateway, creds + "/client-certificate", CategoryPartnerManagement, "§2.2 (3P)"},
	OpGetClientCertificate:    {"GET", HostGateway, creds + "/client-certificate/{credential_id}", CategoryPartnerManagement, "§2.2 (3P)"},
	OpGetMTLSEnforcement:      {"GET", HostGateway, creds + "/client-certificate/mtls-enforcement", CategoryPartnerManagement, "§2.2 (3P)"},

	// Notifications (README §7.1).
	OpListSigningKeys:  {"GET", HostGateway, notif + "/signing-keys", CategoryPartnerManagement, "§7.1 (3P)"},
	OpCreateSigningKey: {"POST", HostGateway, notif + "/signing-keys", CategoryPartnerManagement, ""},
	OpGetSigningKey:    {"GET", HostGateway, notif + "/signing-keys/{signing_key_id}", CategoryPartnerManagement, "§7.1 (3P)"},
	OpDeleteSigningKey: {"DELETE", HostGateway, notif + "/signing-keys/{signing_key_id}", CategoryPartnerManagement, ""},
	OpListWebhooks:     {"GET", HostGateway, notif + "/webhooks", CategoryPartnerManagement, "§7.1 (3P)"},
	OpCreateWebhook:    {"POST", HostGateway, notif + "/webhooks", CategoryPartnerManagement, ""},
	OpGetWebhook:       {"GET", HostGateway, notif + "/webhooks/{webhook_id}", CategoryPartnerManagement, "§7.1 (3P)"},
	OpUpdateWebhook:    {"PATCH", HostGateway, notif + "/webhooks/{webhook_id}", CategoryPartnerManagement, "§7.1 (3P)"},
	OpDeleteWebhook:    {"DELETE", HostGateway, notif + "/webhooks/{webhook_id}", CategoryPartnerManagement, ""},
	OpSimulateWebhook:  {"POST", HostGateway, notif + "/webhooks/{webhook_id}/simulate", CategoryPartnerManagement, ""},

	// Payment Dispute API (README §8.1, exact paths from the SDK).
	OpListDisputes:       {"GET", HostDisputes, disp, CategoryDispute, ""},
	OpGetDispute:         {"GET", HostDisputes, disp + "/{payment_dispute_id}", CategoryDispute, ""},
	OpUploadAttachment:   {"POST", HostDisputes, disp + "/{payment_dispute_id}/attachments", CategoryDispute, ""},
	OpDownloadAttachment: {"GET", HostDisputes, disp + "/{payment_dispute_id}/attachments/{payment_dispute_attachment_id}/download", CategoryDispute, ""},
	OpRepresentDispute:   {"POST", HostDisputes, disp + "/{payment_dispute_id}/represent", CategoryDispute, ""},
	OpAcceptDisputeLoss:  {"POST", HostDisputes, disp + "/{payment_dispute_id}/accept-loss", CategoryDispute, ""},
	OpAppealDispute:      {"POST", HostDisputes, disp + "/{payment_dispute_id}/appeal", CategoryDispute, ""},

	// Settlements v1 (README §9.3; specs/). The KN v2 settlement paths are
	// UNCONFIRMED, so the documented v1 API is used.
	OpListPayouts:             {"GET", HostSettlements, settle + "/payouts", CategorySettlement, ""},
	OpGetPayout:               {"GET", HostSettlements, settle + "/payouts/{payment_reference}", CategorySettlement, ""},
	OpGetPayoutSummary:        {"GET", HostSettlements, settle + "/payouts/summary", CategorySettlement, ""},
	OpListTransactions:        {"GET", HostSettlements, settle + "/transactions", CategorySettlement, ""},
	OpPayoutReportCSV:         {"GET", HostSettlements, settle + "/reports/payout-with-transactions", CategorySettlement, ""},
	OpPayoutReportPDF:         {"GET", HostSettlements, settle + "/reports/payout", CategorySettlement, ""},
	OpPayoutsSummaryReportCSV: {"GET", HostSettlements, settle + "/reports/payouts-summary-with-transactions", CategorySettlement, ""},
	OpPayoutsSummaryReportPDF: {"GET", HostSettlements, settle + "/reports/payouts-summary", CategorySettlement, ""},

	// Portal deep link: operation documented, path and JWT transport UNCONFIRMED
	// (README §11); a JSON body {"jwt": "..."} is assumed.
	OpCreateDeepLink: {"POST", HostGateway, "/v2/account/portal/deep-link", CategoryPartnerManagement, "§11 (no path)"},
}

// Other UNCONFIRMED wire choices, kept together (README §14).
const (
	// HeaderIdempotencyKey is documented (README §3.4).
	HeaderIdempotencyKey = "Klarna-Idempotency-Key"
	// HeaderPartnerAccount selects the partner an acquirer acts for (§2.1,
	// documented for release/4). The client sends it for on-behalf-of calls
	// and to scope dispute and settlement lists to one partner.
	HeaderPartnerAccount = "Klarna-Partner-Account"
	// HeaderPartnerCorrelationID is documented (§3.3); Klarna echoes it.
	HeaderPartnerCorrelationID = "Partner-Correlation-Id"
	// HeaderCorrelationID: the KN response correlation header name is
	// UNCONFIRMED (§3.3); other Klarna APIs use Klarna-Correlation-Id.
	HeaderCorrelationID = "Klarna-Correlation-Id"
	// HeaderSignature and HeaderSigningKeyID sign webhook deliveries (§7.2).
	HeaderSignature    = "Klarna-Signature"
	HeaderSigningKeyID = "Klarna-Signing-Key-Id"
	// Query arrays are sent as repeated keys (?state=A&state=B); the
	// serialisation is UNCONFIRMED (§8.1) and the simulator accepts both forms.
	queryArrayRepeated = true
)

// Expand fills the {name} parameters of a route path, escaping each value.
func (r Route) Expand(params ...string) string {
	if len(params) == 0 {
		return r.Path
	}
	var b strings.Builder
	i := 0
	walkTemplate(r.Path, func(lit string) { b.WriteString(lit) }, func(string) {
		if i < len(params) {
			b.WriteString(url.PathEscape(params[i]))
		}
		i++
	})
	return b.String()
}

// ParamNames are the {name}s of the route's path, in order.
func (r Route) ParamNames() []string {
	var out []string
	walkTemplate(r.Path, func(string) {}, func(name string) { out = append(out, name) })
	return out
}

// walkTemplate calls literal with each stretch of fixed text of a path
// template and param with each {name} between them, in order.
func walkTemplate(path string, literal func(string), param func(name string)) {
	for {
		open := strings.IndexByte(path, '{')
		if open < 0 {
			literal(path)
			return
		}
		end := strings.IndexByte(path[open:], '}')
		if end < 0 {
			literal(path)
			return
		}
		literal(path[:open])
		param(path[open+1 : open+end])
		path = path[open+end+1:]
	}
}

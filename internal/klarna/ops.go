package klarna

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func invoke[T any](ctx context.Context, c *Client, op Operation, params []string, q url.Values, in any, opts []CallOption) (*T, error) {
	var out T
	if err := c.do(ctx, call{op: op, params: params, query: q, in: in, out: &out}, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

func p(ids ...string) []string { return ids }

// ---- Management API (README §5) ----

// Onboard creates or incrementally extends a partner account. Pass
// WithIdempotencyKey with a key unique to the logical onboarding.
func (c *Client) Onboard(ctx context.Context, req OnboardRequest, opts ...CallOption) (*OnboardResponse, error) {
	return invoke[OnboardResponse](ctx, c, OpOnboard, nil, nil, req, opts)
}

func (c *Client) GetAccount(ctx context.Context, accountID string, opts ...CallOption) (*PartnerAccount, error) {
	return invoke[PartnerAccount](ctx, c, OpGetAccount, p(accountID), nil, nil, opts)
}

// UpdateAccount patches the account; empty fields are not sent.
func (c *Client) UpdateAccount(ctx context.Context, accountID string, patch PartnerAccount, opts ...CallOption) (*PartnerAccount, error) {
	return invoke[PartnerAccount](ctx, c, OpUpdateAccount, p(accountID), nil, patch, opts)
}

func (c *Client) ListBusinessEntities(ctx context.Context, accountID string, opts ...CallOption) ([]BusinessEntity, error) {
	l, err := invoke[BusinessEntityList](ctx, c, OpListBusinessEntities, p(accountID), nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

func (c *Client) GetBusinessEntity(ctx context.Context, accountID, entityID string, opts ...CallOption) (*BusinessEntity, error) {
	return invoke[BusinessEntity](ctx, c, OpGetBusinessEntity, p(accountID, entityID), nil, nil, opts)
}

func (c *Client) CreateBusinessEntity(ctx context.Context, accountID string, e BusinessEntity, opts ...CallOption) (*BusinessEntity, error) {
	return invoke[BusinessEntity](ctx, c, OpCreateBusinessEntity, p(accountID), nil, e, opts)
}

func (c *Client) UpdateBusinessEntity(ctx context.Context, accountID, entityID string, patch BusinessEntity, opts ...CallOption) (*BusinessEntity, error) {
	return invoke[BusinessEntity](ctx, c, OpUpdateBusinessEntity, p(accountID, entityID), nil, patch, opts)
}

func (c *Client) ListBrands(ctx context.Context, accountID string, opts ...CallOption) ([]Brand, error) {
	l, err := invoke[BrandList](ctx, c, OpListBrands, p(accountID), nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

func (c *Client) GetBrand(ctx context.Context, accountID, brandID string, opts ...CallOption) (*Brand, error) {
	return invoke[Brand](ctx, c, OpGetBrand, p(accountID, brandID), nil, nil, opts)
}

func (c *Client) CreateBrand(ctx context.Context, accountID string, b Brand, opts ...CallOption) (*Brand, error) {
	return invoke[Brand](ctx, c, OpCreateBrand, p(accountID), nil, b, opts)
}

func (c *Client) UpdateBrand(ctx context.Context, accountID, brandID string, patch Brand, opts ...CallOption) (*Brand, error) {
	return invoke[Brand](ctx, c, OpUpdateBrand, p(accountID, brandID), nil, patch, opts)
}

func (c *Client) ListStoreGroups(ctx context.Context, accountID string, opts ...CallOption) ([]StoreGroup, error) {
	l, err := invoke[StoreGroupList](ctx, c, OpListStoreGroups, p(accountID), nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

func (c *Client) GetStoreGroup(ctx context.Context, accountID, groupID string, opts ...CallOption) (*StoreGroup, error) {
	return invoke[StoreGroup](ctx, c, OpGetStoreGroup, p(accountID, groupID), nil, nil, opts)
}

func (c *Client) CreateStoreGroup(ctx context.Context, accountID string, g StoreGroup, opts ...CallOption) (*StoreGroup, error) {
	return invoke[StoreGroup](ctx, c, OpCreateStoreGroup, p(accountID), nil, g, opts)
}

func (c *Client) UpdateStoreGroup(ctx context.Context, accountID, groupID string, patch StoreGroup, opts ...CallOption) (*StoreGroup, error) {
	return invoke[StoreGroup](ctx, c, OpUpdateStoreGroup, p(accountID, groupID), nil, patch, opts)
}

func (c *Client) ListStores(ctx context.Context, accountID string, opts ...CallOption) ([]Store, error) {
	l, err := invoke[StoreList](ctx, c, OpListStores, p(accountID), nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

func (c *Client) GetStore(ctx context.Context, accountID, storeID string, opts ...CallOption) (*Store, error) {
	return invoke[Store](ctx, c, OpGetStore, p(accountID, storeID), nil, nil, opts)
}

func (c *Client) CreateStore(ctx context.Context, accountID string, s Store, opts ...CallOption) (*Store, error) {
	return invoke[Store](ctx, c, OpCreateStore, p(accountID), nil, s, opts)
}

func (c *Client) UpdateStore(ctx context.Context, accountID, storeID string, patch Store, opts ...CallOption) (*Store, error) {
	return invoke[Store](ctx, c, OpUpdateStore, p(accountID, storeID), nil, patch, opts)
}

func (c *Client) ListPaymentProducts(ctx context.Context, accountID string, opts ...CallOption) ([]PaymentProduct, error) {
	l, err := invoke[PaymentProductList](ctx, c, OpListPaymentProducts, p(accountID), nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

func (c *Client) GetPaymentProduct(ctx context.Context, accountID, productID string, opts ...CallOption) (*PaymentProduct, error) {
	return invoke[PaymentProduct](ctx, c, OpGetPaymentProduct, p(accountID, productID), nil, nil, opts)
}

// DisablePaymentProduct stops new payments (README §5.5); do it immediately
// when a merchant is suspended or off-boarded.
func (c *Client) DisablePaymentProduct(ctx context.Context, accountID, productID string, opts ...CallOption) (*PaymentProduct, error) {
	return invoke[PaymentProduct](ctx, c, OpDisablePaymentProduct, p(accountID, productID), nil, struct{}{}, opts)
}

func (c *Client) EnablePaymentProduct(ctx context.Context, accountID, productID string, opts ...CallOption) (*PaymentProduct, error) {
	return invoke[PaymentProduct](ctx, c, OpEnablePaymentProduct, p(accountID, productID), nil, struct{}{}, opts)
}

func (c *Client) ListPaymentAccounts(ctx context.Context, accountID, productID string, opts ...CallOption) ([]PaymentAccount, error) {
	l, err := invoke[PaymentAccountList](ctx, c, OpListPaymentAccounts, p(accountID, productID), nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

func (c *Client) GetPaymentAccount(ctx context.Context, accountID, productID, paymentAccountID string, opts ...CallOption) (*PaymentAccount, error) {
	return invoke[PaymentAccount](ctx, c, OpGetPaymentAccount, p(accountID, productID, paymentAccountID), nil, nil, opts)
}

// CreatePaymentAccount adds a payment account; payment accounts are immutable.
func (c *Client) CreatePaymentAccount(ctx context.Context, accountID, productID string, a PaymentAccount, opts ...CallOption) (*PaymentAccount, error) {
	return invoke[PaymentAccount](ctx, c, OpCreatePaymentAccount, p(accountID, productID), nil, a, opts)
}

// ListPaymentProfiles lists the acquirer's payment profiles (onboarding form).
func (c *Client) ListPaymentProfiles(ctx context.Context, opts ...CallOption) ([]PaymentProfile, error) {
	l, err := invoke[PaymentProfileList](ctx, c, OpListPaymentProfiles, nil, nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// ListAcquiringAccounts lists the acquirer's payment acquiring accounts.
func (c *Client) ListAcquiringAccounts(ctx context.Context, opts ...CallOption) ([]AcquiringAccount, error) {
	l, err := invoke[AcquiringAccountList](ctx, c, OpListAcquiringAccounts, nil, nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// ResolvePartnerAccountID finds a partner account by our reference (exact match).
func (c *Client) ResolvePartnerAccountID(ctx context.Context, reference string, opts ...CallOption) (string, error) {
	r, err := invoke[ResolvedPartnerAccount](ctx, c, OpResolvePartnerAccountID, nil,
		url.Values{"partner_account_reference": {reference}}, nil, opts)
	if err != nil {
		return "", err
	}
	return r.PartnerAccountID, nil
}

// ResolvePaymentAccountID finds a payment account by acquiring account and reference.
func (c *Client) ResolvePaymentAccountID(ctx context.Context, acquiringAccountID, reference string, opts ...CallOption) (string, error) {
	r, err := invoke[ResolvedPaymentAccount](ctx, c, OpResolvePaymentAccountID, nil,
		url.Values{"payment_acquiring_account_id": {acquiringAccountID}, "payment_account_reference": {reference}}, nil, opts)
	if err != nil {
		return "", err
	}
	return r.PaymentAccountID, nil
}

// ---- Credentials (README §6, §2.2) ----

func (c *Client) ListAPIKeys(ctx context.Context, opts ...CallOption) ([]APIKey, error) {
	l, err := invoke[APIKeyList](ctx, c, OpListAPIKeys, nil, nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// CreateAPIKey creates a key; the returned Secret is shown exactly once.
func (c *Client) CreateAPIKey(ctx context.Context, description string, opts ...CallOption) (*APIKey, error) {
	return invoke[APIKey](ctx, c, OpCreateAPIKey, nil, nil, APIKey{Description: description}, opts)
}

func (c *Client) GetAPIKey(ctx context.Context, credentialID string, opts ...CallOption) (*APIKey, error) {
	return invoke[APIKey](ctx, c, OpGetAPIKey, p(credentialID), nil, nil, opts)
}

func (c *Client) UpdateAPIKey(ctx context.Context, credentialID, description string, opts ...CallOption) (*APIKey, error) {
	return invoke[APIKey](ctx, c, OpUpdateAPIKey, p(credentialID), nil, APIKey{Description: description}, opts)
}

// DisableAPIKey disables a key irreversibly.
func (c *Client) DisableAPIKey(ctx context.Context, credentialID string, opts ...CallOption) error {
	return c.do(ctx, call{op: OpDisableAPIKey, params: p(credentialID)}, opts)
}

func (c *Client) ListClientIdentifiers(ctx context.Context, opts ...CallOption) ([]ClientIdentifier, error) {
	l, err := invoke[ClientIdentifierList](ctx, c, OpListClientIdentifiers, nil, nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// CreateClientIdentifier creates a browser SDK identifier for the allowed origins.
func (c *Client) CreateClientIdentifier(ctx context.Context, description string, allowedOrigins []string, opts ...CallOption) (*ClientIdentifier, error) {
	in := ClientIdentifier{Description: description, Config: &ClientIdentifierConfig{AllowedDomains: allowedOrigins}}
	return invoke[ClientIdentifier](ctx, c, OpCreateClientIdentifier, nil, nil, in, opts)
}

func (c *Client) GetClientIdentifier(ctx context.Context, credentialID string, opts ...CallOption) (*ClientIdentifier, error) {
	return invoke[ClientIdentifier](ctx, c, OpGetClientIdentifier, p(credentialID), nil, nil, opts)
}

// UpdateClientIdentifier replaces the description (if not empty) and the allowed origins (if not nil).
func (c *Client) UpdateClientIdentifier(ctx context.Context, credentialID, description string, allowedOrigins []string, opts ...CallOption) (*ClientIdentifier, error) {
	in := ClientIdentifier{Description: description}
	if allowedOrigins != nil {
		in.Config = &ClientIdentifierConfig{AllowedDomains: allowedOrigins}
	}
	return invoke[ClientIdentifier](ctx, c, OpUpdateClientIdentifier, p(credentialID), nil, in, opts)
}

func (c *Client) DisableClientIdentifier(ctx context.Context, credentialID string, opts ...CallOption) error {
	return c.do(ctx, call{op: OpDisableClientIdentifier, params: p(credentialID)}, opts)
}

func (c *Client) ListClientCertificates(ctx context.Context, opts ...CallOption) ([]ClientCertificate, error) {
	l, err := invoke[ClientCertificateList](ctx, c, OpListClientCertificates, nil, nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// CreateClientCertificate submits a CSR (PEM); usage is MTLS or JWT signing.
func (c *Client) CreateClientCertificate(ctx context.Context, description, usage, csrPEM string, opts ...CallOption) (*ClientCertificate, error) {
	in := ClientCertificate{Description: description, Config: &ClientCertificateConfig{Usage: usage, CertificateSigningRequest: csrPEM}}
	return invoke[ClientCertificate](ctx, c, OpCreateClientCertificate, nil, nil, in, opts)
}

func (c *Client) GetClientCertificate(ctx context.Context, credentialID string, opts ...CallOption) (*ClientCertificate, error) {
	return invoke[ClientCertificate](ctx, c, OpGetClientCertificate, p(credentialID), nil, nil, opts)
}

func (c *Client) GetMTLSEnforcement(ctx context.Context, opts ...CallOption) (*MTLSEnforcement, error) {
	return invoke[MTLSEnforcement](ctx, c, OpGetMTLSEnforcement, nil, nil, nil, opts)
}

// ---- Notifications (README §7.1) ----

// CreateSigningKey creates a key; store SigningKey immediately, it is shown once.
func (c *Client) CreateSigningKey(ctx context.Context, opts ...CallOption) (*SigningKey, error) {
	return invoke[SigningKey](ctx, c, OpCreateSigningKey, nil, nil, struct{}{}, opts)
}

func (c *Client) ListSigningKeys(ctx context.Context, opts ...CallOption) ([]SigningKey, error) {
	l, err := invoke[SigningKeyList](ctx, c, OpListSigningKeys, nil, nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

func (c *Client) GetSigningKey(ctx context.Context, id string, opts ...CallOption) (*SigningKey, error) {
	return invoke[SigningKey](ctx, c, OpGetSigningKey, p(id), nil, nil, opts)
}

func (c *Client) DeleteSigningKey(ctx context.Context, id string, opts ...CallOption) error {
	return c.do(ctx, call{op: OpDeleteSigningKey, params: p(id)}, opts)
}

func (c *Client) CreateWebhook(ctx context.Context, w Webhook, opts ...CallOption) (*Webhook, error) {
	return invoke[Webhook](ctx, c, OpCreateWebhook, nil, nil, w, opts)
}

func (c *Client) ListWebhooks(ctx context.Context, opts ...CallOption) ([]Webhook, error) {
	l, err := invoke[WebhookList](ctx, c, OpListWebhooks, nil, nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

func (c *Client) GetWebhook(ctx context.Context, id string, opts ...CallOption) (*Webhook, error) {
	return invoke[Webhook](ctx, c, OpGetWebhook, p(id), nil, nil, opts)
}

func (c *Client) UpdateWebhook(ctx context.Context, id string, patch Webhook, opts ...CallOption) (*Webhook, error) {
	return invoke[Webhook](ctx, c, OpUpdateWebhook, p(id), nil, patch, opts)
}

func (c *Client) DeleteWebhook(ctx context.Context, id string, opts ...CallOption) error {
	return c.do(ctx, call{op: OpDeleteWebhook, params: p(id)}, opts)
}

// SimulateWebhook asks Klarna to deliver a sample event to the webhook.
func (c *Client) SimulateWebhook(ctx context.Context, id, eventType, eventVersion string, opts ...CallOption) error {
	return c.do(ctx, call{op: OpSimulateWebhook, params: p(id), in: SimulateWebhookRequest{EventType: eventType, EventVersion: eventVersion}}, opts)
}

// ---- Payment Dispute API (README §8) ----

// ListDisputes returns one page; pass Pagination.LastItem as StartingAfter
// for the next page (nil LastItem means the last page).
func (c *Client) ListDisputes(ctx context.Context, params ListDisputesParams, opts ...CallOption) (*DisputeList, error) {
	q := url.Values{}
	addAll := func(k string, vs []string) {
		if len(vs) == 0 {
			return
		}
		if queryArrayRepeated {
			q[k] = append(q[k], vs...)
		} else {
			q.Set(k, strings.Join(vs, ","))
		}
	}
	addAll("order_ids", params.OrderIDs)
	addAll("payment_transaction_ids", params.PaymentTransactionIDs)
	states := make([]string, len(params.States))
	for i, s := range params.States {
		states[i] = string(s)
	}
	addAll("state", states)
	addAll("reason", params.Reasons)
	addAll("purchase_references", params.PurchaseReferences)
	addAll("sort_by", params.SortBy)
	addTime := func(k string, t time.Time) {
		if !t.IsZero() {
			q.Set(k, t.UTC().Format(time.RFC3339))
		}
	}
	addTime("created_at_start", params.CreatedAtStart)
	addTime("created_at_end", params.CreatedAtEnd)
	addTime("closed_at_start", params.ClosedAtStart)
	addTime("closed_at_end", params.ClosedAtEnd)
	addTime("updated_at_start", params.UpdatedAtStart)
	addTime("updated_at_end", params.UpdatedAtEnd)
	if params.Size > 0 {
		q.Set("size", strconv.Itoa(params.Size))
	}
	if params.StartingAfter != "" {
		q.Set("starting_after", params.StartingAfter)
	}
	if params.PartnerAccountID != "" {
		opts = append(opts, OnBehalfOf(params.PartnerAccountID))
	}
	return invoke[DisputeList](ctx, c, OpListDisputes, nil, q, nil, opts)
}

func (c *Client) GetDispute(ctx context.Context, disputeID string, opts ...CallOption) (*Dispute, error) {
	return invoke[Dispute](ctx, c, OpGetDispute, p(disputeID), nil, nil, opts)
}

// Attachment upload rules (README §8.7).
const (
	MaxAttachmentBytes    = 7 << 20
	MaxAttachmentNameRune = 1000
)

// AttachmentContentTypes maps allowed file extensions to MIME types.
var AttachmentContentTypes = map[string]string{
	".pdf":  "application/pdf",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// UploadAttachment uploads one evidence file (multipart fields file and
// filename). The file must be PDF, JPEG, PNG or DOCX and at most 7 MB.
func (c *Client) UploadAttachment(ctx context.Context, disputeID, filename string, data []byte, opts ...CallOption) (*UploadAttachmentResponse, error) {
	ext := strings.ToLower(filepath.Ext(filename))
	ctype, ok := AttachmentContentTypes[ext]
	if !ok {
		return nil, fmt.Errorf("klarna %s: file type %q is not accepted (PDF, JPEG, PNG, DOCX)", OpUploadAttachment, ext)
	}
	if len(data) > MaxAttachmentBytes {
		return nil, fmt.Errorf("klarna %s: file is larger than 7 MB", OpUploadAttachment)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", ctype)
	fw, err := mw.CreatePart(h)
	if err != nil {
		return nil, fmt.Errorf("klarna %s: build multipart body: %w", OpUploadAttachment, err)
	}
	if _, err := fw.Write(data); err != nil {
		return nil, fmt.Errorf("klarna %s: build multipart body: %w", OpUploadAttachment, err)
	}
	if err := mw.WriteField("filename", filename); err != nil {
		return nil, fmt.Errorf("klarna %s: build multipart body: %w", OpUploadAttachment, err)
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("klarna %s: build multipart body: %w", OpUploadAttachment, err)
	}
	var out UploadAttachmentResponse
	if err := c.do(ctx, call{op: OpUploadAttachment, params: p(disputeID), body: buf.Bytes(), contentType: mw.FormDataContentType(), out: &out}, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// DownloadAttachment fetches an attachment's bytes.
func (c *Client) DownloadAttachment(ctx context.Context, disputeID, attachmentID string, opts ...CallOption) (*File, error) {
	var f File
	if err := c.do(ctx, call{op: OpDownloadAttachment, params: p(disputeID, attachmentID), out: &f}, opts); err != nil {
		return nil, err
	}
	return &f, nil
}

// Represent submits evidence (INITIATED only; 409 otherwise).
func (c *Client) Represent(ctx context.Context, disputeID string, req RepresentRequest, opts ...CallOption) (*RepresentResponse, error) {
	return invoke[RepresentResponse](ctx, c, OpRepresentDispute, p(disputeID), nil, req, opts)
}

// AcceptLoss closes the dispute as LOST (INITIATED or PRE_ARBITRATION).
func (c *Client) AcceptLoss(ctx context.Context, disputeID string, opts ...CallOption) (*AcceptLossResponse, error) {
	var out AcceptLossResponse
	if err := c.do(ctx, call{op: OpAcceptDisputeLoss, params: p(disputeID), out: &out}, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// Appeal requests arbitration (PRE_ARBITRATION only).
func (c *Client) Appeal(ctx context.Context, disputeID string, req AppealRequest, opts ...CallOption) (*AppealResponse, error) {
	return invoke[AppealResponse](ctx, c, OpAppealDispute, p(disputeID), nil, req, opts)
}

// ---- Settlements v1 (README §9.3) ----

func offsetQuery(q url.Values, size, offset int) {
	if size > 0 {
		q.Set("size", strconv.Itoa(size))
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
}

func dateTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (c *Client) ListPayouts(ctx context.Context, params ListPayoutsParams, opts ...CallOption) (*PayoutCollection, error) {
	q := url.Values{}
	if !params.StartDate.IsZero() {
		q.Set("start_date", dateTime(params.StartDate))
	}
	if !params.EndDate.IsZero() {
		q.Set("end_date", dateTime(params.EndDate))
	}
	if params.CurrencyCode != "" {
		q.Set("currency_code", params.CurrencyCode)
	}
	offsetQuery(q, params.Size, params.Offset)
	if params.PartnerAccountID != "" {
		opts = append(opts, OnBehalfOf(params.PartnerAccountID))
	}
	return invoke[PayoutCollection](ctx, c, OpListPayouts, nil, q, nil, opts)
}

func (c *Client) GetPayout(ctx context.Context, paymentReference string, opts ...CallOption) (*Payout, error) {
	return invoke[Payout](ctx, c, OpGetPayout, p(paymentReference), nil, nil, opts)
}

// GetPayoutSummary sums payouts per currency between start and end.
func (c *Client) GetPayoutSummary(ctx context.Context, start, end time.Time, currency string, opts ...CallOption) ([]PayoutSummary, error) {
	q := url.Values{"start_date": {dateTime(start)}, "end_date": {dateTime(end)}}
	if currency != "" {
		q.Set("currency_code", currency)
	}
	var out []PayoutSummary
	if err := c.do(ctx, call{op: OpGetPayoutSummary, query: q, out: &out}, opts); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) ListTransactions(ctx context.Context, params ListTransactionsParams, opts ...CallOption) (*TransactionCollection, error) {
	q := url.Values{}
	if params.PaymentReference != "" {
		q.Set("payment_reference", params.PaymentReference)
	}
	if params.OrderID != "" {
		q.Set("order_id", params.OrderID)
	}
	offsetQuery(q, params.Size, params.Offset)
	if params.PartnerAccountID != "" {
		opts = append(opts, OnBehalfOf(params.PartnerAccountID))
	}
	return invoke[TransactionCollection](ctx, c, OpListTransactions, nil, q, nil, opts)
}

func (c *Client) file(ctx context.Context, op Operation, q url.Values, opts []CallOption) (*File, error) {
	var f File
	if err := c.do(ctx, call{op: op, query: q, out: &f}, opts); err != nil {
		return nil, err
	}
	return &f, nil
}

// PayoutReportCSV is the CSV of one payout with its transactions.
func (c *Client) PayoutReportCSV(ctx context.Context, paymentReference string, opts ...CallOption) (*File, error) {
	return c.file(ctx, OpPayoutReportCSV, url.Values{"payment_reference": {paymentReference}}, opts)
}

// PayoutReportPDF is the PDF of one payout.
func (c *Client) PayoutReportPDF(ctx context.Context, paymentReference string, opts ...CallOption) (*File, error) {
	return c.file(ctx, OpPayoutReportPDF, url.Values{"payment_reference": {paymentReference}}, opts)
}

// PayoutsSummaryReportCSV is the CSV of all payouts with transactions in a period.
func (c *Client) PayoutsSummaryReportCSV(ctx context.Context, start, end time.Time, opts ...CallOption) (*File, error) {
	return c.file(ctx, OpPayoutsSummaryReportCSV, url.Values{"start_date": {dateTime(start)}, "end_date": {dateTime(end)}}, opts)
}

// PayoutsSummaryReportPDF is the PDF summary of payouts in a period.
func (c *Client) PayoutsSummaryReportPDF(ctx context.Context, start, end time.Time, opts ...CallOption) (*File, error) {
	return c.file(ctx, OpPayoutsSummaryReportPDF, url.Values{"start_date": {dateTime(start)}, "end_date": {dateTime(end)}}, opts)
}

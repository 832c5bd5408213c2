// Code in this file keeps unknown JSON properties for every wire type.

package klarna

func (v *APIKey) UnmarshalJSON(b []byte) error {
	type plain APIKey
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v APIKey) MarshalJSON() ([]byte, error) {
	type plain APIKey
	return encodeKeep(plain(v), v.Extra)
}

func (v *ClientIdentifierConfig) UnmarshalJSON(b []byte) error {
	type plain ClientIdentifierConfig
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v ClientIdentifierConfig) MarshalJSON() ([]byte, error) {
	type plain ClientIdentifierConfig
	return encodeKeep(plain(v), v.Extra)
}

func (v *ClientIdentifier) UnmarshalJSON(b []byte) error {
	type plain ClientIdentifier
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v ClientIdentifier) MarshalJSON() ([]byte, error) {
	type plain ClientIdentifier
	return encodeKeep(plain(v), v.Extra)
}

func (v *ClientCertificateConfig) UnmarshalJSON(b []byte) error {
	type plain ClientCertificateConfig
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v ClientCertificateConfig) MarshalJSON() ([]byte, error) {
	type plain ClientCertificateConfig
	return encodeKeep(plain(v), v.Extra)
}

func (v *ClientCertificate) UnmarshalJSON(b []byte) error {
	type plain ClientCertificate
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v ClientCertificate) MarshalJSON() ([]byte, error) {
	type plain ClientCertificate
	return encodeKeep(plain(v), v.Extra)
}

func (v *MTLSEnforcement) UnmarshalJSON(b []byte) error {
	type plain MTLSEnforcement
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v MTLSEnforcement) MarshalJSON() ([]byte, error) {
	type plain MTLSEnforcement
	return encodeKeep(plain(v), v.Extra)
}

func (v *Credential) UnmarshalJSON(b []byte) error {
	type plain Credential
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Credential) MarshalJSON() ([]byte, error) {
	type plain Credential
	return encodeKeep(plain(v), v.Extra)
}

func (v *CredentialList) UnmarshalJSON(b []byte) error {
	type plain CredentialList
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v CredentialList) MarshalJSON() ([]byte, error) {
	type plain CredentialList
	return encodeKeep(plain(v), v.Extra)
}

func (v *DisputeDetails) UnmarshalJSON(b []byte) error {
	type plain DisputeDetails
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v DisputeDetails) MarshalJSON() ([]byte, error) {
	type plain DisputeDetails
	return encodeKeep(plain(v), v.Extra)
}

func (v *Attachment) UnmarshalJSON(b []byte) error {
	type plain Attachment
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Attachment) MarshalJSON() ([]byte, error) {
	type plain Attachment
	return encodeKeep(plain(v), v.Extra)
}

func (v *EvidenceRequest) UnmarshalJSON(b []byte) error {
	type plain EvidenceRequest
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v EvidenceRequest) MarshalJSON() ([]byte, error) {
	type plain EvidenceRequest
	return encodeKeep(plain(v), v.Extra)
}

func (v *PartnerEvidence) UnmarshalJSON(b []byte) error {
	type plain PartnerEvidence
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PartnerEvidence) MarshalJSON() ([]byte, error) {
	type plain PartnerEvidence
	return encodeKeep(plain(v), v.Extra)
}

func (v *Representment) UnmarshalJSON(b []byte) error {
	type plain Representment
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Representment) MarshalJSON() ([]byte, error) {
	type plain Representment
	return encodeKeep(plain(v), v.Extra)
}

func (v *ArbitrationRequest) UnmarshalJSON(b []byte) error {
	type plain ArbitrationRequest
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v ArbitrationRequest) MarshalJSON() ([]byte, error) {
	type plain ArbitrationRequest
	return encodeKeep(plain(v), v.Extra)
}

func (v *Arbitration) UnmarshalJSON(b []byte) error {
	type plain Arbitration
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Arbitration) MarshalJSON() ([]byte, error) {
	type plain Arbitration
	return encodeKeep(plain(v), v.Extra)
}

func (v *StateContext) UnmarshalJSON(b []byte) error {
	type plain StateContext
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v StateContext) MarshalJSON() ([]byte, error) {
	type plain StateContext
	return encodeKeep(plain(v), v.Extra)
}

func (v *ProcessException) UnmarshalJSON(b []byte) error {
	type plain ProcessException
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v ProcessException) MarshalJSON() ([]byte, error) {
	type plain ProcessException
	return encodeKeep(plain(v), v.Extra)
}

func (v *CustomerEvidence) UnmarshalJSON(b []byte) error {
	type plain CustomerEvidence
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v CustomerEvidence) MarshalJSON() ([]byte, error) {
	type plain CustomerEvidence
	return encodeKeep(plain(v), v.Extra)
}

func (v *DisputeOptions) UnmarshalJSON(b []byte) error {
	type plain DisputeOptions
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v DisputeOptions) MarshalJSON() ([]byte, error) {
	type plain DisputeOptions
	return encodeKeep(plain(v), v.Extra)
}

func (v *DisputeConfiguration) UnmarshalJSON(b []byte) error {
	type plain DisputeConfiguration
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v DisputeConfiguration) MarshalJSON() ([]byte, error) {
	type plain DisputeConfiguration
	return encodeKeep(plain(v), v.Extra)
}

func (v *Dispute) UnmarshalJSON(b []byte) error {
	type plain Dispute
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Dispute) MarshalJSON() ([]byte, error) {
	type plain Dispute
	return encodeKeep(plain(v), v.Extra)
}

func (v *Link) UnmarshalJSON(b []byte) error {
	type plain Link
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Link) MarshalJSON() ([]byte, error) {
	type plain Link
	return encodeKeep(plain(v), v.Extra)
}

func (v *PaginationLinks) UnmarshalJSON(b []byte) error {
	type plain PaginationLinks
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PaginationLinks) MarshalJSON() ([]byte, error) {
	type plain PaginationLinks
	return encodeKeep(plain(v), v.Extra)
}

func (v *CursorPagination) UnmarshalJSON(b []byte) error {
	type plain CursorPagination
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v CursorPagination) MarshalJSON() ([]byte, error) {
	type plain CursorPagination
	return encodeKeep(plain(v), v.Extra)
}

func (v *DisputeList) UnmarshalJSON(b []byte) error {
	type plain DisputeList
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v DisputeList) MarshalJSON() ([]byte, error) {
	type plain DisputeList
	return encodeKeep(plain(v), v.Extra)
}

func (v *AttachmentRef) UnmarshalJSON(b []byte) error {
	type plain AttachmentRef
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v AttachmentRef) MarshalJSON() ([]byte, error) {
	type plain AttachmentRef
	return encodeKeep(plain(v), v.Extra)
}

func (v *RepresentRequest) UnmarshalJSON(b []byte) error {
	type plain RepresentRequest
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v RepresentRequest) MarshalJSON() ([]byte, error) {
	type plain RepresentRequest
	return encodeKeep(plain(v), v.Extra)
}

func (v *RepresentResponse) UnmarshalJSON(b []byte) error {
	type plain RepresentResponse
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v RepresentResponse) MarshalJSON() ([]byte, error) {
	type plain RepresentResponse
	return encodeKeep(plain(v), v.Extra)
}

func (v *AppealRequest) UnmarshalJSON(b []byte) error {
	type plain AppealRequest
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v AppealRequest) MarshalJSON() ([]byte, error) {
	type plain AppealRequest
	return encodeKeep(plain(v), v.Extra)
}

func (v *AppealResponse) UnmarshalJSON(b []byte) error {
	type plain AppealResponse
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v AppealResponse) MarshalJSON() ([]byte, error) {
	type plain AppealResponse
	return encodeKeep(plain(v), v.Extra)
}

func (v *AcceptLossResponse) UnmarshalJSON(b []byte) error {
	type plain AcceptLossResponse
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v AcceptLossResponse) MarshalJSON() ([]byte, error) {
	type plain AcceptLossResponse
	return encodeKeep(plain(v), v.Extra)
}

func (v *UploadAttachmentResponse) UnmarshalJSON(b []byte) error {
	type plain UploadAttachmentResponse
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v UploadAttachmentResponse) MarshalJSON() ([]byte, error) {
	type plain UploadAttachmentResponse
	return encodeKeep(plain(v), v.Extra)
}

func (v *Contact) UnmarshalJSON(b []byte) error {
	type plain Contact
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Contact) MarshalJSON() ([]byte, error) {
	type plain Contact
	return encodeKeep(plain(v), v.Extra)
}

func (v *PartnerAccount) UnmarshalJSON(b []byte) error {
	type plain PartnerAccount
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PartnerAccount) MarshalJSON() ([]byte, error) {
	type plain PartnerAccount
	return encodeKeep(plain(v), v.Extra)
}

func (v *Address) UnmarshalJSON(b []byte) error {
	type plain Address
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Address) MarshalJSON() ([]byte, error) {
	type plain Address
	return encodeKeep(plain(v), v.Extra)
}

func (v *LegalRegistration) UnmarshalJSON(b []byte) error {
	type plain LegalRegistration
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v LegalRegistration) MarshalJSON() ([]byte, error) {
	type plain LegalRegistration
	return encodeKeep(plain(v), v.Extra)
}

func (v *NationalIdentification) UnmarshalJSON(b []byte) error {
	type plain NationalIdentification
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v NationalIdentification) MarshalJSON() ([]byte, error) {
	type plain NationalIdentification
	return encodeKeep(plain(v), v.Extra)
}

func (v *Stakeholder) UnmarshalJSON(b []byte) error {
	type plain Stakeholder
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Stakeholder) MarshalJSON() ([]byte, error) {
	type plain Stakeholder
	return encodeKeep(plain(v), v.Extra)
}

func (v *SupplementaryBusinessData) UnmarshalJSON(b []byte) error {
	type plain SupplementaryBusinessData
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v SupplementaryBusinessData) MarshalJSON() ([]byte, error) {
	type plain SupplementaryBusinessData
	return encodeKeep(plain(v), v.Extra)
}

func (v *BusinessEntity) UnmarshalJSON(b []byte) error {
	type plain BusinessEntity
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v BusinessEntity) MarshalJSON() ([]byte, error) {
	type plain BusinessEntity
	return encodeKeep(plain(v), v.Extra)
}

func (v *BrandElement) UnmarshalJSON(b []byte) error {
	type plain BrandElement
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v BrandElement) MarshalJSON() ([]byte, error) {
	type plain BrandElement
	return encodeKeep(plain(v), v.Extra)
}

func (v *Brand) UnmarshalJSON(b []byte) error {
	type plain Brand
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Brand) MarshalJSON() ([]byte, error) {
	type plain Brand
	return encodeKeep(plain(v), v.Extra)
}

func (v *SupportContact) UnmarshalJSON(b []byte) error {
	type plain SupportContact
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v SupportContact) MarshalJSON() ([]byte, error) {
	type plain SupportContact
	return encodeKeep(plain(v), v.Extra)
}

func (v *SocialMediaLink) UnmarshalJSON(b []byte) error {
	type plain SocialMediaLink
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v SocialMediaLink) MarshalJSON() ([]byte, error) {
	type plain SocialMediaLink
	return encodeKeep(plain(v), v.Extra)
}

func (v *Store) UnmarshalJSON(b []byte) error {
	type plain Store
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Store) MarshalJSON() ([]byte, error) {
	type plain Store
	return encodeKeep(plain(v), v.Extra)
}

func (v *StoreGroup) UnmarshalJSON(b []byte) error {
	type plain StoreGroup
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v StoreGroup) MarshalJSON() ([]byte, error) {
	type plain StoreGroup
	return encodeKeep(plain(v), v.Extra)
}

func (v *PaymentAccount) UnmarshalJSON(b []byte) error {
	type plain PaymentAccount
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PaymentAccount) MarshalJSON() ([]byte, error) {
	type plain PaymentAccount
	return encodeKeep(plain(v), v.Extra)
}

func (v *PaymentProduct) UnmarshalJSON(b []byte) error {
	type plain PaymentProduct
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PaymentProduct) MarshalJSON() ([]byte, error) {
	type plain PaymentProduct
	return encodeKeep(plain(v), v.Extra)
}

func (v *OnboardRequest) UnmarshalJSON(b []byte) error {
	type plain OnboardRequest
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v OnboardRequest) MarshalJSON() ([]byte, error) {
	type plain OnboardRequest
	return encodeKeep(plain(v), v.Extra)
}

func (v *OnboardResponse) UnmarshalJSON(b []byte) error {
	type plain OnboardResponse
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v OnboardResponse) MarshalJSON() ([]byte, error) {
	type plain OnboardResponse
	return encodeKeep(plain(v), v.Extra)
}

func (v *PaymentProfile) UnmarshalJSON(b []byte) error {
	type plain PaymentProfile
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PaymentProfile) MarshalJSON() ([]byte, error) {
	type plain PaymentProfile
	return encodeKeep(plain(v), v.Extra)
}

func (v *AcquiringAccount) UnmarshalJSON(b []byte) error {
	type plain AcquiringAccount
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v AcquiringAccount) MarshalJSON() ([]byte, error) {
	type plain AcquiringAccount
	return encodeKeep(plain(v), v.Extra)
}

func (v *ErrorBody) UnmarshalJSON(b []byte) error {
	type plain ErrorBody
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v ErrorBody) MarshalJSON() ([]byte, error) {
	type plain ErrorBody
	return encodeKeep(plain(v), v.Extra)
}

func (v *ValidationError) UnmarshalJSON(b []byte) error {
	type plain ValidationError
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v ValidationError) MarshalJSON() ([]byte, error) {
	type plain ValidationError
	return encodeKeep(plain(v), v.Extra)
}

func (v *DeepLinkRequest) UnmarshalJSON(b []byte) error {
	type plain DeepLinkRequest
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v DeepLinkRequest) MarshalJSON() ([]byte, error) {
	type plain DeepLinkRequest
	return encodeKeep(plain(v), v.Extra)
}

func (v *DeepLinkResponse) UnmarshalJSON(b []byte) error {
	type plain DeepLinkResponse
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v DeepLinkResponse) MarshalJSON() ([]byte, error) {
	type plain DeepLinkResponse
	return encodeKeep(plain(v), v.Extra)
}

func (v *WebhookMetadata) UnmarshalJSON(b []byte) error {
	type plain WebhookMetadata
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v WebhookMetadata) MarshalJSON() ([]byte, error) {
	type plain WebhookMetadata
	return encodeKeep(plain(v), v.Extra)
}

func (v *WebhookEnvelope) UnmarshalJSON(b []byte) error {
	type plain WebhookEnvelope
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v WebhookEnvelope) MarshalJSON() ([]byte, error) {
	type plain WebhookEnvelope
	return encodeKeep(plain(v), v.Extra)
}

func (v *AccountEventPayload) UnmarshalJSON(b []byte) error {
	type plain AccountEventPayload
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v AccountEventPayload) MarshalJSON() ([]byte, error) {
	type plain AccountEventPayload
	return encodeKeep(plain(v), v.Extra)
}

func (v *DisputeEventPayload) UnmarshalJSON(b []byte) error {
	type plain DisputeEventPayload
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v DisputeEventPayload) MarshalJSON() ([]byte, error) {
	type plain DisputeEventPayload
	return encodeKeep(plain(v), v.Extra)
}

func (v *SettlementEventPayload) UnmarshalJSON(b []byte) error {
	type plain SettlementEventPayload
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v SettlementEventPayload) MarshalJSON() ([]byte, error) {
	type plain SettlementEventPayload
	return encodeKeep(plain(v), v.Extra)
}

func (v *DeepLinkJWTHeader) UnmarshalJSON(b []byte) error {
	type plain DeepLinkJWTHeader
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v DeepLinkJWTHeader) MarshalJSON() ([]byte, error) {
	type plain DeepLinkJWTHeader
	return encodeKeep(plain(v), v.Extra)
}

func (v *DeepLinkJWTPayload) UnmarshalJSON(b []byte) error {
	type plain DeepLinkJWTPayload
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v DeepLinkJWTPayload) MarshalJSON() ([]byte, error) {
	type plain DeepLinkJWTPayload
	return encodeKeep(plain(v), v.Extra)
}

func (v *DeepLinkJWT) UnmarshalJSON(b []byte) error {
	type plain DeepLinkJWT
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v DeepLinkJWT) MarshalJSON() ([]byte, error) {
	type plain DeepLinkJWT
	return encodeKeep(plain(v), v.Extra)
}

func (v *SigningKey) UnmarshalJSON(b []byte) error {
	type plain SigningKey
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v SigningKey) MarshalJSON() ([]byte, error) {
	type plain SigningKey
	return encodeKeep(plain(v), v.Extra)
}

func (v *Webhook) UnmarshalJSON(b []byte) error {
	type plain Webhook
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Webhook) MarshalJSON() ([]byte, error) {
	type plain Webhook
	return encodeKeep(plain(v), v.Extra)
}

func (v *Totals) UnmarshalJSON(b []byte) error {
	type plain Totals
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Totals) MarshalJSON() ([]byte, error) {
	type plain Totals
	return encodeKeep(plain(v), v.Extra)
}

func (v *Payout) UnmarshalJSON(b []byte) error {
	type plain Payout
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Payout) MarshalJSON() ([]byte, error) {
	type plain Payout
	return encodeKeep(plain(v), v.Extra)
}

func (v *OffsetPagination) UnmarshalJSON(b []byte) error {
	type plain OffsetPagination
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v OffsetPagination) MarshalJSON() ([]byte, error) {
	type plain OffsetPagination
	return encodeKeep(plain(v), v.Extra)
}

func (v *PayoutCollection) UnmarshalJSON(b []byte) error {
	type plain PayoutCollection
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PayoutCollection) MarshalJSON() ([]byte, error) {
	type plain PayoutCollection
	return encodeKeep(plain(v), v.Extra)
}

func (v *PayoutSummary) UnmarshalJSON(b []byte) error {
	type plain PayoutSummary
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PayoutSummary) MarshalJSON() ([]byte, error) {
	type plain PayoutSummary
	return encodeKeep(plain(v), v.Extra)
}

func (v *Transaction) UnmarshalJSON(b []byte) error {
	type plain Transaction
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v Transaction) MarshalJSON() ([]byte, error) {
	type plain Transaction
	return encodeKeep(plain(v), v.Extra)
}

func (v *TransactionCollection) UnmarshalJSON(b []byte) error {
	type plain TransactionCollection
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v TransactionCollection) MarshalJSON() ([]byte, error) {
	type plain TransactionCollection
	return encodeKeep(plain(v), v.Extra)
}

func (v *PaymentRequestEventPayload) UnmarshalJSON(b []byte) error {
	type plain PaymentRequestEventPayload
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PaymentRequestEventPayload) MarshalJSON() ([]byte, error) {
	type plain PaymentRequestEventPayload
	return encodeKeep(plain(v), v.Extra)
}

func (v *PaymentRequestStateContext) UnmarshalJSON(b []byte) error {
	type plain PaymentRequestStateContext
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PaymentRequestStateContext) MarshalJSON() ([]byte, error) {
	type plain PaymentRequestStateContext
	return encodeKeep(plain(v), v.Extra)
}

func (v *PaymentRequestContext) UnmarshalJSON(b []byte) error {
	type plain PaymentRequestContext
	return decodeKeep(b, (*plain)(v), &v.Extra)
}

func (v PaymentRequestContext) MarshalJSON() ([]byte, error) {
	type plain PaymentRequestContext
	return encodeKeep(plain(v), v.Extra)
}

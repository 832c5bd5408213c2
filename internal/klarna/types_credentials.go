package klarna

// APIKey is a generation-2 API key credential (README §6). Secret carries the
// key value and is only present in the create response; its property name is
// UNCONFIRMED (README §14).
type APIKey struct {
	CredentialID string    `json:"credential_id,omitempty"`
	Description  string    `json:"description,omitempty"`
	Status       string    `json:"status,omitempty"`
	Environment  string    `json:"environment,omitempty"`
	CreatedAt    Timestamp `json:"created_at,omitzero"`
	// LastUsedAt is when a request last authenticated with the key
	// (UNCONFIRMED name; absent when Klarna does not tell).
	LastUsedAt Timestamp `json:"last_used_at,omitzero"`
	Secret     string    `json:"api_key,omitempty"`
	Extra      Extra     `json:"-"`
}

// ClientIdentifierConfig lists the origins allowed to use a client identifier
// (allowed_domains is UNCONFIRMED, README §6).
type ClientIdentifierConfig struct {
	AllowedDomains []string `json:"allowed_domains,omitempty"`
	Extra          Extra    `json:"-"`
}

// ClientIdentifier is a browser SDK credential (README §6).
type ClientIdentifier struct {
	CredentialID string                  `json:"credential_id,omitempty"`
	ClientID     string                  `json:"client_id,omitempty"`
	Description  string                  `json:"description,omitempty"`
	Status       string                  `json:"status,omitempty"`
	Environment  string                  `json:"environment,omitempty"`
	Config       *ClientIdentifierConfig `json:"config,omitempty"`
	CreatedAt    Timestamp               `json:"created_at,omitzero"`
	Extra        Extra                   `json:"-"`
}

// ClientCertificateConfig is the request part of a client certificate
// (README §2.2, body names 3P).
type ClientCertificateConfig struct {
	Usage                     string `json:"usage,omitempty"`
	CertificateSigningRequest string `json:"certificate_signing_request,omitempty"`
	Extra                     Extra  `json:"-"`
}

// ClientCertificate is a certificate Klarna signed from the acquirer's CSR,
// used for mTLS and for signing Portal deep links.
type ClientCertificate struct {
	CredentialID string                   `json:"credential_id,omitempty"`
	Description  string                   `json:"description,omitempty"`
	Status       string                   `json:"status,omitempty"`
	Config       *ClientCertificateConfig `json:"config,omitempty"`
	Certificate  string                   `json:"certificate,omitempty"` // PEM
	NotAfter     Timestamp                `json:"expires_at,omitzero"`
	CreatedAt    Timestamp                `json:"created_at,omitzero"`
	Extra        Extra                    `json:"-"`
}

// MTLSEnforcement reports whether Klarna requires mTLS for the account.
type MTLSEnforcement struct {
	Status string `json:"status,omitempty"` // e.g. ENFORCED, NOT_ENFORCED (UNCONFIRMED)
	Extra  Extra  `json:"-"`
}

// Credential is the generation-1 credential object (README §6), kept so older
// payloads decode.
type Credential struct {
	CredentialID string `json:"credential_id,omitempty"`
	Description  string `json:"description,omitempty"`
	Type         string `json:"type,omitempty"`
	Environment  string `json:"environment,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	Extra        Extra  `json:"-"`
}

// CredentialList is the generation-1 list response.
type CredentialList struct {
	Credentials []Credential `json:"credentials"`
	Extra       Extra        `json:"-"`
}

// List wrappers (UNCONFIRMED names, README §3.8).
type (
	APIKeyList struct {
		Items []APIKey `json:"credentials"`
	}
	ClientIdentifierList struct {
		Items []ClientIdentifier `json:"credentials"`
	}
	ClientCertificateList struct {
		Items []ClientCertificate `json:"credentials"`
	}
)

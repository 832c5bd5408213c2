package klarnasim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

var reDescription = regexp.MustCompile(`^[a-zA-Z0-9\-:;., _]{0,100}$`) // README §6

func (s *Sim) credentialHandlers() map[klarna.Operation]handler {
	return map[klarna.Operation]handler{
		klarna.OpListAPIKeys:             s.hListAPIKeys,
		klarna.OpCreateAPIKey:            s.hCreateAPIKey,
		klarna.OpGetAPIKey:               s.hGetAPIKey,
		klarna.OpUpdateAPIKey:            s.hUpdateAPIKey,
		klarna.OpDisableAPIKey:           s.hDisableAPIKey,
		klarna.OpListClientIdentifiers:   s.hListClientIDs,
		klarna.OpCreateClientIdentifier:  s.hCreateClientID,
		klarna.OpGetClientIdentifier:     s.hGetClientID,
		klarna.OpUpdateClientIdentifier:  s.hUpdateClientID,
		klarna.OpDisableClientIdentifier: s.hDisableClientID,
		klarna.OpListClientCertificates:  s.hListCerts,
		klarna.OpCreateClientCertificate: s.hCreateCert,
		klarna.OpGetClientCertificate:    s.hGetCert,
		klarna.OpGetMTLSEnforcement:      s.hMTLS,
	}
}

// unusedKeyLimit: Klarna disables partner API keys unused for longer
// (README §2.1, stated for Partner Portal keys; the acquirer's own keys are
// left alone so a long-running simulator keeps answering its dashboard).
const unusedKeyLimit = 2 // months

// IssueAPIKey creates a new enabled acquirer API key (klarna_test_api_…)
// and returns its secret, as Klarna hands one to the acquirer.
func (s *Sim) IssueAPIKey() string { return s.issueAPIKey("issued by the simulator") }

func (s *Sim) issueAPIKey(description string) string {
	secret := "klarna_test_api_" + randHex(24)
	s.addAPIKey(secret, description, "", time.Time{})
	return secret
}

// IssuePartnerAPIKey creates an enabled API key of a partner account as if
// it had been created at createdAt (zero: now), for seeding demo data with
// keys of some age. It returns the key's id and secret.
func (s *Sim) IssuePartnerAPIKey(accountID, description string, createdAt time.Time) (id, secret string, err error) {
	s.mu.RLock()
	_, ok := s.st.Accounts[accountID]
	s.mu.RUnlock()
	if !ok {
		return "", "", fmt.Errorf("klarnasim: no account %s", accountID)
	}
	secret = "klarna_test_api_" + randHex(24)
	k := s.addAPIKey(secret, description, accountID, createdAt)
	return k.ID, secret, nil
}

// IssuePartnerClientIdentifier creates an enabled Web SDK client identifier
// of a partner account for the allowed origins, as if created at createdAt
// (zero: now), for seeding demo data.
func (s *Sim) IssuePartnerClientIdentifier(accountID, description string, origins []string, createdAt time.Time) (*klarna.ClientIdentifier, error) {
	if ve := validOrigins(origins); len(ve) > 0 || len(origins) == 0 {
		return nil, fmt.Errorf("klarnasim: invalid origins %v", origins)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.Accounts[accountID]; !ok {
		return nil, fmt.Errorf("klarnasim: no account %s", accountID)
	}
	if createdAt.IsZero() {
		createdAt = s.clock.Now()
	}
	ci := &klarna.ClientIdentifier{CredentialID: uuidv4(), ClientID: "klarna_test_client_" + randHex(24), Description: description,
		Status: "ENABLED", Environment: "TEST", Config: &klarna.ClientIdentifierConfig{AllowedDomains: origins}, CreatedAt: klarna.At(createdAt)}
	s.st.ClientIDs[ci.CredentialID] = ci
	s.st.Owners[ci.CredentialID] = accountID
	out := *ci
	return &out, nil
}

// HasCredentials reports whether a partner account holds any API key or
// client identifier (seeding adds the demo ones only once).
func (s *Sim) HasCredentials(accountID string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, owner := range s.st.Owners {
		if owner == accountID {
			return true
		}
	}
	return false
}

// addAPIKey stores a key of account ("" for the acquirer) created at
// created (zero: now).
func (s *Sim) addAPIKey(secret, description, account string, created time.Time) *apiKeyRec {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.st.APIKeys[secret]; ok {
		k.Status, k.AutoDisabled = "ENABLED", false
		return k
	}
	if created.IsZero() {
		created = s.clock.Now()
	}
	k := &apiKeyRec{ID: uuidv4(), Secret: secret, Description: description, Status: "ENABLED", Created: created}
	s.st.APIKeys[secret] = k
	if account != "" {
		s.st.Owners[k.ID] = account
	}
	return k
}

// expireUnused disables a partner key unused for more than two months,
// measured on the simulator's clock. Callers hold s.mu for writing.
func (s *Sim) expireUnused(k *apiKeyRec) {
	if k.Status != "ENABLED" || s.st.Owners[k.ID] == "" {
		return
	}
	last := k.LastUsed
	if last.IsZero() {
		last = k.Created
	}
	if s.clock.Now().After(last.AddDate(0, unusedKeyLimit, 0)) {
		k.Status, k.AutoDisabled = "DISABLED", true
	}
}

// expireAllUnused applies expireUnused to every key; callers hold s.mu for writing.
func (s *Sim) expireAllUnused() {
	for _, k := range s.st.APIKeys {
		s.expireUnused(k)
	}
}

// owns reports whether credential id belongs to the account the request
// acts for (c.partner, "" for the acquirer).
func (s *Sim) owns(c *rctx, id string) bool { return s.st.Owners[id] == c.partner }

func (k *apiKeyRec) public() klarna.APIKey {
	out := klarna.APIKey{CredentialID: k.ID, Description: k.Description, Status: k.Status, Environment: "TEST", CreatedAt: klarna.At(k.Created)}
	if !k.LastUsed.IsZero() {
		out.LastUsedAt = klarna.At(k.LastUsed)
	}
	return out
}

// keyByID finds a key of the account the request acts for.
func (s *Sim) keyByID(c *rctx, id string) *apiKeyRec {
	if !s.owns(c, id) {
		return nil
	}
	for _, k := range s.st.APIKeys {
		if k.ID == id {
			return k
		}
	}
	return nil
}

func (s *Sim) hListAPIKeys(c *rctx) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireAllUnused()
	out := klarna.APIKeyList{Items: []klarna.APIKey{}}
	for _, sec := range sortedKeys(s.st.APIKeys) {
		if k := s.st.APIKeys[sec]; s.owns(c, k.ID) {
			out.Items = append(out.Items, k.public())
		}
	}
	return jsonReply(200, out)
}

func (s *Sim) hCreateAPIKey(c *rctx) *reply {
	var in klarna.APIKey
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if !reDescription.MatchString(in.Description) {
		return invalid(vErr("description", "must match ^[a-zA-Z0-9\\-:;., _]{0,100}$"))
	}
	k := s.addAPIKey("klarna_test_api_"+randHex(24), in.Description, c.partner, time.Time{})
	out := k.public()
	out.Secret = k.Secret // shown exactly once
	return jsonReply(201, out)
}

func (s *Sim) hGetAPIKey(c *rctx) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keyByID(c, c.r.PathValue("credential_id"))
	if k == nil {
		return notFound("Credential " + c.r.PathValue("credential_id"))
	}
	s.expireUnused(k)
	return jsonReply(200, k.public())
}

func (s *Sim) hUpdateAPIKey(c *rctx) *reply {
	var in klarna.APIKey
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if !reDescription.MatchString(in.Description) {
		return invalid(vErr("description", "must match ^[a-zA-Z0-9\\-:;., _]{0,100}$"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keyByID(c, c.r.PathValue("credential_id"))
	if k == nil {
		return notFound("Credential " + c.r.PathValue("credential_id"))
	}
	s.expireUnused(k)
	if k.Status != "ENABLED" {
		return conflict("The API key is disabled")
	}
	k.Description = in.Description
	return jsonReply(200, k.public())
}

// hDisableAPIKey disables irreversibly; the key stops authenticating at once.
func (s *Sim) hDisableAPIKey(c *rctx) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keyByID(c, c.r.PathValue("credential_id"))
	if k == nil {
		return notFound("Credential " + c.r.PathValue("credential_id"))
	}
	k.Status = "DISABLED"
	return &reply{status: 204}
}

func validOrigins(origins []string) []klarna.ValidationError {
	var ve []klarna.ValidationError
	for i, o := range origins {
		if !validURL(o) || strings.Count(o, "/") > 2 {
			ve = append(ve, vErr(fmt.Sprintf("config.allowed_domains[%d]", i), "must be an origin such as https://shop.example"))
		}
	}
	return ve
}

// clientIDByID finds a client identifier of the account the request acts for.
func (s *Sim) clientIDByID(c *rctx, id string) *klarna.ClientIdentifier {
	if !s.owns(c, id) {
		return nil
	}
	return s.st.ClientIDs[id]
}

func (s *Sim) hListClientIDs(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := klarna.ClientIdentifierList{Items: []klarna.ClientIdentifier{}}
	for _, id := range sortedKeys(s.st.ClientIDs) {
		if s.owns(c, id) {
			out.Items = append(out.Items, *s.st.ClientIDs[id])
		}
	}
	return jsonReply(200, out)
}

func (s *Sim) hCreateClientID(c *rctx) *reply {
	var in klarna.ClientIdentifier
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	var ve []klarna.ValidationError
	if !reDescription.MatchString(in.Description) {
		ve = append(ve, vErr("description", "must match ^[a-zA-Z0-9\\-:;., _]{0,100}$"))
	}
	if in.Config == nil || len(in.Config.AllowedDomains) == 0 {
		ve = append(ve, vErr("config.allowed_domains", "is required"))
	} else {
		ve = append(ve, validOrigins(in.Config.AllowedDomains)...)
	}
	if len(ve) > 0 {
		return invalid(ve...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &klarna.ClientIdentifier{CredentialID: uuidv4(), ClientID: "klarna_test_client_" + randHex(24), Description: in.Description,
		Status: "ENABLED", Environment: "TEST", Config: in.Config, CreatedAt: klarna.At(s.clock.Now())}
	s.st.ClientIDs[out.CredentialID] = out
	if c.partner != "" {
		s.st.Owners[out.CredentialID] = c.partner
	}
	return jsonReply(201, out)
}

func (s *Sim) hGetClientID(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id := c.r.PathValue("credential_id")
	ci := s.clientIDByID(c, id)
	if ci == nil {
		return notFound("Credential " + id)
	}
	return jsonReply(200, ci)
}

func (s *Sim) hUpdateClientID(c *rctx) *reply {
	var in klarna.ClientIdentifier
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	var ve []klarna.ValidationError
	if in.Description != "" && !reDescription.MatchString(in.Description) {
		ve = append(ve, vErr("description", "must match ^[a-zA-Z0-9\\-:;., _]{0,100}$"))
	}
	if in.Config != nil {
		if len(in.Config.AllowedDomains) == 0 {
			ve = append(ve, vErr("config.allowed_domains", "must not be empty"))
		}
		ve = append(ve, validOrigins(in.Config.AllowedDomains)...)
	}
	if len(ve) > 0 {
		return invalid(ve...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.r.PathValue("credential_id")
	ci := s.clientIDByID(c, id)
	if ci == nil {
		return notFound("Credential " + id)
	}
	if ci.Status != "ENABLED" {
		return conflict("The client identifier is disabled")
	}
	if in.Description != "" {
		ci.Description = in.Description
	}
	if in.Config != nil {
		ci.Config = in.Config
	}
	return jsonReply(200, ci)
}

func (s *Sim) hDisableClientID(c *rctx) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.r.PathValue("credential_id")
	ci := s.clientIDByID(c, id)
	if ci == nil {
		return notFound("Credential " + id)
	}
	ci.Status = "DISABLED"
	return &reply{status: 204}
}

// ---- client certificates (README §2.2) ----

func (s *Sim) newCA() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Klarna Simulator Client CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	s.ca, _ = x509.ParseCertificate(der)
	s.caKey = key
	return nil
}

// IssueClientCertificate signs a CSR (PEM) like createCredentialsClientCertificate
// and registers the certificate for mTLS and deep-link JWT verification.
func (s *Sim) IssueClientCertificate(description, usage, csrPEM string) (*klarna.ClientCertificate, error) {
	block, _ := pem.Decode([]byte(csrPEM))
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return nil, fmt.Errorf("certificate_signing_request must be a PEM CERTIFICATE REQUEST")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil || csr.CheckSignature() != nil {
		return nil, fmt.Errorf("certificate_signing_request is not a valid signed CSR")
	}
	pub, ok := csr.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("the key must be an EC key on prime256v1")
	}
	if len(csr.Subject.CommonName) > 64 {
		return nil, fmt.Errorf("CN must be at most 64 characters")
	}
	now := s.clock.Now()
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	cn := csr.Subject.CommonName
	if cn == "" {
		cn = "SIM" + randAlnum(5) // Klarna assigns a default CN
	}
	tpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, s.ca, pub, s.caKey)
	if err != nil {
		return nil, err
	}
	if usage == "" {
		usage = "MTLS"
	}
	rec := &certRec{DER: der, Fingerprint: fingerprint(der), C: klarna.ClientCertificate{
		CredentialID: uuidv4(), Description: description, Status: "ENABLED",
		Config:      &klarna.ClientCertificateConfig{Usage: usage},
		Certificate: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		NotAfter:    klarna.At(tpl.NotAfter), CreatedAt: klarna.At(now),
	}}
	s.mu.Lock()
	s.st.Certs[rec.C.CredentialID] = rec
	s.mu.Unlock()
	return &rec.C, nil
}

func fingerprint(der []byte) string {
	h := sha256.Sum256(der)
	return hex.EncodeToString(h[:])
}

func (s *Sim) hListCerts(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := klarna.ClientCertificateList{Items: []klarna.ClientCertificate{}}
	for _, id := range sortedKeys(s.st.Certs) {
		if s.owns(c, id) {
			out.Items = append(out.Items, s.st.Certs[id].C)
		}
	}
	return jsonReply(200, out)
}

func (s *Sim) hCreateCert(c *rctx) *reply {
	var in klarna.ClientCertificate
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if in.Config == nil || in.Config.CertificateSigningRequest == "" {
		return invalid(vErr("config.certificate_signing_request", "is required"))
	}
	if u := in.Config.Usage; u != "" && u != "MTLS" && u != "JWT_SIGNING" {
		return invalid(vErr("config.usage", "must be MTLS or JWT_SIGNING"))
	}
	cert, err := s.IssueClientCertificate(in.Description, in.Config.Usage, in.Config.CertificateSigningRequest)
	if err != nil {
		return invalid(vErr("config.certificate_signing_request", err.Error()))
	}
	if c.partner != "" {
		s.mu.Lock()
		s.st.Owners[cert.CredentialID] = c.partner
		s.mu.Unlock()
	}
	return jsonReply(201, cert)
}

func (s *Sim) hGetCert(c *rctx) *reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id := c.r.PathValue("credential_id")
	rec := s.st.Certs[id]
	if rec == nil || !s.owns(c, id) {
		return notFound("Credential " + id)
	}
	return jsonReply(200, rec.C)
}

// hMTLS: the simulator serves plain HTTP and does not enforce mTLS.
func (s *Sim) hMTLS(c *rctx) *reply {
	return jsonReply(200, klarna.MTLSEnforcement{Status: "NOT_ENFORCED"})
}

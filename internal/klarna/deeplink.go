package klarna

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// DeepLinkSigner holds the P-256 key and the Klarna-issued client certificate
// that sign Partner Portal deep-link JWTs (README §11, §2.2).
type DeepLinkSigner struct {
	Key         *ecdsa.PrivateKey
	Certificate *x509.Certificate
}

// LoadDeepLinkSigner reads a PEM certificate and its P-256 private key.
func LoadDeepLinkSigner(certFile, keyFile string) (*DeepLinkSigner, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("klarna: deep-link signer: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("klarna: deep-link signer: %w", err)
	}
	return ParseDeepLinkSigner(certPEM, keyPEM)
}

// ParseDeepLinkSigner builds a signer from a PEM certificate and its PEM
// P-256 private key.
func ParseDeepLinkSigner(certPEM, keyPEM []byte) (*DeepLinkSigner, error) {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("klarna: deep-link signer: %w", err)
	}
	return signerFromTLS(pair)
}

func signerFromTLS(pair tls.Certificate) (*DeepLinkSigner, error) {
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok || key.Curve != elliptic.P256() {
		return nil, errors.New("klarna: deep-link signer: the key must be an EC P-256 key")
	}
	if len(pair.Certificate) == 0 {
		return nil, errors.New("klarna: deep-link signer: no certificate")
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("klarna: deep-link signer: %w", err)
	}
	return &DeepLinkSigner{Key: key, Certificate: cert}, nil
}

// NewCSR creates a PKCS#10 request (PEM) for a P-256 key, to submit with
// CreateClientCertificate. cn may be empty (README §2.2).
func NewCSR(key *ecdsa.PrivateKey, cn string) (string, error) {
	tpl := &x509.CertificateRequest{SignatureAlgorithm: x509.ECDSAWithSHA256}
	tpl.Subject.CommonName = cn
	der, err := x509.CreateCertificateRequest(nil, tpl, key)
	if err != nil {
		return "", fmt.Errorf("klarna: create CSR: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), nil
}

// DeepLinkClaims are the JWT claims of a deep link (README §11).
type DeepLinkClaims struct {
	Issuer     string   // the acquirer's own account id
	Subject    string   // the portal user's e-mail
	AccountID  string   // partner account the user gets
	OnBehalfOf string   // defaults to AccountID
	Roles      []string // e.g. merchant:admin
	AMR        []string // defaults to ["pwd"]
	Lifetime   time.Duration
	// ID is the jti; a fresh UUID when empty. Callers that audit the link
	// set it themselves so they know it.
	ID string
}

type deepLinkJWTClaims struct {
	AccountID  string   `json:"account_id"`
	OnBehalfOf string   `json:"on_behalf_of"`
	Roles      []string `json:"roles"`
	AMR        []string `json:"amr"`
	jwt.RegisteredClaims
}

// SignDeepLinkJWT mints the compact ES256 JWS with the x5c header.
func (s *DeepLinkSigner) SignDeepLinkJWT(claims DeepLinkClaims, now time.Time) (string, error) {
	if s == nil || s.Key == nil || s.Certificate == nil {
		return "", errors.New("klarna: no deep-link signer configured")
	}
	if claims.Issuer == "" || claims.Subject == "" || claims.AccountID == "" {
		return "", errors.New("klarna: deep link needs issuer, subject and account id")
	}
	if claims.OnBehalfOf == "" {
		claims.OnBehalfOf = claims.AccountID
	}
	if len(claims.AMR) == 0 {
		claims.AMR = []string{"pwd"}
	}
	if claims.Lifetime <= 0 {
		claims.Lifetime = time.Minute
	}
	if claims.ID == "" {
		claims.ID = uuid.NewString()
	}
	c := deepLinkJWTClaims{
		AccountID:  claims.AccountID,
		OnBehalfOf: claims.OnBehalfOf,
		Roles:      claims.Roles,
		AMR:        claims.AMR,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    claims.Issuer,
			Subject:   claims.Subject,
			ID:        claims.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(claims.Lifetime)),
		},
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	tok.Header["x5c"] = []string{base64.StdEncoding.EncodeToString(s.Certificate.Raw)}
	return tok.SignedString(s.Key)
}

// Fingerprint is the SHA-256 of the certificate's DER, in lower-case hex.
func (s *DeepLinkSigner) Fingerprint() string {
	h := sha256.Sum256(s.Certificate.Raw)
	return hex.EncodeToString(h[:])
}

// Signer is the deep-link signer the client was configured with (nil when
// none): its own, or the mTLS pair when that holds a P-256 key.
func (c *Client) Signer() *DeepLinkSigner { return c.signer }

// CreateDeepLink mints a deep-link JWT and exchanges it for a single-use
// Partner Portal URL (valid 60 s). Call it only when the user clicks.
func (c *Client) CreateDeepLink(ctx context.Context, claims DeepLinkClaims, opts ...CallOption) (*DeepLinkResponse, error) {
	token, err := c.signer.SignDeepLinkJWT(claims, time.Now())
	if err != nil {
		return nil, err
	}
	var out DeepLinkResponse
	err = c.do(ctx, call{op: OpCreateDeepLink, in: DeepLinkRequest{JWT: token}, out: &out}, opts)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateDeepLinkWithJWT exchanges an already signed JWT for a portal URL.
func (c *Client) CreateDeepLinkWithJWT(ctx context.Context, token string, opts ...CallOption) (*DeepLinkResponse, error) {
	var out DeepLinkResponse
	if err := c.do(ctx, call{op: OpCreateDeepLink, in: DeepLinkRequest{JWT: token}, out: &out}, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

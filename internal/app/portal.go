package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// deepLinkSigner loads the deep-link signing pair PARTNERDESK_KLARNA_DEEPLINK_*
// names (nil when unset; the client then falls back to the mTLS pair).
func deepLinkSigner(cfg *config.Config) (*klarna.DeepLinkSigner, error) {
	if cfg.KlarnaDeepLinkCert == "" {
		return nil, nil
	}
	certPEM, err := os.ReadFile(cfg.KlarnaDeepLinkCert)
	if err != nil {
		return nil, &config.FieldError{Var: config.Prefix + "KLARNA_DEEPLINK_CERT_FILE", Message: "a readable PEM certificate (" + err.Error() + ")"}
	}
	s, err := klarna.ParseDeepLinkSigner(certPEM, []byte(cfg.KlarnaDeepLinkKey))
	if err != nil {
		// The message names the problem, never the key.
		return nil, &config.FieldError{Var: config.Prefix + "KLARNA_DEEPLINK_KEY_FILE", Message: "the P-256 private key (PEM) of KLARNA_DEEPLINK_CERT_FILE: " + err.Error()}
	}
	return s, nil
}

// klarnaSettings describes Partner Desk's own Klarna credentials as status
// only: where each comes from, certificates' subjects, fingerprints and
// expiry, never a secret. signerSource says where the deep-link signer
// came from ("" when none).
func klarnaSettings(cfg *config.Config, kc *klarna.Config, kl *klarna.Client, signerSource string) func(ctx context.Context) apigen.KlarnaSettings {
	return func(ctx context.Context) apigen.KlarnaSettings {
		out := apigen.KlarnaSettings{AcquirerAccountId: cfg.KlarnaAccountID, GatewayUrl: cfg.KlarnaGatewayURL}
		out.ApiKey.Variable = config.Prefix + "KLARNA_API_KEY"
		out.ApiKey.Source = apigen.KlarnaSettingsApiKeySourceNone
		switch src := cfg.SecretSource("KLARNA_API_KEY"); {
		case kc != nil && kc.AllowSimulator && cfg.KlarnaAPIKey == "":
			out.ApiKey.Source, out.ApiKey.Variable = apigen.KlarnaSettingsApiKeySourceSimulator, "issued by the simulator (dev)"
		case src == "file":
			out.ApiKey.Source, out.ApiKey.Variable = apigen.KlarnaSettingsApiKeySourceFile, config.Prefix+"KLARNA_API_KEY_FILE"
		case src == "env":
			out.ApiKey.Source = apigen.KlarnaSettingsApiKeySourceEnv
		}
		out.ApiKey.Configured = kl != nil
		if kc != nil {
			out.GatewayUrl = kc.GatewayURL
			out.Simulator = kc.AllowSimulator
		}
		out.Mtls = apigen.CertificateStatus{}
		if kc != nil && kc.ClientCertFile != "" {
			out.Mtls.Configured, out.Mtls.Source = true, config.Prefix+"KLARNA_CLIENT_CERT_FILE"
			if b, err := os.ReadFile(kc.ClientCertFile); err != nil {
				msg := "cannot be read: " + err.Error()
				out.Mtls.Error = &msg
			} else if c, err := firstCertificate(b); err != nil {
				msg := err.Error()
				out.Mtls.Error = &msg
			} else {
				out.Mtls.Subject, out.Mtls.Issuer, out.Mtls.FingerprintSha256, out.Mtls.NotAfter = certFacts(c)
			}
		}
		out.DeepLink.Accepted = apigen.DeepLinkCertificateStatusAcceptedUnknown
		var signer *klarna.DeepLinkSigner
		if kl != nil {
			signer = kl.Signer()
		}
		if signer == nil {
			detail := "no signing certificate is configured"
			out.DeepLink.AcceptedDetail = &detail
			return out
		}
		out.DeepLink.Configured, out.DeepLink.Source = true, signerSource
		out.DeepLink.Subject, out.DeepLink.Issuer, out.DeepLink.FingerprintSha256, out.DeepLink.NotAfter = certFacts(signer.Certificate)
		accepted, detail := certificateAccepted(ctx, kl, signer.Certificate)
		out.DeepLink.Accepted, out.DeepLink.AcceptedDetail = accepted, &detail
		return out
	}
}

func firstCertificate(b []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errNoCertificate
	}
	return x509.ParseCertificate(block.Bytes)
}

type settingsError string

func (e settingsError) Error() string { return string(e) }

const errNoCertificate = settingsError("the file holds no PEM certificate")

func certFacts(c *x509.Certificate) (subject, issuer, fingerprint string, notAfter *time.Time) {
	h := sha256.Sum256(c.Raw)
	na := c.NotAfter.UTC()
	return c.Subject.String(), c.Issuer.String(), hex.EncodeToString(h[:]), &na
}

// certificateAccepted asks Klarna whether cert is among the account's
// enabled client certificates (one list call, a few seconds at most).
func certificateAccepted(ctx context.Context, kl *klarna.Client, cert *x509.Certificate) (apigen.DeepLinkCertificateStatusAccepted, string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	certs, err := kl.ListClientCertificates(ctx)
	if err != nil {
		return apigen.DeepLinkCertificateStatusAcceptedUnknown, "Klarna's list of client certificates could not be read: " + err.Error()
	}
	compared := 0
	for _, c := range certs {
		parsed, err := firstCertificate([]byte(c.Certificate))
		if err != nil {
			continue
		}
		compared++
		if !bytes.Equal(parsed.Raw, cert.Raw) {
			continue
		}
		if c.Status == "ENABLED" {
			return apigen.DeepLinkCertificateStatusAcceptedYes, "Klarna lists it as an enabled client certificate (" + c.CredentialID + ")"
		}
		return apigen.DeepLinkCertificateStatusAcceptedNo, "Klarna lists it with status " + c.Status
	}
	if compared == 0 && len(certs) > 0 {
		return apigen.DeepLinkCertificateStatusAcceptedUnknown, "Klarna's list of client certificates carries no certificate to compare with"
	}
	return apigen.DeepLinkCertificateStatusAcceptedNo, "Klarna does not list it among the account's client certificates"
}

package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// Where dev keeps its deep-link signing pair.
const (
	devDeepLinkKeyFile  = "klarna-deeplink-key.pem"
	devDeepLinkCertFile = "klarna-deeplink-cert.pem"
)

// devDeepLinkSigner is dev's Portal deep-link signer: a P-256 key made once
// under dataDir (mode 0600) and a certificate the simulator issued for it,
// kept beside it and reused while the simulator still holds it as an
// enabled client certificate; otherwise (a wiped simulator, an expired
// certificate) the simulator issues a new one for the same key.
func devDeepLinkSigner(dataDir string, sim *klarnasim.Sim) (*klarna.DeepLinkSigner, error) {
	keyPath, certPath := filepath.Join(dataDir, devDeepLinkKeyFile), filepath.Join(dataDir, devDeepLinkCertFile)
	key, err := loadOrCreateP256(keyPath)
	if err != nil {
		return nil, fmt.Errorf("deep-link signing key %s: %w", keyPath, err)
	}
	keyPEM, err := marshalKey(key)
	if err != nil {
		return nil, err
	}
	if certPEM, err := os.ReadFile(certPath); err == nil {
		s, err := klarna.ParseDeepLinkSigner(certPEM, keyPEM)
		if err == nil && sim.CertificateRegistered(s.Certificate.Raw) && sim.Clock().Now().Before(s.Certificate.NotAfter) {
			return s, nil
		}
	}
	csr, err := klarna.NewCSR(key, "")
	if err != nil {
		return nil, err
	}
	c, err := sim.IssueClientCertificate("Partner Desk deep links (dev)", "JWT_SIGNING", csr)
	if err != nil {
		return nil, fmt.Errorf("deep-link certificate from the simulator: %w", err)
	}
	if err := os.WriteFile(certPath, []byte(c.Certificate), 0o644); err != nil {
		return nil, fmt.Errorf("deep-link certificate %s: %w", certPath, err)
	}
	return klarna.ParseDeepLinkSigner([]byte(c.Certificate), keyPEM)
}

func loadOrCreateP256(path string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		block, _ := pem.Decode(b)
		if block == nil || !strings.HasSuffix(block.Type, "PRIVATE KEY") {
			return nil, errors.New("not a PEM private key (delete it to have a new one made)")
		}
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil || k.Curve != elliptic.P256() {
			return nil, errors.New("not an EC P-256 key (delete it to have a new one made)")
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	pemBytes, err := marshalKey(k)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		return nil, err
	}
	return k, nil
}

func marshalKey(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

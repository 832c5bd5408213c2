// Package secretbox encrypts the secrets Partner Desk must keep (webhook
// signing keys, later client keys) with AES-256-GCM under a key from
// configuration.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Box seals and opens secrets.
type Box struct{ aead cipher.AEAD }

// version prefixes each ciphertext so the format can change later.
const version = 1

// New builds a box from a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secretbox: the key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// ParseKey decodes a base64 key (standard or URL alphabet, padded or not).
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	return nil, errors.New("32 random bytes in base64, e.g. from `openssl rand -base64 32`")
}

// Seal encrypts plaintext; context binds the ciphertext to its use (e.g. the
// signing key id), so a ciphertext copied to another row does not open.
func (b *Box) Seal(plaintext []byte, context string) []byte {
	nonce := make([]byte, b.aead.NonceSize(), 1+b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	_, _ = rand.Read(nonce)
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, plaintext, []byte(context))
}

// Open decrypts what Seal produced with the same context.
func (b *Box) Open(ciphertext []byte, context string) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(ciphertext) < 1+n+b.aead.Overhead() || ciphertext[0] != version {
		return nil, errors.New("secretbox: not a sealed secret")
	}
	pt, err := b.aead.Open(nil, ciphertext[1:1+n], ciphertext[1+n:], []byte(context))
	if err != nil {
		return nil, errors.New("secretbox: cannot open (wrong key or tampered)")
	}
	return pt, nil
}

// DevKey returns the key kept in dir/encryption.key, creating it on first
// use; `partnerdesk dev` uses it so nothing needs configuring.
func DevKey(dir string) ([]byte, error) {
	p := filepath.Join(dir, "encryption.key")
	if b, err := os.ReadFile(p); err == nil {
		return ParseKey(string(b))
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(p, []byte(base64.StdEncoding.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("secretbox: write %s: %w", p, err)
	}
	return k, nil
}

package oidctest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// signingKey is one RS256 key. retired is zero for the active key.
type signingKey struct {
	kid     string
	priv    *rsa.PrivateKey
	signers map[string]jose.Signer // by JWT "typ" header
	retired time.Time
}

// JWT "typ" header values: ID tokens are plain JWTs, access tokens follow
// RFC 9068.
const (
	typIDToken     = "JWT"
	typAccessToken = "at+jwt"
)

// keyRing holds the active signing key and the retired ones still published
// for their grace period.
type keyRing struct {
	mu    sync.RWMutex
	now   func() time.Time
	grace time.Duration
	keys  []*signingKey // last is active
}

func newSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: &priv.PublicKey}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("signing key thumbprint: %w", err)
	}
	kid := base64.RawURLEncoding.EncodeToString(tp)[:16]
	k := &signingKey{kid: kid, priv: priv, signers: map[string]jose.Signer{}}
	for _, typ := range []string{typIDToken, typAccessToken} {
		signer, err := jose.NewSigner(
			jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
			(&jose.SignerOptions{}).WithType(jose.ContentType(typ)),
		)
		if err != nil {
			return nil, fmt.Errorf("signing key signer: %w", err)
		}
		k.signers[typ] = signer
	}
	return k, nil
}

// rotate makes a fresh key active and retires the previous one.
func (r *keyRing) rotate() error {
	k, err := newSigningKey()
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if n := len(r.keys); n > 0 {
		r.keys[n-1].retired = now
	}
	// Drop retired keys whose grace period is over.
	kept := r.keys[:0]
	for _, old := range r.keys {
		if now.Sub(old.retired) < r.grace {
			kept = append(kept, old)
		}
	}
	r.keys = append(kept, k)
	return nil
}

// published returns the keys currently in the JWKS (active last).
func (r *keyRing) published() []*signingKey {
	r.mu.RLock()
	defer r.mu.RUnlock()
	now := r.now()
	out := make([]*signingKey, 0, len(r.keys))
	for _, k := range r.keys {
		if k.retired.IsZero() || now.Sub(k.retired) < r.grace {
			out = append(out, k)
		}
	}
	return out
}

func (r *keyRing) active() *signingKey {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.keys[len(r.keys)-1]
}

// jwks renders the public keys as a JSON Web Key Set.
func (r *keyRing) jwks() jose.JSONWebKeySet {
	var set jose.JSONWebKeySet
	for _, k := range r.published() {
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: string(jose.RS256), Use: "sig",
		})
	}
	return set
}

// sign serialises claims as a compact JWS of type typ with the active key.
func (r *keyRing) sign(typ string, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	jws, err := r.active().signers[typ].Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return jws.CompactSerialize()
}

var errBadToken = errors.New("token signature invalid or key unknown")

// verify checks a compact JWS of type typ against the published keys and
// decodes its payload into claims. Expiry and audience are the caller's
// business.
func (r *keyRing) verify(token, typ string, claims any) error {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return errBadToken
	}
	if got, _ := jws.Signatures[0].Header.ExtraHeaders[jose.HeaderType].(string); got != typ {
		return errBadToken
	}
	kid := jws.Signatures[0].Header.KeyID
	for _, k := range r.published() {
		if k.kid != kid {
			continue
		}
		payload, err := jws.Verify(&k.priv.PublicKey)
		if err != nil {
			return errBadToken
		}
		if err := json.Unmarshal(payload, claims); err != nil {
			return fmt.Errorf("decode token claims: %w", err)
		}
		return nil
	}
	return errBadToken
}

package klarnasim

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Deep link rules (README §11).
const (
	deepLinkTTL      = 60 * time.Second
	portalPathPrefix = "/portal/deep-link/"
)

type deepLinkClaims struct {
	AccountID  string   `json:"account_id"`
	OnBehalfOf string   `json:"on_behalf_of"`
	Roles      []string `json:"roles"`
	AMR        []string `json:"amr"`
	jwt.RegisteredClaims
}

// hCreateDeepLink verifies the ES256 JWT against a registered client
// certificate (x5c) and returns a single-use portal URL valid 60 s.
func (s *Sim) hCreateDeepLink(c *rctx) *reply {
	var in klarna.DeepLinkRequest
	if rp := decodeJSON(c, &in); rp != nil {
		return rp
	}
	if in.JWT == "" {
		return invalid(vErr("jwt", "is required"))
	}
	now := s.clock.Now()
	var claims deepLinkClaims
	_, err := jwt.ParseWithClaims(in.JWT, &claims, func(t *jwt.Token) (any, error) {
		x5c, _ := t.Header["x5c"].([]any)
		if len(x5c) == 0 {
			return nil, errors.New("x5c header is required")
		}
		b64, _ := x5c[0].(string)
		der, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, errors.New("x5c[0] is not base64 DER")
		}
		if !s.CertificateRegistered(der) {
			return nil, errors.New("the x5c certificate is not a registered client certificate")
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
		if !ok {
			return nil, errors.New("certificate key is not EC")
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(30*time.Second))
	if err != nil {
		return invalid(vErr("jwt", err.Error()))
	}
	var ve []klarna.ValidationError
	if len(claims.AMR) == 0 {
		ve = append(ve, vErr("jwt.amr", "is required"))
	}
	if claims.Subject == "" {
		ve = append(ve, vErr("jwt.sub", "is required"))
	}
	if claims.Issuer == "" {
		ve = append(ve, vErr("jwt.iss", "is required"))
	} else if claims.Issuer != s.opts.AcquirerAccountID {
		ve = append(ve, vErr("jwt.iss", "must be your own account id ("+s.opts.AcquirerAccountID+")"))
	}
	if claims.ID == "" {
		ve = append(ve, vErr("jwt.jti", "is required"))
	}
	if claims.IssuedAt == nil || claims.ExpiresAt.Sub(claims.IssuedAt.Time) > maxJWTLifetime {
		ve = append(ve, vErr("jwt.exp", "the token lifetime must be at most 5 minutes"))
	}
	if claims.AccountID == "" {
		ve = append(ve, vErr("jwt.account_id", "is required"))
	}
	if len(claims.Roles) == 0 {
		ve = append(ve, vErr("jwt.roles", "is required"))
	}
	if len(ve) > 0 {
		return invalid(ve...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, used := s.st.UsedJTIs[claims.ID]; used {
		return conflict("The JWT id (jti) was already used")
	}
	a := s.st.Accounts[claims.AccountID]
	if a == nil {
		return kerr(403, klarna.ErrTypeResource, klarna.CodeOperationForbidden, "The account in the token was not onboarded by you")
	}
	if a.A.State == klarna.AccountDisabled { // answer UNCONFIRMED: Klarna's docs do not say
		return kerr(403, klarna.ErrTypeResource, klarna.CodeOperationForbidden, "The account in the token is disabled")
	}
	s.st.UsedJTIs[claims.ID] = claims.ExpiresAt.Time
	tok := randHex(16)
	s.st.DeepLinks[tok] = &deepLink{Token: tok, AccountID: a.A.PartnerAccountID, Subject: claims.Subject, Roles: claims.Roles, AMR: claims.AMR, Expires: now.Add(deepLinkTTL)}
	for k, dl := range s.st.DeepLinks { // forget expired links
		if now.Sub(dl.Expires) > time.Hour {
			delete(s.st.DeepLinks, k)
		}
	}
	return jsonReply(200, klarna.DeepLinkResponse{URL: c.base + portalPathPrefix + tok})
}

var portalTmpl = template.Must(template.New("p").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;margin:3rem;max-width:40rem;color:#17120f}h1{font-size:1.6rem}.note{color:#6b6560}dt{color:#6b6560;font-size:.9rem;margin-top:.6rem}dd{margin:0}</style></head>
<body><h1>{{.Title}}</h1>
{{if .OK}}<dl>
<dt>Partner</dt><dd id="partner"><strong>{{.Name}}</strong> (<code>{{.AccountID}}</code>), state {{.State}}</dd>
<dt>User</dt><dd id="user"><strong>{{.Subject}}</strong></dd>
<dt>Roles</dt><dd id="roles">{{range $i, $r := .Roles}}{{if $i}}, {{end}}<code>{{$r}}</code>{{end}}</dd>
<dt>Authenticated by (amr)</dt><dd id="amr">{{range $i, $r := .AMR}}{{if $i}}, {{end}}<code>{{$r}}</code>{{end}}</dd>
</dl>
<p class="note">This page stands in for the Klarna Partner Portal. Sessions end after 8 hours of inactivity.</p>
{{else}}<p id="message">{{.Message}}</p><p class="note">Deep links are single-use and valid for 60 seconds. Open the portal again from your dashboard.</p>{{end}}
</body></html>`))

// portalPage is what a browser following a deep link sees.
func (s *Sim) portalPage(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	now := s.clock.Now()
	s.mu.Lock()
	dl := s.st.DeepLinks[tok]
	data := map[string]any{"Title": "Klarna Partner Portal (simulator)"}
	status := http.StatusOK
	switch {
	case dl == nil:
		status, data["Message"] = http.StatusNotFound, "This link is not valid."
	case dl.Used:
		status, data["Message"] = http.StatusGone, "This link was already used."
	case now.After(dl.Expires):
		status, data["Message"] = http.StatusGone, "This link has expired."
	default:
		dl.Used = true
		a := s.st.Accounts[dl.AccountID]
		data["OK"], data["Subject"], data["Roles"], data["AMR"], data["AccountID"] = true, dl.Subject, dl.Roles, dl.AMR, dl.AccountID
		if a != nil {
			data["Name"], data["State"] = a.A.PartnerAccountName, a.A.State
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := portalTmpl.Execute(w, data); err != nil {
		fmt.Fprint(w, "portal error")
	}
}

// CertificateRegistered tells whether der is an enabled client certificate
// the simulator issued, i.e. one whose deep-link JWTs it accepts.
func (s *Sim) CertificateRegistered(der []byte) bool {
	fp := fingerprint(der)
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, rec := range s.st.Certs {
		if rec.Fingerprint == fp && rec.C.Status == "ENABLED" {
			return true
		}
	}
	return false
}

// AcquirerAccountID is the acquirer's own account: the iss deep-link JWTs
// must carry.
func (s *Sim) AcquirerAccountID() string { return s.opts.AcquirerAccountID }

package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/idem"
)

type captureWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// withholdKey is set by a handler whose answer carries a secret (a new API
// token): the idempotency store then keeps only that fact, never the body,
// and a replay is refused with 409 instead of showing the secret again.
const withholdKey = "pd.withhold_answer"

// idempotent makes a mutation safe to retry: with an Idempotency-Key header
// the first answer is stored, a retry with the same body gets it replayed
// (Idempotent-Replayed: true) and a reuse with another body gets 409.
func (s *server) idempotent(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" || s.opts.Idempotency == nil {
		c.Next()
		return
	}
	if len(key) > 200 {
		writeProblem(c, apperr.Validation("The Idempotency-Key header is too long.", apperr.FieldError{Field: "Idempotency-Key", Message: "at most 200 characters"}))
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		writeProblem(c, apperr.E(apperr.TooLarge, "The request body is too large."))
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	h := sha256.New()
	h.Write([]byte(c.Request.Method + " " + c.Request.URL.Path + "\n"))
	h.Write(body)
	p := principalOf(c)
	who := "user:" + p.User.ID.String()
	ctx := c.Request.Context()
	prev, err := s.opts.Idempotency.Begin(ctx, who, key, c.Request.Method, c.Request.URL.Path, h.Sum(nil))
	if err != nil {
		writeProblem(c, err)
		return
	}
	if prev != nil && prev.Withheld {
		writeProblem(c, apperr.E(apperr.Conflict, "The request with this Idempotency-Key already succeeded and returned a secret, which is shown only once and never kept. Find what it created in its list (API tokens: GET /api/v1/tokens; a partner's Klarna API keys: GET /api/v1/tenants/{tenant}/credentials) and revoke or disable it if you lost the secret; create a new one with a new key."))
		return
	}
	if prev != nil {
		c.Header("Idempotent-Replayed", "true")
		if prev.ContentType != "" {
			c.Header("Content-Type", prev.ContentType)
		}
		c.Status(prev.Status)
		_, _ = c.Writer.Write(prev.Body)
		c.Abort()
		return
	}
	cw := &captureWriter{ResponseWriter: c.Writer}
	c.Writer = cw
	c.Next()
	st := cw.Status()
	if st >= 500 || st == http.StatusUnauthorized || st == http.StatusTooManyRequests {
		s.opts.Idempotency.Release(context.WithoutCancel(ctx), who, key) // may succeed on retry
		return
	}
	r := idem.Response{Status: st, ContentType: cw.Header().Get("Content-Type"), Body: cw.buf.Bytes()}
	if c.GetBool(withholdKey) {
		r = idem.Response{Status: st, Withheld: true}
	}
	if err := s.opts.Idempotency.Complete(context.WithoutCancel(ctx), who, key, r); err != nil {
		loggerFrom(c).Error("storing idempotent response", "error", err)
	}
}

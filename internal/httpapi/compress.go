package httpapi

import (
	"compress/gzip"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// compressMinBytes is the smallest JSON body worth compressing: below it the
// gzip framing and the CPU cost outweigh the bytes saved.
const compressMinBytes = 1024

// acceptsEncoding reports whether an Accept-Encoding header allows coding
// (e.g. "gzip", "br"): named with a q above zero, or covered by "*" without
// being refused by name.
func acceptsEncoding(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		ok := qualityAboveZero(params)
		if name == coding {
			return ok
		}
		star = ok
	}
	return star
}

// qualityAboveZero reads the q parameter of one Accept-Encoding element
// (";q=0.5"); no q means 1.
func qualityAboveZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err == nil && q > 0
	}
	return true
}

// compressibleType reports whether a response of this Content-Type is
// compressed on the fly: JSON and problem+json only. Everything else (the
// SPA's files, which come precompressed, CSV exports, which stream) passes
// through untouched.
func compressibleType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || mt == "application/problem+json"
}

var gzipWriters = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}

// compressJSON gzips JSON responses of at least compressMinBytes for clients
// that accept gzip. A body is held back until it reaches the threshold (or the
// handler ends or flushes), so small answers go out as they are, with their
// length. Responses that already carry a Content-Encoding, and every
// non-JSON type, are not touched.
func compressJSON() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Method == http.MethodHead || !acceptsEncoding(c.GetHeader("Accept-Encoding"), "gzip") {
			c.Next()
			return
		}
		w := &compressWriter{ResponseWriter: c.Writer}
		c.Writer = w
		defer w.finish()
		c.Next()
	}
}

type compressMode int

const (
	undecided   compressMode = iota
	buffering                // a JSON body below the threshold so far
	compressing              // gzip started
	passthrough              // not compressed
)

// compressWriter decides at the first write whether to compress, from the
// headers the handler set by then.
type compressWriter struct {
	gin.ResponseWriter
	mode compressMode
	buf  []byte
	gz   *gzip.Writer
}

func (w *compressWriter) decide() {
	if w.mode != undecided {
		return
	}
	h := w.Header()
	status := w.Status()
	if h.Get("Content-Encoding") != "" || !compressibleType(h.Get("Content-Type")) ||
		status == http.StatusNoContent || status == http.StatusNotModified || status < 200 {
		w.mode = passthrough
		return
	}
	h.Add("Vary", "Accept-Encoding")
	w.mode = buffering
}

func (w *compressWriter) startGzip() error {
	h := w.Header()
	h.Set("Content-Encoding", "gzip")
	h.Del("Content-Length")
	gz, _ := gzipWriters.Get().(*gzip.Writer)
	gz.Reset(w.ResponseWriter)
	w.gz, w.mode = gz, compressing
	buf := w.buf
	w.buf = nil
	_, err := gz.Write(buf)
	return err
}

func (w *compressWriter) Write(p []byte) (int, error) {
	w.decide()
	switch w.mode {
	case buffering:
		w.buf = append(w.buf, p...)
		if len(w.buf) >= compressMinBytes {
			if err := w.startGzip(); err != nil {
				return 0, err
			}
		}
		return len(p), nil
	case compressing:
		return w.gz.Write(p)
	default:
		return w.ResponseWriter.Write(p)
	}
}

func (w *compressWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// WriteHeaderNow sends the headers without a body: nothing left to compress.
func (w *compressWriter) WriteHeaderNow() {
	if w.mode == undecided {
		w.mode = passthrough
	}
	if w.mode == passthrough {
		w.ResponseWriter.WriteHeaderNow()
	}
}

// Written is true once the handler wrote something, even if it is held back.
func (w *compressWriter) Written() bool {
	return w.mode == buffering || w.ResponseWriter.Written()
}

// Flush sends what is held back now: a handler that flushes wants it seen.
func (w *compressWriter) Flush() {
	if w.mode == buffering {
		_ = w.startGzip()
	}
	if w.mode == compressing {
		_ = w.gz.Flush()
	}
	w.ResponseWriter.Flush()
}

// finish writes a body that stayed below the threshold as it is, or ends the
// gzip stream.
func (w *compressWriter) finish() {
	switch w.mode {
	case buffering:
		w.Header().Set("Content-Length", strconv.Itoa(len(w.buf)))
		_, _ = w.ResponseWriter.Write(w.buf)
	case compressing:
		_ = w.gz.Close()
		w.gz.Reset(nil)
		gzipWriters.Put(w.gz)
		w.gz = nil
	}
}

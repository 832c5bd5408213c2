package httpapi

import (
	"bytes"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// Cache lifetimes: files under assets/ carry a content hash in their name,
// so they never change; everything else (index.html, the SPA fallback,
// color-scheme.js, the favicon) is revalidated on every use.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// precompressed lists the encodings the UI build writes next to each file
// (scripts/compress-dist.mjs), best first.
var precompressed = []struct{ coding, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// spaHandler serves the SPA's files; unknown paths get index.html so client
// routes work on reload. A file is sent as its precompressed .br or .gz twin
// when the client accepts that encoding. Hashed assets are cached for a year,
// index.html never without revalidation.
func spaHandler(files fs.FS) gin.HandlerFunc {
	return func(c *gin.Context) {
		name := strings.TrimPrefix(path.Clean(c.Request.URL.Path), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(files, name); err == nil && !st.IsDir() {
				cache := cacheRevalidate
				if strings.HasPrefix(name, "assets/") {
					cache = cacheImmutable
				}
				serveFile(c, files, name, cache)
				return
			}
			if path.Ext(name) != "" {
				writeProblem(c, apperr.E(apperr.NotFound, "No such file: /%s", name))
				return
			}
		}
		if _, err := fs.Stat(files, "index.html"); err != nil {
			writeProblem(c, apperr.Wrap(err, apperr.Internal, "The user interface is missing from this build."))
			return
		}
		serveFile(c, files, "index.html", cacheRevalidate)
	}
}

// serveFile sends one file (or its precompressed twin) with its type, length
// and cache lifetime. A plain file goes through http.ServeContent (HEAD and
// Range requests); a compressed one is sent whole.
func serveFile(c *gin.Context, files fs.FS, name, cache string) {
	h := c.Writer.Header()
	send, coding, varies := name, "", false
	accept := c.GetHeader("Accept-Encoding")
	for _, p := range precompressed {
		if st, err := fs.Stat(files, name+p.ext); err != nil || st.IsDir() {
			continue
		}
		// A compressed twin exists: caches must key on Accept-Encoding.
		if !varies {
			h.Add("Vary", "Accept-Encoding")
			varies = true
		}
		if coding == "" && acceptsEncoding(accept, p.coding) {
			send, coding = name+p.ext, p.coding
		}
	}
	body, err := fs.ReadFile(files, send)
	if err != nil {
		writeProblem(c, apperr.Wrap(err, apperr.Internal, "Could not read /"+name+"."))
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	if name == "index.html" {
		ctype = "text/html; charset=utf-8"
	}
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cache)
	if coding == "" {
		http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(body))
		return
	}
	// http.ServeContent leaves out the length of an encoded body; it is known.
	h.Set("Content-Encoding", coding)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(http.StatusOK)
	if c.Request.Method != http.MethodHead {
		_, _ = c.Writer.Write(body)
	}
}

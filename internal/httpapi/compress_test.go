package httpapi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// A built UI as scripts/compress-dist.mjs leaves it: hashed assets with .br
// and .gz twins (their bytes only need to differ here), a small file
// without twins, and index.html with twins.
func builtUI() fstest.MapFS {
	return fstest.MapFS{
		"index.html":            {Data: []byte(`<!doctype html><div id="root"></div>`)},
		"index.html.br":         {Data: []byte("BR-INDEX")},
		"index.html.gz":         {Data: []byte("GZ-INDEX")},
		"assets/app-1a2b.js":    {Data: []byte("console.log('plain javascript, long enough to compress')")},
		"assets/app-1a2b.js.br": {Data: []byte("BR-APP")},
		"assets/app-1a2b.js.gz": {Data: []byte("GZ-APP!")},
		"assets/app-1a2b.css":   {Data: []byte("body{}")},
		"color-scheme.js":       {Data: []byte("/* scheme */")},
	}
}

func uiEngine(t *testing.T) *gin.Engine {
	t.Helper()
	h, err := New(Options{
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry:     prometheus.NewRegistry(),
		DB:           fakeDB{},
		UI:           builtUI(),
		MaxBodyBytes: 1024,
		Version:      "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return h.(*gin.Engine)
}

func get(t *testing.T, h http.Handler, path, acceptEncoding string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestSPAServesPrecompressedAssetsByAcceptEncoding(t *testing.T) {
	e := uiEngine(t)
	for _, tc := range []struct {
		name, accept, wantBody, wantEncoding string
	}{
		{"Brotli", "gzip, deflate, br, zstd", "BR-APP", "br"},
		{"GzipOnly", "gzip", "GZ-APP!", "gzip"},
		{"BrotliRefused", "br;q=0, gzip;q=0.8", "GZ-APP!", "gzip"},
		{"Star", "*", "BR-APP", "br"},
		{"NoHeader", "", "console.log('plain javascript, long enough to compress')", ""},
		{"Identity", "identity", "console.log('plain javascript, long enough to compress')", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := get(t, e, "/assets/app-1a2b.js", tc.accept)
			if w.Code != 200 || w.Body.String() != tc.wantBody {
				t.Fatalf("got %d %q, want the %q file", w.Code, w.Body.String(), tc.wantBody)
			}
			h := w.Header()
			if h.Get("Content-Encoding") != tc.wantEncoding {
				t.Errorf("Content-Encoding %q, want %q", h.Get("Content-Encoding"), tc.wantEncoding)
			}
			if h.Get("Content-Type") != "text/javascript; charset=utf-8" {
				t.Errorf("Content-Type %q: the type of the file, not of its compressed twin", h.Get("Content-Type"))
			}
			if h.Get("Content-Length") != strconv.Itoa(len(tc.wantBody)) {
				t.Errorf("Content-Length %q for %d bytes sent", h.Get("Content-Length"), len(tc.wantBody))
			}
			if h.Get("Vary") != "Accept-Encoding" {
				t.Errorf("Vary %q: caches would hand brotli to clients that cannot read it", h.Values("Vary"))
			}
			if h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control %q for a hashed asset", h.Get("Cache-Control"))
			}
		})
	}
}

func TestSPAFallbackIsCompressedAndRevalidated(t *testing.T) {
	e := uiEngine(t)
	for _, p := range []string{"/", "/index.html", "/settings/tokens"} {
		w := get(t, e, p, "br")
		h := w.Header()
		if w.Code != 200 || w.Body.String() != "BR-INDEX" || h.Get("Content-Encoding") != "br" {
			t.Errorf("%s: got %d %q (encoding %q), want index.html.br", p, w.Code, w.Body.String(), h.Get("Content-Encoding"))
		}
		if h.Get("Content-Type") != "text/html; charset=utf-8" || h.Get("Cache-Control") != "no-cache" || h.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: headers %v", p, h)
		}
	}
	if w := get(t, e, "/partners", ""); w.Body.String() != `<!doctype html><div id="root"></div>` || w.Header().Get("Content-Encoding") != "" {
		t.Errorf("without Accept-Encoding: got %q (encoding %q), want the plain index.html", w.Body.String(), w.Header().Get("Content-Encoding"))
	}
}

func TestSPAFileWithoutTwinIsPlainAndNotImmutable(t *testing.T) {
	e := uiEngine(t)
	w := get(t, e, "/color-scheme.js", "br, gzip")
	h := w.Header()
	if w.Body.String() != "/* scheme */" || h.Get("Content-Encoding") != "" || h.Get("Vary") != "" {
		t.Errorf("got %q, encoding %q, vary %q", w.Body.String(), h.Get("Content-Encoding"), h.Get("Vary"))
	}
	// Not hashed: it may change with the next release.
	if h.Get("Cache-Control") != "no-cache" {
		t.Errorf("Cache-Control %q for a file without a hash in its name", h.Get("Cache-Control"))
	}
	if w := get(t, e, "/assets/missing-0000.js", "br"); w.Code != 404 {
		t.Errorf("missing asset: %d, want 404", w.Code)
	}
}

func bigJSON() string {
	return `{"items":[` + strings.Repeat(`{"name":"Aurora Outfitters","status":"processed"},`, 100) + `{}]}`
}

func TestJSONIsGzippedWhenAsked(t *testing.T) {
	e := uiEngine(t)
	body := bigJSON()
	e.GET("/api/v1/big", func(c *gin.Context) { c.Data(200, "application/json", []byte(body)) })

	w := get(t, e, "/api/v1/big", "gzip, br")
	if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers %v, want gzip with Vary", w.Header())
	}
	if w.Header().Get("Content-Length") != "" {
		t.Errorf("Content-Length %q left from the uncompressed body", w.Header().Get("Content-Length"))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || string(plain) != body {
		t.Fatalf("decompressed %d bytes (%v), want the JSON sent", len(plain), err)
	}
	if w.Body.Len() > len(body)/4 {
		t.Errorf("compressed %d bytes to %d", len(body), w.Body.Len())
	}

	plainW := get(t, e, "/api/v1/big", "")
	if plainW.Header().Get("Content-Encoding") != "" || plainW.Body.String() != body {
		t.Errorf("without Accept-Encoding: encoding %q, %d bytes", plainW.Header().Get("Content-Encoding"), plainW.Body.Len())
	}
	if refused := get(t, e, "/api/v1/big", "gzip;q=0"); refused.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still got gzip")
	}
}

func TestProblemsAreGzippedAndSmallJSONIsNot(t *testing.T) {
	e := uiEngine(t)
	e.GET("/api/v1/small", func(c *gin.Context) { c.JSON(200, gin.H{"ok": true}) })
	w := get(t, e, "/api/v1/small", "gzip")
	if w.Header().Get("Content-Encoding") != "" || w.Body.String() != `{"ok":true}` {
		t.Errorf("small JSON: encoding %q, body %q", w.Header().Get("Content-Encoding"), w.Body.String())
	}
	if w.Header().Get("Content-Length") != strconv.Itoa(len(`{"ok":true}`)) {
		t.Errorf("small JSON: Content-Length %q", w.Header().Get("Content-Length"))
	}
	// A 404 problem for an unknown API path is small; a long one compresses.
	e.GET("/api/v1/bad", func(c *gin.Context) {
		c.Data(400, "application/problem+json", []byte(`{"title":"`+strings.Repeat("x", 2000)+`"}`))
	})
	if w := get(t, e, "/api/v1/bad", "gzip"); w.Code != 400 || w.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("large problem: %d, encoding %q", w.Code, w.Header().Get("Content-Encoding"))
	}
}

func TestAlreadyCompressedAndNonJSONDownloadsAreUntouched(t *testing.T) {
	e := uiEngine(t)
	gz := func() []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write([]byte(bigJSON()))
		_ = zw.Close()
		return b.Bytes()
	}()
	e.GET("/api/v1/export.json.gz", func(c *gin.Context) {
		c.Header("Content-Encoding", "gzip")
		c.Data(200, "application/json", gz)
	})
	e.GET("/api/v1/archive", func(c *gin.Context) { c.Data(200, "application/zip", bytes.Repeat([]byte("PK"), 2000)) })

	if w := get(t, e, "/api/v1/export.json.gz", "gzip"); !bytes.Equal(w.Body.Bytes(), gz) {
		t.Errorf("a body already gzipped was changed (%d bytes, want %d)", w.Body.Len(), len(gz))
	}
	if w := get(t, e, "/api/v1/archive", "gzip"); w.Header().Get("Content-Encoding") != "" || w.Body.Len() != 4000 {
		t.Errorf("zip download: encoding %q, %d bytes", w.Header().Get("Content-Encoding"), w.Body.Len())
	}
}

// A CSV export flushes rows as it goes; the client must see the first row
// while the handler is still writing (no buffering, no compression).
func TestCSVExportKeepsStreaming(t *testing.T) {
	e := uiEngine(t)
	firstRowRead := make(chan struct{})
	e.GET("/api/v1/export.csv", func(c *gin.Context) {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Status(200)
		_, _ = c.Writer.WriteString("id,name\n")
		c.Writer.Flush()
		<-firstRowRead
		_, _ = c.Writer.WriteString(strings.Repeat("1,Aurora Outfitters\n", 500))
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/export.csv", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := srv.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.Header.Get("Content-Encoding") != "" {
		t.Errorf("CSV export got Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	r := bufio.NewReader(res.Body)
	line, err := r.ReadString('\n')
	if err != nil || line != "id,name\n" {
		t.Fatalf("first row %q, %v", line, err)
	}
	close(firstRowRead)
	rest, err := io.ReadAll(r)
	if err != nil || strings.Count(string(rest), "\n") != 500 {
		t.Fatalf("rest: %d bytes, %v", len(rest), err)
	}
}

func TestAcceptsEncoding(t *testing.T) {
	for _, tc := range []struct {
		header, coding string
		want           bool
	}{
		{"gzip, deflate, br", "br", true},
		{"GZIP", "gzip", true},
		{"br;q=0", "br", false},
		{"br; q=0.0, *", "br", false},
		{"*;q=0.1", "gzip", true},
		{"*;q=0", "gzip", false},
		{"deflate", "gzip", false},
		{"", "gzip", false},
		{"x-gzip", "gzip", false},
	} {
		if got := acceptsEncoding(tc.header, tc.coding); got != tc.want {
			t.Errorf("acceptsEncoding(%q, %q) = %v, want %v", tc.header, tc.coding, got, tc.want)
		}
	}
}

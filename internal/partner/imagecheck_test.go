package partner

import (
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func imageServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/logo.png", func(w http.ResponseWriter, r *http.Request) {
		_ = png.Encode(w, image.NewRGBA(image.Rect(0, 0, 2, 2))) // no Content-Type: sniffed
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>hi</html>"))
	})
	mux.HandleFunc("/gone.png", http.NotFound)
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://10.0.0.1/secret.png", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestImageCheck_AllowedHostAnswersEachStatus(t *testing.T) {
	srv := imageServer(t)
	ic := &ImageChecker{Allow: []string{strings.TrimPrefix(srv.URL, "http://")}}
	ctx := context.Background()
	for path, want := range map[string]ImageStatus{"/logo.png": ImageReachable, "/page": ImageNotAnImage, "/gone.png": ImageUnreachable} {
		if got := ic.Check(ctx, srv.URL+path); got.Status != want {
			t.Errorf("%s: %+v, want %s", path, got, want)
		}
	}
}

func TestImageCheck_RefusesPrivateAddressesAndRedirectsToThem(t *testing.T) {
	srv := imageServer(t)
	ctx := context.Background()
	// Not allowed: the loopback test server itself is refused.
	strict := &ImageChecker{}
	if got := strict.Check(ctx, srv.URL+"/logo.png"); got.Status != ImageUnreachable || !strings.Contains(got.Message, "public internet") {
		t.Fatalf("loopback: %+v", got)
	}
	// A name that resolves to a private address is refused after DNS.
	viaDNS := &ImageChecker{resolve: func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("192.168.1.10")}, nil
	}}
	if got := viaDNS.Check(ctx, "http://images.example/logo.png"); got.Status != ImageUnreachable || !strings.Contains(got.Message, "public internet") {
		t.Fatalf("private via DNS: %+v", got)
	}
	// An allowed host redirecting to a private address: the redirect is not followed there.
	allowed := &ImageChecker{Allow: []string{strings.TrimPrefix(srv.URL, "http://")}}
	if got := allowed.Check(ctx, srv.URL+"/redirect"); got.Status != ImageUnreachable {
		t.Fatalf("redirect to private: %+v", got)
	}
	if got := allowed.Check(ctx, "ftp://x.example/a.png"); got.Status != ImageUnreachable {
		t.Fatalf("ftp: %+v", got)
	}
}

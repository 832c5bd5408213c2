package oidctest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// TB is the subset of testing.TB that Start needs; any *testing.T or
// *testing.B satisfies it. Declaring it here keeps the testing package out
// of binaries that embed the provider (partnerdesk dev, dev-idp).
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Start runs a Provider on an HTTP server listening on 127.0.0.1:0 for the
// duration of the test and returns it. opts.Issuer is set to the server's
// URL (any value given is ignored). The server closes at test cleanup.
func Start(t TB, opts Options) *Provider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("oidctest.Start: listen: %v", err)
	}
	opts.Issuer = "http://" + ln.Addr().String()
	p, err := New(opts)
	if err != nil {
		ln.Close()
		t.Fatalf("oidctest.Start: %v", err)
	}
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.log.Error("oidctest server stopped", "err", err)
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
		<-done
	})
	return p
}

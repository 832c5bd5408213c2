package cli

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnerdesk/partnerdesk/internal/testsupport"
)

// testsupport.LogBuffer is a goroutine-safe output sink.
var issuerLine = regexp.MustCompile(`(?m)^issuer:\s+(\S+)$`)

// startDevIdP runs `partnerdesk dev-idp args...` until the test ends and
// returns its issuer and output.
func startDevIdP(t *testing.T, env map[string]string, args ...string) (issuer string, stdout, stderr *testsupport.LogBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &testsupport.LogBuffer{}, &testsupport.LogBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, &Env{Stdout: stdout, Stderr: stderr, Getenv: func(k string) string { return env[k] }},
			append([]string{"dev-idp"}, args...))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("dev-idp exited %d after cancel; stderr:\n%s", code, stderr)
			}
		case <-time.After(10 * time.Second):
			t.Error("dev-idp did not shut down after cancel")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := issuerLine.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stdout, stderr
		}
		select {
		case code := <-done:
			t.Fatalf("dev-idp exited %d early; stderr:\n%s", code, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("dev-idp printed no issuer; stdout:\n%s", stdout)
	return "", nil, nil
}

func TestDevIdPCommand(t *testing.T) {
	const secret = "from-the-environment"
	issuer, stdout, stderr := startDevIdP(t,
		map[string]string{envDevIdPClientSecret: secret, envDevIdPAddr: "127.0.0.1:0"})

	if !strings.HasPrefix(issuer, "http://127.0.0.1:") || strings.HasSuffix(issuer, ":0") {
		t.Fatalf("issuer = %q, want the actual loopback address", issuer)
	}
	for _, id := range []string{"acquirer-admin", "acquirer-support", "acquirer-finance", "auditor",
		"merchant-admin", "merchant-disputes", "merchant-finance", "merchant-admin-b"} {
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(id) + `\s`).MatchString(stdout.String()) {
			t.Errorf("persona %s not listed in:\n%s", id, stdout)
		}
	}
	if !strings.Contains(stderr.String(), "DEVELOPMENT IDENTITY PROVIDER") || !strings.Contains(stderr.String(), "production") {
		t.Errorf("no development warning banner on stderr:\n%s", stderr)
	}
	if strings.Contains(stdout.String()+stderr.String(), secret) {
		t.Errorf("a configured client secret was printed")
	}

	// A script can sign in: login_hint redirects straight to the default
	// redirect URI with a code, which the client exchanges with its secret.
	cfg := oauth2.Config{
		ClientID: devIdPDefaultClientID, ClientSecret: secret, RedirectURL: devIdPDefaultRedirect,
		Endpoint: oauth2.Endpoint{AuthURL: issuer + "/authorize", TokenURL: issuer + "/token"},
		Scopes:   []string{"openid"},
	}
	verifier := oauth2.GenerateVerifier()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(cfg.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("login_hint", "acquirer-admin")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), devIdPDefaultRedirect+"?") || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok, err := cfg.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange with the secret from %s: %v", envDevIdPClientSecret, err)
	}
	if tok.Extra("id_token") == nil {
		t.Fatal("no id_token")
	}
}

func TestDevIdPFlags(t *testing.T) {
	issuer, stdout, _ := startDevIdP(t, nil,
		"--addr", "127.0.0.1:0", "--client-id", "my-app",
		"--redirect-uri", "http://127.0.0.1:9999/cb", "--redirect-uri", "http://127.0.0.1:9998/cb",
		"--personas", "testdata/personas.json")
	out := stdout.String()
	for _, want := range []string{"my-app", "http://127.0.0.1:9999/cb http://127.0.0.1:9998/cb", "solo", "partnerdesk-dev-secret"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "acquirer-admin") {
		t.Errorf("default personas listed although --personas replaced them")
	}
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("discovery: %d", resp.StatusCode)
	}
}

func TestDevIdPErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"ErrMissingPersonasFile", []string{"--addr", "127.0.0.1:0", "--personas", "testdata/does-not-exist.json"}, 1},
		{"ErrBadIssuer", []string{"--addr", "127.0.0.1:0", "--issuer", "not a url"}, 1},
		{"ErrStrayArgument", []string{"extra"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut testsupport.LogBuffer
			code := Run(t.Context(), &Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }},
				append([]string{"dev-idp"}, tc.args...))
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut.String())
			}
		})
	}
}

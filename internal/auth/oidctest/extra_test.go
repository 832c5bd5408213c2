package oidctest_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
	"github.com/partnerdesk/partnerdesk/internal/testsupport"
)

func TestIssuerWithPathMountedInAnotherMux(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	idp, err := oidctest.New(oidctest.Options{
		Issuer: "http://" + ln.Addr().String() + "/dev-idp", Clients: defaultClients(), Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/dev-idp/", idp.Handler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "the app", http.StatusTeapot) })
	srv := &http.Server{Handler: mux}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { srv.Close() })

	r := rpFor(t, idp, clk)
	if got := r.oidc.Endpoint().TokenURL; !strings.HasSuffix(got, "/dev-idp/token") {
		t.Fatalf("token endpoint %s not under the issuer path", got)
	}
	_, idt, _ := r.login("acquirer-support")
	if idt.Subject != "dev|acquirer-support" {
		t.Fatalf("sub = %s", idt.Subject)
	}
	// The IdP session works under the path too.
	res := r.get(r.authURL(newLogin(), oauth2.SetAuthURLParam("prompt", "none")))
	if res.param("code") == "" {
		t.Fatalf("prompt=none after login: %v", res.location)
	}
}

func TestChoosePersona(t *testing.T) {
	r := newRP(t, oidctest.Options{})
	l := newLogin()
	picker, err := r.browser.Get(r.authURL(l))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := oidctest.ChoosePersona(r.browser, picker, "acquirer-finance")
	if err != nil {
		t.Fatal(err)
	}
	res := r.result(resp)
	_, idt, _ := r.exchange(l, res.param("code"))
	if idt.Subject != "dev|acquirer-finance" {
		t.Fatalf("sub = %s", idt.Subject)
	}

	notPicker, err := r.browser.Get(r.idp.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oidctest.ChoosePersona(r.browser, notPicker, "auditor"); err == nil {
		t.Fatal("want an error for a page that is not the picker")
	}
}

func TestLogsCarryNoSecrets(t *testing.T) {
	var logs testsupport.LogBuffer
	r := newRP(t, oidctest.Options{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})

	l := newLogin()
	picker := r.get(r.authURL(l))
	reqID := parsePicker(t, picker.body).requestID
	res := r.postForm(r.idp.Issuer()+"/authorize/select", url.Values{"request_id": {reqID}, "persona": {"merchant-admin"}})
	code := res.param("code")
	var cookies []string
	iu, _ := url.Parse(r.idp.Issuer())
	for _, c := range r.browser.Jar.Cookies(iu) {
		cookies = append(cookies, c.Value)
	}
	if len(cookies) == 0 {
		t.Fatal("no IdP session cookie after sign-in")
	}
	tok, _, _ := r.exchange(l, code)
	_, _ = r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(l.verifier)) // replay, logged as a warning
	refreshed, err := r.cfg.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err == nil {
		t.Fatalf("refresh after code replay succeeded: %v", refreshed)
	}
	r.cfg.ClientSecret = "wrong-secret-value"
	_, _ = r.cfg.Exchange(r.ctx, "bogus-code-value", oauth2.VerifierOption(l.verifier))
	r.get(r.idp.Issuer() + "/end-session?" + url.Values{"id_token_hint": {tok.Extra("id_token").(string)}}.Encode())

	out := logs.String()
	if !strings.Contains(out, "dev idp login") || !strings.Contains(out, "merchant-admin") {
		t.Fatalf("expected login events in the log:\n%s", out)
	}
	secrets := map[string]string{
		"code": code, "access token": tok.AccessToken, "refresh token": tok.RefreshToken,
		"id token": tok.Extra("id_token").(string), "client secret": rpSecret, "wrong secret": "wrong-secret-value",
		"code verifier": l.verifier, "picker request id": reqID, "bogus code": "bogus-code-value",
	}
	for _, c := range cookies {
		secrets["session cookie"] = c
	}
	for what, v := range secrets {
		if v != "" && strings.Contains(out, v) {
			t.Errorf("log contains the %s", what)
		}
	}
}

// With ProfileClaimsAtUserInfo the ID token names only the user (sub and
// protocol claims); email, name and groups come from userinfo.
func TestProfileClaimsAtUserInfo(t *testing.T) {
	r := newRP(t, oidctest.Options{ProfileClaimsAtUserInfo: true})
	tok, idt, _ := r.login("acquirer-admin")
	var idc map[string]any
	if err := idt.Claims(&idc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"email", "email_verified", "name", "groups", "preferred_username"} {
		if _, ok := idc[k]; ok {
			t.Errorf("the ID token carries %s: %v", k, idc)
		}
	}
	if idc["sub"] != "dev|acquirer-admin" || idc["nonce"] == nil {
		t.Errorf("the ID token lacks sub or nonce: %v", idc)
	}
	ui, err := r.oidc.UserInfo(r.ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	var uic map[string]any
	if err := ui.Claims(&uic); err != nil {
		t.Fatal(err)
	}
	if uic["email"] != "admin@acquirer.example" || uic["name"] != "Ada Lindqvist" || fmt.Sprint(uic["groups"]) != "[pd-acquirer-admins]" {
		t.Errorf("userinfo = %v", uic)
	}
}

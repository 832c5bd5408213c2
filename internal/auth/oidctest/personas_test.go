package oidctest_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
)

func TestDefaultPersonas(t *testing.T) {
	want := []struct {
		id, group, domain, tenant string
	}{
		{"acquirer-admin", "pd-acquirer-admins", "@acquirer.example", "Acquirer (all partners)"},
		{"acquirer-support", "pd-acquirer-support", "@acquirer.example", "Acquirer (all partners)"},
		{"acquirer-finance", "pd-acquirer-finance", "@acquirer.example", "Acquirer (all partners)"},
		{"auditor", "pd-auditors", "@acquirer.example", "Acquirer (all partners)"},
		{"merchant-admin", "pd-partner-a-admins", "@aurora.example", "Aurora Outfitters"},
		{"merchant-disputes", "pd-partner-a-disputes", "@aurora.example", "Aurora Outfitters"},
		{"merchant-finance", "pd-partner-a-finance", "@aurora.example", "Aurora Outfitters"},
		{"merchant-admin-b", "pd-partner-b-admins", "@borealis.example", "Borealis Bikes"},
	}
	got := oidctest.DefaultPersonas()
	if len(got) != len(want) {
		t.Fatalf("%d personas, want %d", len(got), len(want))
	}
	for i, w := range want {
		p := got[i]
		if p.ID != w.id || p.Subject != "dev|"+w.id || !slices.Equal(p.Groups, []string{w.group}) ||
			!strings.HasSuffix(p.Email, w.domain) || !p.EmailVerified || p.Tenant != w.tenant || p.Role == "" || p.Name == "" {
			t.Errorf("persona %d = %+v, want id %s group %s email *%s tenant %s", i, p, w.id, w.group, w.domain, w.tenant)
		}
	}
	// Callers get their own copy.
	got[0].Groups[0] = "changed"
	if oidctest.DefaultPersonas()[0].Groups[0] != "pd-acquirer-admins" {
		t.Fatal("DefaultPersonas shares state between calls")
	}
}

func TestLoadPersonas(t *testing.T) {
	t.Run("OKObjectWithDefaultsFilled", func(t *testing.T) {
		ps, err := oidctest.LoadPersonas("testdata/personas.json")
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 2 {
			t.Fatalf("%d personas", len(ps))
		}
		lead, owner := ps[0], ps[1]
		if lead.Subject != "dev|ops-lead" || !lead.EmailVerified || !slices.Equal(lead.AMR, []string{"pwd", "otp"}) || lead.ACR == "" {
			t.Errorf("lead = %+v", lead)
		}
		if owner.Subject != "custom|shop-owner-7" || owner.EmailVerified || owner.Name != "shop-owner" {
			t.Errorf("owner = %+v", owner)
		}
	})
	t.Run("OKArray", func(t *testing.T) {
		ps, err := oidctest.LoadPersonas("testdata/personas-array.json")
		if err != nil || len(ps) != 1 || ps[0].ID != "solo" {
			t.Fatalf("got %+v, %v", ps, err)
		}
	})
	for _, tc := range []struct{ name, path string }{
		{"ErrDuplicateID", "testdata/personas-duplicate.json"},
		{"ErrMissingFile", "testdata/none.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := oidctest.LoadPersonas(tc.path); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	t.Run("OKUsedByProvider", func(t *testing.T) {
		ps, err := oidctest.LoadPersonas("testdata/personas.json")
		if err != nil {
			t.Fatal(err)
		}
		r := newRP(t, oidctest.Options{Personas: ps})
		_, idt, claims := r.login("shop-owner")
		if idt.Subject != "custom|shop-owner-7" || claims.EmailVerified || !slices.Equal(claims.Groups, []string{"pd-partner-a-admins"}) {
			t.Fatalf("sub %s claims %+v", idt.Subject, claims)
		}
		pg := parsePicker(t, r.get(r.authURL(newLogin(), oauth2.SetAuthURLParam("prompt", "login"))).body)
		if len(pg.buttons) != 2 {
			t.Fatalf("picker shows %d personas, want the 2 from the file", len(pg.buttons))
		}
	})
}

func TestNewRejectsBadOptions(t *testing.T) {
	ok := oidctest.Client{ID: "a", RedirectURIs: []string{"https://a.example/cb"}}
	for _, tc := range []struct {
		name string
		opts oidctest.Options
	}{
		{"ErrNoIssuer", oidctest.Options{Clients: []oidctest.Client{ok}}},
		{"ErrRelativeIssuer", oidctest.Options{Issuer: "/idp", Clients: []oidctest.Client{ok}}},
		{"ErrNoClients", oidctest.Options{Issuer: "http://127.0.0.1:1"}},
		{"ErrClientWithoutRedirect", oidctest.Options{Issuer: "http://127.0.0.1:1", Clients: []oidctest.Client{{ID: "a"}}}},
		{"ErrDuplicateClient", oidctest.Options{Issuer: "http://127.0.0.1:1", Clients: []oidctest.Client{ok, ok}}},
		{"ErrDuplicatePersona", oidctest.Options{Issuer: "http://127.0.0.1:1", Clients: []oidctest.Client{ok},
			Personas: []oidctest.Persona{{ID: "x"}, {ID: "x"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := oidctest.New(tc.opts); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestConcurrentLogins(t *testing.T) {
	r := newRP(t, oidctest.Options{})
	personas := oidctest.DefaultPersonas()
	var wg sync.WaitGroup
	errs := make(chan string, len(personas))
	for _, p := range personas {
		wg.Go(func() {
			sub, err := loginNoFatal(r, p.ID)
			if err != nil {
				errs <- p.ID + ": " + err.Error()
				return
			}
			if sub != "dev|"+p.ID {
				errs <- p.ID + ": signed in as " + sub
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// loginNoFatal runs a login_hint login in its own browser without calling
// t.Fatal, for use from goroutines. It returns the verified subject.
func loginNoFatal(r *rp, persona string) (string, error) {
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: r.browser.CheckRedirect}
	l := newLogin()
	resp, err := browser.Get(r.authURL(l, hint(persona)))
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("no redirect: status %d", resp.StatusCode)
	}
	if loc.Query().Get("state") != l.state {
		return "", fmt.Errorf("state mismatch")
	}
	tok, err := r.cfg.Exchange(r.ctx, loc.Query().Get("code"), oauth2.VerifierOption(l.verifier))
	if err != nil {
		return "", err
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.verifier.Verify(r.ctx, raw)
	if err != nil {
		return "", err
	}
	if idt.Nonce != l.nonce {
		return "", fmt.Errorf("nonce mismatch")
	}
	return idt.Subject, nil
}

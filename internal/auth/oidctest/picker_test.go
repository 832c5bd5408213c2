package oidctest_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
)

// pickerPage is what a user sees on the persona picker.
type pickerPage struct {
	action    string
	requestID string
	buttons   map[string]string // persona id -> visible text of its list item
	cancel    bool
	lang      string
}

func parsePicker(t *testing.T, body string) pickerPage {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse picker: %v", err)
	}
	pg := pickerPage{buttons: map[string]string{}}
	attr := func(n *html.Node, k string) string {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val
			}
		}
		return ""
	}
	var text func(n *html.Node) string
	text = func(n *html.Node) string {
		if n.Type == html.TextNode {
			return n.Data
		}
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.WriteString(text(c) + " ")
		}
		return strings.Join(strings.Fields(b.String()), " ")
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "html":
			pg.lang = attr(n, "lang")
		case "form":
			pg.action = attr(n, "action")
		case "input":
			if attr(n, "name") == "request_id" {
				pg.requestID = attr(n, "value")
			}
		case "button":
			switch attr(n, "name") {
			case "persona":
				item := n.Parent
				pg.buttons[attr(n, "value")] = text(item)
			case "action":
				pg.cancel = attr(n, "value") == "cancel"
			}
		}
	}
	return pg
}

func TestPicker(t *testing.T) {
	t.Run("ListsEveryPersonaWithRoleAndTenant", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		res := r.get(r.authURL(newLogin()))
		if res.status != http.StatusOK || res.location != nil {
			t.Fatalf("want the picker page, got %d %v", res.status, res.location)
		}
		pg := parsePicker(t, res.body)
		if pg.lang != "en" || pg.requestID == "" || !pg.cancel || !strings.HasSuffix(pg.action, "/authorize/select") {
			t.Fatalf("picker form incomplete: %+v", pg)
		}
		personas := oidctest.DefaultPersonas()
		if len(pg.buttons) != len(personas) {
			t.Fatalf("picker has %d persona buttons, want %d", len(pg.buttons), len(personas))
		}
		for _, p := range personas {
			txt, ok := pg.buttons[p.ID]
			if !ok {
				t.Errorf("no button for %s", p.ID)
				continue
			}
			for _, want := range []string{p.Name, p.Role, p.Tenant} {
				if !strings.Contains(txt, want) {
					t.Errorf("%s: item %q lacks %q", p.ID, txt, want)
				}
			}
		}
	})
	t.Run("ChoosingAPersonaSignsIn", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		l := newLogin()
		pg := parsePicker(t, r.get(r.authURL(l)).body)
		res := r.postForm(pg.action, url.Values{"request_id": {pg.requestID}, "persona": {"merchant-admin-b"}})
		if res.param("code") == "" || res.param("state") != l.state {
			t.Fatalf("want a code, got %d %v", res.status, res.location)
		}
		_, idt, claims := r.exchange(l, res.param("code"))
		if idt.Subject != "dev|merchant-admin-b" || !slices.Equal(claims.Groups, []string{"pd-partner-b-admins"}) {
			t.Fatalf("signed in as %s %v", idt.Subject, claims.Groups)
		}
		// The picker page is single-use.
		again := r.postForm(pg.action, url.Values{"request_id": {pg.requestID}, "persona": {"auditor"}})
		if again.location != nil || again.status != http.StatusBadRequest {
			t.Fatalf("reused picker page: %d %v", again.status, again.location)
		}
	})
	t.Run("CancelReturnsAccessDenied", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		l := newLogin()
		pg := parsePicker(t, r.get(r.authURL(l)).body)
		res := r.postForm(pg.action, url.Values{"request_id": {pg.requestID}, "action": {"cancel"}})
		if res.param("error") != "access_denied" || res.param("state") != l.state {
			t.Fatalf("cancel gave %d %v", res.status, res.location)
		}
	})
	t.Run("UnknownLoginHintShowsPickerWithNotice", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		res := r.get(r.authURL(newLogin(), hint("nobody")))
		if res.status != http.StatusOK || !strings.Contains(res.body, `role="alert"`) || !strings.Contains(res.body, "nobody") {
			t.Fatalf("got %d %v", res.status, res.location)
		}
	})
	t.Run("LoginHintAcceptsEmail", func(t *testing.T) {
		r := newRP(t, oidctest.Options{})
		_, idt, _ := r.login("finance@aurora.example")
		if idt.Subject != "dev|merchant-finance" {
			t.Fatalf("sub = %s", idt.Subject)
		}
	})
	t.Run("EscapesPersonaText", func(t *testing.T) {
		r := newRP(t, oidctest.Options{Personas: []oidctest.Persona{
			{ID: "x", Name: `<script>alert(1)</script>`, Role: "R", Tenant: "T"},
		}})
		res := r.get(r.authURL(newLogin()))
		if strings.Contains(res.body, "<script>") {
			t.Fatalf("persona name not escaped")
		}
	})
}

package partner

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

func TestCheckOriginsAcceptsOriginsAndWildcardSubdomainsOnly(t *testing.T) {
	good := []string{"https://shop.example", "https://*.shop.example", "https://shop.example:8443", "http://localhost:5173", "http://127.0.0.1:3000", "https://xn--bcher-kva.example"}
	if fe := CheckOrigins("origins", good); len(fe) != 0 {
		t.Fatalf("good origins refused: %v", fe)
	}
	bad := map[string]string{
		"http://shop.example":           "https",
		"ftp://shop.example":            "https://",
		"https://shop.example/":         "without a path",
		"https://shop.example/checkout": "without a path",
		"https://shop.example?x=1":      "without a path",
		"https://user@shop.example":     "user",
		"https://a.*.example":           "first label",
		"https://*.example":             "subdomains of a domain",
		"https://shop":                  "full host",
		"shop.example":                  "origin",
		"https://93.184.216.34":         "IP address",
		"https://shop_1.example":        "invalid host",
		" https://shop.example":         "without spaces",
		"https://shop.example:99999x":   "origin",
	}
	var list []string
	for o := range bad {
		list = append(list, o)
	}
	fe := CheckOrigins("origins", list)
	if len(fe) != len(list) {
		t.Fatalf("%d errors for %d bad origins: %v", len(fe), len(list), fe)
	}
	for i, o := range list {
		if fe[i].Field != "origins["+itoa(i)+"]" || !strings.Contains(fe[i].Message, bad[o]) {
			t.Errorf("%q: %+v, want a message about %q", o, fe[i], bad[o])
		}
	}
	dup := CheckOrigins("origins", []string{"https://shop.example", "https://SHOP.example"})
	if len(dup) != 1 || dup[0].Field != "origins[1]" {
		t.Fatalf("duplicate: %v", dup)
	}
	many := make([]string, MaxOrigins+1)
	for i := range many {
		many[i] = "https://s" + itoa(i) + ".example"
	}
	if fe := CheckOrigins("origins", many); len(fe) != 1 || fe[0].Field != "origins" {
		t.Fatalf("101 origins: %v", fe)
	}
	if fe := CheckOrigins("origins", nil); len(fe) != 1 || fe[0].Field != "origins" {
		t.Fatalf("no origins: %v", fe)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestKlarnaRefusalsReadAsSentencesAndKeepFieldsOnOrigins(t *testing.T) {
	blocked := &klarna.Error{HTTPStatus: 409, ErrorCode: "BLOCKED", ErrorMessage: "blocked"}
	if err := klarnaRefusal(blocked, "the client identifier"); apperr.CodeOf(err) != apperr.Conflict || !strings.Contains(apperr.As(err).Message, "Klarna has blocked the client identifier") {
		t.Fatalf("BLOCKED: %v", err)
	}
	conflict := &klarna.Error{HTTPStatus: 409, ErrorCode: klarna.CodeResourceConflict, ErrorMessage: "The client identifier is disabled"}
	if err := klarnaRefusal(conflict, "the client identifier"); apperr.CodeOf(err) != apperr.Conflict ||
		apperr.As(err).Message != "Klarna refused to change the client identifier in its current state: The client identifier is disabled. Reload to see its current state." {
		t.Fatalf("409: %v", apperr.As(err).Message)
	}
	invalid := &klarna.Error{HTTPStatus: 400, ErrorCode: klarna.CodeValidation, ValidationErrors: []klarna.ValidationError{{Parameter: "config.allowed_domains[2]", Reason: "must be an origin"}}}
	err := klarnaRefusal(invalid, "the client identifier")
	if ae := apperr.As(err); ae.Code != apperr.Invalid || len(ae.Fields) != 1 || ae.Fields[0].Field != "origins[2]" {
		t.Fatalf("400: %+v", ae)
	}
}

func TestAutoDisableWarningStartsThreeWeeksBefore(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	k := Credential{Kind: CredentialAPIKey, Status: CredentialEnabled, CreatedAt: now.AddDate(0, 0, -49)}
	if at := k.AutoDisableAt(); !at.Equal(now.AddDate(0, 0, -49).AddDate(0, 2, 0)) || !k.UnusedWarning(now) {
		t.Fatalf("7 weeks unused: disable at %s, warning %v", at, k.UnusedWarning(now))
	}
	used := now.AddDate(0, 0, -3)
	k.LastUsedAt = &used
	if k.UnusedWarning(now) {
		t.Fatal("a key used 3 days ago carries the warning")
	}
	k.Status = CredentialDisabled
	if !k.AutoDisableAt().IsZero() {
		t.Fatal("a disabled key has an auto-disable date")
	}
	if (Credential{Kind: CredentialClientIdentifier, Status: CredentialEnabled, CreatedAt: now.AddDate(-1, 0, 0)}).UnusedWarning(now) {
		t.Fatal("a client identifier carries the unused-key warning")
	}
}

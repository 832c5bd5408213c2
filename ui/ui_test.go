package ui_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/ui"
)

// Both builds (with and without the embed tag) must serve an index.html at the root.
func TestAssets_IndexAtRoot(t *testing.T) {
	assets, real := ui.Assets()
	index, err := fs.ReadFile(assets, "index.html")
	if err != nil {
		t.Fatalf("read index.html: %v", err)
	}
	page := string(index)
	if real {
		if !strings.Contains(page, `<div id="root">`) {
			t.Errorf("embedded index.html has no #root element; is ui/dist a Vite build?")
		}
		if _, err := fs.Stat(assets, "assets"); err != nil {
			t.Errorf("embedded build has no assets/ folder: %v", err)
		}
		return
	}
	for _, want := range []string{"not built into this binary", "make build", "go build -tags embed"} {
		if !strings.Contains(page, want) {
			t.Errorf("placeholder page does not say %q", want)
		}
	}
	// The server's CSP forbids inline scripts; the placeholder must not need one.
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Error("placeholder page contains a <script>, which the CSP blocks")
	}
}

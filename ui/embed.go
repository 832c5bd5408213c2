//go:build embed

// Package ui holds the Partner Desk single-page app. Built with the `embed`
// tag, the binary carries the production build from ui/dist (run `npm run
// build` in ui/ first, or `make build`); without it, a placeholder page.
package ui

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets returns the built single-page app rooted at its index.html, and true
// because these are the real assets.
func Assets() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub only fails on an invalid path; "dist" is valid.
		panic(fmt.Sprintf("ui: dist assets: %v", err))
	}
	return sub, true
}

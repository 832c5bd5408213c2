//go:build !embed

// Package ui carries the built single-page app. Without the `embed` build
// tag a placeholder page is served, so Go builds and tests never need Node.
package ui

import (
	"io/fs"
	"testing/fstest"
)

const placeholder = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner Desk</title></head>
<body><h1>Partner Desk</h1><p>The user interface was not built into this binary.
Build it with <code>make build</code> (or <code>go build -tags embed</code> after <code>npm run build</code> in ui/).</p></body></html>`

// Assets returns the UI files and whether they are the real build.
func Assets() (fs.FS, bool) {
	return fstest.MapFS{"index.html": {Data: []byte(placeholder)}}, false
}

//go:build !embed

// Package ui holds the Partner Desk single-page app. Built with the `embed`
// tag, the binary carries the production build from ui/dist (run `npm run
// build` in ui/ first, or `make build`); without it, a placeholder page.
package ui

import (
	"io/fs"
	"testing/fstest"
	"time"
)

const placeholderHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Partner Desk: UI not built</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; color: #1a1b1e; }
  code { background: #f1f3f5; padding: 0.1rem 0.3rem; border-radius: 4px; }
  @media (prefers-color-scheme: dark) { body { background: #1a1b1e; color: #e9ecef; } code { background: #2c2e33; } }
</style>
</head>
<body>
<h1>The web UI was not built into this binary</h1>
<p>This <code>partnerdesk</code> binary was compiled without the <code>embed</code> build tag, so it serves the API
(<code>/api/v1</code>), health and metrics, but not the dashboard.</p>
<p>To get the dashboard, build it from a checkout of the repository:</p>
<ul>
  <li><code>make build</code> (builds the UI with npm, then the binary into <code>bin/partnerdesk</code>), or</li>
  <li><code>cd ui &amp;&amp; npm ci &amp;&amp; npm run build</code>, then <code>go build -tags embed ./cmd/partnerdesk</code>.</li>
</ul>
<p>For UI development, run <code>npm run dev</code> in <code>ui/</code>: it proxies API calls to a server on port 8080.</p>
</body>
</html>
`

// Assets returns a tiny file system whose index.html explains that the UI was
// not built into this binary and how to build it, and false because these
// are not the real assets.
func Assets() (fs.FS, bool) {
	return fstest.MapFS{
		"index.html": &fstest.MapFile{Data: []byte(placeholderHTML), Mode: 0o444, ModTime: time.Time{}},
	}, false
}

package oidctest

import (
	"bytes"
	"html/template"
	"net/http"
)

const pageStyle = `
:root { color-scheme: light dark; --fg: #1b1b1f; --muted: #55555f; --bg: #f6f6f8; --card: #fff; --line: #d4d4dc; --accent: #1a56b8; --warn-bg: #fff4d6; --warn-fg: #5c4100; }
@media (prefers-color-scheme: dark) { :root { --fg: #ececf1; --muted: #b4b4c0; --bg: #16161a; --card: #222228; --line: #3a3a44; --accent: #8ab4ff; --warn-bg: #3d3212; --warn-fg: #ffe3a0; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; }
p { margin: .25rem 0 1rem; }
.muted { color: var(--muted); }
.banner { background: var(--warn-bg); color: var(--warn-fg); border-radius: .5rem; padding: .6rem .9rem; margin-bottom: 1.5rem; font-size: .95rem; }
.notice { border-left: 4px solid var(--accent); padding: .4rem .8rem; margin: 1rem 0; background: var(--card); }
ul { list-style: none; margin: 0; padding: 0; }
li { display: flex; align-items: center; justify-content: space-between; gap: 1rem; background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin-bottom: .5rem; }
.who { display: flex; flex-direction: column; }
.name { font-weight: 600; }
.meta { color: var(--muted); font-size: .9rem; }
button { font: inherit; cursor: pointer; border-radius: .4rem; padding: .45rem .9rem; border: 1px solid var(--accent); background: var(--accent); color: var(--card); white-space: nowrap; }
button.secondary { background: transparent; color: var(--accent); }
button:focus-visible { outline: 3px solid var(--fg); outline-offset: 2px; }
code { font-size: .9em; }
`

var pickerTemplate = template.Must(template.New("picker").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in — Partner Desk development IdP</title>
<style>` + pageStyle + `</style>
</head>
<body>
<main>
<div class="banner" role="note"><strong>Development identity provider.</strong> No passwords: pick a persona. Never use this in production.</div>
<h1>Sign in as…</h1>
<p class="muted">Application <code>{{.ClientID}}</code> asks you to sign in. Choose a persona.</p>
{{if .Notice}}<p class="notice" role="alert">{{.Notice}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="request_id" value="{{.RequestID}}">
{{range $gi, $g := .Groups}}
<section aria-labelledby="tenant-{{$gi}}">
<h2 id="tenant-{{$gi}}">{{$g.Tenant}}</h2>
<ul>
{{range $g.Personas}}<li data-persona="{{.ID}}">
<span class="who" id="persona-{{.ID}}"><span class="name">{{.Name}}</span><span class="meta">{{.Role}} · {{.Tenant}} · {{.Email}}</span></span>
<button type="submit" name="persona" value="{{.ID}}" aria-describedby="persona-{{.ID}}">Sign in as {{.Name}}</button>
</li>
{{end}}</ul>
</section>
{{end}}
<p><button type="submit" class="secondary" name="action" value="cancel">Cancel and return to the application</button></p>
</form>
</main>
</body>
</html>
`))

var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — Partner Desk development IdP</title>
<style>` + pageStyle + `</style>
</head>
<body>
<main>
<div class="banner" role="note"><strong>Development identity provider.</strong> Never use this in production.</div>
<h1>{{.Title}}</h1>
<p role="alert">{{.Message}}</p>
</main>
</body>
</html>
`))

type personaGroup struct {
	Tenant   string
	Personas []Persona
}

func (p *Provider) renderPicker(w http.ResponseWriter, ar *authRequest, notice string) {
	var groups []personaGroup
	idx := map[string]int{}
	for _, ps := range p.personas {
		i, ok := idx[ps.Tenant]
		if !ok {
			i = len(groups)
			idx[ps.Tenant] = i
			groups = append(groups, personaGroup{Tenant: ps.Tenant})
		}
		groups[i].Personas = append(groups[i].Personas, ps)
	}
	data := map[string]any{
		"ClientID": ar.clientID, "RequestID": ar.id, "Notice": notice, "Groups": groups,
		"Action": p.endpoint(pathSelect),
	}
	p.writeHTML(w, http.StatusOK, pickerTemplate, data)
}

func (p *Provider) errorPage(w http.ResponseWriter, status int, title, message string) {
	p.writeHTML(w, status, errorTemplate, map[string]any{"Title": title, "Message": message})
}

func (p *Provider) writeHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		p.log.Error("dev idp render page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

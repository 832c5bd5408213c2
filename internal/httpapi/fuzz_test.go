package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// filterNames are the query parameters the list routes read.
var filterNames = []string{"actor", "action", "tenant", "type", "status", "from", "to", "cursor", "limit"}

// hostileValues are the seed values for bodies' fields and query filters.
var hostileValues = []string{
	`"a\u0000b"`, "\"caf\xff\"", `"\ud800"`, `null`, `1e999999`, `-1e400`, `123456789012345678901234567890`, `1.5`, `true`,
	`[]`, `{}`, `[null]`, `"` + strings.Repeat("x", 5000) + `"`, strings.Repeat("[", 200) + strings.Repeat("]", 200),
	`"2026-13-45T99:00:00Z"`, `"00000000-0000-0000-0000-000000000000"`,
}

// fuzzRoutes lists the route table with its path parameters filled in.
func fuzzRoutes(tenant, user string) []httpapi.RouteInfo {
	var out []httpapi.RouteInfo
	for _, r := range httpapi.Routes() {
		p := r.Path
		for name, v := range map[string]string{":tenant": tenant, ":user": user, ":role": "auditor", ":invitation": uuid.NewSHA1(uuid.Nil, []byte("i")).String(),
			":token": uuid.NewSHA1(uuid.Nil, []byte("t")).String(), ":event": "1", ":subscription": "krn:partner:global:notification:webhook:nope"} {
			p = strings.ReplaceAll(p, name, v)
		}
		r.Path = p
		out = append(out, r)
	}
	return out
}

// FuzzAPIInputs sends generated bodies to every JSON body route and
// generated queries to every route, as an acquirer admin (who reaches every
// route), and checks that nothing answers 5xx and every 4xx is
// problem+json matching the OpenAPI document. `go test` runs the seeds
// (every route × every hostile value); `go test -fuzz FuzzAPIInputs`
// explores further.
func FuzzAPIInputs(f *testing.F) {
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	f.Cleanup(srv.Close)
	sim.Start(f.Context())
	f.Cleanup(func() { sim.Close() })
	for _, ref := range []string{"aurora", "borealis"} {
		if _, err := sim.SeedPartner(klarnasim.PartnerSpec{Reference: ref, Operational: true}); err != nil {
			f.Fatal(err)
		}
	}
	cfg := apptest.Config(f)
	a := apptest.StartWithKlarna(f, cfg, nil, &klarna.Config{GatewayURL: srv.URL, DisputesURL: srv.URL, SettlementsURL: srv.URL + "/settlements/v1",
		APIKey: sim.InitialAPIKey(), AllowSimulator: true, MaxRetryTime: 2 * time.Second})
	admin := a.Login("acquirer-admin")
	var m meDTO
	if err := json.Unmarshal(admin.Get("/api/v1/me").Body, &m); err != nil || len(m.Tenants) == 0 {
		f.Fatalf("the admin sees no tenant: %v", err)
	}
	routes := fuzzRoutes(m.Tenants[0].ID, uuid.NewSHA1(uuid.Nil, []byte("u")).String())

	// Seeds: each hostile value in each field a body route knows, as the
	// whole body, and in each filter of each GET route.
	fields := []string{"name", "tenant_id", "roles", "expires_in_days", "email", "disabled", "type", "tenant", "status", "from", "to", "event_type"}
	for i, r := range routes {
		if r.Method == http.MethodGet {
			for j := range filterNames {
				for _, v := range hostileValues {
					f.Add(uint8(i), uint8(j), []byte(strings.Trim(v, `"`)), false)
				}
			}
			f.Add(uint8(i), uint8(0), []byte("%zz&%00=1&a=%ff"), true)
			continue
		}
		for _, v := range hostileValues {
			f.Add(uint8(i), uint8(0), []byte(v), false)
			for _, field := range fields {
				f.Add(uint8(i), uint8(0), []byte(`{"`+field+`":`+v+`}`), false)
			}
		}
		f.Add(uint8(i), uint8(0), []byte(`{"name":"x","tenant_id":"`+m.Tenants[0].ID+`","roles":["auditor"],"expires_in_days":213505}`), false)
		f.Add(uint8(i), uint8(0), []byte(`{} {}`), false)
		f.Add(uint8(i), uint8(0), []byte(``), false)
	}

	f.Fuzz(func(t *testing.T, ri, fi uint8, input []byte, rawQuery bool) {
		r := routes[int(ri)%len(routes)]
		target := admin.Base + r.Path
		var body io.Reader
		if r.Method == http.MethodGet {
			if rawQuery {
				target += "?" + string(input)
			} else {
				target += "?" + filterNames[int(fi)%len(filterNames)] + "=" + url.QueryEscape(string(input))
			}
		} else {
			body = bytes.NewReader(input)
		}
		req, err := http.NewRequest(r.Method, target, body)
		if err != nil {
			return // not a request a client can send
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", admin.CSRF)
		resp, err := admin.HTTP.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", r.Method, r.Path, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s with %q answered %d: %s", r.Method, r.Path, input, resp.StatusCode, got)
		}
		if resp.StatusCode >= 400 {
			var p struct {
				Status int    `json:"status"`
				Code   string `json:"code"`
			}
			if resp.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(got, &p) != nil || p.Status != resp.StatusCode {
				t.Fatalf("%s %s with %q answered %d %s, not problem+json: %s", r.Method, r.Path, input, resp.StatusCode, resp.Header.Get("Content-Type"), got)
			}
		}
		if r.Method == http.MethodGet && !rawQuery || r.Method != http.MethodGet {
			if err := admin.Validate(req, &apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: got}); err != nil {
				t.Fatalf("%s %s with %q: %v", r.Method, r.Path, input, err)
			}
		}
	})
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/partnerdesk/partnerdesk/internal/postgres"
)

// directoryPartners is the size of the partner directory at e.scale:
// 100 000 partners, each with an account and six resources.
func (e *env) directoryPartners() int { return max(100, int(100_000*e.scale)) }

// seedDirectory loads the directory's partners with `partnerdesk bench
// seed-directory` (COPY), which skips when exactly that many are there.
func (e *env) seedDirectory(ctx context.Context) error {
	n := e.directoryPartners()
	step("seed %d directory partners", n)
	out, err := e.cli(ctx, "bench", "seed-directory", "--partners", strconv.Itoa(n))
	fmt.Fprintln(os.Stderr, out)
	return err
}

// directory measures the partner directory's search by name, through the API
// (signed in as an acquirer) and the bare handler running the same SQL. Each
// request looks for another partner by its name less its last two
// characters, as someone typing it would, so the measure reads the whole
// name index rather than one cached page.
func (e *env) directory(ctx context.Context, r *report) error {
	s, bare, err := e.serveAndBare(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	defer bare.stop()
	n := e.directoryPartners()
	search := func(base, cookie string) func(int, int) (*http.Request, error) {
		return func(client, i int) (*http.Request, error) {
			name := postgres.BenchPartnerAt((client*7919 + i*104729) % n).Name
			q := strings.ToLower(name[:len(name)-2])
			return get(base+url.QueryEscape(q), cookie)(client, i)
		}
	}
	return e.compareList(ctx, r, listPage{"directory_search", fmt.Sprintf("partner directory, search by name (%d partners)", n), "directory search", "tenant_id", "tenant_id",
		search("http://"+s.addr+"/api/v1/partners?q=", e.session), search("http://"+bare.addr+"/partners?q=", "")})
}

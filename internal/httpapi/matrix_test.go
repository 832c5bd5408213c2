package httpapi_test

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/authz"
	"github.com/partnerdesk/partnerdesk/internal/httpapi"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// personaRoles is who the development personas are (see policies/ and the
// demo group mapping): their role and the tenant slug they hold it in.
var personaRoles = map[string]struct{ role, tenant string }{
	"acquirer-admin":    {"acquirer-admin", "acquirer"},
	"acquirer-support":  {"acquirer-support", "acquirer"},
	"acquirer-finance":  {"acquirer-finance", "acquirer"},
	"auditor":           {"auditor", "acquirer"},
	"merchant-admin":    {"merchant-admin", "aurora"},
	"merchant-disputes": {"merchant-disputes", "aurora"},
	"merchant-finance":  {"merchant-finance", "aurora"},
	"merchant-admin-b":  {"merchant-admin", "borealis"},
}

// Every registered /api/v1 route is in the route table (or public): a new
// route without an authorization entry fails here.
func TestEveryAPIRouteIsInTheTable(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	known := map[string]bool{}
	for _, r := range httpapi.Routes() {
		known[r.Method+" "+r.Path] = true
	}
	for _, p := range httpapi.PublicRoutes {
		known[p] = true
	}
	engine, ok := a.Handler().(*gin.Engine)
	if !ok {
		t.Fatal("handler is not the gin engine")
	}
	for _, r := range engine.Routes() {
		if strings.HasPrefix(r.Path, "/api/") && !known[r.Method+" "+r.Path] {
			t.Errorf("%s %s is served but has no entry in the route table", r.Method, r.Path)
		}
	}
}

// The permission matrix: every route × every persona × own / other tenant.
// Expected outcomes come from the role → action policy (pinned by the golden
// file in internal/authz): a tenant the persona cannot see answers 404, a
// visible tenant without the action 403, otherwise the route runs.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	roles := map[string][]string{}
	for _, r := range a.Access.Authz.Roles() {
		roles[r.Name] = r.Actions
	}
	tenants := map[string]string{}
	ts, err := a.DB.Identity().Tenants(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range ts {
		tenants[tn.Slug] = tn.ID.String()
	}
	clients := map[string]*apitest.Client{}
	for p := range personaRoles {
		clients[p] = a.Login(p)
	}
	// A bystander holding a role in every tenant is the :user that routes
	// act on, so that no persona loses its own roles along the way.
	userIn := map[string]string{}
	st := a.DB.Identity()
	by, err := st.UpsertUser(t.Context(), identity.User{ID: uuid.New(), Issuer: "test", Subject: "bystander", Email: "bystander@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range ts {
		role := "merchant-finance"
		if tn.Kind == identity.KindAcquirer {
			role = "auditor"
		}
		if _, err := st.AddMembership(t.Context(), identity.Membership{UserID: by.ID, TenantID: tn.ID, Role: role, Source: identity.SourceSeed}); err != nil {
			t.Fatal(err)
		}
		userIn[tn.Slug] = by.ID.String()
	}

	for _, rt := range httpapi.Routes() {
		for persona, pr := range personaRoles {
			for _, which := range []string{"own", "other"} {
				slug := pr.tenant
				if which == "other" {
					slug = map[string]string{"aurora": "borealis", "borealis": "aurora", "acquirer": "aurora"}[pr.tenant]
				}
				if rt.Tenant != "path" && which == "other" {
					continue // the route has no tenant in its path
				}
				name := fmt.Sprintf("%s_%s/%s/%s", rt.Method, rt.Path, persona, which)
				t.Run(name, func(t *testing.T) {
					path := strings.NewReplacer(":tenant", tenants[slug], ":user", userIn[slug], ":role", "merchant-finance",
						":invitation", "00000000-0000-0000-0000-000000000001", ":token", "00000000-0000-0000-0000-000000000002", ":event", "1", ":subscription", "krn:none").Replace(rt.Path)
					body := []byte("{}")
					switch {
					case strings.HasSuffix(rt.Path, "/disabled"):
						body = []byte(`{"disabled":false}`)
					case strings.HasSuffix(rt.Path, "/invitations") && rt.Method == "POST":
						body = []byte(`{"email":"matrix@example.com","roles":["nonexistent-role"]}`)
					}
					var r *apitest.Response
					if rt.Method == http.MethodGet {
						r = clients[persona].Get(path)
					} else {
						r = clients[persona].Send(rt.Method, path, "application/json", body)
					}
					holds := slices.Contains(roles[pr.role], rt.Action)
					sees := pr.tenant == "acquirer" || pr.tenant == slug
					switch rt.Tenant {
					case "none":
						if r.Status == 401 || r.Status == 403 {
							t.Fatalf("any logged-in user may call this; got %d %s", r.Status, r.Body)
						}
					case "any":
						if !holds && r.Status != 403 {
							t.Fatalf("without %s anywhere: want 403, got %d %s", rt.Action, r.Status, r.Body)
						}
						if holds && (r.Status == 401 || r.Status == 403) {
							t.Fatalf("allowed; got %d %s", r.Status, r.Body)
						}
					case "path":
						switch {
						case !sees:
							if r.Status != 404 || !strings.Contains(string(r.Body), "No such tenant") {
								t.Fatalf("another tenant must answer 404; got %d %s", r.Status, r.Body)
							}
						case !holds:
							if r.Status != 403 {
								t.Fatalf("visible tenant without %s must answer 403; got %d %s", rt.Action, r.Status, r.Body)
							}
						default:
							if r.Status == 401 || r.Status == 403 || strings.Contains(string(r.Body), "No such tenant") {
								t.Fatalf("allowed; got %d %s", r.Status, r.Body)
							}
						}
					}
				})
			}
		}
	}
}

// The effective role → action table is pinned in a golden file; run with
// -update after a deliberate policy change.
func TestRoleTableGolden(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	var b strings.Builder
	actions := map[string]bool{}
	for _, r := range a.Access.Authz.Roles() {
		for _, x := range r.Actions {
			actions[x] = true
		}
	}
	var cols []string
	for x := range actions {
		cols = append(cols, x)
	}
	sort.Strings(cols)
	for _, r := range a.Access.Authz.Roles() {
		fmt.Fprintf(&b, "%-18s (%s)\n", r.Name, authz.ScopeOf(r.Name))
		for _, x := range cols {
			mark := "-"
			if slices.Contains(r.Actions, x) {
				mark = "X"
			}
			fmt.Fprintf(&b, "    %s %s\n", mark, x)
		}
	}
	golden(t, "testdata/roles.golden", b.String())
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs from the effective table (run with -update if the change is deliberate):\n%s", path, got)
	}
}

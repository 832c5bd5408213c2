//go:build linux

package multiinstance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m, removeBinary) }

// The signing key every instance is configured with, as Klarna would hold it.
const (
	signingKeyID = "krn:partner:global:notification:signing-key:4f1c2a9e-multi"
	signingKey   = "whsec-multiinstance-7d1e0b6c5a4f"
	acquirerKRN  = "krn:partner:global:account:acquirer-multi"
)

// The binary is built once per test process, by the first test that needs
// it, and removed by TestMain.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// buildBinary returns cmd/partnerdesk built with the go command that runs
// this test, building it on first use.
func buildBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			binary.err = fmt.Errorf("no go command to build the binary with: %w", err)
			return
		}
		if binary.dir, err = os.MkdirTemp("", "partnerdesk-multiinstance-"); err != nil {
			binary.err = err
			return
		}
		bin := filepath.Join(binary.dir, "partnerdesk")
		start := time.Now()
		cmd := exec.Command(goCmd, "build", "-o", bin, "github.com/partnerdesk/partnerdesk/cmd/partnerdesk")
		if out, err := cmd.CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		binary.path = bin
		t.Logf("built %s in %s", bin, time.Since(start).Round(time.Millisecond))
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

func removeBinary() {
	if binary.dir != "" {
		_ = os.RemoveAll(binary.dir)
	}
}

// instance is one `partnerdesk serve` process.
type instance struct {
	name    string
	url     string
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{}
	mu      sync.Mutex
	killed  bool
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// cluster is what the instances of one test share.
type cluster struct {
	t     *testing.T
	bin   string
	dsn   string
	idp   *oidctest.Provider
	db    *pgxpool.Pool
	env   map[string]string // extra PARTNERDESK_* settings
	dir   string
	insts []*instance
}

func newCluster(t *testing.T, bin string, env map[string]string) *cluster {
	t.Helper()
	dsn := pgtest.DSN(t)
	idp := oidctest.Start(t, oidctest.Options{Clients: []oidctest.Client{{ID: "partnerdesk", Secret: "multi-secret",
		RedirectURIs: []string{"http://127.0.0.1:8080/auth/callback"}, AllowLoopbackRedirects: true}}})
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	c := &cluster{t: t, bin: bin, dsn: dsn, idp: idp, db: pool, env: env, dir: t.TempDir()}
	t.Cleanup(func() {
		if t.Failed() {
			for _, in := range c.insts {
				t.Logf("---- last log lines of %s ----\n%s", in.name, tail(in.logPath, 40))
			}
		}
	})
	return c
}

// start spawns one serve process and waits until /readyz answers 200.
func (c *cluster) start(name string) *instance {
	t := c.t
	t.Helper()
	addr := freeAddr(t)
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARTNERDESK_") {
			env = append(env, kv)
		}
	}
	settings := map[string]string{
		"PARTNERDESK_DATABASE_URL":                c.dsn,
		"PARTNERDESK_HTTP_ADDR":                   addr,
		"PARTNERDESK_OIDC_ISSUER":                 c.idp.Issuer(),
		"PARTNERDESK_OIDC_CLIENT_SECRET":          "multi-secret",
		"PARTNERDESK_DEMO":                        "true",
		"PARTNERDESK_KLARNA_WEBHOOK_SIGNING_KEYS": signingKeyID + "=" + signingKey,
		"PARTNERDESK_SHUTDOWN_TIMEOUT":            "5s",
		"PARTNERDESK_LOG_LEVEL":                   "info",
	}
	for k, v := range c.env {
		settings[k] = v
	}
	for k, v := range settings {
		env = append(env, k+"="+v)
	}
	logPath := filepath.Join(c.dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(c.bin, "serve")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	// Should this test process die, the kernel kills the instance too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	in := &instance{name: name, url: "http://" + addr, logPath: logPath, cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(in.exited)
	}()
	t.Cleanup(func() { in.kill() })
	c.insts = append(c.insts, in)

	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-in.exited:
			t.Fatalf("%s exited during start:\n%s", name, tail(logPath, 40))
		default:
		}
		resp, err := http.Get(in.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return in
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 60s:\n%s", name, tail(logPath, 40))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill SIGKILLs the process (no graceful shutdown) and waits for it.
func (in *instance) kill() {
	in.mu.Lock()
	in.killed = true
	in.mu.Unlock()
	select {
	case <-in.exited:
		return
	default:
	}
	_ = in.cmd.Process.Signal(syscall.SIGKILL)
	<-in.exited
}

func (in *instance) dead() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.killed
}

func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// linkPartner creates a partner tenant and binds a Klarna account to it, as
// an admin linking the account would.
func (c *cluster) linkPartner(slug, accountID string) uuid.UUID {
	c.t.Helper()
	id := uuid.New()
	ctx := context.Background()
	if _, err := c.db.Exec(ctx, `INSERT INTO tenants (id, kind, slug, name) VALUES ($1, 'partner', $2, $3)`, id, slug, "Partner "+slug); err != nil {
		c.t.Fatalf("insert tenant: %v", err)
	}
	if _, err := c.db.Exec(ctx, `INSERT INTO partner_accounts (klarna_account_id, tenant_id) VALUES ($1, $2)`, accountID, id); err != nil {
		c.t.Fatalf("link account: %v", err)
	}
	return id
}

func (c *cluster) queryInt(q string, args ...any) int {
	c.t.Helper()
	var n int
	if err := c.db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		c.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// envelope is a Klarna webhook delivery body (README §7.4): metadata and a
// type-specific payload. occurredAt nil leaves metadata.occurred_at out.
func envelope(eventID, eventType, subject string, occurredAt *time.Time, payload map[string]any) []byte {
	md := map[string]any{
		"event_id":             eventID,
		"event_type":           eventType,
		"event_version":        "v1",
		"correlation_id":       uuid.NewString(),
		"subject_account_id":   subject,
		"recipient_account_id": acquirerKRN,
		"webhook_id":           "krn:partner:global:notification:webhook:0b7e52d4-multi",
		"live":                 false,
	}
	if occurredAt != nil {
		md["occurred_at"] = occurredAt.UTC().Format(time.RFC3339Nano)
	}
	b, err := json.Marshal(map[string]any{"metadata": md, "payload": payload})
	if err != nil {
		panic(err)
	}
	return b
}

// deliver POSTs a body signed as Klarna signs it.
func deliver(ctx context.Context, hc *http.Client, baseURL string, body []byte) (status int, answer string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/webhooks/klarna", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Klarna-Signing-Key-Id", signingKeyID)
	req.Header.Set("Klarna-Signature", klarna.Sign([]byte(signingKey), body))
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var out struct {
		Status string `json:"status"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Status, nil
}

func describe(c *cluster) string {
	rows, err := c.db.Query(context.Background(), `SELECT status, count(*) FROM webhook_events GROUP BY status ORDER BY status`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var s string
		var n int
		_ = rows.Scan(&s, &n)
		parts = append(parts, fmt.Sprintf("%s=%d", s, n))
	}
	jobs, _ := c.db.Query(context.Background(), `SELECT state::text, count(*) FROM river_job WHERE kind = 'webhook.process' GROUP BY state ORDER BY 1`)
	if jobs != nil {
		defer jobs.Close()
		for jobs.Next() {
			var s string
			var n int
			_ = jobs.Scan(&s, &n)
			parts = append(parts, fmt.Sprintf("job:%s=%d", s, n))
		}
	}
	return strings.Join(parts, " ")
}

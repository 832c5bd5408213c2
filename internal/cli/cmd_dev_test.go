package cli

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/postgres/pglocal"
	"github.com/partnerdesk/partnerdesk/internal/testsupport"
)

// `partnerdesk dev` with its data directory in a mode-0700 directory (a
// clone in root's home directory) starts, serves, says where the database
// lives, and leaves no PostgreSQL running after Ctrl-C. As root the postgres
// user cannot enter that directory, so the database lives elsewhere and
// .data/postgres links there.
func TestDevServesFromAPrivateDirectory(t *testing.T) {
	base, err := pglocal.TempDir()
	if err != nil {
		t.Fatal(err)
	}
	open, err := os.MkdirTemp(base, "partnerdesk-devtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(open) })
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(open, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(home, "clone", ".data")
	devRelocateRoot = filepath.Join(open, "reloc")
	t.Cleanup(func() { devRelocateRoot = "" })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb testsupport.LogBuffer
	vars := map[string]string{"PARTNERDESK_DEV_IDP_ADDR": "127.0.0.1:0", "PARTNERDESK_KLARNA_SIM_ADDR": "127.0.0.1:0", "PARTNERDESK_LOG_LEVEL": "warn"}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, &Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}, []string{"dev", "--addr", "127.0.0.1:0", "--data-dir", dataDir})
	}()

	ready := regexp.MustCompile(`Partner Desk is running at (http://\S+)`)
	deadline := time.Now().Add(2 * time.Minute)
	var url string
	for url == "" {
		if m := ready.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("dev exited with %d before it was ready:\n%s\n%s", code, out.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dev not ready:\n%s\n%s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/readyz: %d", resp.StatusCode)
	}

	link := filepath.Join(dataDir, "postgres")
	where := link
	if os.Geteuid() == 0 {
		target, err := os.Readlink(link)
		if err != nil {
			t.Fatalf("as root, %s must link to the relocated cluster: %v", link, err)
		}
		if !strings.HasPrefix(target, devRelocateRoot+"/") {
			t.Fatalf("%s links to %s, want a place under %s", link, target, devRelocateRoot)
		}
		where = target
	}
	if !strings.Contains(out.String(), "Database: "+where) {
		t.Fatalf("the banner does not say the database is at %s:\n%s", where, out.String())
	}

	cancel() // Ctrl-C
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("dev exited with %d:\n%s", code, errb.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("dev did not stop")
	}
	if _, err := os.Stat(filepath.Join(where, "postmaster.pid")); !os.IsNotExist(err) {
		t.Fatalf("PostgreSQL still runs on %s after dev stopped (%v)", where, err)
	}
}

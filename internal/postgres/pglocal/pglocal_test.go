package pglocal

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// someoneElse is a server user that owns nothing in the test's directories
// and is in none of their groups, like the postgres user facing a clone in
// root's home directory.
func someoneElse() serverUser {
	return serverUser{uid: os.Getuid() + 54321, groups: []int{os.Getgid() + 54321}}
}

func mkdir(t *testing.T, p string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// openTempDir is a directory every user can enter, for relocation roots:
// t.TempDir's directories are mode 0700.
func openTempDir(t *testing.T) string {
	t.Helper()
	base, err := TempDir()
	if err != nil {
		t.Fatal(err)
	}
	d, err := os.MkdirTemp(base, "pglocal-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	return mkdir(t, d, 0o755)
}

func TestCanSearchFollowsPermissionBits(t *testing.T) {
	base := openTempDir(t)
	other := someoneElse()
	private := mkdir(t, filepath.Join(base, "private"), 0o700)
	if canSearch(filepath.Join(private, "clone", ".data"), other) {
		t.Error("a user who is not the owner passes a mode-0700 directory")
	}
	if !canSearch(filepath.Join(private, "clone", ".data"), serverUser{uid: os.Getuid(), groups: []int{os.Getgid()}}) {
		t.Error("the owner is refused its own mode-0700 directory")
	}
	group := mkdir(t, filepath.Join(base, "group"), 0o710)
	if canSearch(group, other) {
		t.Error("group execute lets in a user outside the group")
	}
	member := other
	member.groups = append(member.groups, os.Getgid())
	if !canSearch(group, member) {
		t.Error("group execute refuses a member of the group")
	}
	open := mkdir(t, filepath.Join(base, "open"), 0o755)
	if !canSearch(filepath.Join(open, "not", "yet", "created"), other) {
		t.Error("mode 0755 parents with missing children are refused")
	}
	if !canSearch(private, serverUser{uid: 0}) {
		t.Error("root is refused")
	}
}

func TestPlaceRelocatesOutOfAPrivateParent(t *testing.T) {
	base := openTempDir(t)
	root := filepath.Join(base, "reloc")
	other := someoneElse()
	home := mkdir(t, filepath.Join(base, "root-home"), 0o700)
	requested := filepath.Join(home, "clone", ".data", "postgres")

	pl, err := place(requested, other, root)
	if err != nil {
		t.Fatal(err)
	}
	if !pl.relocated() || pl.dir != filepath.Join(relocationHome(root, requested), "postgres") || !strings.HasPrefix(pl.dir, root+"/") {
		t.Fatalf("placement %+v: want a data directory under %s", pl, root)
	}
	// An empty directory left by a failed earlier run gives way to the link.
	mkdir(t, requested, 0o700)
	if err := pl.prepare(nil); err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(requested); err != nil || target != pl.dir {
		t.Fatalf("link %s -> %q (%v), want %s", requested, target, err, pl.dir)
	}
	if fi, err := os.Stat(pl.dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("data directory: %v, %v", fi, err)
	}
	for _, d := range []string{root, pl.home} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o755 {
			t.Fatalf("%s must be traversable (0755): %v, %v", d, fi, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(pl.home, sourceFile)); strings.TrimSpace(string(b)) != requested {
		t.Errorf("source file says %q, want %s", b, requested)
	}

	// The next run finds the same place through the link.
	again, err := place(requested, other, root)
	if err != nil || again != pl {
		t.Fatalf("second placement %+v (%v), want %+v", again, err, pl)
	}
	// Another clone gets its own.
	second, err := place(filepath.Join(home, "clone2", ".data", "postgres"), other, root)
	if err != nil || second.dir == pl.dir {
		t.Fatalf("second clone placed at %s (%v), same as the first", second.dir, err)
	}

	// A reachable parent keeps the data where it was asked for.
	open := mkdir(t, filepath.Join(base, "open"), 0o755)
	stay, err := place(filepath.Join(open, "postgres"), other, root)
	if err != nil || stay.relocated() || stay.home != "" {
		t.Fatalf("reachable directory placed at %+v (%v)", stay, err)
	}

	// Data in an unreachable directory is never deleted to make room.
	full := filepath.Join(home, "full", "postgres")
	mkdir(t, full, 0o700)
	if err := os.WriteFile(filepath.Join(full, "PG_VERSION"), []byte("17\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fpl, err := place(full, other, root)
	if err != nil {
		t.Fatal(err)
	}
	if err := fpl.prepare(nil); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("prepare over existing data: %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(full, "PG_VERSION")); err != nil {
		t.Fatal("existing data was touched:", err)
	}
}

// A cluster asked for under a mode-0700 parent starts and serves. As root
// (CI), the postgres user cannot enter that parent, so the cluster is
// relocated, found again on the next start, and removed with its link.
func TestStartUnderPrivateParent(t *testing.T) {
	if _, err := BinDir(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := openTempDir(t)
	home := mkdir(t, filepath.Join(base, "home"), 0o700)
	requested := filepath.Join(home, "clone", ".data", "postgres")
	root := filepath.Join(base, "reloc")
	opts := Options{Dir: requested, Ephemeral: true, RelocateRoot: root}

	c, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Remove() })
	asRoot := os.Geteuid() == 0
	if c.Relocated() != asRoot {
		t.Fatalf("relocated = %v with euid %d", c.Relocated(), os.Geteuid())
	}
	if asRoot && !strings.HasPrefix(c.Dir(), root+"/") {
		t.Fatalf("data directory %s, want it under %s", c.Dir(), root)
	}
	query(t, ctx, c, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)")
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}

	c2, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c2.Remove() })
	if c2.Dir() != c.Dir() {
		t.Fatalf("second start uses %s, first %s", c2.Dir(), c.Dir())
	}
	var v int
	conn := connect(t, ctx, c2)
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 42 {
		t.Fatalf("data from the first start: %d, %v", v, err)
	}
	conn.Close(ctx)

	if err := c2.Remove(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{requested, c2.Dir(), relocationHome(root, requested)} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s still exists after Remove (%v)", p, err)
		}
	}
}

func connect(t *testing.T, ctx context.Context, c *Cluster) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func query(t *testing.T, ctx context.Context, c *Cluster, sql string) {
	t.Helper()
	conn := connect(t, ctx, c)
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}

// Test clusters (pgtest) go to $TMPDIR unless the server cannot enter it.
func TestTempDirAvoidsAPrivateTMPDIR(t *testing.T) {
	private := mkdir(t, filepath.Join(openTempDir(t), "private"), 0o700)
	t.Setenv("TMPDIR", private)
	got, err := TempDir()
	if err != nil {
		t.Fatal(err)
	}
	want := private // the server runs as this user and can enter it
	if os.Geteuid() == 0 {
		want = "/tmp" // the server runs as postgres, which cannot
	}
	if got != want {
		t.Fatalf("TempDir() = %s with TMPDIR=%s (mode 0700) and euid %d, want %s", got, private, os.Geteuid(), want)
	}
}

// Package pglocal runs a private PostgreSQL cluster from the system's
// binaries: `partnerdesk dev` keeps a persistent one under .data/postgres and
// the test harness a throwaway one per test process. The cluster listens only
// on a Unix socket inside its data directory, so it never clashes with another
// server's port. When the process runs as root, the cluster is initialised and
// started as the `postgres` user, because PostgreSQL refuses to run as root;
// and when that user cannot reach the requested data directory (a clone in
// root's mode-0700 home directory), the cluster is kept under
// /var/lib/partnerdesk/<hash of the path>/ and the requested path becomes a
// symbolic link to it (Cluster.Dir says where it is).
package pglocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// InstallHint tells a user how to get the binaries.
const InstallHint = "install PostgreSQL's server binaries, e.g. `apt-get install -y postgresql` on Debian (or set PARTNERDESK_DATABASE_URL to an existing database)"

// Options configure a cluster.
type Options struct {
	Dir       string   // data directory; created if missing
	Ephemeral bool     // test cluster: fsync off and fewer safety nets, for speed
	Settings  []string // extra `-c name=value` settings
	// RelocateRoot is where the cluster is kept, in a directory named by a
	// hash of Dir, when the server runs as the postgres user and that user
	// cannot reach Dir. Default DefaultRelocateRoot.
	RelocateRoot string
}

// Cluster is a running local cluster.
type Cluster struct {
	place   placement
	dir     string
	bin     string
	cred    *syscall.Credential
	started bool // this process started it (and so stops it)
}

// BinDir finds the directory holding initdb and pg_ctl: pg_config --bindir,
// then the newest /usr/lib/postgresql/*/bin.
func BinDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("PostgreSQL server binaries (initdb, pg_ctl) not found: %s", InstallHint)
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Start initialises the cluster in opts.Dir if needed and starts it, unless a
// server is already running on that directory (e.g. left by a killed run), in
// which case it is reused and not stopped by Stop.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		cred, err := postgresCredential()
		if err != nil {
			return nil, err
		}
		c.cred = cred
	}
	c.place = placement{requested: dir, dir: dir}
	if c.cred != nil {
		root := opts.RelocateRoot
		if root == "" {
			root = DefaultRelocateRoot
		}
		if c.place, err = place(dir, credUser(c.cred), root); err != nil {
			return nil, err
		}
	}
	if err := c.place.prepare(c.cred); err != nil {
		return nil, err
	}
	dir = c.place.dir
	c.dir = dir
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.run(ctx, "initdb", "-D", dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-instructions"); err != nil {
			return nil, fmt.Errorf("pglocal: initdb: %w", err)
		}
	}
	if c.running(ctx) {
		return c, nil
	}
	settings := []string{
		"listen_addresses=''",
		"unix_socket_directories='" + dir + "'",
		"max_connections=200",
	}
	if opts.Ephemeral {
		settings = append(settings, "fsync=off", "synchronous_commit=off", "full_page_writes=off")
	}
	settings = append(settings, opts.Settings...)
	var o strings.Builder
	for _, s := range settings {
		o.WriteString(" -c " + s)
	}
	if err := c.run(ctx, "pg_ctl", "-D", dir, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", o.String(), "start"); err != nil {
		return nil, fmt.Errorf("pglocal: start (log: %s): %w", filepath.Join(dir, "server.log"), err)
	}
	c.started = true
	return c, nil
}

// DSN is a connection string for database db on the cluster's socket.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&sslmode=disable", db, c.dir)
}

// Dir is the data directory the server uses: the one asked for, or where it
// was relocated to (see Relocated).
func (c *Cluster) Dir() string { return c.dir }

// Relocated reports whether the data directory lives elsewhere than
// Options.Dir, because the postgres user cannot reach Options.Dir; Options.Dir
// is then a symbolic link to Dir.
func (c *Cluster) Relocated() bool { return c.place.relocated() }

// Remove stops the server (if this process started it) and deletes the data
// directory, with its relocation directory and link when it was relocated.
func (c *Cluster) Remove() error {
	err := c.Stop()
	if c.place.home != "" {
		err = errors.Join(err, os.RemoveAll(c.place.home))
	} else {
		err = errors.Join(err, os.RemoveAll(c.dir))
	}
	if c.place.relocated() {
		err = errors.Join(err, os.Remove(c.place.requested))
	}
	return err
}

// ServerCanReach reports whether the PostgreSQL server, as this process
// would start it, can traverse every directory down to dir: always true
// unless running as root, when the server runs as the postgres user.
func ServerCanReach(dir string) (bool, error) {
	if os.Geteuid() != 0 {
		return true, nil
	}
	cred, err := postgresCredential()
	if err != nil {
		return false, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false, err
	}
	return canSearch(abs, credUser(cred)), nil
}

// Stop shuts the server down if this process started it.
func (c *Cluster) Stop() error {
	if c == nil || !c.started {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c.started = false
	return c.run(ctx, "pg_ctl", "-D", c.dir, "-m", "fast", "-w", "stop")
}

func (c *Cluster) running(ctx context.Context) bool {
	cmd := c.command(ctx, "pg_ctl", "-D", c.dir, "status")
	return cmd.Run() == nil
}

func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// Own process group: a Ctrl-C aimed at partnerdesk must not kill the
	// server before partnerdesk stops it in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if c.cred != nil {
		cmd.SysProcAttr.Credential = c.cred
	}
	return cmd
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	cmd := c.command(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(out.String()))
	}
	return nil
}

func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pglocal: running as root needs the `postgres` system user, which comes with the PostgreSQL packages: %s", InstallHint)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	if ids, err := u.GroupIds(); err == nil {
		for _, g := range ids {
			if n, err := strconv.Atoi(g); err == nil && n != gid {
				cred.Groups = append(cred.Groups, uint32(n))
			}
		}
	}
	return cred, nil
}

func credUser(c *syscall.Credential) serverUser {
	u := serverUser{uid: int(c.Uid), groups: []int{int(c.Gid)}}
	for _, g := range c.Groups {
		u.groups = append(u.groups, int(g))
	}
	return u
}

// TempDir is a directory for throwaway clusters that the server can reach:
// os.TempDir(), or /tmp when $TMPDIR is out of the postgres user's reach.
func TempDir() (string, error) {
	for _, d := range []string{os.TempDir(), "/tmp"} {
		ok, err := ServerCanReach(d)
		if err != nil {
			return "", err
		}
		if ok {
			return d, nil
		}
	}
	return "", fmt.Errorf("pglocal: the postgres user can reach neither %s nor /tmp: set TMPDIR to a directory it can enter", os.TempDir())
}

package pglocal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// DefaultRelocateRoot is where a cluster is kept when the server user cannot
// reach the requested data directory (see Options.RelocateRoot).
const DefaultRelocateRoot = "/var/lib/partnerdesk"

// sourceFile, next to a relocated data directory, names the directory it
// stands in for, so a person (or `make clean-data`) can tell whose it is.
const sourceFile = "source"

// serverUser is who the PostgreSQL server runs as.
type serverUser struct {
	uid    int
	groups []int // primary group first
}

// canSearch reports whether u can traverse every directory from / down to
// dir (inclusive), judging by the permission bits: the owner's, the group's or
// everyone else's execute bit, like the kernel does. uid 0 passes everything.
// Components that do not exist yet count as reachable: they are created 0755.
func canSearch(dir string, u serverUser) bool {
	if u.uid == 0 {
		return true
	}
	p := filepath.Clean(dir)
	for {
		if fi, err := os.Stat(p); err == nil {
			st, ok := fi.Sys().(*syscall.Stat_t)
			if !ok {
				return true // not a Unix file system: let initdb judge
			}
			mode := fi.Mode().Perm()
			var bit os.FileMode
			switch {
			case int(st.Uid) == u.uid:
				bit = 0o100
			case slices.Contains(u.groups, int(st.Gid)):
				bit = 0o010
			default:
				bit = 0o001
			}
			if mode&bit == 0 {
				return false
			}
		}
		parent := filepath.Dir(p)
		if parent == p {
			return true
		}
		p = parent
	}
}

// placement is where a requested data directory really lives.
type placement struct {
	requested string // absolute path asked for (Options.Dir)
	dir       string // the data directory the server uses
	home      string // relocation directory holding dir and the source file; "" when not relocated
}

// relocationHome is the directory under root that stands in for requested:
// named by a hash of the path, so every clone gets its own and a clone always
// finds its own again.
func relocationHome(root, requested string) string {
	sum := sha256.Sum256([]byte(requested))
	return filepath.Join(root, hex.EncodeToString(sum[:8]))
}

// place decides where the data directory for requested lives when the server
// runs as u. When u can reach requested's parent, it lives there. Otherwise
// (root's home directory is mode 0700 on Debian, so a clone in it is out of
// the postgres user's reach) it lives under root/<hash>/postgres and
// requested becomes a symbolic link to it. place only decides; prepare
// creates.
func place(requested string, u serverUser, root string) (placement, error) {
	pl := placement{requested: requested, dir: requested}
	if fi, err := os.Lstat(requested); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		// A link left by an earlier relocation (or made by hand): follow it.
		target, err := os.Readlink(requested)
		if err != nil {
			return pl, fmt.Errorf("pglocal: read link %s: %w", requested, err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(requested), target)
		}
		pl.dir = target
		if home := filepath.Dir(target); isRelocationHome(home, requested) || home == relocationHome(root, requested) {
			pl.home = home
		}
		return pl, nil
	}
	if canSearch(filepath.Dir(requested), u) {
		return pl, nil
	}
	if !filepath.IsAbs(root) {
		return pl, fmt.Errorf("pglocal: relocation directory %q must be absolute", root)
	}
	if !canSearch(root, u) {
		return pl, fmt.Errorf("pglocal: the server user (uid %d) can reach neither %s nor %s", u.uid, filepath.Dir(requested), root)
	}
	pl.home = relocationHome(root, requested)
	pl.dir = filepath.Join(pl.home, "postgres")
	return pl, nil
}

func isRelocationHome(home, requested string) bool {
	b, err := os.ReadFile(filepath.Join(home, sourceFile))
	return err == nil && strings.TrimSpace(string(b)) == requested
}

// Relocated reports whether the data directory lives elsewhere than asked
// (because the server user cannot reach the requested one).
func (pl placement) relocated() bool { return pl.dir != pl.requested }

// prepare creates what place decided: parents traversable by the server
// user, the data directory (mode 0700, owned by the server user when cred is
// set) and, for a relocation, the link at the requested path.
func (pl placement) prepare(cred *syscall.Credential) error {
	if pl.home != "" {
		if err := mkdirAllMode(pl.home, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(pl.home, sourceFile), []byte(pl.requested+"\n"), 0o644); err != nil {
			return fmt.Errorf("pglocal: %w", err)
		}
	} else if err := mkdirAllMode(filepath.Dir(pl.dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(pl.dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("pglocal: create %s: %w", pl.dir, err)
	}
	if cred != nil {
		if err := os.Chown(pl.dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("pglocal: chown %s: %w", pl.dir, err)
		}
	}
	if !pl.relocated() {
		return nil
	}
	if err := mkdirAllMode(filepath.Dir(pl.requested), 0o755); err != nil {
		return err
	}
	fi, err := os.Lstat(pl.requested)
	switch {
	case err == nil && fi.Mode()&os.ModeSymlink != 0:
		return nil // the link exists (place followed it)
	case err == nil && fi.IsDir():
		// An empty directory, e.g. left by a run that failed before this
		// relocation existed: replace it by the link. Never touch data.
		if err := os.Remove(pl.requested); err != nil {
			return fmt.Errorf("pglocal: %s is out of the postgres user's reach and not empty; move it away or run `make clean-data`: %w", pl.requested, err)
		}
	case err == nil:
		return fmt.Errorf("pglocal: %s exists and is not a directory", pl.requested)
	}
	if err := os.Symlink(pl.dir, pl.requested); err != nil {
		return fmt.Errorf("pglocal: link %s to %s: %w", pl.requested, pl.dir, err)
	}
	return nil
}

// mkdirAllMode is os.MkdirAll whose new directories get exactly mode (not
// mode minus the umask), so they stay traversable by the server user.
func mkdirAllMode(dir string, mode os.FileMode) error {
	var missing []string
	for p := dir; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	if err := os.MkdirAll(dir, mode); err != nil {
		return fmt.Errorf("pglocal: create %s: %w", dir, err)
	}
	for _, p := range missing {
		if err := os.Chmod(p, mode); err != nil {
			return fmt.Errorf("pglocal: chmod %s: %w", p, err)
		}
	}
	return nil
}

package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// dev makes its deep-link key once, private, and reuses key and certificate
// on restart while the simulator still trusts the certificate; a wiped
// simulator issues a new certificate for the same key.
func TestDevDeepLinkSignerIsMadeOnceAndReused(t *testing.T) {
	dir := t.TempDir()
	snap := filepath.Join(dir, "klarna-sim.json")
	sim, err := klarnasim.New(klarnasim.Options{SnapshotFile: snap})
	if err != nil {
		t.Fatal(err)
	}
	first, err := devDeepLinkSigner(dir, sim)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, devDeepLinkKeyFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if !sim.CertificateRegistered(first.Certificate.Raw) {
		t.Fatal("the simulator does not trust the certificate it issued")
	}
	if err := sim.SaveSnapshot(); err != nil {
		t.Fatal(err)
	}
	restarted, err := klarnasim.New(klarnasim.Options{SnapshotFile: snap})
	if err != nil {
		t.Fatal(err)
	}
	again, err := devDeepLinkSigner(dir, restarted)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Certificate.Equal(first.Certificate) || !again.Key.Equal(first.Key) {
		t.Fatal("a restart made a new key or certificate")
	}
	wiped, err := klarnasim.New(klarnasim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := devDeepLinkSigner(dir, wiped)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Certificate.Equal(first.Certificate) || !fresh.Key.Equal(first.Key) || !wiped.CertificateRegistered(fresh.Certificate.Raw) {
		t.Fatal("a wiped simulator: want a new certificate for the same key")
	}
}

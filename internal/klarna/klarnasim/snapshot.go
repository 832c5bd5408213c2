package klarnasim

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// snapshotFile is the on-disk form of the simulator state. Pending webhook
// deliveries and idempotency records are not kept; timers are rebuilt from
// the state.
type snapshotFile struct {
	Version int       `json:"version"`
	SimTime time.Time `json:"sim_time"`
	CAKey   string    `json:"ca_key"`
	CACert  string    `json:"ca_cert"`
	State   *state    `json:"state"`
}

// SaveSnapshot writes the state to Options.SnapshotFile atomically.
func (s *Sim) SaveSnapshot() error {
	if s.opts.SnapshotFile == "" {
		return errors.New("klarnasim: no snapshot file configured")
	}
	keyDER, err := x509.MarshalECPrivateKey(s.caKey)
	if err != nil {
		return fmt.Errorf("klarnasim: snapshot: %w", err)
	}
	s.mu.RLock()
	b, err := json.Marshal(snapshotFile{
		Version: 1, SimTime: s.clock.Now(),
		CAKey:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})),
		CACert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ca.Raw})),
		State:  s.st,
	})
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("klarnasim: snapshot: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.opts.SnapshotFile), ".klarnasim-*")
	if err != nil {
		return fmt.Errorf("klarnasim: snapshot: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		// The write error is the one worth reporting; close and remove are
		// best-effort cleanup of a temp file that will never be used.
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("klarnasim: snapshot: write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		// A failed close may mean the data never reached disk: report it.
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("klarnasim: snapshot: close: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.opts.SnapshotFile); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("klarnasim: snapshot: rename: %w", err)
	}
	return nil
}

func (s *Sim) loadSnapshot(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var snap snapshotFile
	snap.State = newState()
	if err := json.Unmarshal(b, &snap); err != nil {
		return err
	}
	if snap.State == nil {
		return errors.New("snapshot has no state")
	}
	kb, _ := pem.Decode([]byte(snap.CAKey))
	cb, _ := pem.Decode([]byte(snap.CACert))
	if kb == nil || cb == nil {
		return errors.New("snapshot has no CA")
	}
	if s.caKey, err = x509.ParseECPrivateKey(kb.Bytes); err != nil {
		return err
	}
	if s.ca, err = x509.ParseCertificate(cb.Bytes); err != nil {
		return err
	}
	st := snap.State
	fill := newState()
	if st.APIKeys == nil {
		st.APIKeys = fill.APIKeys
	}
	if st.ClientIDs == nil {
		st.ClientIDs = fill.ClientIDs
	}
	if st.Certs == nil {
		st.Certs = fill.Certs
	}
	if st.Owners == nil {
		st.Owners = fill.Owners
	}
	if st.SigningKeys == nil {
		st.SigningKeys = fill.SigningKeys
	}
	if st.Webhooks == nil {
		st.Webhooks = fill.Webhooks
	}
	if st.Accounts == nil {
		st.Accounts = fill.Accounts
	}
	if st.Disputes == nil {
		st.Disputes = fill.Disputes
	}
	if st.Payments == nil {
		st.Payments = fill.Payments
	}
	if st.DeepLinks == nil {
		st.DeepLinks = fill.DeepLinks
	}
	if st.UsedJTIs == nil {
		st.UsedJTIs = fill.UsedJTIs
	}
	st.reindex()
	s.st = st
	if !snap.SimTime.IsZero() && snap.SimTime.After(s.clock.Now()) {
		s.clock.Advance(snap.SimTime.Sub(s.clock.Now()))
	}
	return nil
}

// rebuildTimers schedules what the state says is pending.
func (s *Sim) rebuildTimers() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for id, a := range s.st.Accounts {
		if a.A.State == klarna.AccountPartiallyOperational {
			s.sched.add(a.OperationalAt, "account", id)
		}
	}
	for id, d := range s.st.Disputes {
		if !d.NextAt.IsZero() {
			s.sched.add(d.NextAt, "dispute", id)
		}
	}
}

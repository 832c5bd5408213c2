package webhook_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// memStore keeps what the receive path writes, in memory: the fuzz target
// checks Receive's decision (accept or reject), not the database, and runs
// thousands of times a second. Methods Receive does not use are left to the
// embedded nil interface and would panic, which the fuzzer would report.
type memStore struct {
	webhook.Store
	mu          sync.Mutex
	events      map[string]webhook.Event
	byPK        map[int64]webhook.Event
	quarantined int
	last        webhook.Quarantined
}

func (m *memStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(ctx)
}

func (m *memStore) SealedKeys(context.Context) ([]webhook.SealedKey, error) { return nil, nil }

func (m *memStore) Quarantine(_ context.Context, q webhook.Quarantined, _ int) error {
	m.mu.Lock()
	m.quarantined++
	m.last = q
	m.mu.Unlock()
	return nil
}

func (m *memStore) Ingest(_ context.Context, ev webhook.Event, _ []byte) (int64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.events[ev.EventID]; ok {
		return old.PK, true, nil
	}
	ev.PK = int64(len(m.events) + 1)
	m.events[ev.EventID] = ev
	pk := ev.PK
	m.byPK[pk] = ev
	return pk, false, nil
}

type memEnqueuer struct{}

func (memEnqueuer) EnqueueProcess(context.Context, int64) error { return nil }

const (
	fuzzKeyID  = "krn:partner:global:notification:signing-key:fuzz-1"
	fuzzSecret = "fuzz-signing-secret-0f3a"
)

func storableText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func newFuzzService(f *testing.F) (*webhook.Service, *memStore) {
	store := &memStore{events: map[string]webhook.Event{}, byPK: map[int64]webhook.Event{}}
	svc, err := webhook.New(context.Background(), webhook.Options{
		Store: store, Enqueuer: memEnqueuer{}, Registry: &webhook.Registry{},
		ConfigKeys: map[string]string{fuzzKeyID: fuzzSecret},
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)), MaxAttempts: 3, Quarantine: 100,
	})
	if err != nil {
		f.Fatal(err)
	}
	return svc, store
}

// FuzzReceive feeds envelopes and signatures to the receive path.
//
// mode selects the signature: 0 signs the body with the configured key (as
// Klarna does), 1 uses the fuzzed signature as sent, 2 signs with another
// key, 3 sends an unknown key id. Properties:
//   - nothing panics (ParseWebhook, VerifySignature, Receive);
//   - Receive accepts exactly when the key is known, the signature verifies
//     and the body is an envelope with an event id and type;
//   - an accepted body re-verifies and re-parses to the stored event id;
//   - any single-byte change of an accepted body, or of its signature (other
//     than a hex letter's case or surrounding space, which the verifier
//     ignores), is rejected.
func FuzzReceive(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "envelopes", "*.json"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seed envelopes in testdata/envelopes: %v", err)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, byte(0), "", uint16(7), byte(1))
		f.Add(b, byte(1), klarna.Sign([]byte(fuzzSecret), b), uint16(3), byte(0x20))
		f.Add(b, byte(2), "", uint16(0), byte(0x80))
	}
	f.Add([]byte(`{}`), byte(0), "", uint16(0), byte(1))
	f.Add([]byte(`not json`), byte(1), "00", uint16(0), byte(1))
	f.Add([]byte(``), byte(3), "", uint16(0), byte(1))
	// Text PostgreSQL cannot store: a NUL escape, invalid UTF-8, a long id
	// whose cut would split a character, a body larger than what is kept.
	f.Add([]byte(`{"metadata":{"event_id":"e\u0000-1","event_type":"payment.dispute.x\u0000"},"payload":{"note":"\u0000"}}`), byte(0), "", uint16(5), byte(1))
	f.Add([]byte("{\"metadata\":{\"event_id\":\"e-\xff\",\"event_type\":\"partner.account.\xfe\"}}"), byte(0), "", uint16(9), byte(1))
	f.Add([]byte(`{"metadata":{"event_id":"`+strings.Repeat("a", 199)+`é","event_type":"t"}}`), byte(0), "", uint16(1), byte(1))
	f.Add(bytes.Repeat([]byte("x"), 70<<10), byte(1), "00", uint16(0), byte(1))

	svc, store := newFuzzService(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte, mode byte, sig string, pos uint16, delta byte) {
		keyID := fuzzKeyID
		switch mode % 4 {
		case 0:
			sig = klarna.Sign([]byte(fuzzSecret), body)
		case 2:
			sig = klarna.Sign([]byte("another-key"), body)
		case 3:
			keyID = "krn:partner:global:notification:signing-key:unknown"
		}
		env, parseErr := klarna.ParseWebhook(body)
		verified := klarna.VerifySignature([]byte(fuzzSecret), body, sig)
		want := keyID == fuzzKeyID && verified && parseErr == nil

		store.mu.Lock()
		before := store.quarantined
		store.mu.Unlock()
		r, err := svc.Receive(ctx, keyID, sig, body, "127.0.0.1")
		if (err == nil) != want {
			t.Fatalf("accepted=%v, want %v (verified=%v parseErr=%v)", err == nil, want, verified, parseErr)
		}
		if err != nil {
			// A rejected delivery keeps at most 4 KiB of its body, with the
			// whole body's size and hash, in storable text fields.
			store.mu.Lock()
			q, n := store.last, store.quarantined
			store.mu.Unlock()
			sum := sha256.Sum256(body)
			if n != before+1 || len(q.Body) > webhook.QuarantineBodyBytes || q.BodySize != len(body) || !bytes.Equal(q.BodySHA256, sum[:]) ||
				!bytes.HasPrefix(body, q.Body) || !storableText(q.SigningKeyID) || !storableText(q.Signature) {
				t.Fatalf("quarantined %d→%d: %d of %d bytes kept, size %d", before, n, len(q.Body), len(body), q.BodySize)
			}
			return
		}
		// An accepted body re-verifies and is stored, whatever text its
		// envelope holds (NUL, invalid UTF-8), with text fields PostgreSQL
		// can store, cut at character boundaries.
		if !klarna.VerifySignature([]byte(fuzzSecret), body, sig) {
			t.Fatal("an accepted body does not re-verify")
		}
		store.mu.Lock()
		ev, ok := store.byPK[r.EventPK]
		store.mu.Unlock()
		if !ok || r.EventPK == 0 {
			t.Fatalf("accepted event %q not stored", env.Metadata.EventID)
		}
		for name, v := range map[string]string{"event_id": ev.EventID, "event_type": ev.EventType, "event_version": ev.EventVersion, "subject_account_id": ev.SubjectAccountID} {
			if !storableText(v) {
				t.Fatalf("%s %q cannot be stored as text", name, v)
			}
		}
		if len(ev.EventID) > 200 || ev.EventID == "" || !strings.HasPrefix(env.Metadata.EventID, ev.EventID) && utf8.ValidString(env.Metadata.EventID) && !strings.ContainsRune(env.Metadata.EventID, 0) {
			t.Fatalf("stored event id %q from %q", ev.EventID, env.Metadata.EventID)
		}
		if !r.Duplicate && !bytes.Equal(ev.Raw, body) {
			t.Fatal("stored raw body differs from the delivered bytes")
		}

		// A single changed byte in the body is rejected.
		if delta == 0 {
			delta = 1
		}
		if len(body) > 0 {
			tampered := bytes.Clone(body)
			tampered[int(pos)%len(tampered)] ^= delta
			if _, err := svc.Receive(ctx, keyID, sig, tampered, "127.0.0.1"); err == nil {
				t.Fatalf("body changed at byte %d accepted", int(pos)%len(body))
			}
		}
		// So is a single changed byte in the signature.
		i := int(pos) % len(sig)
		b := []byte(sig)
		b[i] ^= delta
		if strings.EqualFold(strings.TrimSpace(string(b)), strings.TrimSpace(sig)) {
			return // a hex letter's case or surrounding space: the same signature
		}
		if _, err := svc.Receive(ctx, keyID, string(b), body, "127.0.0.1"); err == nil {
			t.Fatalf("signature changed at byte %d (%q → %q) accepted", i, sig[i], b[i])
		}
	})
}

package secretbox

import (
	"bytes"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	ct := b.Seal([]byte("signing-secret"), "krn:key:1")
	if bytes.Contains(ct, []byte("signing-secret")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	if pt, err := b.Open(ct, "krn:key:1"); err != nil || string(pt) != "signing-secret" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	if _, err := b.Open(ct, "krn:key:2"); err == nil {
		t.Fatal("a secret opened under another context")
	}
	ct[len(ct)-1] ^= 1
	if _, err := b.Open(ct, "krn:key:1"); err == nil {
		t.Fatal("a tampered secret opened")
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(b.Seal([]byte("x"), "c"), "c"); err == nil {
		t.Fatal("opened with the wrong key")
	}
}

func TestParseKeyAndDevKey(t *testing.T) {
	if _, err := ParseKey("too-short"); err == nil {
		t.Fatal("short key accepted")
	}
	dir := t.TempDir()
	k1, err := DevKey(dir)
	if err != nil || len(k1) != 32 {
		t.Fatalf("DevKey: %v", err)
	}
	k2, _ := DevKey(dir)
	if !bytes.Equal(k1, k2) {
		t.Fatal("the dev key changed between runs")
	}
}

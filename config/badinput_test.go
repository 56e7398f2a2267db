package config

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
)

func tryUpdate(s *Store) error {
	_, err := s.Update(context.Background(), "tester (local)", "set", AnyRevision, func(d *Data) error {
		d.Credentials["github"] = &Credential{Provider: "github", Settings: Settings{Org: "overwritten", Token: canary}}
		return nil
	})
	return err
}

func TestWrongIdentityFile(t *testing.T) {
	s, dir := newStore(t)
	setProvider(t, s, "github", Credential{Settings: Settings{Org: "acme", Token: canary}})
	_, other := newStore(t)
	otherKey, err := os.ReadFile(filepath.Join(other, IdentityFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, IdentityFile), otherKey, 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	ws, err := Open(dir, nil)
	if err == nil {
		_, err = ws.Load()
	}
	if !IsKind(err, KindWrongKey) {
		t.Fatalf("wrong key file: %v, want KindWrongKey", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "wrong key") || !strings.Contains(msg, IdentityFile) {
		t.Errorf("message does not name the problem: %s", msg)
	}
	if ws != nil {
		if err := tryUpdate(ws); !IsKind(err, KindWrongKey) {
			t.Errorf("Update with the wrong key: %v, want KindWrongKey", err)
		}
	}
	assertUnchanged(t, before, snapshot(t, dir))
}

// A whole other key pair (identity.txt and recipient.txt) copied in: still a wrong key, not damage.
func TestWrongKeyPair(t *testing.T) {
	s, dir := newStore(t)
	setProvider(t, s, "github", Credential{Settings: Settings{Org: "acme", Token: canary}})
	_, other := newStore(t)
	for _, f := range []string{IdentityFile, RecipientFile} {
		b, err := os.ReadFile(filepath.Join(other, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, dir)
	ws, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Load(); !IsKind(err, KindWrongKey) || !strings.Contains(err.Error(), "wrong key") {
		t.Fatalf("wrong key pair: %v, want KindWrongKey", err)
	}
	if err := tryUpdate(ws); !IsKind(err, KindWrongKey) {
		t.Errorf("Update with the wrong key pair: %v", err)
	}
	assertUnchanged(t, before, snapshot(t, dir))
}

func TestWrongPassphrase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	s, err := Init(dir, "pass")
	if err != nil {
		t.Fatal(err)
	}
	setProvider(t, s, "github", Credential{Settings: Settings{Org: "acme", Token: canary}})
	if pp, err := PassphraseProtected(dir); err != nil || !pp {
		t.Fatalf("PassphraseProtected = %v %v", pp, err)
	}
	key, _ := os.ReadFile(filepath.Join(dir, IdentityFile))
	if strings.Contains(string(key), "AGE-SECRET-KEY") {
		t.Fatal("passphrase mode stores the key in plaintext")
	}
	before := snapshot(t, dir)
	asked := 0
	_, err = Open(dir, func() (string, error) { asked++; return "wrong", nil })
	if !IsKind(err, KindWrongPassphrase) || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if asked != 1 {
		t.Errorf("asked %d times", asked)
	}
	if _, err := Open(dir, nil); !IsKind(err, KindWrongPassphrase) {
		t.Errorf("no passphrase source: %v", err)
	}
	assertUnchanged(t, before, snapshot(t, dir))
	ok, err := Open(dir, func() (string, error) { return "pass", nil })
	if err != nil {
		t.Fatal(err)
	}
	d, err := ok.Load()
	if err != nil || d.Credentials["github"].Token != canary {
		t.Fatalf("right passphrase: %v", err)
	}
}

func TestMissingIdentity(t *testing.T) {
	_, dir := newStore(t)
	if err := os.Remove(filepath.Join(dir, IdentityFile)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err := Open(dir, nil)
	if !IsKind(err, KindWrongKey) || !strings.Contains(err.Error(), "missing") || !strings.Contains(err.Error(), IdentityFile) {
		t.Fatalf("missing key file: %v", err)
	}
	if _, err := PassphraseProtected(dir); err == nil {
		t.Error("PassphraseProtected without key file: no error")
	}
	assertUnchanged(t, before, snapshot(t, dir))
}

func TestGarbageIdentity(t *testing.T) {
	_, dir := newStore(t)
	if err := os.WriteFile(filepath.Join(dir, IdentityFile), []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, nil); !IsKind(err, KindWrongKey) || !strings.Contains(err.Error(), "not a valid key file") {
		t.Fatalf("garbage key file: %v", err)
	}
}

// corruptCase damages config.age and checks the store refuses to load and to save.
func checkCorrupt(t *testing.T, name string, s *Store, dir string, data []byte) {
	t.Helper()
	if err := os.WriteFile(s.Path(), data, 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err := s.Load()
	if !IsKind(err, KindCorrupt) {
		t.Errorf("%s: Load = %v, want KindCorrupt", name, err)
		return
	}
	if !strings.Contains(err.Error(), BackupFile) {
		t.Errorf("%s: message does not mention the backup: %v", name, err)
	}
	if err := tryUpdate(s); !IsKind(err, KindCorrupt) {
		t.Errorf("%s: Update = %v, want KindCorrupt", name, err)
	}
	assertUnchanged(t, before, snapshot(t, dir))
}

func TestTruncatedStore(t *testing.T) {
	s, dir := newStore(t)
	setProvider(t, s, "github", Credential{Settings: Settings{Org: "acme", Token: canary}})
	setProvider(t, s, "gitlab", Credential{Settings: Settings{Org: strings.Repeat("g", 70000), Token: canary}}) // > one 64 KiB chunk
	good, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	hdr := strings.Index(string(good), "\n---")
	offsets := []int{0, 1, 10, 22, hdr - 5, hdr, hdr + 3, hdr + 30, hdr + 60, len(good) / 2, 64*1024 + 16 + hdr, len(good) - 17, len(good) - 16, len(good) - 1}
	for _, off := range offsets {
		if off < 0 || off >= len(good) {
			continue
		}
		checkCorrupt(t, "truncated at "+itoa(off), s, dir, good[:off])
	}
	checkCorrupt(t, "trailing data", s, dir, append(append([]byte{}, good...), 'x'))
	// Restoring the good file makes everything work again.
	if err := os.WriteFile(s.Path(), good, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptedBytes(t *testing.T) {
	s, dir := newStore(t)
	setProvider(t, s, "github", Credential{Settings: Settings{Org: "acme", Token: canary}})
	good, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	hdr := strings.Index(string(good), "\n---")
	lines := strings.SplitAfter(string(good[:hdr]), "\n")
	// Offsets: version line, stanza type, ephemeral share, wrapped key, MAC, nonce, body, tag.
	offsets := []int{3, len(lines[0]) + 4, len(lines[0]) + 12, len(lines[0]) + len(lines[1]) + 5, hdr + 8, hdr + 5 + 44 + 3, hdr + 5 + 44 + 16 + 10, len(good) - 3}
	for _, off := range offsets {
		bad := append([]byte{}, good...)
		bad[off] ^= 0x55
		checkCorrupt(t, "flipped byte "+itoa(off), s, dir, bad)
	}
	// Changes that keep the header well-formed (valid base64) but break the key unwrapping.
	for _, off := range []int{len(lines[0]) + 14, len(lines[0]) + 30, len(lines[0]) + len(lines[1]) + 2, len(lines[0]) + len(lines[1]) + 20} {
		bad := append([]byte{}, good...)
		if bad[off] == 'A' {
			bad[off] = 'B'
		} else {
			bad[off] = 'A'
		}
		checkCorrupt(t, "substituted base64 at "+itoa(off), s, dir, bad)
	}
	// Without recipient.txt, the backup decides that the key is right and the file is damaged.
	if err := os.Remove(filepath.Join(dir, RecipientFile)); err != nil {
		t.Fatal(err)
	}
	bad := append([]byte{}, good...)
	bad[len(lines[0])+14] ^= 1
	checkCorrupt(t, "damaged stanza, no recipient.txt", s, dir, bad)
}

func TestNewerSchemaVersion(t *testing.T) {
	s, dir := newStore(t)
	setProvider(t, s, "github", Credential{Settings: Settings{Org: "acme", Token: canary}})
	var buf strings.Builder
	w, err := age.Encrypt(&buf, s.recipient)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(`{"version":3,"revision":9,"credentials":{},"audit":[],"new_field":true}`))
	_ = w.Close()
	if err := os.WriteFile(s.Path(), []byte(buf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err = s.Load()
	if err == nil || !strings.Contains(err.Error(), "newer gitopscfg") || !strings.Contains(err.Error(), "upgrade") ||
		!strings.Contains(err.Error(), "schema version 3; this one reads 2") {
		t.Fatalf("newer schema: %v", err)
	}
	if !IsKind(err, KindNewerVersion) || strings.Contains(err.Error(), "damaged") {
		t.Errorf("a newer store is reported as damaged: %v", err)
	}
	if err := tryUpdate(s); !IsKind(err, KindNewerVersion) {
		t.Errorf("Update of a newer store: %v", err)
	}
	assertUnchanged(t, before, snapshot(t, dir))
}

func itoa(i int) string { return strconv.Itoa(i) }

package config

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
)

const validStoreJSON = `{"version":1,"revision":3,"active":"github","providers":{"github":{"host":"https://github.com/","org":"acme","username":"octocat","token":"t","updated_at":"2026-11-25T10:00:00Z","last_check":{"at":"2026-11-25T10:00:00Z","ok":true,"deep":false,"expires_at":null,"duration_ms":12,"checks":[{"id":"auth","status":"pass"}]}}},"audit":[{"at":"2026-11-25T10:00:00Z","who":"alice (local)","action":"set","provider":"github","fields":["token"]}]}`

func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		validStoreJSON,
		``,
		`garbage`,
		"\x00\xff\xfe{",
		`{"version":2,"revision":1,"providers":{}}`,
		`{"version":1}`,
		`{"version":1,"revision":-1}`,
		`{"version":1,"providers":{"github":null}}`,
		`{"version":1,"active":"gitlab","providers":{}}`,
		`null`,
		`[]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decode(b)
		if err != nil {
			if d != nil {
				t.Fatal("data and error")
			}
			return
		}
		if d.Version != schemaVersion || d.Credentials == nil || d.Audit == nil || d.Revision < 0 {
			t.Fatalf("accepted invalid content: %+v", d)
		}
		for k, p := range d.Credentials {
			if p == nil {
				t.Fatalf("nil provider %q accepted", k)
			}
		}
		// What decode accepts survives Clone and Encode → decode.
		enc, err := d.Clone().Encode()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decode(enc); err != nil {
			t.Fatalf("re-decode of accepted content: %v", err)
		}
	})
}

// fuzzIdentity is fixed so that seeds can be real ciphertexts.
const fuzzIdentity = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"

func FuzzLoad(f *testing.F) {
	id, err := age.ParseX25519Identity(fuzzIdentity)
	if err != nil {
		f.Fatal(err)
	}
	enc := func(plain string) []byte {
		var buf bytes.Buffer
		w, err := age.Encrypt(&buf, id.Recipient())
		if err != nil {
			f.Fatal(err)
		}
		_, _ = w.Write([]byte(plain))
		_ = w.Close()
		return buf.Bytes()
	}
	valid := enc(validStoreJSON)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add(enc(`{"version":2}`))
	f.Add(enc(`not json`))
	f.Add([]byte{})
	f.Add([]byte("age-encryption.org/v1\n-> X25519 \n---\n"))
	f.Add([]byte("garbage"))
	other, _ := age.GenerateX25519Identity()
	var buf bytes.Buffer
	w, _ := age.Encrypt(&buf, other.Recipient())
	_, _ = w.Write([]byte(validStoreJSON))
	_ = w.Close()
	f.Add(buf.Bytes())

	dir := f.TempDir()
	s := &Store{dir: dir, identity: id, recipient: id.Recipient()}
	path := filepath.Join(dir, StoreFile)
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := s.Load()
		if (d == nil) == (err == nil) {
			t.Fatalf("Load = %v, %v: want exactly one of data and error", d, err)
		}
		if err != nil && kindOf(err) == 0 {
			t.Fatalf("Load error is not a store error: %v", err)
		}
	})
}

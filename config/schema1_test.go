package config

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"filippo.io/age"
)

// schema1Store copies the schema-1 store written by the previous release (testdata/schema1: a
// GitHub and a GitLab configuration with their checks and round trip, a Devtron instance and the
// audit trail of those changes) into a directory of its own.
func schema1Store(t *testing.T) (string, []byte) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cfg")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	var store []byte
	for _, f := range []string{StoreFile, IdentityFile, RecipientFile} {
		b, err := os.ReadFile(filepath.Join("testdata", "schema1", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if f == StoreFile {
			store = b
		}
	}
	return dir, store
}

// ageDecrypt decrypts a store file with the key file as `age -d -i identity.txt` does.
func ageDecrypt(t *testing.T, dir string, file []byte) map[string]any {
	t.Helper()
	keys, err := os.ReadFile(filepath.Join(dir, IdentityFile))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(keys))
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(bytes.NewReader(file), ids...)
	if err != nil {
		t.Fatalf("age -d: %v", err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(plain, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// jsonOf is v as generic JSON.
func jsonOf(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// holds reports, in words, each key of want that got lacks or holds differently.
func holds(got, want map[string]any, where string) []string {
	var out []string
	for k, w := range want {
		if g, ok := got[k]; !ok || !reflect.DeepEqual(g, w) {
			out = append(out, fmt.Sprintf("%s.%s = %v, want %v", where, k, g, w))
		}
	}
	return out
}

// TestSchema1StoreOpensAndMigrates: a store written by the previous release opens as it is, every
// value of it survives (each configuration as the credential named after its provider, the
// Devtron instance as devtron "default", the audit entries naming the credential), the first
// save writes schema 2 and keeps the schema-1 file byte for byte, and age reads both.
func TestSchema1StoreOpensAndMigrates(t *testing.T) {
	dir, original := schema1Store(t)
	v1 := ageDecrypt(t, dir, original)
	if v1["version"] != 1.0 {
		t.Fatalf("the fixture is not schema 1: %v", v1["version"])
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Load()
	if err != nil {
		t.Fatalf("a schema-1 store does not open: %v", err)
	}
	if d.Version != schemaVersion || d.Revision != int64(v1["revision"].(float64)) || d.Active != v1["active"] {
		t.Fatalf("migrated: version %d revision %d active %q", d.Version, d.Revision, d.Active)
	}
	if got, _ := os.ReadFile(s.Path()); !bytes.Equal(got, original) {
		t.Fatal("opening the store rewrote it")
	}
	checkMigrated(t, v1, jsonOf(t, d))

	// The first save writes schema 2 and keeps the schema-1 file as it was.
	if _, err := s.Activate(context.Background(), "tester", "gitlab"); err != nil {
		t.Fatal(err)
	}
	v1bak := filepath.Join(dir, fmt.Sprintf(SchemaBackupFile, 1))
	kept, err := os.ReadFile(v1bak)
	if err != nil || !bytes.Equal(kept, original) {
		t.Fatalf("the schema-1 file was not kept byte for byte as %s: %v", v1bak, err)
	}
	if fi, err := os.Stat(v1bak); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v %v", v1bak, fi.Mode(), err)
	}
	saved, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	v2 := ageDecrypt(t, dir, saved)
	if v2["version"] != 2.0 || v2["active"] != "gitlab" || v2["providers"] != nil {
		t.Fatalf("the saved store is not schema 2: version %v active %v", v2["version"], v2["active"])
	}
	checkMigrated(t, v1, v2)
	if v := ageDecrypt(t, dir, kept); v["version"] != 1.0 {
		t.Fatalf("the kept file is not schema 1: %v", v["version"])
	}

	// A later save leaves the kept file alone.
	if _, err := s.Activate(context.Background(), "tester", "github"); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(v1bak); !bytes.Equal(again, original) {
		t.Fatal("a second save replaced the kept schema-1 file")
	}
}

// checkMigrated compares every value of the schema-1 document v1 with the schema-2 document v2.
func checkMigrated(t *testing.T, v1, v2 map[string]any) {
	t.Helper()
	var bad []string
	creds, _ := v2["credentials"].(map[string]any)
	for id, p := range v1["providers"].(map[string]any) {
		c, _ := creds[id].(map[string]any)
		if c == nil || c["provider"] != id {
			bad = append(bad, fmt.Sprintf("credential %s: %v", id, c))
			continue
		}
		bad = append(bad, holds(c, p.(map[string]any), "credentials."+id)...)
	}
	if len(creds) != len(v1["providers"].(map[string]any)) {
		bad = append(bad, fmt.Sprintf("%d credentials for %d providers", len(creds), len(v1["providers"].(map[string]any))))
	}
	dt, _ := v2["platforms"].(map[string]any)["devtron"].(map[string]any)["default"].(map[string]any)
	if dt == nil {
		bad = append(bad, "no devtron instance named default")
	} else {
		bad = append(bad, holds(dt, v1["devtron"].(map[string]any), "platforms.devtron.default")...)
	}
	a1, a2 := v1["audit"].([]any), v2["audit"].([]any)
	if len(a2) < len(a1) {
		bad = append(bad, fmt.Sprintf("%d audit entries of %d", len(a2), len(a1)))
	}
	devtronEntries := 0
	for i, e := range a1 {
		old, cur := e.(map[string]any), a2[i].(map[string]any)
		bad = append(bad, holds(cur, old, fmt.Sprintf("audit[%d]", i))...)
		switch {
		case strings.HasPrefix(old["action"].(string), "devtron-"):
			devtronEntries++
			if cur["platform"] != "devtron" || cur["instance"] != "default" {
				bad = append(bad, fmt.Sprintf("audit[%d] names no instance: %v", i, cur))
			}
		case old["provider"] != nil && cur["credential"] != old["provider"]:
			bad = append(bad, fmt.Sprintf("audit[%d] names no credential: %v", i, cur))
		}
	}
	if devtronEntries == 0 || len(a1) < 4 {
		bad = append(bad, fmt.Sprintf("the fixture lacks the entries this test is about: %v", a1))
	}
	for _, b := range bad {
		t.Error(b)
	}
}

package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestSetStatusActivateRemove(t *testing.T) {
	t.Parallel()
	dir := initStore(t)
	mustRun(t, dir, " "+kit.Canary+"\n", "set", "github", "--org", "acme", "--username", "octocat", "--token-stdin", "--no-check", "--activate")
	mustRun(t, dir, "glpat-CANARYcanary012345678\n", "set", "gitlab", "--org", "acme/gitops", "--username", "jdoe", "--token-stdin", "--no-check")
	// An update of one field keeps the others, including the token.
	mustRun(t, dir, "", "set", "github", "--org", "acme-two", "--no-check")

	var st struct {
		Active    *string `json:"active"`
		Revision  int     `json:"revision"`
		Providers []struct {
			Provider   string  `json:"provider"`
			Configured bool    `json:"configured"`
			Active     bool    `json:"active"`
			Org        *string `json:"org"`
			TokenHint  *string `json:"token_hint"`
		} `json:"providers"`
		Audit []struct {
			Action   string   `json:"action"`
			Provider string   `json:"provider"`
			Fields   []string `json:"fields"`
		} `json:"audit"`
	}
	r := mustRun(t, dir, "", "status", "--json")
	if err := json.Unmarshal([]byte(r.out), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.out)
	}
	if st.Active == nil || *st.Active != "github" || st.Revision != 3 {
		t.Fatalf("active %v revision %d; want github, 3", st.Active, st.Revision)
	}
	gh := st.Providers[0]
	if !gh.Configured || !gh.Active || *gh.Org != "acme-two" || *gh.TokenHint != "ghp_…ijkl" {
		t.Fatalf("github status %+v", gh)
	}
	last := st.Audit[len(st.Audit)-1]
	if last.Action != "set" || last.Provider != "github" || strings.Join(last.Fields, ",") != "org" {
		t.Fatalf("last audit entry %+v; want set github [org]", last)
	}

	mustRun(t, dir, "", "activate", "gitlab")
	r = mustRun(t, dir, "", "status")
	if !strings.Contains(r.out, "✓ GitLab") || strings.Contains(r.out, "✓ GitHub") {
		t.Fatalf("the tick did not move to GitLab:\n%s", r.out)
	}
	r = mustRun(t, dir, "", "remove", "gitlab")
	if !strings.Contains(r.out, "none is active now") {
		t.Fatalf("remove of the active provider: %s", r.out)
	}
}

func TestWrongKeyAndCorruptStore(t *testing.T) {
	t.Parallel()
	dir := initStore(t)
	other := initStore(t)
	mustRun(t, dir, kit.Canary, "set", "github", "--org", "acme", "--username", "u", "--token-stdin", "--no-check")
	mustRun(t, dir, "", "set", "github", "--org", "acme2", "--no-check")

	// Another store's key: exit 2, a message naming the problem, nothing changed.
	key, _ := os.ReadFile(filepath.Join(other, "identity.txt"))
	if err := os.WriteFile(filepath.Join(dir, "identity.txt"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	before := readAll(t, dir)
	for _, args := range [][]string{{"status"}, {"set", "github", "--org", "x", "--no-check"}, {"activate", "github"}} {
		r := gitopscfg(t, dir, "", nil, args...)
		if r.code != 2 || !strings.Contains(r.err, "wrong key file") {
			t.Fatalf("%v with a wrong key: exit %d, %q", args, r.code, r.err)
		}
	}
	if !sameFiles(before, readAll(t, dir)) {
		t.Fatal("the store changed after a wrong key")
	}
}

func TestCorruptStoreIsNeverOverwritten(t *testing.T) {
	t.Parallel()
	dir := initStore(t)
	mustRun(t, dir, kit.Canary, "set", "github", "--org", "acme", "--username", "u", "--token-stdin", "--no-check")
	path := filepath.Join(dir, "config.age")
	b, _ := os.ReadFile(path)
	for _, damaged := range [][]byte{b[:len(b)/2], append(append([]byte{}, b[:len(b)-20]...), bytes.Repeat([]byte{'x'}, 20)...)} {
		if err := os.WriteFile(path, damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"status"}, {"set", "github", "--org", "x", "--no-check"}} {
			r := gitopscfg(t, dir, "", nil, args...)
			if r.code != 2 || !strings.Contains(r.err, "config.age.bak") {
				t.Fatalf("%v on a damaged store: exit %d, %q", args, r.code, r.err)
			}
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, damaged) {
			t.Fatal("the damaged store was overwritten")
		}
	}
}

func TestPassphraseMode(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cfg")
	good := []string{"GITOPSCFG_PASSPHRASE=correct horse battery"}
	if r := gitopscfg(t, dir, "", []string{"GITOPSCFG_PASSPHRASE=short"}, "init", "--passphrase"); r.code != 2 || !strings.Contains(r.err, "too short") {
		t.Fatalf("short passphrase: %d %q", r.code, r.err)
	}
	if r := gitopscfg(t, dir, "", good, "init", "--passphrase"); r.code != 0 {
		t.Fatalf("init --passphrase: %d %q", r.code, r.err)
	}
	if r := gitopscfg(t, dir, kit.Canary, good, "set", "github", "--org", "acme", "--username", "u", "--token-stdin", "--no-check"); r.code != 0 {
		t.Fatalf("set: %d %q", r.code, r.err)
	}
	before := readAll(t, dir)
	r := gitopscfg(t, dir, "", []string{"GITOPSCFG_PASSPHRASE=wrong horse battery"}, "set", "github", "--org", "x", "--no-check")
	if r.code != 2 || !strings.Contains(r.err, "wrong passphrase") {
		t.Fatalf("wrong passphrase: exit %d %q", r.code, r.err)
	}
	if r := gitopscfg(t, dir, "", nil, "status"); r.code != 2 || !strings.Contains(r.err, "GITOPSCFG_PASSPHRASE") {
		t.Fatalf("no passphrase, no terminal: exit %d %q", r.code, r.err)
	}
	if !sameFiles(before, readAll(t, dir)) {
		t.Fatal("the store changed after a wrong passphrase")
	}
	if r := gitopscfg(t, dir, "", good, "status"); r.code != 0 || !strings.Contains(r.out, "passphrase") {
		t.Fatalf("status with the passphrase: %d %q", r.code, r.out+r.err)
	}
}

// TestConcurrentWritersLoseNothing races 8 processes × 50 `set --no-check` on one store.
func TestConcurrentWritersLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns 400 processes")
	}
	t.Parallel()
	dir := initStore(t)
	provs := []string{"github", "gitlab", "azure", "bitbucket"}
	const writers, perWriter = 8, 50
	var wg sync.WaitGroup
	errs := make(chan string, writers*perWriter)
	for w := range writers {
		wg.Go(func() {
			p := provs[w%4]
			for j := range perWriter {
				args := []string{"set", p, "--org", fmt.Sprintf("w%d-%d", w, j), "--no-check"}
				stdin := ""
				if j == 0 {
					args = append(args, "--username", "u@example.com", "--token-stdin")
					stdin = kit.Canary
				}
				if p == "azure" {
					args = append(args, "--host", "https://dev.azure.com/acme")
				}
				r := gitopscfg(t, dir, stdin, nil, args...)
				if r.code != 0 {
					errs <- fmt.Sprintf("writer %d save %d: exit %d %s", w, j, r.code, r.err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	var st struct {
		Revision  int `json:"revision"`
		Providers []struct {
			Provider string  `json:"provider"`
			Org      *string `json:"org"`
		} `json:"providers"`
	}
	r := mustRun(t, dir, "", "status", "--json")
	if err := json.Unmarshal([]byte(r.out), &st); err != nil {
		t.Fatal(err)
	}
	if st.Revision != writers*perWriter {
		t.Fatalf("revision %d; want %d (a write was lost)", st.Revision, writers*perWriter)
	}
	if len(st.Providers) < len(provs) {
		t.Fatalf("status lists %d providers; want at least %d", len(st.Providers), len(provs))
	}
	for i, p := range st.Providers[:len(provs)] {
		if p.Org == nil || (*p.Org != fmt.Sprintf("w%d-49", i) && *p.Org != fmt.Sprintf("w%d-49", i+4)) {
			t.Errorf("%s org %v; want the last write of writer %d or %d", p.Provider, p.Org, i, i+4)
		}
	}
}

// TestCanaryNeverLeaks writes a canary token and runs every verb: the canary appears in no
// output and in no file of the config dir.
func TestCanaryNeverLeaks(t *testing.T) {
	t.Parallel()
	dir := initStore(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	var all strings.Builder
	for _, step := range []struct {
		stdin string
		args  []string
	}{
		{kit.Canary + "\n", []string{"set", "github", "--host", closed, "--org", "acme", "--username", "u", "--token-stdin", "--activate"}},
		{kit.Canary + "\n", []string{"set", "github", "--host", closed, "--org", "acme", "--username", "u", "--token-stdin", "--no-check", "--activate"}},
		{"", []string{"status"}},
		{"", []string{"status", "--json"}},
		{"", []string{"check"}},
		{"", []string{"check", "--all", "--json"}},
		{"", []string{"activate", "github"}},
		{"", []string{"--help"}},
		{"", []string{"remove", "github"}},
	} {
		r := gitopscfg(t, dir, step.stdin, nil, step.args...)
		all.WriteString(r.out + r.err)
	}
	if strings.Contains(all.String(), kit.Canary) || strings.Contains(all.String(), kit.Canary[4:]) {
		t.Fatalf("the canary token leaked into the output:\n%s", all.String())
	}
	for path, b := range readAll(t, dir) {
		if bytes.Contains(b, []byte(kit.Canary[4:])) {
			t.Fatalf("the canary token is in plaintext in %s", path)
		}
	}
}

// status --json's last_check is the latest check of either kind, a round trip marked deep.
func TestStatusLastCheckIncludesRoundTrips(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	dir := initStore(t)
	c := emu.DemoCredentials(providers.GitHub)
	mustRun(t, dir, c.Token, "set", "github", "--host", c.Host, "--org", c.Org, "--username", c.Username, "--token-stdin", "--no-check")
	mustRun(t, dir, "", "check", "github", "--deep")
	var st struct {
		Providers []struct {
			LastCheck *struct {
				OK   bool `json:"ok"`
				Deep bool `json:"deep"`
			} `json:"last_check"`
			LastDeep *struct {
				OK bool `json:"ok"`
			} `json:"last_deep"`
		} `json:"providers"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, dir, "", "status", "--json").out), &st); err != nil {
		t.Fatal(err)
	}
	gh := st.Providers[0]
	if gh.LastCheck == nil || !gh.LastCheck.OK || !gh.LastCheck.Deep || gh.LastDeep == nil || !gh.LastDeep.OK {
		t.Fatalf("last_check %+v, last_deep %+v; want the passing round trip in both", gh.LastCheck, gh.LastDeep)
	}
}

package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gitopscfg/config/safe"
	"gitopscfg/providers/hostile"
)

// The hostile-server probes drive the real binary against a server that misbehaves (see
// providers/hostile) and assert what the admin sees. GITOPSCFG_PROBE_BINARY runs them against
// another build (to count how an older one fares); each probe is one subtest, and the summary
// line "hostile probes: N of M handled" is logged.

var probeTotal, probeHandled atomic.Int64

func probeBinary() string {
	if b := os.Getenv("GITOPSCFG_PROBE_BINARY"); b != "" {
		return b
	}
	if raceEnabled {
		// The probes bound the binary's peak memory, which the race detector inflates several
		// times: probe a plain build of the same tree instead.
		return plainBinary()
	}
	return binaryPath()
}

// plainBinary is gitopscfg built without the race detector, once per test run.
var plainBinary = sync.OnceValue(func() string {
	dir, err := os.MkdirTemp("", "gitopscfg-plain-")
	if err != nil {
		panic(err)
	}
	bin := filepath.Join(dir, "gitopscfg")
	if out, err := exec.Command("go", "build", "-o", bin, "gitopscfg").CombinedOutput(); err != nil {
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	return bin
})

// probeCreds is one provider's stored settings and a canary token whose every encoding differs
// from the raw one.
type probeCreds struct {
	provider, username, token string
	host                      []string // --host, where the provider needs one
}

var probeProviders = []probeCreds{
	{"github", "alice", "ghp_CANARY+tok/en=abcdefghijklmnopqrstuvw", nil},
	{"gitlab", "alice", "glpat-CANARY+tok/en=abcdefghijkl", nil},
	{"azure", "alice", "azCANARY+tok/en=abcdefghijklmnopqrstuvwxyz0123456789ab", []string{"--host", "https://dev.azure.com/acme"}},
	{"bitbucket", "alice@example.com", "ATATT3xFfGF0CANARY+tok/en=abcdefghijklmnopqrstuvwxyz0123", nil},
}

type probeRun struct {
	out, err string
	code     int
	maxRSSKB int64
	wall     time.Duration
}

// runProbe runs the binary under /usr/bin/time -v (for its peak RSS) with a 2 GiB address-space
// limit, so an unbounded read fails fast instead of taking the machine's memory; it is killed
// (its whole process group) after kill.
func runProbe(t *testing.T, dir, stdin string, kill time.Duration, args ...string) probeRun {
	t.Helper()
	r := runProbeFull(t, dir, stdin, kill, args...)
	if len(r.err) > 4000 && os.Getenv("PROBE_FULL") == "" { // a crash dump: keep its head
		r.err = r.err[:4000] + "…"
	}
	return r
}

func runProbeFull(t *testing.T, dir, stdin string, kill time.Duration, args ...string) probeRun {
	t.Helper()
	timeFile := filepath.Join(t.TempDir(), "time")
	shell := `ulimit -v 2097152; exec "$0" "$@"`
	argv := append([]string{"-v", "-o", timeFile, "sh", "-c", shell, probeBinary()}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), kill)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/time", argv...)
	cmd.Env = []string{"GITOPSCFG_CONFIG_DIR=" + dir, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	cmd.Stdin = strings.NewReader(stdin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := probeRun{out: out.String(), err: errb.String(), wall: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	if ctx.Err() != nil {
		r.code = -1
	}
	if raw, err := os.ReadFile(timeFile); err == nil {
		if m := regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`).FindSubmatch(raw); m != nil {
			r.maxRSSKB, _ = strconv.ParseInt(string(m[1]), 10, 64)
		}
		if m := regexp.MustCompile(`Command exited with non-zero status (\d+)`).FindSubmatch(raw); m != nil && r.code != -1 {
			r.code, _ = strconv.Atoi(string(m[1]))
		}
	}
	return r
}

// serverProbe runs one probe as a subtest and counts it.
func serverProbe(t *testing.T, name string, fn func(t *testing.T)) {
	t.Run(name, func(t *testing.T) {
		probeTotal.Add(1)
		fn(t)
		if !t.Failed() {
			probeHandled.Add(1)
		}
	})
}

// storeFor makes a store holding c pointed at apiURL (saved without a check) and returns its dir.
func storeFor(t *testing.T, c probeCreds, apiURL string, extra ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cfg")
	mustRun(t, dir, "", "init")
	args := append([]string{"set", c.provider, "--org", "acme", "--username", c.username, "--api-url", apiURL, "--token-stdin", "--no-check"}, c.host...)
	args = append(args, extra...)
	r := gitopscfg(t, dir, c.token+"\n", nil, args...)
	if r.code != 0 {
		t.Fatalf("set: exit %d: %s%s", r.code, r.out, r.err)
	}
	return dir
}

func TestHostileServerProbes(t *testing.T) {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("/usr/bin/time is missing in CI (.ci/run installs it)")
		}
		t.Skip("needs /usr/bin/time for the peak RSS")
	}
	t.Cleanup(func() { t.Logf("hostile probes: %d of %d handled", probeHandled.Load(), probeTotal.Load()) })
	t.Run("unbounded reads", probesUnboundedReads)
	t.Run("CA bundle", probesCABundle)
	t.Run("TLS", probesTLS)
	t.Run("escapes", probesEscapes)
	t.Run("reflected credentials", probesReflected)
}

const probeRSSLimitKB = 64 << 10

func probesUnboundedReads(t *testing.T) {
	for _, mode := range []hostile.Mode{hostile.Huge, hostile.GzipBomb} {
		srv := hostile.Start(mode)
		t.Cleanup(srv.Close)
		for _, c := range probeProviders {
			serverProbe(t, string(mode)+"/"+c.provider, func(t *testing.T) {
				dir := storeFor(t, c, srv.URL)
				r := runProbe(t, dir, "", 30*time.Second, "check", c.provider, "--timeout", "3s")
				t.Logf("peak RSS %d KB, %v, exit %d", r.maxRSSKB, r.wall.Round(time.Millisecond), r.code)
				if r.code != 1 {
					t.Errorf("exit %d, want 1 (a failed check)\n%s%s", r.code, r.out, r.err[:min(len(r.err), 1500)])
				}
				if !regexp.MustCompile(`larger than \d+ MiB`).MatchString(r.out) || !strings.Contains(r.out, "127.0.0.1") {
					t.Errorf("the output does not say which answer was too large:\n%s", r.out)
				}
				if r.maxRSSKB == 0 || r.maxRSSKB > probeRSSLimitKB {
					t.Errorf("peak RSS %d KB, want under %d KB", r.maxRSSKB, probeRSSLimitKB)
				}
				if r.wall > 8*time.Second {
					t.Errorf("took %v with --timeout 3s", r.wall)
				}
			})
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func probesCABundle(t *testing.T) {
	tmp := t.TempDir()
	fifo := filepath.Join(tmp, "ca.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(tmp, "huge.pem")
	if f, err := os.Create(huge); err != nil {
		t.Fatal(err)
	} else {
		_ = f.Truncate(100 << 20) // sparse
		_ = f.Close()
	}
	gh := probeProviders[0]
	for _, c := range []struct{ name, path, want string }{
		{"FIFO", fifo, "named pipe"},
		{"/dev/zero", "/dev/zero", "character device"},
		{"directory", tmp, "directory"},
		{"100 MB file", huge, "more than a CA bundle holds"},
	} {
		serverProbe(t, c.name, func(t *testing.T) {
			dir := storeFor(t, gh, "https://127.0.0.1:1", "--ca-bundle", c.path)
			r := runProbe(t, dir, "", 15*time.Second, "check", "github", "--timeout", "3s")
			if r.code != 1 {
				t.Errorf("exit %d after %v, want 1 within --timeout\n%s%s", r.code, r.wall, r.out, lastLines(r.err, 3))
			}
			if r.wall > 6*time.Second {
				t.Errorf("took %v with --timeout 3s", r.wall)
			}
			if !strings.Contains(r.out, c.want) {
				t.Errorf("the output does not say it is a %s:\n%s", c.want, r.out)
			}
		})
	}
}

// certs is a test CA and leaf certificates it signs.
type certs struct {
	caPEM []byte
	ca    *x509.Certificate
	key   *ecdsa.PrivateKey
}

func newCA(t *testing.T) *certs {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Probe CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return &certs{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), ca: ca, key: key}
}

// leaf returns a certificate for names (DNS names or IPs) valid from..until, signed by the CA
// or, when self is set, by itself.
func (c *certs) leaf(t *testing.T, names []string, from, until time.Time, self bool) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		NotBefore: from, NotAfter: until, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	parent, signer := c.ca, any(c.key)
	if self {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func probesTLS(t *testing.T) {
	ca := newCA(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	expiredAt := time.Now().Add(-72 * time.Hour).UTC().Truncate(time.Minute)
	for _, c := range []struct {
		name   string
		cert   tls.Certificate
		caFile string
		want   []string
		refuse string
	}{
		{"expired", ca.leaf(t, []string{"127.0.0.1"}, expiredAt.Add(-24*time.Hour), expiredAt, false), caFile,
			[]string{"expired on " + expiredAt.Format("2006-01-02 15:04")}, "not signed by a trusted authority"},
		{"host-name mismatch", ca.leaf(t, []string{"other.example"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), false), caFile,
			[]string{"does not match the host name", "other.example"}, "not signed by a trusted authority"},
		{"unknown authority", ca.leaf(t, []string{"127.0.0.1"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), true), "",
			[]string{"not signed by a trusted authority", "CA bundle"}, "expired"},
	} {
		serverProbe(t, c.name, func(t *testing.T) {
			srv := hostile.NewUnstarted(hostile.Escapes)
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{c.cert}}
			srv.Config.ErrorLog = nil
			srv.StartTLS()
			defer srv.Close()
			var extra []string
			if c.caFile != "" {
				extra = []string{"--ca-bundle", c.caFile}
			}
			dir := storeFor(t, probeProviders[0], srv.URL, extra...)
			r := runProbe(t, dir, "", 15*time.Second, "check", "github", "--timeout", "3s")
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			for _, w := range c.want {
				if !strings.Contains(r.out, w) {
					t.Errorf("the output does not say %q:\n%s", w, r.out)
				}
			}
			if strings.Contains(r.out, c.refuse) {
				t.Errorf("the output says %q:\n%s", c.refuse, r.out)
			}
		})
	}
}

// outputs runs what shows a check's outcome: check (text and JSON), set (which checks before
// saving) and status (text and JSON, with the audit trail); it returns each output by name.
func outputs(t *testing.T, c probeCreds, srv *hostile.Server) map[string]string {
	dir := storeFor(t, c, srv.URL)
	got := map[string]string{}
	for name, args := range map[string][]string{
		"check":        {"check", c.provider, "--timeout", "5s"},
		"check --json": {"check", c.provider, "--json", "--timeout", "5s"},
	} {
		r := runProbe(t, dir, "", 30*time.Second, args...)
		got[name] = r.out + r.err
	}
	r := runProbe(t, dir, c.token+"\n", 30*time.Second, append([]string{"set", c.provider, "--org", "acme", "--username", c.username, "--api-url", srv.URL, "--token-stdin"}, c.host...)...)
	got["set"] = r.out + r.err
	got["status"] = gitopscfg(t, dir, "", nil, "status").out
	got["status --json"] = gitopscfg(t, dir, "", nil, "status", "--json").out
	return got
}

// jsonStrings returns every string of a JSON document, decoded.
func jsonStrings(raw string) []string {
	var v any
	if json.Unmarshal([]byte(raw), &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				out = append(out, k)
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

func probesEscapes(t *testing.T) {
	srv := hostile.Start(hostile.Escapes)
	t.Cleanup(srv.Close)
	for _, c := range probeProviders {
		var outs map[string]string
		for _, name := range []string{"check", "check --json", "set"} {
			serverProbe(t, c.provider+"/"+name, func(t *testing.T) {
				if outs == nil {
					outs = outputs(t, c, srv)
				}
				out := outs[name]
				texts := []string{out}
				if strings.HasSuffix(name, "--json") {
					texts = append(texts, jsonStrings(out)...)
				}
				for _, s := range texts {
					for _, r := range s {
						if r != '\n' && r != '\t' && safe.Unsafe(r) {
							t.Errorf("%s shows %U raw:\n%q", name, r, s)
							return
						}
					}
				}
				if !strings.Contains(strings.Join(texts, "\n"), `evil\x1b]0;PWNED`) {
					t.Errorf("%s does not show the hostile login escaped visibly:\n%s", name, out)
				}
			})
		}
	}
}

// tokenForms are the encodings of tok (and of the Basic credentials user:tok) a reflected
// credential may take.
func tokenForms(user, tok string) map[string]string {
	var every strings.Builder
	for i := 0; i < len(tok); i++ {
		fmt.Fprintf(&every, "%%%02X", tok[i])
	}
	return map[string]string{
		"raw": tok, "QueryEscape": url.QueryEscape(tok), "every byte percent-encoded": every.String(),
		"lower-case percent":          strings.ToLower(every.String()),
		"base64 of the token":         base64.StdEncoding.EncodeToString([]byte(tok)),
		"base64 of user:token":        base64.StdEncoding.EncodeToString([]byte(user + ":" + tok)),
		"base64 of x-token:token":     base64.StdEncoding.EncodeToString([]byte("x-token:" + tok)),
		"raw base64url of user:token": base64.RawURLEncoding.EncodeToString([]byte(user + ":" + tok)),
		"canary marker":               "CANARY+tok",
	}
}

func probesReflected(t *testing.T) {
	for _, mode := range []hostile.Mode{hostile.ReflectRaw, hostile.ReflectPercent, hostile.ReflectBasic} {
		srv := hostile.Start(mode)
		t.Cleanup(srv.Close)
		for _, c := range probeProviders {
			var outs map[string]string
			for _, name := range []string{"check", "check --json", "set"} {
				serverProbe(t, string(mode)+"/"+c.provider+"/"+name, func(t *testing.T) {
					if outs == nil {
						outs = outputs(t, c, srv)
						for _, other := range []string{"status", "status --json"} {
							assertNoTokenForm(t, other, outs[other], c)
						}
					}
					assertNoTokenForm(t, name, outs[name], c)
					if !strings.Contains(outs[name], "[token]") {
						t.Errorf("%s does not show the reflected credential as masked:\n%s", name, outs[name])
					}
				})
			}
		}
	}
}

func assertNoTokenForm(t *testing.T, name, out string, c probeCreds) {
	t.Helper()
	texts := append([]string{out}, jsonStrings(out)...)
	for form, s := range tokenForms(c.username, c.token) {
		for _, text := range texts {
			if strings.Contains(text, s) {
				t.Errorf("%s shows the token (%s):\n%s", name, form, out)
				return
			}
		}
	}
}

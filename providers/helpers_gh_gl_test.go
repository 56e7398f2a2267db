package providers_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Test helpers shared by the GitHub and GitLab checker tests (prefixed ghgl to stay clear of other
// providers' helpers in this package).

// ghglExpect is one expected check of a result: its status and words its message must contain.
type ghglExpect struct {
	id     string
	status providers.Status
	words  []string
}

// ghglEmulators starts the emulators for one test and stops them when it ends.
func ghglEmulators(t testing.TB, opts fake.Options) *fake.Emulators {
	t.Helper()
	e, err := fake.Start(opts)
	if err != nil {
		t.Fatalf("start emulators: %v", err)
	}
	t.Cleanup(e.Close)
	return e
}

// ghglEnv is a fresh environment (its own connection pool) with the given check timeout.
func ghglEnv(timeout time.Duration) *providers.Env {
	env := providers.NewEnv("test")
	env.Timeout = timeout
	return env
}

// ghglRun runs one check and asserts, whatever the scenario, that no part of the result — JSON
// included — carries the token.
func ghglRun(t *testing.T, env *providers.Env, c providers.Credentials) providers.Result {
	t.Helper()
	r := providers.Run(context.Background(), env, c)
	ghglNoToken(t, r, c.Token)
	return r
}

// ghglNoToken fails when the token (or a distinctive inner part of it) shows up in the result.
func ghglNoToken(t *testing.T, r providers.Result, tok string) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("marshal result: %v", err)
	}
	canaries := []string{tok}
	if len(tok) >= 24 {
		canaries = append(canaries, tok[8:len(tok)-4])
	}
	for _, c := range canaries {
		if strings.Contains(string(b), c) {
			t.Fatalf("the result carries the token (%q): %s", providers.TokenHint(tok), b)
		}
	}
}

// ghglAssert checks the expected checks of r, and that r.OK is ok.
func ghglAssert(t *testing.T, r providers.Result, ok bool, want ...ghglExpect) {
	t.Helper()
	for _, w := range want {
		c, found := r.Find(w.id)
		if !found {
			t.Errorf("no %q check in %s", w.id, ghglDump(r))
			continue
		}
		if c.Status != w.status {
			t.Errorf("check %q: status %s, want %s (message: %s)", w.id, c.Status, w.status, c.Message)
		}
		for _, word := range w.words {
			if !strings.Contains(c.Message, word) {
				t.Errorf("check %q: message lacks %q: %s", w.id, word, c.Message)
			}
		}
	}
	if r.OK != ok {
		t.Errorf("ok = %v, want %v: %s", r.OK, ok, ghglDump(r))
	}
	for _, c := range r.Checks {
		if c.Status == providers.Fail && strings.TrimSpace(c.Message) == "" {
			t.Errorf("failing check %q has no message", c.ID)
		}
	}
}

// ghglFailsOnlyWith asserts a failing network check naming host and no passing check at all.
func ghglFailsOnlyWith(t *testing.T, r providers.Result, host string, words ...string) {
	t.Helper()
	ghglAssert(t, r, false, ghglExpect{id: providers.CheckNetwork, status: providers.Fail, words: append([]string{host}, words...)})
	for _, c := range r.Checks {
		if c.Status == providers.Pass {
			t.Errorf("check %q passed although the host could not be reached: %s", c.ID, c.Message)
		}
	}
}

func ghglDump(r providers.Result) string {
	b, _ := json.MarshalIndent(r.Checks, "", "  ")
	return string(b)
}

// ghglNetwork runs the transport failures every checker must turn into one failing network check
// naming the host, within the deadline: connection refused, unknown host, an untrusted TLS
// certificate (and a pass once the CA bundle is given), a timeout, and plain http to a
// non-loopback address (refused before any connection). handler is the provider's emulator,
// served behind TLS; apiPath its API path; token a full-access token.
func ghglNetwork(t *testing.T, id providers.ID, handler http.Handler, apiPath, token string) {
	creds := func(base string) providers.Credentials {
		return providers.Credentials{Provider: id, Host: base + "/", APIURL: base + apiPath, Org: ghglOrg(id), Token: token}
	}
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		r := ghglRun(t, ghglEnv(5*time.Second), creds("http://"+addr))
		ghglFailsOnlyWith(t, r, addr, "refused")
	})
	t.Run("unknown host", func(t *testing.T) {
		t.Parallel()
		const timeout = 5 * time.Second
		start := time.Now()
		r := ghglRun(t, ghglEnv(timeout), providers.Credentials{Provider: id, Host: "https://gitopscfg-nowhere.invalid/", Org: ghglOrg(id), Token: token})
		ghglFailsOnlyWith(t, r, "gitopscfg-nowhere.invalid")
		if d := time.Since(start); d > timeout+time.Second {
			t.Errorf("took %v, beyond the %v deadline", d, timeout)
		}
	})
	t.Run("untrusted certificate, then CA bundle", func(t *testing.T) {
		t.Parallel()
		ts := httptest.NewUnstartedServer(handler)
		ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
		ts.StartTLS()
		defer ts.Close()
		host := strings.TrimPrefix(ts.URL, "https://")
		r := ghglRun(t, ghglEnv(5*time.Second), creds(ts.URL))
		ghglFailsOnlyWith(t, r, host, "CA bundle")

		bundle := filepath.Join(t.TempDir(), "ca.pem")
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
		if err := os.WriteFile(bundle, pemBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		c := creds(ts.URL)
		c.CABundle = bundle
		r = ghglRun(t, ghglEnv(5*time.Second), c)
		ghglAssert(t, r, true, ghglExpect{id: providers.CheckAuth, status: providers.Pass})
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		e := ghglEmulators(t, fake.Options{})
		const timeout = 300 * time.Millisecond
		start := time.Now()
		r := ghglRun(t, ghglEnv(timeout), e.Credentials(id, token+fake.MarkSlow))
		d := time.Since(start)
		ghglFailsOnlyWith(t, r, strings.TrimPrefix(e.URL(id), "http://"), "timeout")
		if d > timeout+time.Second {
			t.Errorf("took %v, beyond the %v deadline", d, timeout)
		}
	})
	t.Run("plain http to a non-loopback address", func(t *testing.T) {
		t.Parallel()
		ip := ghglNonLoopbackIP()
		if ip == "" {
			// No such address here: a host that would be used (and fail) if a request were made.
			r := ghglRun(t, ghglEnv(5*time.Second), creds("http://gitopscfg-plain.invalid"))
			ghglFailsOnlyWith(t, r, "gitopscfg-plain.invalid", "refusing plain http")
			return
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			t.Skipf("cannot listen on %s: %v", ip, err)
		}
		counting := &ghglCountingListener{Listener: ln}
		srv := &http.Server{Handler: handler, ReadHeaderTimeout: time.Second}
		go func() { _ = srv.Serve(counting) }()
		defer srv.Close()
		base := "http://" + ln.Addr().String()
		for _, c := range []providers.Credentials{
			creds(base), // host and API URL both plain http
			{Provider: id, Host: base + "/", Org: ghglOrg(id), Token: token}, // API URL derived from the host
		} {
			r := ghglRun(t, ghglEnv(5*time.Second), c)
			ghglFailsOnlyWith(t, r, ln.Addr().String(), "refusing plain http", "https://")
		}
		if n := counting.accepted.Load(); n != 0 {
			t.Errorf("%d connections were made to a plain-http non-loopback address", n)
		}
	})
}

func ghglOrg(id providers.ID) string {
	if id == providers.GitLab {
		return fake.GitLabGroupPath
	}
	return fake.GitHubOrg
}

// ghglNonLoopbackIP returns an IPv4 address of this machine that is not loopback, or "".
func ghglNonLoopbackIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

type ghglCountingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *ghglCountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// ghglCanaries runs every token through a check — as given, with each fault marker, and as
// distinctive unknown canaries — and asserts that no result carries it (ghglRun checks the JSON).
func ghglCanaries(t *testing.T, id providers.ID, tokens []string, prefix string) {
	e := ghglEmulators(t, fake.Options{})
	env := ghglEnv(2 * time.Second)
	var all []string
	for i, tok := range tokens {
		all = append(all, tok, tok+fake.MarkServerError, tok+fake.MarkMalformed, tok+fake.MarkReset,
			fmt.Sprintf("%sCANARY%02dq7Zx9Wv3Lm5Np8Rt2Ys4Ub6", prefix, i))
	}
	for _, tok := range all {
		t.Run(providers.TokenHint(tok), func(t *testing.T) {
			t.Parallel()
			r := ghglRun(t, env, e.Credentials(id, tok))
			for _, c := range r.Checks {
				if strings.Contains(c.Message, tok) {
					t.Errorf("check %q carries the token", c.ID)
				}
			}
			if len(r.Checks) == 0 {
				t.Error("no checks")
			}
		})
	}
}

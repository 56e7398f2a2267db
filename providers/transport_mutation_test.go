package providers_test

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Rules of providers/transport.go that the token's safety rests on: a redirect never downgrades
// an https API to plain http (even on the same host and port), and only the exact name
// "localhost" (or a loopback IP) counts as loopback for plain http.

// peekedConn is a connection whose first bytes were peeked through r.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// dualListener serves TLS and plain HTTP on one port: a connection that starts with a TLS
// handshake record (0x16) is served over TLS, any other as plain HTTP. It lets a test redirect
// https://127.0.0.1:P/ to http://127.0.0.1:P/, the same host and port, and see whether the
// client follows. Each connection is sorted on its own goroutine, so one that sends nothing (a
// client's spare connection) holds up no other.
type dualListener struct {
	net.Listener
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newDualListener(ln net.Listener, conf *tls.Config) *dualListener {
	l := &dualListener{Listener: ln, conns: make(chan net.Conn), done: make(chan struct{})}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				l.Close()
				return
			}
			go func() {
				br := bufio.NewReader(c)
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
				first, err := br.Peek(1)
				_ = c.SetReadDeadline(time.Time{})
				if err != nil {
					_ = c.Close()
					return
				}
				var sorted net.Conn = &peekedConn{Conn: c, r: br}
				if first[0] == 0x16 {
					sorted = tls.Server(sorted, conf)
				}
				select {
				case l.conns <- sorted:
				case <-l.done:
					_ = c.Close()
				}
			}()
		}
	}()
	return l
}

func (l *dualListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *dualListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// plainRecord is a request that reached the dual server over plain HTTP.
type plainRecord struct {
	method, path string
	token        bool // it carried the canary token (in any header)
}

// downgradeServer is an https server on 127.0.0.1 that answers every request with a 307 to the
// same URL over plain http on the same host and port (except /same, which redirects over https
// to /landed), and records what arrives over plain http. It returns the server's https URL, the
// path of a PEM file of the CA that signed its certificate, and the plain-http requests so far.
func downgradeServer(t *testing.T, canary string) (string, string, func() []plainRecord) {
	t.Helper()
	ca := kit.NewCA(t, "Test CA")
	caFile := ca.File(t)
	var mu sync.Mutex
	var plain []plainRecord
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			carried := false
			for _, vs := range r.Header {
				for _, v := range vs {
					carried = carried || strings.Contains(v, canary)
				}
			}
			mu.Lock()
			plain = append(plain, plainRecord{r.Method, r.URL.Path, carried})
			mu.Unlock()
			fake.WriteJSON(w, http.StatusOK, map[string]any{"message": "served over plain http"})
			return
		}
		switch r.URL.Path {
		case "/landed":
			fake.WriteJSON(w, http.StatusOK, map[string]any{"message": "landed over https"})
		case "/same":
			http.Redirect(w, r, "https://"+r.Host+"/landed", http.StatusTemporaryRedirect)
		default:
			http.Redirect(w, r, "http://"+r.Host+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		}
	}))
	srv.Config.ErrorLog = quietLog()
	srv.Listener = newDualListener(srv.Listener, &tls.Config{
		Certificates: []tls.Certificate{leaf(t, ca, "127.0.0.1", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))},
		MinVersion:   tls.VersionTLS12,
	})
	srv.Start() // plain Serve: the listener itself hands TLS connections over as *tls.Conn
	t.Cleanup(srv.Close)
	base := "https://" + strings.TrimPrefix(srv.URL, "http://")
	return base, caFile, func() []plainRecord {
		mu.Lock()
		defer mu.Unlock()
		return append([]plainRecord(nil), plain...)
	}
}

// TestHTTPSRedirectToPlainHTTPOnTheSameHostIsNotFollowed: a 307 from the https API to http:// on
// the very same host and port is not followed, so the token never goes out in clear; the check
// fails instead. (A redirect on the same host over https is still followed.)
func TestHTTPSRedirectToPlainHTTPOnTheSameHostIsNotFollowed(t *testing.T) {
	t.Parallel()
	const canary = "glpat-CANARYdowngrade0000000"

	t.Run("the shared client", func(t *testing.T) {
		t.Parallel()
		base, caFile, plain := downgradeServer(t, canary)
		hc, err := providers.NewClients("test").For(caFile)
		if err != nil {
			t.Fatal(err)
		}
		get := func(path string) *http.Response {
			t.Helper()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("PRIVATE-TOKEN", canary)
			req.Header.Set("Authorization", "Bearer "+canary)
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
			_ = resp.Body.Close()
			return resp
		}
		// The harness works: a redirect that stays on https and on the host is followed.
		if resp := get("/same"); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/landed" {
			t.Fatalf("an https redirect on the same host was not followed: HTTP %d at %s", resp.StatusCode, resp.Request.URL)
		}
		resp := get("/api/v4/user")
		if got := plain(); len(got) > 0 {
			t.Fatalf("the 307 to plain http on the same host was followed (token in clear: %v): %+v", got[0].token, got)
		}
		if resp.StatusCode != http.StatusTemporaryRedirect || !strings.HasPrefix(resp.Header.Get("Location"), "http://") {
			t.Fatalf("want the 307 itself handed back, got HTTP %d (Location %q)", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("a GitLab check", func(t *testing.T) {
		t.Parallel()
		base, caFile, plain := downgradeServer(t, canary)
		c := providers.Credentials{Provider: providers.GitLab, Settings: config.Settings{Host: base + "/", APIURL: base + "/api/v4", Org: fake.GitLabGroupPath, Username: fake.GitLabUser, Token: canary, CABundle: caFile}}
		r := runCheck(t, envWithTimeout(10*time.Second), c)
		if got := plain(); len(got) > 0 {
			t.Fatalf("the check followed a 307 to plain http on the same host (token in clear: %v): %+v\n%s", got[0].token, got, dumpResult(r))
		}
		if r.OK {
			t.Fatalf("a check whose every answer was a redirect to plain http passed: %s", dumpResult(r))
		}
		for _, ch := range r.Checks {
			if ch.Status == providers.Pass {
				t.Errorf("check %q passed on a redirect: %s", ch.ID, ch.Message)
			}
		}
	})
}

// TestLoopbackIsTheExactNameOrALoopbackIP: plain http is allowed to localhost, 127.0.0.0/8 and
// ::1 only; names that merely start with "localhost" are other hosts, and refused before any
// request is made.
func TestLoopbackIsTheExactNameOrALoopbackIP(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"http://localhost.evil.example/", "http://localhostx/", "http://localhost.evil.example:8080/api/v4",
		"http://LOCALHOSTX:3000/", "http://localhost-x/", "http://xlocalhost/", "http://127.0.0.1.evil.example/",
	} {
		err := providers.RequireSafeURL(raw)
		if err == nil || !strings.Contains(err.Error(), "refusing plain http") {
			t.Errorf("RequireSafeURL(%q) = %v, want plain http refused", raw, err)
		}
	}
	for _, raw := range []string{"http://localhost/", "http://LocalHost:8080/", "http://127.0.0.1:3000/", "http://127.9.9.9/", "http://[::1]:80/"} {
		if err := providers.RequireSafeURL(raw); err != nil {
			t.Errorf("RequireSafeURL(%q) = %v, want loopback allowed", raw, err)
		}
	}

	// The same through a check: it fails on the refusal itself, not on a lookup of the name.
	const canary = "glpat-CANARYloopback00000000"
	for _, host := range []string{"http://localhost.evil.example/", "http://localhostx/"} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			c := providers.Credentials{Provider: providers.GitLab, Settings: config.Settings{Host: host, Org: fake.GitLabGroupPath, Username: fake.GitLabUser, Token: canary}}
			r := runCheck(t, envWithTimeout(5*time.Second), c)
			n, ok := r.Find(providers.CheckNetwork)
			if !ok || n.Status != providers.Fail || !strings.Contains(n.Message, "refusing plain http") || !strings.Contains(n.Message, "loopback") {
				t.Fatalf("want the plain-http refusal, got %s", dumpResult(r))
			}
			if len(r.Checks) != 1 {
				t.Errorf("checks ran after the refusal: %s", dumpResult(r))
			}
		})
	}
}

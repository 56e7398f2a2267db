package providers_test

import (
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// networkTarget is one provider for TestCheckNetworkFailures.
type networkTarget struct {
	id    providers.ID
	token string // a full-access token
	// handler is the provider's emulator, served behind TLS to pass once the CA bundle is given
	// (nil: no such pass).
	handler http.Handler
	// creds are the ways of pointing the provider at a server at base (scheme://host:port).
	creds []func(base string) providers.Credentials
}

func networkTargets() []networkTarget {
	hostOnly := func(id providers.ID, path, org, user, token string) func(string) providers.Credentials {
		return func(base string) providers.Credentials {
			return providers.Credentials{Provider: id, Settings: config.Settings{Host: base + path, Org: org, Username: user, Token: token}}
		}
	}
	withAPI := func(id providers.ID, host, apiPath, org, user, token string) func(string) providers.Credentials {
		return func(base string) providers.Credentials {
			h := host
			if h == "" {
				h = base + "/"
			}
			return providers.Credentials{Provider: id, Settings: config.Settings{Host: h, APIURL: base + apiPath, Org: org, Username: user, Token: token}}
		}
	}
	return []networkTarget{
		{id: providers.GitHub, token: fake.GitHubTokenFull, handler: fake.GitHubHandler(), creds: []func(string) providers.Credentials{
			withAPI(providers.GitHub, "", "/api/v3", fake.GitHubOrg, "", fake.GitHubTokenFull), // host and API URL both at base
			hostOnly(providers.GitHub, "/", fake.GitHubOrg, "", fake.GitHubTokenFull),          // API URL derived from the host
		}},
		{id: providers.GitLab, token: fake.GitLabTokenFull, handler: fake.GitLabHandler(), creds: []func(string) providers.Credentials{
			withAPI(providers.GitLab, "", "/api/v4", fake.GitLabGroupPath, "", fake.GitLabTokenFull),
			hostOnly(providers.GitLab, "/", fake.GitLabGroupPath, "", fake.GitLabTokenFull),
		}},
		{id: providers.Azure, token: fake.AzureTokenFull, creds: []func(string) providers.Credentials{
			hostOnly(providers.Azure, "/acme", "gitops", "x", fake.AzureTokenFull),
		}},
		{id: providers.Bitbucket, token: fake.BitbucketTokenFull, creds: []func(string) providers.Credentials{
			hostOnly(providers.Bitbucket, "/", "acme", fake.BitbucketEmail, fake.BitbucketTokenFull),
			// A secure host, the API URL at base.
			withAPI(providers.Bitbucket, "https://bitbucket.org/", "/2.0", "acme", fake.BitbucketEmail, fake.BitbucketTokenFull),
		}},
	}
}

// TestCheckNetworkFailures runs the transport failures every checker must turn into one failing
// network check naming the host, within the deadline: connection refused, unknown host, an
// untrusted TLS certificate (and a pass once the CA bundle is given, where the emulator can be
// served behind TLS), a timeout, and plain http to a non-loopback address (refused before any
// connection).
func TestCheckNetworkFailures(t *testing.T) {
	t.Parallel()
	const deadline = 3 * time.Second
	for _, p := range networkTargets() {
		t.Run(string(p.id), func(t *testing.T) {
			t.Parallel()
			t.Run("connection refused", func(t *testing.T) {
				t.Parallel()
				addr := refusedAddr(t)
				for _, creds := range p.creds {
					start := time.Now()
					r := runCheck(t, envWithTimeout(deadline), creds("http://"+addr))
					assertNetworkFailure(t, r, time.Since(start), deadline, addr, "refused")
				}
			})
			t.Run("unknown host", func(t *testing.T) {
				t.Parallel()
				for _, creds := range p.creds {
					start := time.Now()
					r := runCheck(t, envWithTimeout(deadline), creds("https://gitopscfg-nowhere.invalid"))
					assertNetworkFailure(t, r, time.Since(start), deadline, "gitopscfg-nowhere.invalid")
				}
			})
			t.Run("untrusted certificate, then CA bundle", func(t *testing.T) {
				t.Parallel()
				ts := tlsServer(t, p.handler)
				host := strings.TrimPrefix(ts.URL, "https://")
				for _, creds := range p.creds {
					start := time.Now()
					r := runCheck(t, envWithTimeout(deadline), creds(ts.URL))
					assertNetworkFailure(t, r, time.Since(start), deadline, host, "CA bundle")
				}
				if p.handler == nil {
					return
				}
				bundle := filepath.Join(t.TempDir(), "ca.pem")
				pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
				if err := os.WriteFile(bundle, pemBytes, 0o600); err != nil {
					t.Fatal(err)
				}
				c := p.creds[0](ts.URL)
				c.CABundle = bundle
				r := runCheck(t, envWithTimeout(deadline), c)
				assertResult(t, r, wants{providers.CheckAuth: expect(providers.Pass)})
				assertOK(t, r, true)
			})
			t.Run("timeout", func(t *testing.T) {
				t.Parallel()
				emu := sharedEmulators(t)
				const timeout = 300 * time.Millisecond
				start := time.Now()
				r := runCheck(t, envWithTimeout(timeout), emu.Credentials(p.id, p.token+fake.MarkSlow))
				assertNetworkFailure(t, r, time.Since(start), timeout, strings.TrimPrefix(emu.URL(p.id), "http://"), "timeout")
			})
			t.Run("plain http to a non-loopback address", func(t *testing.T) {
				t.Parallel()
				refusesPlainHTTP := func(base, host string) {
					t.Helper()
					for _, creds := range p.creds {
						start := time.Now()
						r := runCheck(t, envWithTimeout(deadline), creds(base))
						took := time.Since(start)
						assertNetworkFailure(t, r, took, deadline, host, "refusing plain http", "https://")
						if took > 500*time.Millisecond {
							t.Errorf("took %v: a request was attempted", took)
						}
						if _, ok := r.Find(providers.CheckAuth); ok {
							t.Errorf("an auth check ran: %s", dumpResult(r))
						}
					}
				}
				// A non-routable address: a request would hang until the deadline.
				refusesPlainHTTP("http://10.255.255.1", "10.255.255.1")

				ip := nonLoopbackIP()
				if ip == "" {
					// No such address here: a host that would be used (and fail) if a request were made.
					refusesPlainHTTP("http://gitopscfg-plain.invalid", "gitopscfg-plain.invalid")
					return
				}
				ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
				if err != nil {
					t.Skipf("cannot listen on %s: %v", ip, err)
				}
				counting := &countingListener{Listener: ln}
				srv := &http.Server{Handler: p.handler, ReadHeaderTimeout: time.Second}
				go func() { _ = srv.Serve(counting) }()
				defer srv.Close()
				refusesPlainHTTP("http://"+ln.Addr().String(), ln.Addr().String())
				if n := counting.accepted.Load(); n != 0 {
					t.Errorf("%d connections were made to a plain-http non-loopback address", n)
				}
			})
		})
	}
}

// TestCheckCanaries runs every token through a check — as given, with each fault marker, and as
// distinctive unknown canaries — and asserts that no result carries it (runCheck checks the JSON).
func TestCheckCanaries(t *testing.T) {
	t.Parallel()
	for _, p := range []struct {
		id     providers.ID
		tokens []string
		prefix string
	}{
		{providers.GitHub, gitHubCanaryTokens, "ghp_"},
		{providers.GitLab, gitLabCanaryTokens, "glpat-"},
	} {
		t.Run(string(p.id), func(t *testing.T) {
			t.Parallel()
			e := kit.Emulators(t, fake.Options{})
			env := envWithTimeout(2 * time.Second)
			var all []string
			for i, tok := range p.tokens {
				all = append(all, tok, tok+fake.MarkServerError, tok+fake.MarkMalformed, tok+fake.MarkReset,
					fmt.Sprintf("%sCANARY%02dq7Zx9Wv3Lm5Np8Rt2Ys4Ub6", p.prefix, i))
			}
			for _, tok := range all {
				t.Run(providers.TokenHint(tok), func(t *testing.T) {
					t.Parallel()
					r := runCheck(t, env, e.Credentials(p.id, tok))
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
		})
	}
}

// TestCheckBrokenAnswers: a 500, a truncated JSON answer and a reset connection (the emulators'
// fault marks) fail the check at its first call, auth, or as a network failure naming the host;
// none of them is retried, so the check comes back at once.
func TestCheckBrokenAnswers(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	env := atAfterAppPasswords(envWithTimeout(5 * time.Second))
	for _, p := range []struct {
		id        providers.ID
		token     string
		malformed string // what the auth check says of the truncated JSON
	}{
		{providers.Azure, fake.AzureTokenFull, "unreadable JSON"},
		{providers.Bitbucket, fake.BitbucketTokenFull, "unreadable JSON"},
		{providers.GitHub, fake.GitHubTokenFull, "not GitHub's user JSON"},
		{providers.GitLab, fake.GitLabTokenFull, "not GitLab's JSON"},
	} {
		host := strings.TrimPrefix(emu.URL(p.id), "http://")
		for _, tc := range []struct {
			name, mark string
			wants      wants
		}{
			{"server error", fake.MarkServerError, wants{"auth": expect(providers.Fail, "HTTP 500", "try again later")}},
			{"malformed JSON", fake.MarkMalformed, wants{"auth": expect(providers.Fail, p.malformed)}},
			{"connection reset", fake.MarkReset, wants{"network": expect(providers.Fail, host)}},
		} {
			t.Run(string(p.id)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				r := runCheck(t, env, emu.Credentials(p.id, p.token+tc.mark))
				assertResult(t, r, tc.wants)
				assertOK(t, r, false)
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("the check took %v", d)
				}
			})
		}
	}
}

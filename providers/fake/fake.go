// Package fake runs local emulators of the four providers' APIs on loopback, answering with the
// status codes, headers and JSON shapes the real APIs document. Tests and `gitopscfg --demo` use
// them. The token of a request selects its scenario (full access, a missing scope, revoked, ...);
// see each provider's file for its tokens, and Common* below for the faults every emulator shares.
package fake

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"gitopscfg/providers"
)

// Fault markers: a token containing one of these makes any emulator misbehave that way, whatever
// the rest of the token says.
const (
	MarkServerError = "-fault500"   // 500 with a JSON error body
	MarkSlow        = "-faultslow"  // answers only after SlowDelay (longer than any check timeout in tests)
	MarkReset       = "-faultreset" // the connection is reset without an answer
	MarkMalformed   = "-faultjson"  // 200 with truncated JSON
)

// SlowDelay is how long a MarkSlow request waits (or until the client gives up).
const SlowDelay = 30 * time.Second

// Options configures the emulators.
type Options struct {
	// Latency is added to every response, REST and Git alike (for benchmarks).
	Latency time.Duration
}

// Emulators are the four provider emulators, each on its own loopback listener, sharing one Git
// backend whose repositories live in a private temporary directory that Close removes.
type Emulators struct {
	servers  map[providers.ID]*http.Server
	urls     map[providers.ID]string
	handlers map[providers.ID]http.Handler
	opts     Options
	root     string
	git      *gitBackend
	wg       sync.WaitGroup
}

// repoHost is implemented by an emulator that has a repository lifecycle (create, get, delete
// through its API) and serves Git for those repositories. Start calls useGit once, before the
// emulator serves anything; the emulator keeps its repositories under the backend sub-directory
// named after its provider id (e.g. "azure/…"), and routes Git smart-HTTP requests (see
// splitGitPath) through its own Basic-auth rules to gitBackend.ServeHTTP.
type repoHost interface {
	useGit(b *gitBackend)
	// addRepo creates a repository of that name in the emulator's organisation / group /
	// project / workspace, as if someone had created it before (for the name-taken scenario).
	addRepo(name string) error
	// repoNames lists the names of the repositories that exist now, sorted.
	repoNames() []string
}

// Start starts one emulator per provider on 127.0.0.1 with random ports.
func Start(opts Options) (*Emulators, error) {
	e := &Emulators{servers: map[providers.ID]*http.Server{}, urls: map[providers.ID]string{}, opts: opts}
	root, err := os.MkdirTemp("", "gitopscfg-emulators-")
	if err != nil {
		return nil, fmt.Errorf("create the emulators' repository directory: %w", err)
	}
	e.root = root
	if e.git, err = newGitBackend(root); err != nil {
		e.Close()
		return nil, err
	}
	e.handlers = map[providers.ID]http.Handler{
		providers.GitHub:    newGitHub(),
		providers.GitLab:    newGitLab(),
		providers.Azure:     newAzure(),
		providers.Bitbucket: newBitbucket(),
	}
	for _, h := range e.handlers {
		if rh, ok := h.(repoHost); ok {
			rh.useGit(e.git)
		}
	}
	handlers := e.handlers
	for _, id := range providers.IDs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("start the %s emulator: %w", id, err)
		}
		srv := &http.Server{Handler: e.wrap(handlers[id]), ReadHeaderTimeout: 10 * time.Second}
		e.servers[id] = srv
		e.urls[id] = "http://" + ln.Addr().String()
		e.wg.Add(1)
		go func() { defer e.wg.Done(); _ = srv.Serve(ln) }()
	}
	return e, nil
}

// URL is the base URL of a provider's emulator, e.g. http://127.0.0.1:41234 (no trailing slash).
func (e *Emulators) URL(id providers.ID) string { return e.urls[id] }

// Close stops every emulator and removes their repositories.
func (e *Emulators) Close() {
	for _, s := range e.servers {
		_ = s.Close()
	}
	e.wg.Wait()
	if e.root != "" {
		_ = os.RemoveAll(e.root)
	}
}

// Root is the directory holding every emulated repository (GIT_PROJECT_ROOT); Close removes it.
func (e *Emulators) Root() string { return e.root }

// AddRepo creates a repository named name in provider id's organisation / group / project /
// workspace, as if it existed before: the round trip's name-taken scenario.
func (e *Emulators) AddRepo(id providers.ID, name string) error {
	rh, ok := e.handlers[id].(repoHost)
	if !ok {
		return fmt.Errorf("the %s emulator has no repository lifecycle", id)
	}
	return rh.addRepo(name)
}

// Repos lists the names of provider id's repositories that exist now, sorted (nil when the
// emulator has no repository lifecycle), so tests can assert that nothing was left behind.
func (e *Emulators) Repos(id providers.ID) []string {
	rh, ok := e.handlers[id].(repoHost)
	if !ok {
		return nil
	}
	names := rh.repoNames()
	slices.Sort(names)
	return names
}

// Credentials returns credentials for provider id on its emulator with the given token: the Git
// host and API URL point at the emulator, the org is the emulator's known organisation.
func (e *Emulators) Credentials(id providers.ID, token string) providers.Credentials {
	c := demoCredentials(id)
	c.Token = token
	c.Host = e.URL(id) + hostPath(id)
	c.APIURL = e.URL(id) + apiPath(id)
	return c
}

// DemoCredentials are full-access credentials for every provider, as `--demo` stores them.
func (e *Emulators) DemoCredentials(id providers.ID) providers.Credentials {
	return e.Credentials(id, demoCredentials(id).Token)
}

func (e *Emulators) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.opts.Latency > 0 {
			select {
			case <-time.After(e.opts.Latency):
			case <-r.Context().Done():
				return
			}
		}
		tok := RequestToken(r)
		switch {
		case strings.Contains(tok, MarkSlow):
			select {
			case <-time.After(SlowDelay):
			case <-r.Context().Done():
				return
			}
		case strings.Contains(tok, MarkReset):
			resetConnection(w)
			return
		case strings.Contains(tok, MarkServerError):
			WriteJSON(w, http.StatusInternalServerError, map[string]any{"message": "Internal Server Error"})
			return
		case strings.Contains(tok, MarkMalformed):
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"login":"octocat","id":1,`))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// resetConnection closes the client's connection with a TCP reset and no response.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// RequestToken extracts the secret of a request, whatever its scheme: "Bearer X", "token X",
// Basic auth's password, or GitLab's PRIVATE-TOKEN header.
func RequestToken(r *http.Request) string {
	if t := r.Header.Get("PRIVATE-TOKEN"); t != "" {
		return t
	}
	auth := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(auth, " ")
	switch strings.ToLower(scheme) {
	case "bearer", "token":
		return strings.TrimSpace(rest)
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return ""
		}
		_, pass, _ := strings.Cut(string(raw), ":")
		return pass
	}
	return ""
}

// RequestUser is the Basic-auth username of a request ("" for other schemes).
func RequestUser(r *http.Request) string {
	u, _, _ := r.BasicAuth()
	return u
}

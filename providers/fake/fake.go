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
	// Latency is added to every response (for benchmarks).
	Latency time.Duration
}

// Emulators are the four provider emulators, each on its own loopback listener.
type Emulators struct {
	servers map[providers.ID]*http.Server
	urls    map[providers.ID]string
	opts    Options
	wg      sync.WaitGroup
}

// Start starts one emulator per provider on 127.0.0.1 with random ports.
func Start(opts Options) (*Emulators, error) {
	e := &Emulators{servers: map[providers.ID]*http.Server{}, urls: map[providers.ID]string{}, opts: opts}
	handlers := map[providers.ID]http.Handler{
		providers.GitHub:    newGitHub(),
		providers.GitLab:    newGitLab(),
		providers.Azure:     newAzure(),
		providers.Bitbucket: newBitbucket(),
	}
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

// Close stops every emulator.
func (e *Emulators) Close() {
	for _, s := range e.servers {
		_ = s.Close()
	}
	e.wg.Wait()
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

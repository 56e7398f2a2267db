package providers_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/providers"
	"gitopscfg/providers/hostile"
)

// hostileCreds are one provider's credentials pointed at a hostile server, with a canary token
// whose every encoding differs from it.
func hostileCreds(id providers.ID, apiURL string) providers.Credentials {
	c := providers.Credentials{Provider: id, Settings: config.Settings{Org: "acme", Username: "alice", APIURL: apiURL, Token: "ghp_CANARY+tok/en=abcdefghijklmnopqrstuvw"}}
	switch id {
	case providers.Azure:
		c.Host = "https://dev.azure.com/acme"
	case providers.Bitbucket:
		c.Username, c.Token = "alice@example.com", "ATATT3xFfGF0CANARY+tok/en=abcdefghijklmnopqrstuvwxyz0123"
	}
	return c
}

var allFour = []providers.ID{providers.GitHub, providers.GitLab, providers.Azure, providers.Bitbucket}

func TestRunSealsWhatAHostileServerSends(t *testing.T) {
	t.Parallel()
	for _, mode := range []hostile.Mode{hostile.Escapes, hostile.ReflectRaw, hostile.ReflectPercent, hostile.ReflectBasic} {
		srv := hostile.Start(mode)
		t.Cleanup(srv.Close)
		for _, id := range allFour {
			t.Run(string(mode)+"/"+string(id), func(t *testing.T) {
				c := hostileCreds(id, srv.URL)
				r := providers.Run(context.Background(), envWithTimeout(5*time.Second), c)
				raw, _ := json.Marshal(r)
				strs := []string{r.User, r.Host}
				for _, ch := range r.Checks {
					strs = append(strs, ch.ID, ch.Message)
				}
				for _, s := range strs {
					for _, ru := range s {
						if safe.Unsafe(ru) {
							t.Errorf("the result holds %U raw: %q", ru, s)
						}
					}
					for name, form := range tokenEncodings(c.Username, c.Token) {
						if strings.Contains(s, form) {
							t.Errorf("the result holds the token (%s): %q", name, s)
						}
					}
				}
				if mode != hostile.Escapes && !strings.Contains(string(raw), safe.Mask) {
					t.Errorf("the reflected token is not masked anywhere: %s", raw)
				}
				if mode == hostile.Escapes && !strings.Contains(r.User+string(raw), `evil\\x1b]0;PWNED`) {
					t.Errorf("the hostile login is not kept, escaped: %s", raw)
				}
			})
		}
	}
}

func tokenEncodings(user, tok string) map[string]string {
	var every strings.Builder
	for i := 0; i < len(tok); i++ {
		fmt.Fprintf(&every, "%%%02x", tok[i])
	}
	return map[string]string{
		"raw": tok, "QueryEscape": url.QueryEscape(tok), "PathEscape": url.PathEscape(tok),
		"percent, lower": every.String(), "percent, upper": strings.ToUpper(every.String()),
		"base64":               base64.StdEncoding.EncodeToString([]byte(tok)),
		"base64 user:token":    base64.StdEncoding.EncodeToString([]byte(user + ":" + tok)),
		"base64 x-token:token": base64.StdEncoding.EncodeToString([]byte("x-token:" + tok)),
		"raw base64url":        base64.RawURLEncoding.EncodeToString([]byte(tok)),
		"marker":               "CANARY+tok",
	}
}

func TestRedactTokenMasksEncodedForms(t *testing.T) {
	t.Parallel()
	tok := "glpat-Ab+c/d=e~CANARY-0123456789"
	for name, form := range tokenEncodings("octocat", tok) {
		if name == "marker" {
			continue
		}
		got := providers.Credentials{Settings: config.Settings{Token: tok}}.Redact("echo: " + form + " end")
		if strings.Contains(got, form) || !strings.Contains(got, "[token]") {
			t.Errorf("%s not masked: %q", name, got)
		}
		creds := providers.Credentials{Settings: config.Settings{Token: tok, Username: "octocat"}}
		if got := creds.Redact("x " + form); strings.Contains(got, form) {
			t.Errorf("Credentials.Redact leaves %s: %q", name, got)
		}
	}
}

func TestTokenHint(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ tok, want string }{
		{"", ""},
		{"ghp_short", "…"},
		{"abcdefghijklmno", "…"}, // 15 characters: nothing of it
		{"ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_…6789"},
		{"glpat-ääääääääääääääüöéß", "glpat-…üöéß"},
		{"tökenwithmultibyte€€€€", "…€€€€"},
	} {
		got := providers.TokenHint(c.tok)
		if got != c.want {
			t.Errorf("TokenHint(%q) = %q, want %q", c.tok, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("TokenHint(%q) = %q is not UTF-8", c.tok, got)
		}
		if len(c.tok) > 0 && strings.Contains(got, c.tok) {
			t.Errorf("TokenHint(%q) shows the whole token", c.tok)
		}
	}
}

func TestTooLargeAnswerIsAFailedCheck(t *testing.T) {
	t.Parallel()
	for _, mode := range []hostile.Mode{hostile.Huge, hostile.HugeWithLength, hostile.GzipBomb} {
		srv := hostile.Start(mode)
		t.Cleanup(srv.Close)
		for _, id := range allFour {
			t.Run(string(mode)+"/"+string(id), func(t *testing.T) {
				start := time.Now()
				r := providers.Run(context.Background(), envWithTimeout(3*time.Second), hostileCreds(id, srv.URL))
				net, ok := r.Find(providers.CheckNetwork)
				if r.OK || !ok || net.Status != providers.Fail || !strings.Contains(net.Message, "is larger than") ||
					!strings.Contains(net.Message, strings.TrimPrefix(srv.URL, "http://")) {
					t.Fatalf("want a failing network check naming the host and the limit, got %+v", r.Checks)
				}
				if d := time.Since(start); d > 3*time.Second {
					t.Errorf("took %v", d)
				}
			})
		}
	}
}

func TestCABundleMustBeARegularFileOfSaneSize(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.pem")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Truncate(providers.MaxCABundleBytes + 1)
	_ = f.Close()
	for _, c := range []struct{ path, want string }{
		{fifo, "is a named pipe (FIFO), not a regular file"},
		{"/dev/zero", "is a character device, not a regular file"},
		{dir, "is a directory, not a regular file"},
		{huge, "more than a CA bundle holds (at most 4 MiB)"},
		{filepath.Join(dir, "missing.pem"), "cannot read the CA bundle " + filepath.Join(dir, "missing.pem") + ": no such file or directory"},
	} {
		done := make(chan error, 1)
		go func() { _, err := providers.ReadCABundle(c.path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ReadCABundle(%s) = %v, want %q", c.path, err, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("ReadCABundle(%s) blocks", c.path)
		}
	}
}

// TestGzipAnsweredUnaskedIsInflatedUnderTheLimit: when the request names its own Accept-Encoding,
// net/http leaves a gzip answer compressed; the limit must still count inflated bytes.
func TestGzipAnsweredUnaskedIsInflatedUnderTheLimit(t *testing.T) {
	t.Parallel()
	srv := hostile.Start(hostile.GzipBomb)
	t.Cleanup(srv.Close)
	hc, err := providers.NewClients("test").For("")
	if err != nil {
		t.Fatal(err)
	}
	for _, ae := range []string{"gzip", "identity"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/user", nil)
		req.Header.Set("Accept-Encoding", ae)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		var tooLarge *providers.AnswerTooLargeError
		if !errors.As(err, &tooLarge) || n != providers.MaxAnswerBytes {
			t.Errorf("Accept-Encoding %s: read %d bytes, err %v; want %d inflated bytes, then AnswerTooLargeError", ae, n, err, providers.MaxAnswerBytes)
		}
	}
}

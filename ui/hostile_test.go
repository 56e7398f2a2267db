package ui

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/hostile"
)

// hostileCanary is a token whose encodings all differ from it.
const hostileCanary = "ghp_CANARY+tok/en=abcdefghijklmnopqrstuvw"

// hostileScreen opens GitHub's editor, whose live check (the real one) runs against a hostile
// server in mode, and returns every screen up to the check's outcome.
func hostileScreen(t *testing.T, mode hostile.Mode) string {
	srv := hostile.Start(mode)
	t.Cleanup(srv.Close)
	_, s := newStore(t, func(d *config.Data) {
		p := stored("github", "https://github.com/", "acme", "alice", hostileCanary, nil)
		p.APIURL = srv.URL
		d.Credentials["github"] = p
	})
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{check: providers.Run}, 120, 40)
	hs.waitFor("configured")
	hs.key("enter")
	hs.waitUntil("the check's outcome", func(plain string) bool {
		return strings.Contains(plain, "auth:") || strings.Contains(plain, "All checks passed")
	})
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return strings.Join(hs.history, "\n")
}

func TestHostileServerEscapesNeverReachTheScreen(t *testing.T) {
	screens := hostileScreen(t, hostile.Escapes)
	for _, raw := range []string{"\x1b]0;PWNED", "\a", "\x1b[2J", "\u009b", "\x7f", "\u202e", "\u200b"} {
		if strings.Contains(screens, raw) {
			t.Errorf("the screen shows %q raw", raw)
		}
	}
	if !strings.Contains(screens, `evil\x1b]0;PWNED\a`) {
		t.Errorf("the hostile login is not shown escaped:\n%s", plainText(screens))
	}
}

func TestHostileServerReflectedTokenNeverReachesTheScreen(t *testing.T) {
	var every strings.Builder
	for i := 0; i < len(hostileCanary); i++ {
		fmt.Fprintf(&every, "%%%02X", hostileCanary[i])
	}
	forms := map[string]string{
		"raw": hostileCanary, "QueryEscape": url.QueryEscape(hostileCanary), "percent": every.String(),
		"base64":       base64.StdEncoding.EncodeToString([]byte(hostileCanary)),
		"base64 Basic": base64.StdEncoding.EncodeToString([]byte("x-token:" + hostileCanary)),
		"marker":       "CANARY+tok",
	}
	for _, mode := range []hostile.Mode{hostile.ReflectRaw, hostile.ReflectPercent, hostile.ReflectBasic} {
		t.Run(string(mode), func(t *testing.T) {
			screens := hostileScreen(t, mode)
			for name, form := range forms {
				if strings.Contains(screens, form) || strings.Contains(plainText(screens), form) {
					t.Errorf("the screen shows the token (%s)", name)
				}
			}
			if !strings.Contains(screens, "[token]") {
				t.Errorf("the reflected token is not shown masked:\n%s", plainText(screens))
			}
		})
	}
}

// TestCheckLineEscapesWhatItShows guards the display boundary alone: a check that was never
// sealed (as a test double or a future code path might hand over) is still shown safely.
func TestCheckLineEscapesWhatItShows(t *testing.T) {
	c := providers.Check{ID: "auth", Status: providers.Pass, Message: "authenticated as " + hostile.Evil}
	got := checkLine(newStyles(true), c, "", 200)
	for _, raw := range []string{"\x1b]0;PWNED", "\a", "\u009b", "\u202e", "\u200b"} {
		if strings.Contains(got, raw) {
			t.Errorf("checkLine shows %q raw: %q", raw, got)
		}
	}
}

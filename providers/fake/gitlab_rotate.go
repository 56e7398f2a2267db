package fake

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"gitopscfg/providers"
)

// GitLab token rotation, as docs.gitlab.com/api/personal_access_tokens/#self-rotate describes it:
// POST /personal_access_tokens/self/rotate with an optional expires_at (YYYY-MM-DD, after today,
// at most a year away; default one week) issues a new token with the same name and scopes,
// answers 200 with it (the secret in "token"), and revokes the calling token at once. A token
// without api or self_rotate gets 403 insufficient_scope; an expired, revoked or unknown one 401.
// Rotating with a token that was rotated already is reuse: GitLab then revokes its successor too
// (gitlab-org/gitlab issue 524639 shows it on 17.9), and so does the emulator.

// gitLabTokens are the tokens issued by rotation and those it revoked.
type gitLabTokens struct {
	mu        sync.Mutex
	issued    map[string]gitLabScenario // new token → its scenario
	successor map[string]string         // rotated-away token → the token that replaced it
	revoked   map[string]bool
	nextID    int
}

// scenario returns the scenario of a token, static or issued by rotation, with revoked set for a
// token that rotation revoked.
func (g *gitLab) scenario(tok string) (gitLabScenario, bool) {
	t := &g.tokens
	t.mu.Lock()
	defer t.mu.Unlock()
	sc, ok := t.issued[tok]
	if !ok {
		sc, ok = gitLabScenarios[tok]
	}
	if ok && t.revoked[tok] {
		sc.revoked = true
	}
	return sc, ok
}

// GitLabRotations is how many tokens the GitLab emulator has issued by rotation, for tests that
// assert a refused rotation changed nothing.
func (e *Emulators) GitLabRotations() int {
	g := e.handlers[providers.GitLab].(*gitLab)
	g.tokens.mu.Lock()
	defer g.tokens.mu.Unlock()
	return len(g.tokens.issued)
}

func (g *gitLab) serveRotate(w http.ResponseWriter, r *http.Request, seg []string) bool {
	if len(seg) != 3 || seg[0] != "personal_access_tokens" || seg[1] != "self" || seg[2] != "rotate" {
		return false
	}
	if r.Method != http.MethodPost {
		g.message(w, http.StatusMethodNotAllowed, "405 Method Not Allowed")
		return true
	}
	tok := RequestToken(r)
	sc, known := g.scenario(tok)
	switch {
	case !known:
		g.message(w, http.StatusUnauthorized, "401 Unauthorized")
		return true
	case sc.revoked:
		g.tokens.mu.Lock()
		for next := g.tokens.successor[tok]; next != ""; next = g.tokens.successor[next] {
			g.tokens.revoked[next] = true
		}
		g.tokens.mu.Unlock()
		g.invalidToken(w, gitLabRevokedText)
		return true
	case sc.expired:
		g.invalidToken(w, gitLabExpiredText)
		return true
	}
	if !g.allowed(w, sc, "api", "self_rotate") || !g.selfRotates(w, sc) {
		return true
	}
	expiresAt, ok := g.rotateExpiry(w, r)
	if !ok {
		return true
	}
	today := g.now().UTC().Truncate(24 * time.Hour)
	next := sc
	next.expiresDays = int(expiresAt.Sub(today).Hours() / 24)
	newTok := "glpat-" + randomToken(20)

	g.tokens.mu.Lock()
	if g.tokens.issued == nil {
		g.tokens.issued, g.tokens.successor, g.tokens.revoked = map[string]gitLabScenario{}, map[string]string{}, map[string]bool{}
	}
	g.tokens.issued[newTok] = next
	g.tokens.successor[tok] = newTok
	g.tokens.revoked[tok] = true
	g.tokens.nextID++
	id := 77 + g.tokens.nextID
	g.tokens.mu.Unlock()

	body := g.token(next)
	body["id"] = id
	body["created_at"] = g.now().UTC().Format("2006-01-02T15:04:05.000Z")
	body["last_used_at"] = nil
	body["token"] = newTok
	WriteJSON(w, http.StatusOK, body)
	return true
}

// rotateExpiry reads expires_at from the JSON body, the form or the query; it answers 400 itself
// when the date is invalid, not after today, or more than a year away.
func (g *gitLab) rotateExpiry(w http.ResponseWriter, r *http.Request) (time.Time, bool) {
	raw := r.URL.Query().Get("expires_at")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body struct {
			ExpiresAt string `json:"expires_at"`
		}
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if len(b) > 0 && json.Unmarshal(b, &body) != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "400 Bad request - invalid JSON"})
			return time.Time{}, false
		}
		if body.ExpiresAt != "" {
			raw = body.ExpiresAt
		}
	} else if v := r.PostFormValue("expires_at"); v != "" {
		raw = v
	}
	today := g.now().UTC().Truncate(24 * time.Hour)
	if raw == "" {
		return today.AddDate(0, 0, 7), true
	}
	t, err := time.Parse("2006-01-02", raw)
	switch {
	case err != nil:
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "expires_at is invalid"})
		return time.Time{}, false
	case !t.After(today):
		g.message(w, http.StatusBadRequest, "400 Bad request - Expiration date must be in the future")
		return time.Time{}, false
	case t.After(today.AddDate(1, 0, 0)):
		g.message(w, http.StatusBadRequest, "400 Bad request - Expiration date must be before "+today.AddDate(1, 0, 0).Format("2006-01-02"))
		return time.Time{}, false
	}
	return t, true
}

// randomToken is n random characters of [A-Za-z0-9_-], as GitLab's tokens are made of.
func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// selfRotates answers 405 for a group or project access token on an instance whose
// self-rotation takes personal access tokens only (as GitLab did before it let the others rotate
// themselves), and reports whether the rotation may go on.
func (g *gitLab) selfRotates(w http.ResponseWriter, sc gitLabScenario) bool {
	if sc.noSelfRotation && sc.bot != "" {
		g.message(w, http.StatusMethodNotAllowed, "405 Method Not Allowed")
		return false
	}
	return true
}

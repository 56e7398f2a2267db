package ui

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// rotationStore is a store holding GitLab (active) on the emulators with token tok.
func rotationStore(t *testing.T, emu *fake.Emulators, tok string) *config.Store {
	t.Helper()
	return rotationStoreOf(t, emu.Credentials(providers.GitLab, tok), nil)
}

// rotationStoreOf is a store holding c's provider (active) with c, and the Devtron instance dt
// when given.
func rotationStoreOf(t *testing.T, c providers.Credentials, dt *devtronfake.Server) *config.Store {
	t.Helper()
	_, s := newStore(t, func(d *config.Data) {
		p := &config.Credential{Provider: string(c.Provider), UpdatedAt: fixedNow.Add(-time.Hour)}
		p.Settings = c.Settings
		d.Credentials[string(c.Provider)] = p
		d.Active = string(c.Provider)
		if dt != nil {
			setDevtron(d, &config.Platform{URL: dt.URL(), Token: devtronCanaryUI})
		}
	})
	return s
}

// startDevtron starts a Devtron emulator that takes devtronCanaryUI.
func startDevtron(t *testing.T) *devtronfake.Server {
	t.Helper()
	dt := kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{devtronCanaryUI: true}})
	return dt
}

// proxied serves provider id's emulator through a proxy that runs hook before passing each
// request on (false: it is not), and returns credentials of tok pointing at the proxy. The
// emulator builds its URLs from the Host header, which the proxy keeps, so Git goes through it
// too.
func proxied(t *testing.T, emu *fake.Emulators, id providers.ID, tok string, hook func(*http.Request) bool) providers.Credentials {
	t.Helper()
	target, err := url.Parse(emu.URL(id))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hook(r) {
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections() // gives up a request still held, whatever the cleanups' order
		srv.Close()
	})
	c := emu.Credentials(id, tok)
	c.Host = strings.Replace(c.Host, emu.URL(id), srv.URL, 1)
	c.APIURL = strings.Replace(c.APIURL, emu.URL(id), srv.URL, 1)
	return c
}

// holder holds the first request it is asked about that matches, until the request is given up
// (then it is not passed on) or release is closed (then it is); held is closed once it holds one.
type holder struct {
	match   func(*http.Request) bool
	taken   atomic.Bool
	held    chan struct{}
	release chan struct{}
}

func newHolder(t *testing.T, match func(*http.Request) bool) *holder {
	h := &holder{match: match, held: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(h.let)
	return h
}

// let releases the request held (and any to come).
func (h *holder) let() {
	select {
	case <-h.release:
	default:
		close(h.release)
	}
}

func (h *holder) hook(r *http.Request) bool {
	if !h.match(r) || !h.taken.CompareAndSwap(false, true) {
		return true
	}
	close(h.held)
	select {
	case <-r.Context().Done():
		return false
	case <-h.release:
		return true
	}
}

// wait waits until a request is held.
func (h *holder) wait(t *testing.T) {
	t.Helper()
	select {
	case <-h.held:
	case <-time.After(30 * time.Second):
		t.Fatal("no request was held")
	}
}

// isGit matches the Git requests (the round trip's clone and push).
func isGit(r *http.Request) bool { return strings.Contains(r.URL.Path, "/info/refs") }

// noTokenOnScreen fails when any frame so far held one of toks.
func noTokenOnScreen(t *testing.T, hs *harness, toks ...string) {
	t.Helper()
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for _, frame := range hs.history {
		for _, tok := range toks {
			if tok != "" && strings.Contains(frame, tok) {
				t.Fatalf("a token reached the screen:\n%s", plainText(frame))
			}
		}
	}
}

// oldTokenRevoked reports whether the emulator now refuses tok as revoked.
func oldTokenRevoked(t *testing.T, emu *fake.Emulators, tok string) bool {
	r := providers.Run(t.Context(), providers.NewEnv("test"), emu.Credentials(providers.GitLab, tok))
	a, _ := r.Find(providers.CheckAuth)
	return a.Status == providers.Fail && strings.Contains(a.Message, "revoked")
}

// rotations are the store's rotate audit entries.
func rotations(d *config.Data) []config.AuditEntry {
	var out []config.AuditEntry
	for _, e := range d.Audit {
		if e.Action == config.ActionRotate {
			out = append(out, e)
		}
	}
	return out
}

// inOrder reports whether every one of subs is in s, each after the one before.
func inOrder(s string, subs ...string) bool {
	at := 0
	for _, sub := range subs {
		i := strings.Index(s[at:], sub)
		if i < 0 {
			return false
		}
		at += i + len(sub)
	}
	return true
}

// TestPickerRotatesGitLab: GitLab rotates the token after a y/N question; the new token is saved
// before anything else (the check waits: the store holds it already), then checked, round-tripped
// and both recorded; each step shows as it ends, in the use case's words (the command line's),
// and the list shows the new token's records.
func TestPickerRotatesGitLab(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	check := newHolder(t, func(r *http.Request) bool { return fake.RequestToken(r) != fake.GitLabTokenFull })
	s := rotationStoreOf(t, proxied(t, emu, providers.GitLab, fake.GitLabTokenFull, func(r *http.Request) bool { return check.hook(r) }), nil)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	hs.waitFor("never checked")
	hs.key("R")
	hs.waitFor("Rotate the GitLab token?", "revokes the current token", "the moment it returns the new one", "(y/N)")
	hs.key("y")
	check.wait(t)
	scr := plainText(hs.waitFor("✓ save: the new token glpat-…", "is in the store", "checking the new token…"))
	if strings.Contains(scr, "check:") || !strings.Contains(scr, "✓ rotate: GitLab issued the new token glpat-…") {
		t.Fatalf("the steps before the check:\n%s", scr)
	}
	newTok := load(t, s).Credentials["gitlab"].Token
	if newTok == fake.GitLabTokenFull || !strings.HasPrefix(newTok, "glpat-") {
		t.Fatalf("while the check runs the store holds %s, not the new token", providers.TokenHint(newTok))
	}
	check.let()
	scr = plainText(hs.waitFor("– push: no Devtron instance is configured", "GitLab: all checks passed and the round trip too",
		"revoked the old token itself", "esc back to the list"))
	if !inOrder(scr, "✓ rotate:", "✓ save:", "✓ check: authenticated as", "✓ round trip: passed", "– push:") {
		t.Fatalf("the steps are not in order:\n%s", scr)
	}
	if !hs.sawScreen("round trip: a throw-away repository is created", "deep:clone") {
		t.Error("the round trip's stages were never shown while it ran")
	}
	d := load(t, s)
	p := d.Credentials["gitlab"]
	if p.Token != newTok || p.LastCheck == nil || !p.LastCheck.OK || p.LastDeep == nil || !p.LastDeep.OK {
		t.Fatalf("the new token's check and round trip were not recorded: %+v %+v", p.LastCheck, p.LastDeep)
	}
	if r := rotations(d); len(r) != 1 || !slices.Equal(r[0].Fields, []string{"token"}) || r[0].Who != "tester (local)" {
		t.Fatalf("audit: %+v", d.Audit)
	}
	if !oldTokenRevoked(t, emu, fake.GitLabTokenFull) || emu.GitLabRotations() != 1 {
		t.Errorf("rotations at the emulator: %d", emu.GitLabRotations())
	}
	hs.key("esc")
	list := plainText(hs.waitFor("last check passed just now", "round trip passed just now"))
	if !strings.Contains(list, "GitLab: all checks passed and the round trip too") {
		t.Errorf("the list does not say how the rotation went:\n%s", list)
	}
	noTokenOnScreen(t, hs, fake.GitLabTokenFull, newTok)
}

// TestPickerRotationDeclinedOrRefused: declined, or refused by GitLab (401, 403): nothing
// changed, and the screen says the old token still works. A token GitLab refuses (401) is refused
// before the question: the use case reads the token's description first.
func TestPickerRotationDeclinedOrRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, tok, answer string
		want              []string
	}{
		{"declined", fake.GitLabTokenFull, "n", []string{"not rotated: nothing changed"}},
		{"refused 403", fake.GitLabTokenNoAPI, "y", []string{"✗ rotate:", "HTTP 403", "api or self_rotate", "Nothing changed", "which still works"}},
		{"refused 401", fake.GitLabTokenRevoked, "", []string{"✗ token:", "HTTP 401", "cannot be rotated", "Nothing changed: the store still holds"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			emu := kit.Emulators(t, fake.Options{})
			s := rotationStore(t, emu, c.tok)
			before := load(t, s)
			hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
			hs.waitFor("never checked")
			hs.key("R")
			if c.answer != "" {
				hs.waitFor("Rotate the GitLab token?")
				hs.key(c.answer)
			}
			hs.waitFor(c.want...)
			after := load(t, s)
			if after.Revision != before.Revision || after.Credentials["gitlab"].Token != c.tok {
				t.Errorf("the store changed: revision %d → %d", before.Revision, after.Revision)
			}
			if n := emu.GitLabRotations(); n != 0 {
				t.Errorf("%d rotations, want none", n)
			}
			noTokenOnScreen(t, hs, c.tok)
		})
	}
}

// TestPickerRotationNewTokenFails: the issued token is saved, then fails its check or its round
// trip: the rotation stops at that step, its result is recorded, and the screen says the store
// holds the new token (the old one is revoked).
func TestPickerRotationNewTokenFails(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, tok string
		want      []string
		deep      bool // the round trip ran
	}{
		{"check fails", fake.GitLabTokenDeveloper, []string{"✗ check: failed in", "✗ org ", "Fix what the check names", "press t or r there"}, false},
		{"round trip fails", fake.GitLabTokenPushRejected, []string{"✓ check:", "✗ round trip: failed in", "✗ deep:push", "Fix what the round trip names"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			emu := kit.Emulators(t, fake.Options{})
			s := rotationStore(t, emu, c.tok)
			hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
			hs.waitFor("never checked")
			hs.key("R")
			hs.waitFor("(y/N)") // asked once the use case has read the token's description
			hs.key("y")
			scr := plainText(hs.waitFor(append(c.want, "✓ save: the new token glpat-…", "The store holds the new token glpat-…",
				"(the old one is revoked)", "esc back to the list")...))
			if strings.Contains(scr, "push:") {
				t.Fatalf("the rotation went on after the failure:\n%s", scr)
			}
			p := load(t, s).Credentials["gitlab"]
			if p.Token == c.tok || p.LastCheck == nil || (p.LastDeep != nil) != c.deep || (c.deep && p.LastDeep.OK) || (!c.deep && p.LastCheck.OK) {
				t.Fatalf("store: %s, check %+v, round trip %+v", providers.TokenHint(p.Token), p.LastCheck, p.LastDeep)
			}
			hs.key("esc")
			hs.waitFor("last check")
			noTokenOnScreen(t, hs, c.tok, p.Token)
		})
	}
}

// unsavedRotation is a picker whose GitLab rotation was answered while another writer stored
// theirs: the issued token's save failed, and the screen asks what to do with it.
type unsavedRotation struct {
	emu *fake.Emulators
	s   *config.Store
	hs  *harness
}

func startUnsavedRotation(t *testing.T, theirs string) *unsavedRotation {
	t.Helper()
	u := &unsavedRotation{emu: kit.Emulators(t, fake.Options{})}
	rotate := newHolder(t, func(r *http.Request) bool {
		return strings.HasSuffix(r.URL.Path, "/personal_access_tokens/self/rotate")
	})
	u.s = rotationStoreOf(t, proxied(t, u.emu, providers.GitLab, fake.GitLabTokenFull, rotate.hook), nil)
	u.hs = start(t, Options{Store: u.s, ConfigDir: u.s.Dir()}, realChecks, 120, 40)
	u.hs.waitFor("never checked")
	u.hs.key("R")
	u.hs.waitFor("(y/N)")
	u.hs.key("y")
	rotate.wait(t)
	u.setToken(t, theirs)
	rotate.let()
	u.hs.waitFor("✗ save: the stored token was replaced while rotating", "The new token is NOT saved",
		"The new token is not saved and GitLab has revoked the old one", "s show the new token")
	return u
}

// setToken stores tok as GitLab's token, as another writer would.
func (u *unsavedRotation) setToken(t *testing.T, tok string) {
	t.Helper()
	if _, err := u.s.Update(t.Context(), "other", "set", config.AnyRevision, func(d *config.Data) error {
		d.Credentials["gitlab"].Token = tok
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// retryOffered reports whether R retries a failed save: once usecase.Rotate asks the front-end
// (saveRetrier); until then the screen offers to show the token only.
// TestRotationScreenRetriesTheSave covers the screen's side with a scripted use case.
func retryOffered(t *testing.T, hs *harness) {
	t.Helper()
	if !strings.Contains(plainText(hs.screen()), "R retry the save") {
		t.Skip("usecase.Rotate does not ask to retry a failed save yet (the saveRetrier the screen answers)")
	}
}

// TestPickerRotationSaveFailsThenRetried: another writer replaces the token while GitLab answers
// the rotation: the save refuses (theirs is kept), the new token is kept in memory only, never
// shown, and R retries the save (not the rotation) once the store holds the revoked token again;
// the rotation then goes on.
func TestPickerRotationSaveFailsThenRetried(t *testing.T) {
	t.Parallel()
	const theirs = "glpat-CANARYotherWriter000"
	u := startUnsavedRotation(t, theirs)
	emu, s, hs := u.emu, u.s, u.hs
	if tok := load(t, s).Credentials["gitlab"].Token; tok != theirs {
		t.Fatalf("the other writer's token was overwritten with %s", providers.TokenHint(tok))
	}
	retryOffered(t, hs)
	u.setToken(t, fake.GitLabTokenFull)
	hs.key("R")
	hs.waitFor("✓ save: the new token glpat-…", "GitLab: all checks passed and the round trip too")
	if hs.sawScreen("✓ save:", "✗ save:") {
		t.Error("the failed save stayed beside its retry")
	}
	newTok := load(t, s).Credentials["gitlab"].Token
	if newTok == fake.GitLabTokenFull || newTok == theirs {
		t.Fatal("the retry did not save the new token")
	}
	if n := emu.GitLabRotations(); n != 1 {
		t.Errorf("%d rotations: the rotation itself was retried", n)
	}
	noTokenOnScreen(t, hs, fake.GitLabTokenFull, theirs, newTok)
}

// TestPickerRotationShowsAnUnsavedTokenOnlyOnRequest: when the save of an issued token failed,
// the token (its only copy: the provider revoked the old one) never reaches the screen until the
// admin presses s; then it is shown whole, and it is the very token GitLab issued (and, once the
// retry is wired, the one the retried save stores).
func TestPickerRotationShowsAnUnsavedTokenOnlyOnRequest(t *testing.T) {
	t.Parallel()
	const theirs = "glpat-CANARYotherWriter001"
	whole := regexp.MustCompile(`glpat-[A-Za-z0-9_-]{16,}`)
	u := startUnsavedRotation(t, theirs)
	s, hs := u.s, u.hs
	hs.mu.Lock()
	for _, frame := range hs.history {
		if m := whole.FindString(frame); m != "" && m != theirs {
			hs.mu.Unlock()
			t.Fatalf("a whole token reached the screen before it was asked for:\n%s", strings.ReplaceAll(plainText(frame), m, "<the token>"))
		}
	}
	hs.mu.Unlock()
	hs.key("s")
	screen := hs.waitFor("The new token, shown because you asked")
	shown := ""
	for _, m := range whole.FindAllString(screen, -1) {
		if m != theirs && m != fake.GitLabTokenFull {
			shown = m
		}
	}
	if shown == "" {
		t.Fatalf("no token shown after s:\n%s", screen)
	}
	works := providers.Run(t.Context(), providers.NewEnv("test"), u.emu.Credentials(providers.GitLab, shown))
	if a, _ := works.Find(providers.CheckAuth); a.Status != providers.Pass {
		t.Fatalf("the token shown is not the one GitLab issued: %+v", a)
	}
	retryOffered(t, hs)
	u.setToken(t, fake.GitLabTokenFull)
	hs.key("R")
	hs.waitFor("✓ save: the new token glpat-…")
	if got := load(t, s).Credentials["gitlab"].Token; got != shown {
		t.Fatalf("the token shown (%s) is not the one saved (%s)", providers.TokenHint(shown), providers.TokenHint(got))
	}
	if hs.sawScreen("✓ save: the new token", "The new token, shown because you asked") {
		t.Error("the token stayed on screen once it was saved")
	}
}

// TestPickerRotationPushesToDevtron: with a Devtron instance stored, the new token goes there
// once it passed (the picker's push); a refused push fails that step and says Devtron still has
// the old token, by hand before the old one is to be revoked.
func TestPickerRotationPushesToDevtron(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		id     providers.ID
		old    string
		neu    string // "": issued by GitLab
		refuse bool
		want   []string
	}{
		{"gitlab pushed", providers.GitLab, fake.GitLabTokenFull, "", false, []string{"✓ push: Devtron has the new token",
			"GitLab: all checks passed and the round trip too"}},
		{"gitlab push refused", providers.GitLab, fake.GitLabTokenFull, "", true, []string{"✗ push: Devtron's validation failed",
			"Devtron still has the old one", "Press p on the list to push the new token"}},
		{"github pushed", providers.GitHub, fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg, false, []string{"✓ push: Devtron has the new token",
			"Revoke the old token ghp_…0000 at"}},
		{"github push refused", providers.GitHub, fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg, true, []string{"✗ push: Devtron's validation failed",
			"Devtron still has the old one", "Press p on the list to push the new token"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			emu := kit.Emulators(t, fake.Options{})
			dt := startDevtron(t)
			if c.refuse {
				dt.FailStages(map[string]string{"Push": "authentication required"})
			}
			s := rotationStoreOf(t, emu.Credentials(c.id, c.old), dt)
			hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
			hs.waitFor("never checked")
			hs.key("R")
			if c.neu == "" {
				hs.waitFor("(y/N)")
				hs.key("y")
			} else {
				hs.waitFor("New token:")
				hs.typ(c.neu)
				hs.key("enter")
			}
			scr := plainText(hs.waitFor(c.want...))
			if !inOrder(scr, "✓ save:", "push:") {
				t.Fatalf("the push did not come after the save:\n%s", scr)
			}
			stored := load(t, s).Credentials[string(c.id)].Token
			rows := dt.Rows()
			if pushed := len(rows) == 1 && rows[0].Token == stored; pushed == c.refuse || stored == c.old {
				t.Fatalf("Devtron holds %d rows; the store %s", len(rows), providers.TokenHint(stored))
			}
			noTokenOnScreen(t, hs, c.old, c.neu, stored, devtronCanaryUI)
		})
	}
}

// TestPickerRotationQuitBetweenSteps: quitting while a step runs ends the session once nothing is
// cut short: an issued token is saved first, a round trip deletes its repository first; a token
// made by hand is never saved unless both of its checks passed. An issued token's check is
// recorded with its round trip, so neither is when the round trip is cut short.
func TestPickerRotationQuitBetweenSteps(t *testing.T) {
	t.Parallel()
	newHand := fake.GitHubTokenNoAdminOrg
	cases := []struct {
		name   string
		id     providers.ID
		old    string
		hold   func(*http.Request) bool
		letGo  string // the screen shows it once the quit is put off: then the held request goes on
		issued bool   // the store holds a new token afterwards
		check  bool   // the new token's check was recorded
	}{
		{"gitlab, during the rotation", providers.GitLab, fake.GitLabTokenFull,
			func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/self/rotate") }, "the session ends once the new token is saved", true, false},
		{"gitlab, during the check", providers.GitLab, fake.GitLabTokenFull,
			func(r *http.Request) bool { return fake.RequestToken(r) != fake.GitLabTokenFull }, "", true, false},
		{"gitlab, during the round trip", providers.GitLab, fake.GitLabTokenFull, isGit, "", true, false},
		{"github, during the check", providers.GitHub, fake.GitHubTokenFull,
			func(r *http.Request) bool { return fake.RequestToken(r) == newHand }, "", false, false},
		{"github, during the round trip", providers.GitHub, fake.GitHubTokenFull, isGit, "", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			emu := kit.Emulators(t, fake.Options{})
			h := newHolder(t, c.hold)
			s := rotationStoreOf(t, proxied(t, emu, c.id, c.old, h.hook), nil)
			before := load(t, s)
			hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
			hs.waitFor("never checked")
			hs.key("R")
			if c.id == providers.GitLab {
				hs.waitFor("(y/N)")
				hs.key("y")
			} else {
				hs.waitFor("New token:")
				hs.typ(newHand)
				hs.key("enter")
			}
			h.wait(t)
			hs.key("q")
			if c.letGo != "" {
				hs.waitFor(c.letGo)
				h.let()
			}
			hs.tm.WaitFinished(t, teatestFinal())
			hs.done = true
			p := load(t, s).Credentials[string(c.id)]
			switch {
			case c.issued && (p.Token == c.old || emu.GitLabRotations() != 1):
				t.Fatalf("the session ended before the new token was saved (store %s)", providers.TokenHint(p.Token))
			case !c.issued && load(t, s).Revision != before.Revision:
				t.Fatalf("a token made by hand was saved before its checks passed: %s", providers.TokenHint(p.Token))
			case (p.LastCheck != nil) != c.check || p.LastDeep != nil:
				t.Fatalf("records of steps that did not finish: %+v %+v", p.LastCheck, p.LastDeep)
			}
			if left := emu.Repos(c.id); len(left) > 0 {
				t.Fatalf("the round trip left %v behind", left)
			}
			noTokenOnScreen(t, hs, c.old, newHand, p.Token)
		})
	}
}

// TestPickerRotationByHand: a provider without an API rotation (GitHub) gets the page and the
// scopes and a masked input; the new token is checked and round-tripped before it is saved (the
// store still holds the old one while the round trip runs), saved with both records as a
// rotation, and the screen names where to revoke the old one.
func TestPickerRotationByHand(t *testing.T) {
	t.Parallel()
	const newTok = fake.GitHubTokenNoAdminOrg
	emu := kit.Emulators(t, fake.Options{})
	git := newHolder(t, isGit)
	c := proxied(t, emu, providers.GitHub, fake.GitHubTokenFull, git.hook)
	s := rotationStoreOf(t, c, nil)
	before := load(t, s)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	hs.waitFor("GitHub")
	hs.key("R")
	page := strings.TrimSuffix(c.Host, "/") + "/settings/tokens"
	hs.waitFor("Create the replacement at "+page, "- repo: needed", "- delete_repo: needed", "- admin:org (optional)", "New token:")
	hs.typ(newTok)
	hs.waitFor("New token: " + strings.Repeat("*", 10))
	hs.key("enter")
	git.wait(t)
	hs.waitFor("✓ token: read ghp_…0000", "✓ check: authenticated as", "! scope:admin:org", "round trip: a throw-away repository")
	if d := load(t, s); d.Revision != before.Revision {
		t.Fatalf("the store changed before the round trip passed (revision %d → %d)", before.Revision, d.Revision)
	}
	git.let()
	scr := plainText(hs.waitFor("✓ save: the new token ghp_…", "– push: no Devtron",
		"GitHub: the check passed with 1 warning and the round trip too", "Revoke the old token", "esc back to the list"))
	if !strings.Contains(strings.Join(strings.Fields(scr), " "), "Revoke the old token ghp_…0000 at "+page+": it keeps working until you do") {
		t.Fatalf("the page to revoke the old token is not named:\n%s", scr)
	}
	if !inOrder(scr, "✓ token:", "✓ check:", "! scope:admin:org", "✓ round trip: passed", "✓ save:", "– push:") {
		t.Fatalf("the steps are not in order:\n%s", scr)
	}
	d := load(t, s)
	p := d.Credentials["github"]
	if p.Token != newTok || p.LastCheck == nil || !p.LastCheck.OK || p.LastDeep == nil || !p.LastDeep.OK {
		t.Fatalf("stored %s with check %+v, round trip %+v", providers.TokenHint(p.Token), p.LastCheck, p.LastDeep)
	}
	if r := rotations(d); len(r) != 1 || !slices.Equal(r[0].Fields, []string{"token"}) {
		t.Fatalf("audit: %+v", d.Audit)
	}
	hs.key("esc")
	hs.waitFor("last check passed with 1 warning just now", "Revoke the old token")
	noTokenOnScreen(t, hs, fake.GitHubTokenFull, newTok)
}

// TestPickerRotationByHandRefusesTheToken: a token made by hand that fails its check or its round
// trip is not saved (the store is left as it was, saying the old token still works); one of the
// wrong format, or the stored one, is not taken; esc leaves without a change.
func TestPickerRotationByHandRefusesTheToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, tok string
		ended     bool // the rotation ended (else the input stays, saying why)
		want      []string
	}{
		{"check fails", fake.GitHubTokenNoRepo, true, []string{"✗ check: failed in", "✗ scope:repo ", "Fix what the check names"}},
		{"round trip fails", fake.GitHubTokenPushRejected, true, []string{"✗ round trip: failed in", "✗ deep:push", "Fix what the round trip names"}},
		{"the stored token", fake.GitHubTokenFull, false, []string{"✗ that is the token stored already: create a new one at"}},
		{"not a token", "not a token", false, []string{"✗ ", "New token:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			emu := kit.Emulators(t, fake.Options{})
			s := rotationStoreOf(t, emu.Credentials(providers.GitHub, fake.GitHubTokenFull), nil)
			before := load(t, s)
			hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
			hs.waitFor("GitHub")
			hs.key("R")
			hs.waitFor("New token:")
			hs.typ(c.tok)
			hs.key("enter")
			want := c.want
			if c.ended {
				want = append(want, "Nothing saved: the store still holds the old token ghp_…0000, unchanged.", "press R to try again")
			}
			scr := plainText(hs.waitFor(want...))
			if strings.Contains(scr, "save:") {
				t.Fatalf("a refused token went on to the save:\n%s", scr)
			}
			if c.ended {
				hs.key("R") // another try, from the page and the scopes
				hs.waitFor("New token:", "- repo: needed")
			}
			hs.key("esc")
			hs.waitFor("GitHub")
			if d := load(t, s); d.Revision != before.Revision || d.Credentials["github"].Token != fake.GitHubTokenFull {
				t.Fatalf("the store changed: revision %d → %d", before.Revision, d.Revision)
			}
			if left := emu.Repos(providers.GitHub); len(left) > 0 {
				t.Fatalf("left behind: %v", left)
			}
			noTokenOnScreen(t, hs, fake.GitHubTokenFull, c.tok)
		})
	}
	t.Run("esc", func(t *testing.T) {
		t.Parallel()
		_, s := newStore(t, withActive)
		hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
		hs.waitFor("GitHub")
		hs.key("R")
		hs.waitFor("New token:")
		hs.key("esc")
		hs.waitFor("not rotated: nothing changed", "GitLab")
	})
}

// TestPickerRotationByHandSettingsChanged: another writer changes the provider while the new
// token is checked: the check tested the old settings, so the store refuses the save, and the
// screen says nothing was saved.
func TestPickerRotationByHandSettingsChanged(t *testing.T) {
	t.Parallel()
	const newTok = fake.GitHubTokenNoAdminOrg
	emu := kit.Emulators(t, fake.Options{})
	git := newHolder(t, isGit)
	s := rotationStoreOf(t, proxied(t, emu, providers.GitHub, fake.GitHubTokenFull, git.hook), nil)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	hs.waitFor("GitHub")
	hs.key("R")
	hs.waitFor("New token:")
	hs.typ(newTok)
	hs.key("enter")
	git.wait(t)
	if _, err := s.Update(t.Context(), "other", "set", config.AnyRevision, func(d *config.Data) error {
		d.Credentials["github"].Username = "someone"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	git.let()
	hs.waitFor("✓ round trip: passed", "✗ save: the settings of github changed while the new token was being checked",
		"Nothing saved: the store still holds what it held")
	if p := load(t, s).Credentials["github"]; p.Token != fake.GitHubTokenFull || p.Username != "someone" {
		t.Fatalf("stored %s as %s", providers.TokenHint(p.Token), p.Username)
	}
	noTokenOnScreen(t, hs, fake.GitHubTokenFull, newTok)
}

// TestPickerRotateKeyInFullHelp: R is named in the full help only (the short help keeps 80 columns).
func TestPickerRotateKeyInFullHelp(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withActive)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	if strings.Contains(plainText(hs.waitFor("GitHub", "? help")), "rotate token") {
		t.Error("the short help names the rotation")
	}
	hs.key("?")
	hs.waitFor("R rotate token")
}

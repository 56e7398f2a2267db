package ui

import (
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// rotationStore is a store holding GitLab (active) on the emulators with token tok.
func rotationStore(t *testing.T, emu *fake.Emulators, tok string) *config.Store {
	t.Helper()
	_, s := newStore(t, func(d *config.Data) {
		p := &config.Provider{UpdatedAt: fixedNow.Add(-time.Hour)}
		emu.Credentials(providers.GitLab, tok).ApplyTo(p)
		d.Providers[string(providers.GitLab)] = p
		d.Active = string(providers.GitLab)
	})
	return s
}

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

func TestPickerRotatesGitLab(t *testing.T) {
	t.Parallel()
	emu := startEmulators(t, fake.Options{})
	s := rotationStore(t, emu, fake.GitLabTokenFull)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	hs.waitFor("never checked")
	hs.key("R")
	hs.waitFor("Rotate the GitLab token?", "revokes the current token", "the moment it returns the new one", "(y/N)")
	hs.key("y")
	scr := hs.waitFor("✓ save: the new token is in the store", "GitLab: all checks passed")
	if !hs.sawScreen("✓ rotate: GitLab issued the new token glpat-…") {
		t.Error("the rotation's step was never shown")
	}
	d := load(t, s)
	newTok := d.Providers["gitlab"].Token
	if newTok == fake.GitLabTokenFull || !strings.HasPrefix(newTok, "glpat-") {
		t.Fatalf("the store holds %s, not a new token", providers.TokenHint(newTok))
	}
	if rec := d.Providers["gitlab"].LastCheck; rec == nil || !rec.OK {
		t.Fatalf("the new token's check was not recorded: %+v", rec)
	}
	if !oldTokenRevoked(t, emu, fake.GitLabTokenFull) {
		t.Error("the emulator still accepts the old token")
	}
	if n := emu.GitLabRotations(); n != 1 {
		t.Errorf("%d rotations, want 1", n)
	}
	if !strings.Contains(plainText(scr), "last check passed just now") {
		t.Errorf("the picker does not show the new token's check:\n%s", plainText(scr))
	}
	noTokenOnScreen(t, hs, fake.GitLabTokenFull, newTok)
}

func TestPickerRotationDeclinedOrRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, tok, answer string
		want              []string
	}{
		{"declined", fake.GitLabTokenFull, "n", []string{"not rotated: nothing changed"}},
		{"refused 403", fake.GitLabTokenNoAPI, "y", []string{"✗ rotate:", "HTTP 403", "api or self_rotate", "nothing changed"}},
		{"refused 401", fake.GitLabTokenRevoked, "y", []string{"✗ rotate:", "HTTP 401", "cannot be rotated", "nothing changed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulators(t, fake.Options{})
			s := rotationStore(t, emu, c.tok)
			before := load(t, s)
			hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
			hs.waitFor("never checked")
			hs.key("R")
			hs.waitFor("Rotate the GitLab token?")
			hs.key(c.answer)
			hs.waitFor(c.want...)
			after := load(t, s)
			if after.Revision != before.Revision || after.Providers["gitlab"].Token != c.tok {
				t.Errorf("the store changed: revision %d → %d", before.Revision, after.Revision)
			}
			if n := emu.GitLabRotations(); n != 0 {
				t.Errorf("%d rotations, want none", n)
			}
			noTokenOnScreen(t, hs, c.tok)
		})
	}
}

// TestPickerRotationSavedWhenQuitting: quitting while GitLab answers the rotation still saves the
// new token before the session ends.
func TestPickerRotationSavedWhenQuitting(t *testing.T) {
	t.Parallel()
	emu := startEmulators(t, fake.Options{Latency: 300 * time.Millisecond})
	s := rotationStore(t, emu, fake.GitLabTokenFull)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	hs.waitFor("never checked")
	hs.key("R", "y")
	hs.waitFor("rotating the GitLab token…")
	hs.key("q")
	hs.tm.WaitFinished(t, teatestFinal())
	hs.done = true
	tok := load(t, s).Providers["gitlab"].Token
	if tok == fake.GitLabTokenFull {
		t.Fatal("the session ended before the new token was saved")
	}
	if emu.GitLabRotations() != 1 || !oldTokenRevoked(t, emu, fake.GitLabTokenFull) {
		t.Fatal("the rotation did not happen")
	}
	noTokenOnScreen(t, hs, fake.GitLabTokenFull, tok)
}

// TestPickerRotationSaveFailsThenRetried: another writer replaces the token while GitLab answers
// the rotation: the save refuses (theirs is kept), the new token is kept in memory only, never
// shown, and R retries the save (not the rotation) once the store holds the revoked token again.
func TestPickerRotationSaveFailsThenRetried(t *testing.T) {
	t.Parallel()
	const theirs = "glpat-CANARYotherWriter000"
	emu := startEmulators(t, fake.Options{Latency: 300 * time.Millisecond})
	s := rotationStore(t, emu, fake.GitLabTokenFull)
	setToken := func(tok string) {
		t.Helper()
		if _, err := s.Update(t.Context(), "other", "set", config.AnyRevision, func(d *config.Data) error {
			d.Providers["gitlab"].Token = tok
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	hs.waitFor("never checked")
	hs.key("R", "y")
	hs.waitFor("rotating the GitLab token…")
	setToken(theirs)
	hs.waitFor("✗ save: the new GitLab token is NOT saved", "the stored token was replaced while rotating", "Press R to retry the save")
	if tok := load(t, s).Providers["gitlab"].Token; tok != theirs {
		t.Fatalf("the other writer's token was overwritten with %s", providers.TokenHint(tok))
	}
	setToken(fake.GitLabTokenFull)
	hs.key("R")
	hs.waitFor("✓ save: the new token is in the store", "GitLab: all checks passed")
	newTok := load(t, s).Providers["gitlab"].Token
	if newTok == fake.GitLabTokenFull || newTok == theirs {
		t.Fatal("the retry did not save the new token")
	}
	if n := emu.GitLabRotations(); n != 1 {
		t.Errorf("%d rotations: the rotation itself was retried", n)
	}
	noTokenOnScreen(t, hs, fake.GitLabTokenFull, theirs, newTok)
}

// TestPickerRotationByHand: a provider without an API rotation (GitHub) gets the page and the
// scopes, the editor with the token focused, and after the save the page to revoke the old one.
func TestPickerRotationByHand(t *testing.T) {
	t.Parallel()
	const newTok = "ghp_cannedRotatedByHand00000000000000009"
	// no provider is active: the rotation asks nothing about activating GitHub
	_, s := newStore(t, func(d *config.Data) { withActive(d); d.Active = "" })
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("GitHub")
	hs.key("R")
	hs.waitFor("Create the replacement at https://github.com/settings/tokens with the scopes repo, delete_repo")
	hs.waitUntil("the token focused", func(string) bool {
		hs.mu.Lock()
		defer hs.mu.Unlock()
		return hs.focus == string(providers.FieldToken)
	})
	hs.key("ctrl+u")
	hs.typ(newTok)
	hs.waitFor("All checks passed")
	hs.key("ctrl+s")
	hs.waitFor("saved the new GitHub token ghp_…0009", "Now revoke the old one ghp_…0001 at https://github.com/settings/tokens")
	if tok := load(t, s).Providers["github"].Token; tok != newTok {
		t.Fatalf("the store holds %s", providers.TokenHint(tok))
	}
	noTokenOnScreen(t, hs, tokPass, newTok)
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

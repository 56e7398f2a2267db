package ui

import (
	"bytes"
	"context"
	"errors"
	"image/color"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/config/configtest"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
)

func load(t *testing.T, s *config.Store) *config.Data {
	t.Helper()
	d, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// fillGitHub types org, username and token into a fresh GitHub editor (focus on the host).
func fillGitHub(hs *harness, tok string) {
	hs.tab()
	hs.typ("acme")
	hs.tab()
	hs.typ("octocat")
	hs.tab()
	hs.typ(tok)
}

func TestEditorSavesPassingCheckAndActivates(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, nil)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("not configured")
	hs.key("enter")
	hs.waitFor("GitHub · new")
	fillGitHub(hs, tokPass)
	scr := hs.waitFor("All checks passed")
	if strings.Contains(plainText(scr), tokPass) || strings.Contains(plainText(scr), tokPass[:10]) {
		t.Fatal("the editor shows the token")
	}
	hs.key("ctrl+s")
	hs.waitFor("Make GitHub the active provider?")
	hs.key("y")
	hs.waitFor("✓ GitHub", "GitHub is now the active provider")
	d := load(t, s)
	p := d.Credentials["github"]
	if d.Active != "github" || p == nil || p.Token != tokPass || p.Org != "acme" || p.LastCheck == nil || !p.LastCheck.OK {
		t.Fatalf("store after save: active %q, github %+v", d.Active, p)
	}
}

func TestEditorFailingCheckNeedsSaveAnyway(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, nil)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 24)
	hs.waitFor("not configured")
	hs.key("enter")
	hs.waitFor("GitHub · new")
	fillGitHub(hs, tokScopes)
	hs.waitFor("1 check failed")
	hs.key("ctrl+s")
	hs.waitFor("The check failed", "Save anyway? (y/N)")
	hs.key("n")
	hs.waitFor("not saved")
	if rev := load(t, s).Revision; rev != 0 {
		t.Fatalf("declining saved anyway: revision %d", rev)
	}
	hs.key("ctrl+s")
	hs.waitFor("Save anyway?")
	hs.key("y")
	hs.waitFor("its check did not pass")
	d := load(t, s)
	if p := d.Credentials["github"]; p == nil || p.LastCheck == nil || p.LastCheck.OK || d.Active != "" {
		t.Fatalf("save anyway: %+v active %q", p, d.Active)
	}
}

func TestEditorConflictReloadsAndKeepsDraft(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withToken(tokPass))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("configured")
	hs.key("enter")
	hs.waitFor("All checks passed", "editing the stored credential")
	// another writer saves the same provider meanwhile
	if _, err := s.Update(context.Background(), "other", config.ActionSet, config.AnyRevision, func(d *config.Data) error {
		d.Credentials["github"].APIURL = "https://api.github.com"
		d.Credentials["gitlab"] = stored("gitlab", "https://gitlab.com/", "acme", "jdoe", "glpat-other000000000000", nil)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	hs.tab()
	hs.typ("-x") // org acme → acme-x
	hs.waitFor("All checks passed")
	hs.settle()
	hs.key("ctrl+s")
	hs.waitFor("Someone else saved the store", "it is now at revision 2")
	if d := load(t, s); d.Credentials["github"].Org != "acme" {
		t.Fatal("a conflicting save was written")
	}
	hs.key("ctrl+s")
	hs.waitFor("Make GitHub the active provider?")
	hs.key("n")
	hs.waitFor("Saved GitHub")
	d := load(t, s)
	if d.Credentials["github"].Org != "acme-x" || d.Credentials["gitlab"] == nil {
		t.Fatalf("after reload and save: github org %q, gitlab %v", d.Credentials["github"].Org, d.Credentials["gitlab"])
	}
}

func TestEditsCancelTheCheckInFlightAndDropItsReply(t *testing.T) {
	t.Parallel()
	var cancelled atomic.Bool
	check := func(ctx context.Context, env *providers.Env, c providers.Credentials) providers.Result {
		if c.Username == "slow" {
			<-ctx.Done()
			cancelled.Store(true)
			r := providers.Result{}
			r.Add(providers.CheckAuth, providers.Pass, "STALE reply")
			r.Finish()
			return r
		}
		return cannedCheck(ctx, env, c)
	}
	_, s := newStore(t, func(d *config.Data) {
		d.Credentials["github"] = stored("github", "https://github.com/", "acme", "slow", tokPass, nil)
	})
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{check: check}, 120, 40)
	hs.waitFor("configured")
	hs.key("enter")
	hs.waitFor("Checking")
	hs.tab()
	hs.tab()
	hs.typ("er") // slow → slower
	hs.waitFor("All checks passed")
	if strings.Contains(plainText(hs.settle()), "STALE") {
		t.Fatal("a stale reply was shown")
	}
	deadline := time.Now().Add(2 * time.Second)
	for !cancelled.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !cancelled.Load() {
		t.Fatal("the check in flight was not cancelled")
	}
}

func TestEscConfirmsDiscardingEdits(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withToken(tokPass))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 24)
	hs.waitFor("configured")
	hs.key("enter")
	hs.waitFor("All checks passed")
	hs.key("esc") // nothing changed: straight back
	hs.waitFor("Global Configurations")
	hs.key("enter")
	hs.waitFor("All checks passed")
	hs.typ("q") // a text field has the focus: q types, it does not quit
	hs.key("esc")
	hs.waitFor("Discard your unsaved changes to GitHub?")
	hs.key("n")
	hs.key("esc")
	hs.waitFor("Discard your unsaved changes")
	hs.key("y")
	hs.waitFor("changes discarded")
	if load(t, s).Revision != 1 {
		t.Fatal("discarding saved something")
	}
}

func TestPickerRetestRecordsWithoutAudit(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, configured)
	before := len(load(t, s).Audit)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("passed 5 min ago")
	hs.key("t")
	hs.waitFor("last check passed just now", "GitHub: all checks passed")
	d := load(t, s)
	if !d.Credentials["github"].LastCheck.At.Equal(fixedNow) {
		t.Fatalf("re-test not recorded: %+v", d.Credentials["github"].LastCheck)
	}
	if len(d.Audit) != before {
		t.Fatalf("a check record made audit entries: %+v", d.Audit[before:])
	}
	hs.key("T")
	hs.waitUntil("both re-tested", func(plain string) bool { return strings.Count(plain, "last check passed just now") == 2 })
	hs.key("q")
	hs.tm.WaitFinished(t, teatestFinal())
	hs.done = true
}

func TestPickerActivateMovesTickAndRemoveAsks(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withActive)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 24)
	hs.waitFor("✓ GitHub")
	hs.key("j", "a")
	hs.waitFor("✓ GitLab", "GitLab is now the active provider")
	if strings.Contains(plainText(hs.screen()), "✓ GitHub") {
		t.Fatal("two ticks")
	}
	hs.key("j", "j", "a")
	hs.waitFor("Bitbucket Cloud is not configured yet")
	hs.key("k", "d")
	hs.waitFor("Remove Azure DevOps and its token from the store? (y/N)")
	hs.key("n")
	hs.waitFor("nothing was removed")
	hs.key("d", "y")
	hs.waitFor("Azure DevOps was removed")
	d := load(t, s)
	if d.Active != "gitlab" || d.Credentials["azure"] != nil {
		t.Fatalf("store: active %q azure %v", d.Active, d.Credentials["azure"])
	}
}

func TestPickerFollowsOtherWriters(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, configured)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{watch: 20 * time.Millisecond}, 120, 40)
	hs.waitFor("GitHub")
	if _, err := s.Activate(context.Background(), "cli", "gitlab"); err != nil {
		t.Fatal(err)
	}
	hs.waitFor("✓ GitLab")
}

func TestWizardCreatesStoreAndActivatesFirstProvider(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cfg")
	hs := start(t, Options{ConfigDir: dir}, deps{}, 120, 40)
	hs.waitFor("Welcome to gitopscfg")
	hs.key("enter")
	hs.waitFor("How should the store be protected?")
	hs.key("enter")
	hs.waitFor("Which Git provider")
	hs.key("enter")
	hs.waitFor("step 3 of 3")
	if config.Exists(dir) {
		t.Fatal("the wizard wrote before the save")
	}
	fillGitHub(hs, tokPass)
	hs.waitFor("All checks passed")
	hs.key("ctrl+s")
	hs.waitFor("✓ GitHub", "Saved and activated GitHub")
	s, err := config.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := load(t, s); d.Active != "github" {
		t.Fatalf("active %q", d.Active)
	}
}

func TestWizardPassphraseProtects(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cfg")
	hs := start(t, Options{ConfigDir: dir}, deps{}, 80, 24)
	hs.waitFor("Welcome to gitopscfg")
	hs.key("enter")
	hs.waitFor("How should the store be protected?")
	hs.key("down", "enter")
	hs.waitFor("New passphrase")
	hs.typ("short")
	hs.key("enter")
	hs.waitFor("too short")
	hs.typ(" but now long enough")
	hs.move("enter")
	hs.typ("something else")
	hs.key("enter")
	hs.waitFor("the two passphrases differ")
	for range len("something else") {
		hs.key("backspace")
	}
	hs.typ("short but now long enough")
	hs.key("enter")
	hs.waitFor("Which Git provider")
	hs.key("enter")
	hs.waitFor("step 3 of 3")
	fillGitHub(hs, tokPass)
	hs.waitFor("All checks passed")
	hs.key("ctrl+s")
	hs.waitFor("✓ GitHub")
	if prot, err := config.PassphraseProtected(dir); err != nil || !prot {
		t.Fatalf("not passphrase-protected: %v %v", prot, err)
	}
}

// passStore is a passphrase-protected store at a low scrypt cost (the wizard's test above creates
// one at the real cost).
func passStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	configtest.InitPassphrase(t, dir, "right passphrase")
	return dir
}

func TestUnlockThreeWrongPassphrasesFail(t *testing.T) {
	t.Parallel()
	dir := passStore(t)
	hs := start(t, Options{ConfigDir: dir}, deps{}, 80, 24)
	for i, want := range []string{"2 tries left", "1 try left"} {
		hs.waitFor("Passphrase:")
		hs.typ("wrong passphrase " + itoa(i))
		hs.key("enter")
		scr := plainText(hs.waitFor(want))
		if strings.Contains(scr, "wrong passphrase") {
			t.Fatal("the passphrase is shown")
		}
	}
	hs.typ("still wrong")
	hs.key("enter")
	hs.tm.WaitFinished(t, teatestFinal())
	hs.done = true
	m := hs.final(t)
	if !errors.Is(m.fatal, ErrUnlockFailed) {
		t.Fatalf("fatal = %v", m.fatal)
	}
}

func TestUnlockRightPassphraseOpensPicker(t *testing.T) {
	t.Parallel()
	dir := passStore(t)
	hs := start(t, Options{ConfigDir: dir}, deps{}, 80, 24)
	hs.waitFor("Passphrase:")
	hs.typ("wrong one")
	hs.key("enter")
	hs.waitFor("2 tries left")
	hs.typ("right passphrase")
	hs.key("enter")
	hs.waitFor("Global Configurations")
}

func TestWrongEnvPassphraseAsks(t *testing.T) {
	t.Parallel()
	dir := passStore(t)
	hs := start(t, Options{ConfigDir: dir, Passphrase: "not it at all"}, deps{}, 80, 24)
	hs.waitFor("GITOPSCFG_PASSPHRASE did not unlock the store")
}

func TestPanicRestoresTerminalWithoutSecrets(t *testing.T) {
	t.Parallel()
	const secret = "ghp_CANARYpanicSecret0000000000000000000"
	_, s := newStore(t, withToken(secret))
	var out bytes.Buffer
	// Opening the editor of a provider not configured yet (j, enter: GitLab) asks NewProvider for
	// its starting values, inside the root's Update: a panic there carries the secret.
	panics := func(providers.ID) providers.Credentials { panic("test panic with a secret: " + secret) }
	err := Run(context.Background(), Options{Store: s, ConfigDir: s.Dir(), NewProvider: panics},
		tea.WithInput(slowReader("j\r")), tea.WithOutput(&out), tea.WithWindowSize(80, 24),
		tea.WithoutSignals())
	if err == nil || !strings.Contains(err.Error(), "crashed") {
		t.Fatalf("Run after a panic: %v", err)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(out.String(), secret) {
		t.Fatal("the panic leaked the secret")
	}
	if !strings.Contains(out.String(), "\x1b[?1049l") {
		t.Error("the alternate screen was not left")
	}
}

// slowReader yields s after a moment (so the program is up), then blocks like a terminal.
func slowReader(s string) io.Reader {
	r, w := io.Pipe()
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, _ = w.Write([]byte(s))
	}()
	return r
}

func TestPanicInACheckEndsCleanlyWithoutSecrets(t *testing.T) {
	t.Parallel()
	const secret = "ghp_CANARYcheckPanic00000000000000000000"
	check := func(context.Context, *providers.Env, providers.Credentials) providers.Result {
		panic("boom with " + secret)
	}
	_, s := newStore(t, withToken(secret))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{check: check}, 80, 24)
	hs.waitFor("configured")
	hs.key("enter")
	hs.tm.WaitFinished(t, teatestFinal())
	hs.done = true
	m := hs.final(t)
	if m.fatal == nil || !strings.Contains(m.fatal.Error(), "crashed") || strings.Contains(m.fatal.Error(), secret) {
		t.Fatalf("fatal = %v", m.fatal)
	}
}

func TestResizeAndBackgroundRelayout(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withToken(tokPass))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("configured")
	hs.key("enter")
	scr := plainText(hs.waitFor("All checks passed"))
	if !strings.Contains(kit.LineOf(scr, "Live check"), "Git Host") {
		t.Fatalf("at 120 columns the panel is not beside the form:\n%s", scr)
	}
	hs.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	scr = plainText(hs.waitUntil("the panel below the form", func(p string) bool {
		return strings.HasPrefix(kit.LineOf(p, "Live check"), "│ Live check")
	}))
	for _, l := range strings.Split(scr, "\n") {
		if w := len([]rune(l)); w > 80 {
			t.Fatalf("a line is %d cells wide at 80 columns: %q", w, l)
		}
	}
	dark := hs.settle()
	hs.tm.Send(tea.BackgroundColorMsg{Color: color.White})
	deadline := time.Now().Add(10 * time.Second)
	for hs.screen() == dark {
		if time.Now().After(deadline) {
			t.Fatal("a light background did not change the colours")
		}
		time.Sleep(5 * time.Millisecond)
	}
	hs.tm.Send(tea.KeyPressMsg{Code: 'x', Text: "x"}) // still alive and editing
	hs.waitFor("Waiting for you to pause typing")
}

// A re-test superseded by a newer one of the same provider is neither shown nor recorded: the
// screen and the store keep the newer result, even when the older one finishes last.
func TestPickerIgnoresASupersededRetest(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, configured)
	started, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	check := func(ctx context.Context, env *providers.Env, c providers.Credentials) providers.Result {
		if calls.Add(1) == 1 { // the first re-test hangs, then fails
			close(started)
			<-release
			c.Token = tokNet
		}
		return cannedCheck(ctx, env, c)
	}
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{check: check}, 120, 40)
	hs.waitFor("passed 5 min ago")
	hs.key("t")
	<-started // the first re-test is the one that hangs
	hs.key("t")
	hs.waitFor("last check passed just now", "GitHub: all checks passed")
	close(release)
	hs.handled("both re-tests' results", 2, func(m tea.Msg) bool { _, ok := m.(retestedMsg); return ok })
	if scr := plainText(hs.settle()); !strings.Contains(scr, "GitHub: all checks passed") || strings.Contains(scr, "FAILED just now") {
		t.Fatalf("the superseded re-test's failure shows:\n%s", scr)
	}
	if lc := load(t, s).Credentials["github"].LastCheck; lc == nil || !lc.OK {
		t.Fatalf("the superseded re-test's failure was recorded over the newer pass: %+v", lc)
	}
}

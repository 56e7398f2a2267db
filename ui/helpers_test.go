package ui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// fixedNow is the clock of every deterministic screen.
var fixedNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// Canned tokens: the injected check answers each with a fixed result.
const (
	tokPass   = "ghp_cannedPass00000000000000000000000001"
	tokScopes = "ghp_cannedScopes000000000000000000000002"
	tokNet    = "ghp_cannedNetwork00000000000000000000003"
	tokBlock  = "ghp_cannedBlock0000000000000000000000004"
	// tokLeftOver passes the round trip until its clean-up, which leaves the repository behind.
	tokLeftOver = "ghp_cannedLeftOver0000000000000000000005"
)

func ptrTime(t time.Time) *time.Time { return &t }

// cannedCheck is a deterministic stand-in for providers.Run.
func cannedCheck(ctx context.Context, _ *providers.Env, c providers.Credentials) providers.Result {
	r := providers.Result{Provider: c.Provider, Host: c.Host, DurationMS: 12}
	switch {
	case strings.Contains(c.Token, "Block"):
		<-ctx.Done()
		r.Add(providers.CheckNetwork, providers.Fail, "cancelled")
	case strings.Contains(c.Token, "Network"):
		r.Add(providers.CheckNetwork, providers.Fail, "cannot reach api.github.com: dial tcp: lookup api.github.com: no such host (check the Git host, your network and proxy settings)")
	case strings.Contains(c.Token, "Scopes"):
		r.User = "octocat"
		r.Add(providers.CheckAuth, providers.Pass, "authenticated as octocat")
		r.Add("scope:repo", providers.Pass, "granted")
		r.Add("scope:delete_repo", providers.Fail, "missing: needed to delete repositories (the round-trip check deletes its throw-away repository); tick it at https://github.com/settings/tokens")
		r.Add("scope:admin:org", providers.Warn, "missing: listed in the GitOps platform's documentation; no GitOps call needs it")
		r.Add(providers.CheckOrg, providers.Pass, "organisation acme: you are an owner (admin), so you may create and delete its repositories")
		r.Add(providers.CheckExpiry, providers.Skip, "unknown: the token has no expiry date")
	default:
		r.User = "octocat"
		r.ExpiresAt = ptrTime(fixedNow.Add(89 * 24 * time.Hour))
		r.Add(providers.CheckAuth, providers.Pass, "authenticated as octocat")
		r.Add("scope:repo", providers.Pass, "granted")
		r.Add("scope:delete_repo", providers.Pass, "granted")
		r.Add("scope:admin:org", providers.Pass, "granted")
		r.Add(providers.CheckOrg, providers.Pass, "organisation acme: you are an owner (admin), so you may create and delete its repositories")
		r.Add(providers.CheckExpiry, providers.Pass, "expires on 2027-02-22 10:00 UTC (in 89 days)")
	}
	r.Finish()
	return r
}

func ms(n int64) *int64 { return &n }

// cannedDeep is a deterministic stand-in for providers.RunDeep: the canned live check, then the
// stages with fixed messages and durations. tokBlock stops in deep:clone until ctx is cancelled
// and still deletes; tokLeftOver fails deep:delete (no delete_repo) and names the repository.
func cannedDeep(ctx context.Context, env *providers.Env, c providers.Credentials, progress func(providers.Check)) providers.Result {
	live := c
	switch c.Token {
	case tokBlock:
		live.Token = tokPass
	case tokLeftOver:
		live.Token = tokScopes
	}
	r := cannedCheck(ctx, env, live)
	if !r.OK && c.Token != tokLeftOver {
		for _, id := range providers.DeepStages {
			sk := providers.Check{ID: id, Status: providers.Skip, Message: "skipped: authentication must pass first (see auth)", DurationMS: ms(0)}
			r.Checks = append(r.Checks, sk)
			progress(sk)
		}
		r.Finish()
		return r
	}
	const repo = "acme/gitopscfg-check-x1y2z3"
	stage := func(id, running string, st providers.Status, msg string, took int64) {
		progress(providers.Check{ID: id, Status: providers.Running, Message: running})
		done := providers.Check{ID: id, Status: st, Message: msg, DurationMS: ms(took)}
		r.Checks = append(r.Checks, done)
		r.DurationMS += took
		progress(done)
	}
	stage(providers.CheckDeepCreate, "creating a private throw-away repository", providers.Pass,
		"created private repository "+repo+"; the API returned it at once", 412)
	if c.Token == tokBlock {
		progress(providers.Check{ID: providers.CheckDeepClone, Status: providers.Running, Message: "cloning over HTTPS"})
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
		r.Checks = append(r.Checks, providers.Check{ID: providers.CheckDeepClone, Status: providers.Fail,
			Message: "cancelled: the check was stopped (Ctrl-C or its deadline)", DurationMS: ms(1500)})
		for _, id := range []string{providers.CheckDeepPush, providers.CheckDeepVerify} {
			r.Checks = append(r.Checks, providers.Check{ID: id, Status: providers.Skip, Message: "skipped: an earlier stage failed", DurationMS: ms(0)})
		}
		stage(providers.CheckDeepDelete, "deleting "+repo, providers.Pass, "deleted "+repo+" and confirmed it is gone", 310)
		r.Finish()
		return r
	}
	stage(providers.CheckDeepClone, "cloning over HTTPS", providers.Pass, "cloned https://github.com/"+repo+".git (an empty repository)", 655)
	stage(providers.CheckDeepPush, "committing gitopscfg-check.txt and pushing", providers.Pass, "pushed gitopscfg-check.txt to main as commit 3f2a9c1", 508)
	stage(providers.CheckDeepVerify, "reading the branch back from the remote", providers.Pass, "main on the remote points at the pushed commit 3f2a9c1", 201)
	if c.Token == tokLeftOver {
		stage(providers.CheckDeepDelete, "deleting "+repo, providers.Fail, "deleting failed: 403 Must have admin rights to Repository.; "+
			"the repository "+repo+" is LEFT BEHIND at https://github.com/"+repo+": delete it by hand, and give the token "+
			"the delete_repo scope so the check can clean up after itself", 187)
	} else {
		stage(providers.CheckDeepDelete, "deleting "+repo, providers.Pass, "deleted "+repo+" and confirmed it is gone", 310)
	}
	r.Finish()
	return r
}

// newStore creates a key-file store in a temporary directory and applies setup at revision 1.
func newStore(t testing.TB, setup func(d *config.Data)) (string, *config.Store) {
	t.Helper()
	dir := t.TempDir()
	s, err := config.Init(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		if _, err := s.Update(context.Background(), "test", "set", 0, func(d *config.Data) error { setup(d); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return dir, s
}

func stored(provider, host, org, user, tok string, last *config.CheckRecord) *config.Credential {
	return &config.Credential{Provider: provider, Settings: config.Settings{Host: host, Org: org, Username: user, Token: tok}, UpdatedAt: fixedNow.Add(-48 * time.Hour), LastCheck: last}
}

// harness runs a model in a teatest program and keeps the screen after each update.
type harness struct {
	t     testing.TB
	tm    *teatest.TestModel
	mu    sync.Mutex
	frame string
	focus string
	done  bool
	// store is drained when the test stops, so no save still on its way writes into a removed
	// temporary directory
	store *config.Store
	// history is every distinct screen so far, to assert on states that pass quickly
	history []string
	// msgs is every message the model has handled so far, in order
	msgs []tea.Msg
}

// start runs a model for opts at w×h with the fixed clock, canned check and a still spinner, on a
// terminal without colours (startTerm).
func start(t testing.TB, opts Options, d deps, w, h int) *harness {
	t.Helper()
	return startTerm(t, opts, d, w, h, colorprofile.Ascii)
}

// observed runs the root model and keeps its screen and focused field after every update, so tests
// wait on state rather than parse the program's output. It is the test's own wrapper: the product
// renders only when Bubble Tea asks.
type observed struct {
	m  *Model
	hs *harness
}

func (o *observed) Init() tea.Cmd { return o.m.Init() }

func (o *observed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := o.m.Update(msg)
	o.hs.record(o.m.View().Content, o.m.focus())
	o.hs.mu.Lock()
	o.hs.msgs = append(o.hs.msgs, msg)
	o.hs.mu.Unlock()
	return o, cmd
}

// handled waits until the model has handled n messages for which ok holds.
func (hs *harness) handled(what string, n int, ok func(tea.Msg) bool) {
	hs.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		hs.mu.Lock()
		got := 0
		for _, m := range hs.msgs {
			if ok(m) {
				got++
			}
		}
		hs.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			hs.t.Fatalf("the model never handled %d× %s (got %d)", n, what, got)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (o *observed) View() tea.View { return o.m.View() }

func (hs *harness) record(screen, focus string) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if screen != hs.frame {
		hs.history = append(hs.history, screen)
	}
	hs.frame, hs.focus = screen, focus
}

// final is the root model once the program has ended.
func (hs *harness) final(t testing.TB) *Model { return hs.tm.FinalModel(t).(*observed).m }

func (hs *harness) stop() {
	if hs.done {
		return
	}
	hs.done = true
	_ = hs.tm.Quit()
	hs.tm.WaitFinished(hs.t, teatest.WithFinalTimeout(5*time.Second))
	if hs.store != nil {
		hs.store.Drain()
	}
}

// screen is the latest screen.
func (hs *harness) screen() string {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.frame
}

// sawScreen reports whether some screen so far held every one of subs (plain text).
func (hs *harness) sawScreen(subs ...string) bool {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for _, s := range hs.history {
		plain, all := plainText(s), true
		for _, sub := range subs {
			all = all && strings.Contains(plain, sub)
		}
		if all {
			return true
		}
	}
	return false
}

// waitFor waits until the screen holds every one of subs, and returns it.
func (hs *harness) waitFor(subs ...string) string {
	hs.t.Helper()
	return hs.waitUntil(fmt.Sprintf("%q", subs), func(plain string) bool {
		for _, sub := range subs {
			if !strings.Contains(plain, sub) {
				return false
			}
		}
		return true
	})
}

// waitUntil waits until ok holds for the screen's plain text (generous: scrypt under -race is slow).
func (hs *harness) waitUntil(what string, ok func(plain string) bool) string {
	hs.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := hs.screen()
		plain := plainText(s)
		if ok(plain) {
			return s
		}
		if time.Now().After(deadline) {
			hs.t.Fatalf("screen never showed %s; last screen:\n%s", what, plain)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// saveChecked presses ctrl+s in the editor and waits for want (the save's next question or
// notice). When the draft's live check has not finished yet (a debounce or a check still running
// on a busy machine), it answers the editor's "Save anyway?" with n, waits for the check's reply
// and saves again, so a test saves a checked draft without guessing how long the check takes.
func (hs *harness) saveChecked(want string) string {
	hs.t.Helper()
	isDone := func(m tea.Msg) bool { _, ok := m.(checkDoneMsg); return ok }
	for range 20 {
		hs.mu.Lock()
		done := 0
		for _, m := range hs.msgs {
			if isDone(m) {
				done++
			}
		}
		hs.mu.Unlock()
		hs.key("ctrl+s")
		s := hs.waitUntil(fmt.Sprintf("%q or the unfinished check's question", want), func(plain string) bool {
			return strings.Contains(plain, want) || strings.Contains(plain, "The check has not finished.")
		})
		if strings.Contains(plainText(s), want) {
			return s
		}
		hs.key("n")
		hs.handled("the draft's live check", done+1, isDone)
	}
	hs.t.Fatalf("the draft's live check never finished before a save")
	return ""
}

// settle waits until the screen stops changing for a moment (no more async replies).
func (hs *harness) settle() string {
	last, same := hs.screen(), 0
	for same < 10 {
		time.Sleep(5 * time.Millisecond)
		if s := hs.screen(); s == last {
			same++
		} else {
			last, same = s, 0
		}
	}
	return last
}

func (hs *harness) key(keys ...string) {
	for _, k := range keys {
		hs.tm.Send(keyPress(k))
	}
}

func (hs *harness) typ(s string) { hs.tm.Type(s) }

// tab moves to the next field; huh moves the focus through a command, so wait for it to land
// before typing on.
func (hs *harness) tab() { hs.move("tab") }

// move presses a key that moves the focus (tab, enter) and waits for the move to land.
func (hs *harness) move(k string) {
	hs.t.Helper()
	hs.mu.Lock()
	before := hs.focus
	hs.mu.Unlock()
	hs.key(k)
	deadline := time.Now().Add(3 * time.Second)
	for {
		hs.mu.Lock()
		now := hs.focus
		hs.mu.Unlock()
		if now != before {
			return
		}
		if time.Now().After(deadline) {
			hs.t.Fatalf("%s did not move the focus from %q", k, before)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// keyPress builds the key message of a key name as tea.KeyPressMsg.String() spells it.
func keyPress(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+s", "ctrl+r", "ctrl+c", "ctrl+u", "ctrl+o", "ctrl+y":
		return tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// ascii is the screen as the Ascii colour profile writes it (no colours; bold and the like stay).
func ascii(s string) []byte {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.Ascii}
	_, _ = w.Write([]byte(s))
	return b.Bytes()
}

// plainText is the screen without any escape sequence.
func plainText(s string) string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.NoTTY}
	_, _ = w.Write([]byte(s))
	return b.String()
}

func teatestFinal() teatest.FinalOpt { return teatest.WithFinalTimeout(10 * time.Second) }

// setDevtron stores p as d's Devtron instance named default.
func setDevtron(d *config.Data, p *config.Platform) {
	d.Platforms = map[string]map[string]*config.Platform{"devtron": {config.DefaultInstance: p}}
}

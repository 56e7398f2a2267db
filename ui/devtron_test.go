package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

const devtronCanaryUI = "devtron-CANARY-ui-token-0000000000000004"

func TestPickerPushesToDevtron(t *testing.T) {
	t.Parallel()
	dt := kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{devtronCanaryUI: true}})
	_, s := newStore(t, func(d *config.Data) {
		withActive(d)
		setDevtron(d, &config.Platform{URL: dt.URL(), Token: devtronCanaryUI})
	})
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitUntil("drift shown", func(plain string) bool { return strings.Count(plain, "Devtron: not there") == 3 })
	hs.key("p")
	hs.waitFor("Push GitHub to Devtron at " + dt.URL())
	hs.key("n")
	hs.waitFor("nothing was pushed")
	hs.key("p", "y")
	hs.waitFor("GitHub: Devtron validated and saved the configuration")
	hs.waitFor("Devtron: in sync, active there")
	if rows := dt.Rows(); len(rows) != 1 || rows[0].Provider != "GITHUB" || rows[0].Token != tokPass {
		t.Fatalf("Devtron holds %+v", rows)
	}
	// GitLab's last check failed: no push.
	hs.key("j", "p")
	hs.waitFor("GitLab's last check failed")
	// Devtron's validation fails for Azure DevOps: nothing saved, the stage named.
	dt.FailStages(map[string]string{"Create Repo": "azure devops client error: TF401027: You need the Git 'CreateRepository' permission"})
	hs.key("j", "p")
	waitForText(hs, "will change from github to azure")
	hs.key("y")
	hs.waitFor("Azure DevOps: Devtron's validation failed, so it saved nothing: Create Repo")
	if len(dt.Rows()) != 1 {
		t.Error("a refused configuration was stored")
	}
	if load(t, s).Active != "github" {
		t.Error("a refused push changed the active provider here")
	}
	noTokenOnScreen(t, hs, devtronCanaryUI, tokPass)
}

// devtronRig is a store (withActive: GitHub active and checked, GitLab failed, Azure DevOps
// checked) whose Devtron instance is an emulator, reached through a proxy that can hold a
// comparison's answer.
type devtronRig struct {
	dt    *devtronfake.Server
	proxy *heldDevtron
	url   string // the instance's URL (the proxy's)
	s     *config.Store
}

func newDevtronRig(t *testing.T, rows ...devtronfake.Row) *devtronRig {
	t.Helper()
	r := &devtronRig{dt: startDevtron(t)}
	for _, row := range rows {
		r.dt.Put(row)
	}
	r.proxy = &heldDevtron{next: r.dt, release: make(chan struct{})}
	srv := httptest.NewServer(r.proxy)
	t.Cleanup(func() {
		r.proxy.let()
		srv.CloseClientConnections()
		srv.Close()
	})
	r.url = srv.URL
	_, r.s = newStore(t, func(d *config.Data) {
		withActive(d)
		setDevtron(d, &config.Platform{URL: r.url, Token: devtronCanaryUI})
	})
	return r
}

// push pushes the stored provider id to Devtron as the command line does (not through the UI).
func (r *devtronRig) push(t *testing.T, id providers.ID, activate bool) platforms.PushResult {
	t.Helper()
	d, err := r.s.Load()
	if err != nil {
		t.Fatal(err)
	}
	dt, err := platforms.NewDevtron(providers.NewEnv("test"), platforms.Instance{URL: r.dt.URL(), Token: devtronCanaryUI})
	if err != nil {
		t.Fatal(err)
	}
	res, err := dt.Push(t.Context(), providers.FromConfig(string(id), d.Credentials[string(id)]), platforms.PushOptions{Activate: activate})
	if err != nil || !res.OK() {
		t.Fatalf("push %s: %+v %v", id, res, err)
	}
	return res
}

// active is the provider Devtron has active ("" none).
func (r *devtronRig) active() string {
	for _, row := range r.dt.Rows() {
		if row.Active {
			return row.Provider
		}
	}
	return ""
}

// writes counts the requests that changed Devtron's configurations.
func (r *devtronRig) writes() int {
	n := 0
	for _, q := range r.dt.Requests() {
		if q.Method == http.MethodPost || q.Method == http.MethodPut {
			n++
		}
	}
	return n
}

// heldDevtron passes requests on to Devtron's emulator; once armed, it holds the answer to the
// next list of configurations (the first request of a comparison and of a push's plan): Devtron
// answers at once, and the answer, Devtron's state at that moment, is delivered only when let go
// (or never, when the client gives up first).
type heldDevtron struct {
	next http.Handler

	mu      sync.Mutex
	armed   bool
	held    chan struct{} // closed once an answer is held
	release chan struct{}
	once    sync.Once
}

// arm holds the next list's answer; the channel is closed once it is held.
func (h *heldDevtron) arm() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed, h.held = true, make(chan struct{})
	return h.held
}

// let delivers the answer held (and any to come).
func (h *heldDevtron) let() { h.once.Do(func() { close(h.release) }) }

func (h *heldDevtron) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	hold := h.armed && r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/gitops/config")
	held := h.held
	if hold {
		h.armed = false
	}
	h.mu.Unlock()
	if !hold {
		h.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	h.next.ServeHTTP(rec, r)
	close(held)
	select {
	case <-h.release:
	case <-r.Context().Done():
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// waitHeld waits until an answer is held.
func waitHeld(t *testing.T, held <-chan struct{}) {
	t.Helper()
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("no comparison was held")
	}
}

// flat is text with every run of spaces and line breaks made one space, so that a phrase
// matches however the screen wrapped it.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// waitForText waits until the screen holds every one of subs, wrapped or not.
func waitForText(hs *harness, subs ...string) string {
	hs.t.Helper()
	return hs.waitUntil(fmt.Sprintf("%q", subs), func(plain string) bool {
		for _, sub := range subs {
			if !strings.Contains(flat(plain), flat(sub)) {
				return false
			}
		}
		return true
	})
}

// rowOf is the first line of provider name's item in the picker.
func rowOf(screen, name string) string { return kit.LineOf(screen, name+"  ") }

func isDrift(m tea.Msg) bool { _, ok := m.(devtronDriftMsg); return ok }

// fitsScreen fails when a frame so far is larger than w×h.
func fitsScreen(t *testing.T, hs *harness, w, h int) {
	t.Helper()
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for _, frame := range hs.history {
		lines := strings.Split(plainText(frame), "\n")
		if len(lines) > h {
			t.Fatalf("a frame has %d lines (more than %d):\n%s", len(lines), h, plainText(frame))
		}
		for _, l := range lines {
			if n := len([]rune(l)); n > w {
				t.Fatalf("a line is %d cells wide (more than %d): %q", n, w, l)
			}
		}
	}
}

func azureRow(active bool) devtronfake.Row {
	return devtronfake.Row{Config: devtronfake.Config{Provider: "AZURE_DEVOPS", Host: "https://dev.azure.com/acme/", AzureProjectName: "gitops",
		Username: "jdoe@example.com", Token: "az-devtron-held-token", Active: active}}
}

// TestPickerPushAsksBeforeSwitchingDevtron: p on a provider other than Devtron's active one says
// that Devtron's active provider will change, from which to which, and asks; no pushes nothing,
// yes switches it. The picker says all along that Devtron's active provider is not the ✓ one.
func TestPickerPushAsksBeforeSwitchingDevtron(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t, azureRow(true))
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, 80, 24)
	waitForText(hs, "Devtron's active provider is azure, here github")
	hs.waitUntil("GitHub not there", func(plain string) bool { return strings.Contains(rowOf(plain, "GitHub"), "Devtron: not there") })
	hs.key("p")
	scr := plainText(waitForText(hs, "will change from azure to github", "y push and switch"))
	if strings.Contains(scr, "(y/N)") || strings.Contains(scr, "keep azure active") {
		t.Fatalf("the question offers a push without the switch, which Devtron cannot do for a configuration it does not hold:\n%s", scr)
	}
	hs.key("n")
	waitForText(hs, "nothing was pushed: azure stays Devtron's active provider")
	if r.writes() != 0 || r.active() != "AZURE_DEVOPS" {
		t.Fatalf("no changed Devtron: %d writes, %q active", r.writes(), r.active())
	}
	hs.key("p")
	waitForText(hs, "will change from azure to github")
	hs.key("y")
	waitForText(hs, "GitHub: Devtron validated and saved the configuration; it is now the active one there, in place of azure")
	hs.waitUntil("GitHub in sync and active there", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: in sync, active there") && strings.Contains(plain, "active there: github") &&
			!strings.Contains(plain, "Devtron's active provider is")
	})
	if r.active() != "GITHUB" || load(t, r.s).Active != "github" {
		t.Fatalf("Devtron's active provider is %q, here %q", r.active(), load(t, r.s).Active)
	}
	fitsScreen(t, hs, 80, 24)
	noTokenOnScreen(t, hs, devtronCanaryUI, tokPass, "az-devtron-held-token")
}

// TestPickerPushSwitchMakesItActiveHereToo: a configuration Devtron holds inactive may be updated
// without the switch (k: it stays inactive); yes switches Devtron's active provider and then makes
// the provider the active one here too, so that the ✓ and Devtron agree.
func TestPickerPushSwitchMakesItActiveHereToo(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t, azureRow(false))
	r.push(t, providers.GitHub, false) // Devtron holds GitHub active, as here
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, 80, 24)
	hs.waitUntil("GitHub in sync", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: in sync, active there") && strings.Contains(rowOf(plain, "Azure DevOps"), "Devtron: differs")
	})
	if scr := plainText(hs.screen()); strings.Contains(scr, "Devtron's active provider is") {
		t.Fatalf("the picker says the active providers differ while they agree:\n%s", scr)
	}
	hs.key("j", "j", "p")
	waitForText(hs, "will change from github to azure", "k: update it, keep github active there", "k keep github active there")
	hs.key("k")
	waitForText(hs, "Azure DevOps: Devtron validated and saved the configuration; github stays the active one there (this configuration is inactive)")
	hs.waitUntil("Azure in sync", func(plain string) bool { return strings.Contains(rowOf(plain, "Azure DevOps"), "Devtron: in sync") })
	if r.active() != "GITHUB" || load(t, r.s).Active != "github" {
		t.Fatalf("k switched: Devtron's active provider is %q, here %q", r.active(), load(t, r.s).Active)
	}
	hs.key("p")
	waitForText(hs, "will change from github to azure")
	hs.key("y")
	waitForText(hs, "in place of github. Azure DevOps is now the active provider here too, as in Devtron.")
	hs.waitUntil("Azure active here and there", func(plain string) bool {
		return strings.Contains(rowOf(plain, "Azure DevOps"), "✓ Azure DevOps") && strings.Contains(rowOf(plain, "Azure DevOps"), "in sync, active there") &&
			strings.Contains(plain, "active there: azure")
	})
	if r.active() != "AZURE_DEVOPS" || load(t, r.s).Active != "azure" {
		t.Fatalf("Devtron's active provider is %q, here %q", r.active(), load(t, r.s).Active)
	}
	fitsScreen(t, hs, 80, 24)
	noTokenOnScreen(t, hs, devtronCanaryUI, tokPass, "az-devtron-held-token")
}

// TestPickerPushPlansWhenTheDriftIsUnknown: before the comparison has answered, p asks Devtron
// which provider is active there (off the event loop) before it asks the question.
func TestPickerPushPlansWhenTheDriftIsUnknown(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t, azureRow(true))
	held := r.proxy.arm() // the first comparison never answers
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, 120, 40)
	waitHeld(t, held)
	waitForText(hs, "Devtron at "+r.url+" · reading its GitOps configurations…")
	hs.key("p")
	waitForText(hs, "will change from azure to github", "y push and switch")
	hs.key("esc")
	waitForText(hs, "nothing was pushed: azure stays Devtron's active provider")
	if r.writes() != 0 {
		t.Fatal("a declined push changed Devtron")
	}
}

// TestPickerRotationDoesNotSwitchDevtron: R pushes the new token without switching Devtron's
// active provider: when Devtron holds no configuration of the provider while another is active,
// the push step is skipped with the command line's words, not failed.
func TestPickerRotationDoesNotSwitchDevtron(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	dt := startDevtron(t)
	dt.Put(devtronfake.Row{Config: devtronfake.Config{Provider: "GITHUB", Host: "https://github.com/", GitHubOrgID: "acme", Username: "octocat",
		Token: "gh-devtron-held-token", Active: true}})
	s := rotationStoreOf(t, emu.Credentials(providers.GitLab, fake.GitLabTokenFull), dt)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	waitForText(hs, "Devtron's active provider is github, here gitlab")
	hs.key("R")
	waitForText(hs, "(y/N)")
	hs.key("y")
	scr := plainText(waitForText(hs, "– push: Devtron holds no gitlab configuration and github is its active provider: creating one would make gitlab the active",
		"so nothing was pushed (`gitopscfg push devtron gitlab --activate` does that)", "GitLab: all checks passed and the round trip too"))
	if strings.Contains(scr, "✗ push") {
		t.Fatalf("the skipped push is shown as failed:\n%s", scr)
	}
	if rows := dt.Rows(); len(rows) != 1 || rows[0].Provider != "GITHUB" || !rows[0].Active {
		t.Fatalf("the rotation changed Devtron: %+v", rows)
	}
	noTokenOnScreen(t, hs, devtronCanaryUI, fake.GitLabTokenFull, load(t, s).Credentials["gitlab"].Token, "gh-devtron-held-token")
}

// TestPickerDriftRepliesInOrder: a comparison's answer that lands after a newer one's is dropped.
func TestPickerDriftRepliesInOrder(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t)
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, 120, 40)
	hs.waitUntil("drift shown", func(plain string) bool { return strings.Count(plain, "Devtron: not there") == 3 })
	held := r.proxy.arm()
	hs.tm.Send(tea.FocusMsg{}) // a comparison whose answer (GitHub not there) is held
	waitHeld(t, held)
	r.push(t, providers.GitHub, false) // the command line pushes GitHub meanwhile
	hs.tm.Send(tea.FocusMsg{})         // a newer comparison: GitHub in sync
	hs.waitUntil("GitHub in sync", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: in sync, active there")
	})
	r.proxy.let() // the older answer arrives last
	hs.handled("three comparisons", 3, isDrift)
	hs.settle()
	if l := rowOf(plainText(hs.screen()), "GitHub"); !strings.Contains(l, "Devtron: in sync, active there") {
		t.Fatalf("an older comparison replaced a newer one: %s", l)
	}
}

// TestPickerShowsRefreshingAfterAStoreChange: while the comparison that follows a change of the
// store runs, a provider whose settings changed shows as being read again, never as its old state;
// the others keep theirs.
func TestPickerShowsRefreshingAfterAStoreChange(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t)
	r.push(t, providers.GitHub, false)
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{watch: 10 * time.Millisecond}, 120, 40)
	hs.waitUntil("GitHub in sync", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: in sync, active there")
	})
	held := r.proxy.arm()
	// another writer (the command line) replaces GitHub's token
	d := load(t, r.s)
	c := providers.FromConfig(string(providers.GitHub), d.Credentials["github"])
	c.Token = tokScopes
	if _, err := r.s.Set(t.Context(), "cli", config.Change{Credential: "github", Base: d.Revision, Settings: c.Settings, At: fixedNow}); err != nil {
		t.Fatal(err)
	}
	waitHeld(t, held)
	hs.waitUntil("GitHub being read again", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: …") && strings.Contains(rowOf(plain, "Azure DevOps"), "Devtron: not there")
	})
	r.proxy.let()
	hs.waitUntil("GitHub differs", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: differs, active there")
	})
	if sawAfterChange(hs) {
		t.Fatal("GitHub showed its old state as current after its token changed")
	}
	noTokenOnScreen(t, hs, devtronCanaryUI, tokPass, tokScopes)
}

// sawAfterChange reports whether a frame showed GitHub in sync in Devtron after GitHub's settings
// had changed (its check line reads "never checked" once the new token is stored).
func sawAfterChange(hs *harness) bool {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for _, f := range hs.history {
		plain := plainText(f)
		if strings.Contains(rowOf(plain, "GitHub"), "in sync") && strings.Contains(plain, "never checked") {
			return true
		}
	}
	return false
}

// TestPickerDevtronRefreshedAfterEverySave: a re-test and an activation (saves of the picker's
// own) read Devtron again, so that the picker shows what status shows.
func TestPickerDevtronRefreshedAfterEverySave(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t)
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, 120, 40)
	hs.waitUntil("drift shown", func(plain string) bool { return strings.Count(plain, "Devtron: not there") == 3 })
	r.push(t, providers.GitHub, false) // the command line pushes GitHub
	hs.key("t")
	waitForText(hs, "GitHub: all checks passed")
	hs.waitUntil("GitHub in sync after the re-test", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: in sync, active there") && strings.Contains(plain, "active there: github")
	})
	r.push(t, providers.Azure, true) // the command line makes Azure DevOps Devtron's active provider
	hs.key("j", "j", "a")
	waitForText(hs, "Azure DevOps is now the active provider")
	hs.waitUntil("Azure active here and there after the activation", func(plain string) bool {
		return strings.Contains(rowOf(plain, "Azure DevOps"), "Devtron: in sync, active there") && strings.Contains(plain, "active there: azure") &&
			!strings.Contains(plain, "Devtron's active provider is")
	})
}

// TestPickerUnconfiguredRowsAndActiveThere: a provider not configured here shows no endless
// "Devtron: …", but says when it is the one active in Devtron, and the picker says that Devtron's
// active provider is not the ✓ one.
func TestPickerUnconfiguredRowsAndActiveThere(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t, devtronfake.Row{Config: devtronfake.Config{Provider: "BITBUCKET_CLOUD", Host: "https://bitbucket.org/",
		BitBucketWorkspaceID: "acme", Username: "jdoe", Token: "bb-devtron-held-token", Active: true}})
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, 80, 24)
	scr := plainText(hs.waitUntil("drift shown", func(plain string) bool { return strings.Count(plain, "Devtron: not there") == 3 }))
	if l := rowOf(scr, "Bitbucket Cloud"); !strings.Contains(l, "Devtron: active there") {
		t.Errorf("Bitbucket, active in Devtron: %q", l)
	}
	if l := rowOf(scr, "Gitea / Forgejo"); strings.Contains(l, "Devtron") {
		t.Errorf("Gitea, not configured: %q", l)
	}
	if !strings.Contains(scr, "Devtron's active provider is bitbucket, here github") {
		t.Errorf("the picker does not say that the active providers differ:\n%s", scr)
	}
	fitsScreen(t, hs, 80, 24)
}

// TestPickerFocusRefreshesAndDropsAStalePushNotice: when the terminal gets the focus back, the
// store and Devtron are read again; a push's notice that Devtron's newer state contradicts goes.
func TestPickerFocusRefreshesAndDropsAStalePushNotice(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t)
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, 120, 40)
	hs.waitUntil("drift shown", func(plain string) bool { return strings.Count(plain, "Devtron: not there") == 3 })
	r.dt.FailStages(map[string]string{"Push": "authentication required"})
	hs.key("j", "j", "p")
	waitForText(hs, "Push Azure DevOps to Devtron at")
	hs.key("y")
	waitForText(hs, "Azure DevOps: Devtron's validation failed, so it saved nothing")
	hs.handled("the comparison after the push", 2, isDrift)
	r.dt.FailStages(nil)
	r.push(t, providers.Azure, false) // the command line pushes it once the cause is fixed
	hs.tm.Send(tea.FocusMsg{})
	scr := plainText(hs.waitUntil("Azure in sync", func(plain string) bool {
		return strings.Contains(rowOf(plain, "Azure DevOps"), "Devtron: in sync, active there")
	}))
	if strings.Contains(scr, "saved nothing") {
		t.Fatalf("the push's notice outlived Devtron's newer state:\n%s", scr)
	}
	if !strings.Contains(scr, "Devtron's active provider is azure, here github") {
		t.Fatalf("the picker does not say that the active providers differ:\n%s", scr)
	}
}

// TestPickerDropsAnOlderComparison: a comparison's answer delivered after a newer one's (both
// computed, the older first) is dropped, at the model's level.
func TestPickerDropsAnOlderComparison(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t)
	m := newModel(Options{Store: r.s, ConfigDir: r.s.Dir(), Env: providers.NewEnv("test"), Who: "test"}, deps{still: true})
	t.Cleanup(m.shutdown)
	p := m.picker
	p.setData(load(t, r.s))
	older := p.refreshDrift()()
	r.push(t, providers.GitHub, false)
	newer := p.refreshDrift()()
	m.Update(newer)
	m.Update(older)
	if pd, ok := p.current(instKey{platforms.KindDevtron, config.DefaultInstance}, string(providers.GitHub)); !ok || pd.State != platforms.InSync || !strings.Contains(rowOf(plainText(p.View()), "GitHub"), "Devtron: in sync, active there") {
		t.Fatalf("an older comparison replaced a newer one: %+v %v\n%s", pd, ok, plainText(p.View()))
	}
}

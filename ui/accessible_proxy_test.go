package ui

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The plain prompts ask for the proxy: the address typed is saved with the credential, the live
// check goes through it, in a CONNECT tunnel, and says so.
func TestAccessibleProxyQuestion(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	px := kit.StartProxy(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	var out bytes.Buffer
	err := runPiped(t, Options{ConfigDir: dir, Who: "t"},
		firstRunAnswers(emu, fake.GitHubOrg, fake.GitHubUser, fake.GitHubTokenFull, "", "", px.URL(), "6"), &out)
	if err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "The requests went through the proxy "+px.Addr+".") {
		t.Errorf("the live check does not name the proxy:\n%s", out.String())
	}
	if c := openStore(t, dir).Credentials["github"]; c == nil || c.Proxy != px.URL() {
		t.Fatalf("stored %+v", c)
	}
	if h := px.Heads(); len(h) == 0 || !strings.HasPrefix(h[0], "CONNECT ") {
		t.Fatalf("the proxy saw %q", h)
	}
}

// The editor's live check panel names the proxy the check went through, under its headline.
func TestLiveCheckPanelNamesTheProxy(t *testing.T) {
	t.Parallel()
	m := newModel(Options{ConfigDir: t.TempDir(), Env: providers.NewEnv("test"), Who: "t"}, deps{now: func() time.Time { return fixedNow }, still: true})
	m.update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.openEditor(providers.MustLookup(providers.GitHub), "github", nil)
	m.editor.panel.state = panelDone
	r := cannedCheck(t.Context(), nil, providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Token: tokScopes}})
	px := "http://proxy.corp.example:3128"
	r.Proxy = &px
	m.editor.panel.result = r
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "│ via the proxy proxy.corp.example:3128 ") {
		t.Fatalf("the panel does not name the proxy:\n%s", v)
	}
}

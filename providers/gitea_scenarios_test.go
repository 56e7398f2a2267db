package providers_test

import (
	"context"
	"encoding/json"

	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The Gitea scenarios, run against the emulator (always) and against a real Gitea server
// (GITOPSCFG_GITEA=1, see gitea_real_test.go) with the same expectations: a difference between the
// two is an emulator bug. Each scenario names the user, the token's scopes and the organisation;
// the emulator knows the same users and holds one token per scenario with the same scopes.

const (
	giteaFull     = "write:organization,write:repository,read:user"
	giteaNoOrgW   = "read:organization,write:repository,read:user"
	giteaReadOnly = "read:organization,read:repository,read:user"
	giteaNoUser   = "write:organization,write:repository"
)

type giteaScenario struct {
	name     string
	user     string // fake.GiteaUser (an owner), GiteaDeployer, GiteaViewer, GiteaOutsider
	scopes   string
	deleted  bool   // the token is deleted before the check
	org      string // "" means fake.GiteaOrg
	emuToken string
	// want: the status of each check id of the live check, then of the five round-trip stages.
	want map[string]providers.Status
	deep string
	// words the messages must hold, by check id.
	words map[string][]string
}

const (
	p = providers.Pass
	f = providers.Fail
	w = providers.Warn
	s = providers.Skip
)

func giteaChecks(auth, org, orgW, repoW, user, expiry providers.Status) map[string]providers.Status {
	return map[string]providers.Status{
		providers.CheckAuth: auth, providers.CheckOrg: org, providers.CheckExpiry: expiry,
		"scope:write:organization": orgW, "scope:write:repository": repoW, "scope:read:user": user,
	}
}

var giteaScenarios = []giteaScenario{
	{name: "full token", user: fake.GiteaUser, scopes: giteaFull, emuToken: fake.GiteaTokenFull,
		want: giteaChecks(p, p, p, p, p, p), deep: "pass pass pass pass pass",
		words: map[string][]string{providers.CheckOrg: {"owner"}, providers.CheckDeepCreate: {"created private repository"},
			providers.CheckDeepDelete: {"confirmed it is gone"}}},
	{name: "without write:organization", user: fake.GiteaUser, scopes: giteaNoOrgW, emuToken: fake.GiteaTokenNoOrgWrite,
		want: giteaChecks(p, p, f, p, p, p), deep: "fail skip skip skip skip",
		words: map[string][]string{"scope:write:organization": {"granted now: read:organization, write:repository, read:user"},
			providers.CheckDeepCreate: {"required=[write:organization]"}}},
	{name: "read-only token", user: fake.GiteaUser, scopes: giteaReadOnly, emuToken: fake.GiteaTokenReadOnly,
		want: giteaChecks(p, p, f, f, p, p), deep: "fail skip skip skip skip",
		words: map[string][]string{providers.CheckDeepCreate: {"lacks a scope"}}},
	{name: "deleted token", user: fake.GiteaUser, scopes: giteaFull, deleted: true, emuToken: fake.GiteaTokenDeleted,
		want: giteaChecks(f, s, s, s, s, s), deep: "skip skip skip skip skip",
		words: map[string][]string{providers.CheckAuth: {"HTTP 401", "user/settings/applications"}}},
	{name: "not a member", user: fake.GiteaOutsider, scopes: giteaFull, emuToken: fake.GiteaTokenOutsider,
		want: giteaChecks(p, f, p, p, p, p), deep: "skip skip skip skip skip",
		words: map[string][]string{providers.CheckOrg: {"not found", "visible to its members only"}}},
	{name: "team without repository creation", user: fake.GiteaViewer, scopes: giteaFull, emuToken: fake.GiteaTokenViewer,
		want: giteaChecks(p, f, p, p, p, p), deep: "skip skip skip skip skip",
		words: map[string][]string{providers.CheckOrg: {"may not create repositories", "/org/acme/teams"}}},
	{name: "organisation does not exist", user: fake.GiteaUser, scopes: giteaFull, org: "no-such-org", emuToken: fake.GiteaTokenFull,
		want: giteaChecks(p, f, p, p, p, p), deep: "skip skip skip skip skip",
		words: map[string][]string{providers.CheckOrg: {"no-such-org not found"}}},
	{name: "team that may create but not delete", user: fake.GiteaDeployer, scopes: giteaFull, emuToken: fake.GiteaTokenDeployer,
		want: giteaChecks(p, w, p, p, p, p), deep: "fail skip skip skip skip",
		words: map[string][]string{providers.CheckDeepCreate: {"only the owners", "no repository was created"}}},
	{name: "token with every scope", user: fake.GiteaUser, scopes: "all", emuToken: fake.GiteaTokenAll,
		want: giteaChecks(p, p, w, w, w, p), deep: "pass pass pass pass pass",
		words: map[string][]string{"scope:write:organization": {"cannot be listed"}}},
	{name: "write:user instead of read:user", user: fake.GiteaUser, scopes: "write:organization,write:repository,write:user",
		emuToken: fake.GiteaTokenWriteUser, want: giteaChecks(p, p, p, p, p, p), deep: "pass pass pass pass pass"},
	{name: "without read:user", user: fake.GiteaUser, scopes: giteaNoUser, emuToken: fake.GiteaTokenNoUser,
		want: giteaChecks(p, w, p, p, f, p), deep: "fail skip skip skip skip",
		words: map[string][]string{"scope:read:user": {"missing"}, providers.CheckOrg: {"lacks read:user"}}},
}

// giteaTarget is where the scenarios run: the emulator or a real server.
type giteaTarget struct {
	host string // with a trailing slash
	// token returns the scenario's token.
	token func(t *testing.T, sc giteaScenario) string
	// repos lists the organisation's repository names through the API.
	repos func(t *testing.T) []string
}

// runGiteaScenarios runs every scenario's live check and round trip against target and returns
// the statuses by scenario and check id (deep stages after the deep: prefix), for the parity test.
func runGiteaScenarios(t *testing.T, target giteaTarget) map[string]map[string]providers.Status {
	got := map[string]map[string]providers.Status{}
	for _, sc := range giteaScenarios {
		t.Run(sc.name, func(t *testing.T) {
			tok := target.token(t, sc)
			org := sc.org
			if org == "" {
				org = fake.GiteaOrg
			}
			c := providers.Credentials{Provider: providers.Gitea, Settings: config.Settings{Host: target.host, Org: org, Username: sc.user, Token: tok}}
			env := envWithTimeout(30 * time.Second)
			live := runCheck(t, env, c)
			statuses := map[string]providers.Status{}
			for _, ch := range live.Checks {
				statuses[ch.ID] = ch.Status
			}
			for id, st := range sc.want {
				if statuses[id] != st {
					t.Errorf("check: %s is %s, want %s%s", id, statuses[id], st, dumpResult(live))
				}
			}
			if len(statuses) != len(sc.want) {
				t.Errorf("check: %d checks, want %d:%s", len(statuses), len(sc.want), dumpResult(live))
			}
			deep, events := deepRun(t, context.Background(), deepEnv(), c, nil)
			deepWant(t, deep, sc.deep, nil)
			for _, ch := range deep.Checks {
				statuses["deep "+ch.ID] = ch.Status
			}
			for id, words := range sc.words {
				ch, _ := deep.Find(id)
				for _, word := range words {
					if !strings.Contains(ch.Message, word) {
						t.Errorf("%s message lacks %q: %s", id, word, ch.Message)
					}
				}
			}
			// The live checks of --deep agree with the plain check.
			for id, st := range sc.want {
				ch, _ := deep.Find(id)
				if ch.Status != st && !(st == providers.Warn && ch.Status == providers.Pass && strings.HasPrefix(id, "scope:")) {
					t.Errorf("check --deep: %s is %s, want %s", id, ch.Status, st)
				}
			}
			raw, _ := json.Marshal([]any{live, deep, events})
			for _, canary := range tokenCanaries(tok) {
				if strings.Contains(string(raw), canary) {
					t.Fatalf("the token shows in the output")
				}
			}
			if left := slices.DeleteFunc(target.repos(t), func(n string) bool { return !strings.HasPrefix(n, providers.RepoPrefix) }); len(left) > 0 {
				t.Errorf("repositories left behind: %v", left)
			}
			t.Logf("check --deep:%s", dumpResult(deep))
			got[sc.name] = statuses
		})
	}
	return got
}

func TestGiteaScenariosEmulator(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	target := giteaTarget{
		host:  emu.URL(providers.Gitea) + "/",
		token: func(_ *testing.T, sc giteaScenario) string { return sc.emuToken },
		repos: func(t *testing.T) []string {
			return giteaListRepos(t, emu.URL(providers.Gitea)+"/", fake.GiteaTokenFull)
		},
	}
	runGiteaScenarios(t, target)
	if left := prefixedRepos(emu, providers.Gitea); len(left) > 0 {
		t.Errorf("the emulator holds repositories after the scenarios: %v", left)
	}
}

// giteaListRepos lists the organisation's repositories through GET /orgs/{org}/repos.
func giteaListRepos(t *testing.T, host, token string) []string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, host+"api/v1/orgs/"+fake.GiteaOrg+"/repos?limit=50", nil)
	req.Header.Set("Authorization", "token "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("list repositories: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list repositories: HTTP %d", resp.StatusCode)
	}
	var list []struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatalf("list repositories: %v", err)
	}
	names := make([]string, len(list))
	for i, r := range list {
		names[i] = r.Name
	}
	return names
}

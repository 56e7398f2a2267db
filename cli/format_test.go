package cli_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"gitopscfg/cli"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// setOnEmulator stores provider id's credentials on the emulators with token, unchecked.
func setOnEmulator(t *testing.T, dir string, e *fake.Emulators, id providers.ID, token string, extra ...string) {
	t.Helper()
	c := e.Credentials(id, token)
	args := []string{"set", string(id), "--host", c.Host, "--api-url", c.APIURL, "--org", c.Org,
		"--username", c.Username, "--token-stdin", "--no-check"}
	if c.ProjectKey != "" {
		args = append(args, "--project-key", c.ProjectKey)
	}
	mustRun(t, dir, token, append(args, extra...)...)
}

func noTokens(t *testing.T, out string, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		if strings.Contains(out, tok) {
			t.Fatalf("a token leaked into the output:\n%s", out)
		}
	}
}

// promValue returns the value of the sample of family name whose labels include want.
func promValue(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

func TestCheckPrometheus(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	dir := initStore(t)
	setOnEmulator(t, dir, e, providers.GitHub, fake.GitHubTokenNoDeleteRepo, "--activate")
	setOnEmulator(t, dir, e, providers.GitLab, fake.GitLabTokenFull)
	out := filepath.Join(t.TempDir(), "gitopscfg.prom")
	if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Unix()
	r := gitopscfg(t, dir, "", nil, "check", "--all", "--format", "prometheus", "--output", out)
	if r.code != 1 || r.out != "" {
		t.Fatalf("exit %d (want 1: GitHub lacks delete_repo), stdout %q\n%s", r.code, r.out, r.err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	noTokens(t, text+r.err, fake.GitHubTokenNoDeleteRepo, fake.GitLabTokenFull)
	fams := cli.ParsePromText(t, text)
	cli.RequireGauges(t, fams, text, "gitopscfg_check_success", "gitopscfg_check_duration_seconds",
		"gitopscfg_check_timestamp_seconds", "gitopscfg_token_expiry_timestamp_seconds", "gitopscfg_token_scope_granted")
	if _, ok := fams["gitopscfg_deep_stage_success"]; ok {
		t.Fatal("round-trip metrics without --deep")
	}
	gh := map[string]string{"provider": "github", "host": e.Credentials(providers.GitHub, "").Host, "org": e.Credentials(providers.GitHub, "").Org}
	gl := map[string]string{"provider": "gitlab", "org": fake.GitLabGroupPath}
	if v, ok := promValue(fams, "gitopscfg_check_success", gh); !ok || v != 0 {
		t.Fatalf("github success = %v %v, want 0 (labels %v)\n%s", v, ok, gh, text)
	}
	if v, ok := promValue(fams, "gitopscfg_check_success", gl); !ok || v != 1 {
		t.Fatalf("gitlab success = %v %v, want 1\n%s", v, ok, text)
	}
	if v, ok := promValue(fams, "gitopscfg_token_scope_granted", map[string]string{"provider": "github", "scope": "delete_repo"}); !ok || v != 0 {
		t.Fatalf("delete_repo granted = %v %v, want 0\n%s", v, ok, text)
	}
	if v, ok := promValue(fams, "gitopscfg_token_scope_granted", map[string]string{"provider": "github", "scope": "repo"}); !ok || v != 1 {
		t.Fatalf("repo granted = %v %v, want 1\n%s", v, ok, text)
	}
	if v, ok := promValue(fams, "gitopscfg_check_timestamp_seconds", gl); !ok || int64(v) < before || int64(v) > time.Now().Unix() {
		t.Fatalf("check time %v, want between %d and now", v, before)
	}
	if _, ok := promValue(fams, "gitopscfg_token_expiry_timestamp_seconds", gh); ok {
		t.Fatal("an expiry for a token without an expiry date")
	}
	exp, ok := promValue(fams, "gitopscfg_token_expiry_timestamp_seconds", gl)
	st := statusLastChecks(t, dir)
	if !ok || st["gitlab"] == nil || int64(exp) != st["gitlab"].Unix() {
		t.Fatalf("gitlab expiry %v %v, want the checked expiry %v", exp, ok, st["gitlab"])
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, want 0644 (the collector runs as another user)", fi.Mode().Perm())
	}

	// A usage error leaves the previous file alone.
	if r := gitopscfg(t, dir, "", nil, "check", "gitbucket", "--format", "prometheus", "--output", out); r.code != 2 {
		t.Fatalf("unknown provider: exit %d", r.code)
	}
	if again, _ := os.ReadFile(out); string(again) != text {
		t.Fatal("a usage error replaced the metrics file")
	}
}

// statusLastChecks reads each provider's remembered expiry from status --json.
func statusLastChecks(t *testing.T, dir string) map[string]*time.Time {
	t.Helper()
	var doc struct {
		Providers []struct {
			Provider  string `json:"provider"`
			LastCheck *struct {
				ExpiresAt *time.Time `json:"expires_at"`
			} `json:"last_check"`
		} `json:"providers"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, dir, "", "status", "--json").out), &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*time.Time{}
	for _, p := range doc.Providers {
		if p.LastCheck != nil {
			out[p.Provider] = p.LastCheck.ExpiresAt
		}
	}
	return out
}

func TestCheckPrometheusDeep(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	dir := initStore(t)
	setOnEmulator(t, dir, e, providers.GitHub, fake.GitHubTokenPushRejected, "--activate")
	r := gitopscfg(t, dir, "", nil, "check", "--deep", "--format", "prometheus")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (push rejected)\n%s", r.code, r.err)
	}
	fams := cli.ParsePromText(t, r.out)
	want := map[string]float64{"create": 1, "clone": 1, "push": 0, "verify": 0, "delete": 1}
	for stage, v := range want {
		got, ok := promValue(fams, "gitopscfg_deep_stage_success", map[string]string{"provider": "github", "stage": stage})
		if !ok || got != v {
			t.Errorf("stage %s = %v %v, want %v", stage, got, ok, v)
		}
	}
	if _, ok := promValue(fams, "gitopscfg_deep_stage_duration_seconds", map[string]string{"stage": "create"}); !ok {
		t.Error("no stage duration")
	}
	if t.Failed() {
		t.Log(r.out)
	}
}

var perfRe = regexp.MustCompile(`'([a-z]+)_token_expiry_days'=(-?[0-9.]+);([0-9.]*:?);([0-9.]*:?);;`)

// TestCheckNagios runs the real command: the plugin API's exit codes, one status line, perfdata.
func TestCheckNagios(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	cases := []struct {
		name  string
		token string
		args  []string
		code  int
		state string
		want  string
	}{
		{"ok", fake.GitLabTokenFull, nil, 0, "OK", "GitLab OK (token expires in 29"},
		{"expiring within the warning window", fake.GitLabTokenExpiringSoon, nil, 1, "WARNING", "within the warning window of 14d"},
		{"a wider warning window", fake.GitLabTokenFull, []string{"--warn-expiry", "400d"}, 1, "WARNING", "within the warning window of 400d"},
		{"expiring sooner than --fail-expiry", fake.GitLabTokenExpiringSoon, []string{"--fail-expiry", "7d"}, 2, "CRITICAL", "sooner than --fail-expiry 7d"},
		{"warning off", fake.GitLabTokenExpiringSoon, []string{"--warn-expiry", "0"}, 0, "OK", "GitLab OK"},
		{"revoked", fake.GitLabTokenRevoked, nil, 2, "CRITICAL", "GitLab CRITICAL: auth"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := initStore(t)
			setOnEmulator(t, dir, e, providers.GitLab, c.token, "--activate")
			r := gitopscfg(t, dir, "", nil, append([]string{"check", "--format", "nagios"}, c.args...)...)
			noTokens(t, r.out+r.err, c.token)
			lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
			if r.code != c.code || len(lines) != 1 || !strings.HasPrefix(r.out, "GITOPSCFG "+c.state+" - ") || !strings.Contains(r.out, c.want) {
				t.Fatalf("exit %d (want %d), output %q; want one line starting GITOPSCFG %s containing %q", r.code, c.code, r.out, c.state, c.want)
			}
			if !strings.Contains(r.out, "'gitlab_check_duration'=") {
				t.Fatalf("no duration perfdata: %q", r.out)
			}
			if c.token == fake.GitLabTokenRevoked {
				return
			}
			m := perfRe.FindStringSubmatch(r.out)
			if m == nil {
				t.Fatalf("no expiry perfdata: %q", r.out)
			}
			days, _ := strconv.ParseFloat(m[2], 64)
			if days < 3 || days > 301 {
				t.Fatalf("days to expiry %v", days)
			}
		})
	}
	t.Run("nothing configured is UNKNOWN", func(t *testing.T) {
		t.Parallel()
		r := gitopscfg(t, initStore(t), "", nil, "check", "--format", "nagios")
		if r.code != 3 || !strings.HasPrefix(r.out, "GITOPSCFG UNKNOWN - no provider is configured") {
			t.Fatalf("exit %d, %q", r.code, r.out)
		}
	})
	t.Run("no store is UNKNOWN", func(t *testing.T) {
		t.Parallel()
		r := gitopscfg(t, filepath.Join(t.TempDir(), "none"), "", nil, "check", "--format", "nagios")
		if r.code != 3 || !strings.HasPrefix(r.out, "GITOPSCFG UNKNOWN - ") {
			t.Fatalf("exit %d, %q", r.code, r.out)
		}
	})
}

func TestCheckExpiryThresholds(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	dir := initStore(t)
	setOnEmulator(t, dir, e, providers.GitLab, fake.GitLabTokenExpiringSoon, "--activate")
	r := gitopscfg(t, dir, "", nil, "check")
	if r.code != 0 || !strings.Contains(r.out, "expires in 4 days") || !strings.Contains(r.out, "within the warning window of 14d") {
		t.Fatalf("text: exit %d\n%s", r.code, r.out)
	}
	r = gitopscfg(t, dir, "", nil, "check", "--json", "--fail-expiry", "6d")
	var doc struct {
		Results []providers.Result `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("not JSON: %v\n%s", err, r.out)
	}
	c, _ := doc.Results[0].Find(providers.CheckExpiry)
	if r.code != 1 || doc.Results[0].OK || c.Status != providers.Fail || !strings.Contains(c.Message, "expires in 4 days") {
		t.Fatalf("--fail-expiry 6d: exit %d, %+v", r.code, c)
	}
	r = gitopscfg(t, dir, "", nil, "check", "--json", "--fail-expiry", "1d12h", "--warn-expiry", "36h")
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatal(err)
	}
	if c, _ := doc.Results[0].Find(providers.CheckExpiry); r.code != 0 || c.Status != providers.Pass {
		t.Fatalf("outside both windows: exit %d, %+v", r.code, c)
	}
	for _, bad := range [][]string{
		{"--warn-expiry", "2w"}, {"--fail-expiry", "-3d"}, {"--warn-expiry", "d"},
		{"--warn-expiry", "3d", "--fail-expiry", "5d"}, {"--format", "xml"}, {"--json", "--format", "nagios"},
	} {
		if r := gitopscfg(t, dir, "", nil, append([]string{"check"}, bad...)...); r.code != 2 || r.err == "" {
			t.Errorf("%v: exit %d %q, want a usage error", bad, r.code, r.err)
		}
	}
}

func TestCheckJSONLDeep(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	dir := initStore(t)
	setOnEmulator(t, dir, e, providers.GitHub, fake.GitHubTokenFull, "--activate")
	setOnEmulator(t, dir, e, providers.GitLab, fake.GitLabTokenFull)
	r := gitopscfg(t, dir, "", nil, "check", "--all", "--deep", "--format", "jsonl")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	noTokens(t, r.out+r.err, fake.GitHubTokenFull, fake.GitLabTokenFull)
	stages := map[string][]string{}
	results := 0
	sc := bufio.NewScanner(strings.NewReader(r.out))
	for sc.Scan() {
		var ev struct {
			Event    string `json:"event"`
			Provider string `json:"provider"`
			ID       string `json:"id"`
			Status   string `json:"status"`
			Checks   []providers.Check
			At       time.Time `json:"at"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.At.IsZero() {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		switch ev.Event {
		case "stage":
			if results > 0 {
				t.Fatalf("a stage after the results: %q", sc.Text())
			}
			if ev.Status == string(providers.Running) {
				t.Fatalf("a running stage: %q", sc.Text())
			}
			stages[ev.Provider] = append(stages[ev.Provider], ev.ID)
		case "result":
			results++
			if len(ev.Checks) == 0 {
				t.Fatalf("a result without checks: %q", sc.Text())
			}
		default:
			t.Fatalf("unknown event %q", sc.Text())
		}
	}
	if results != 2 {
		t.Fatalf("%d results, want 2\n%s", results, r.out)
	}
	for _, p := range []string{"github", "gitlab"} {
		if strings.Join(stages[p], " ") != strings.Join(providers.DeepStages, " ") {
			t.Fatalf("%s stages %v, want %v", p, stages[p], providers.DeepStages)
		}
	}
}

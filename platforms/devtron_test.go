package platforms_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Canary tokens: neither may appear in any output, error, event or result.
const (
	gitCanary     = "ghp_CANARYgitTOKEN0000000000000000000001"
	devtronCanary = "devtron-CANARY-token-0000000000000000002"
)

type rig struct {
	t   *testing.T
	srv *devtronfake.Server
	dt  *platforms.Devtron
	env *providers.Env
	mu  sync.Mutex
	out []string // everything the client said, for the canary scan
}

func newRig(t *testing.T, opts devtronfake.Options) *rig {
	t.Helper()
	if opts.Tokens == nil {
		opts.Tokens = map[string]bool{}
	}
	opts.Tokens[devtronCanary] = true
	srv := kit.Devtron(t, opts)
	env := providers.NewEnv("test")
	dt, err := platforms.NewDevtron(env, platforms.Instance{URL: srv.URL() + "/", Token: devtronCanary})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, srv: srv, dt: dt, env: env}
	t.Cleanup(r.assertNoCanary)
	return r
}

func (r *rig) say(v ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range v {
		b, _ := json.Marshal(x)
		r.out = append(r.out, string(b))
		if e, ok := x.(error); ok && e != nil {
			r.out = append(r.out, e.Error())
		}
	}
}

func (r *rig) assertNoCanary() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.out {
		for _, c := range []string{gitCanary, devtronCanary, gitCanary[4:20], devtronCanary[8:24]} {
			if strings.Contains(s, c) {
				r.t.Errorf("a canary token leaked into output: %.200s", s)
			}
		}
	}
}

func (r *rig) push(c providers.Credentials, o platforms.PushOptions) (platforms.PushResult, error) {
	r.t.Helper()
	progress := o.Progress
	o.Progress = func(e platforms.Event) {
		r.say(e)
		if progress != nil {
			progress(e)
		}
	}
	res, err := r.dt.Push(context.Background(), c, o)
	r.say(res, err)
	return res, err
}

func github(org string) providers.Credentials {
	return providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com/", Org: org, Username: "octocat", Token: gitCanary}}
}

func methods(reqs []devtronfake.Request) []string {
	var out []string
	for _, q := range reqs {
		out = append(out, q.Method+" "+strings.TrimPrefix(q.Path, "/orchestrator/gitops"))
	}
	return out
}

func TestPushCreatesThenUpdatesByID(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	res, err := r.push(github("acme"), platforms.PushOptions{})
	if err != nil || res.Outcome != platforms.Saved || res.Method != "POST" || res.ID == 0 {
		t.Fatalf("first push: %+v, %v", res, err)
	}
	rows := r.srv.Rows()
	if len(rows) != 1 || rows[0].Provider != "GITHUB" || rows[0].GitHubOrgID != "acme" || rows[0].Token != gitCanary || !rows[0].Active || rows[0].Host != "https://github.com/" {
		t.Fatalf("stored: %+v", rows)
	}
	if got := methods(r.srv.Requests()); !slices.Equal(got, []string{"GET /config-by-provider", "GET /config", "POST /config", "GET /config-by-provider"}) {
		t.Errorf("requests %v", got)
	}
	if res.Requests != 4 {
		t.Errorf("requests counted %d", res.Requests)
	}
	// Devtron's stages, in its order.
	var names []string
	for _, s := range res.Stages {
		names = append(names, s.Name)
		if !s.OK {
			t.Errorf("stage %s failed", s.Name)
		}
	}
	if !slices.Equal(names, devtronfake.Stages) {
		t.Errorf("stages %v", names)
	}

	res, err = r.push(github("acme-two"), platforms.PushOptions{})
	if err != nil || res.Outcome != platforms.Saved || res.Method != "PUT" || res.ID != rows[0].ID {
		t.Fatalf("second push: %+v, %v", res, err)
	}
	var put map[string]any
	for _, q := range r.srv.Requests() {
		if q.Method == "PUT" {
			_ = json.Unmarshal(q.Body, &put)
		}
	}
	if put["id"] != float64(rows[0].ID) || put["active"] != true || put["provider"] != "GITHUB" || put["token"] != gitCanary {
		t.Errorf("PUT body: id %v active %v provider %v", put["id"], put["active"], put["provider"])
	}
	if rows = r.srv.Rows(); len(rows) != 1 || rows[0].GitHubOrgID != "acme-two" {
		t.Errorf("after update: %+v", rows)
	}
}

// Devtron saves every new configuration active: a push never changes Devtron's active provider
// unless asked to (Activate). Without it, a configuration Devtron does not hold is not created
// while another is active, and one it holds inactive is updated and stays inactive.
func TestPushSwitchesTheActiveProviderOnlyWhenAsked(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	r.srv.Put(devtronfake.Row{Config: devtronfake.Config{Provider: "AZURE_DEVOPS", Host: "https://dev.azure.com/acme", AzureProjectName: "gitops", Username: "a", Token: "x", Active: true}})
	activeRows := func() (out []string) {
		for _, row := range r.srv.Rows() {
			if row.Active {
				out = append(out, row.Provider)
			}
		}
		return out
	}

	plan, err := r.dt.PlanPush(context.Background(), providers.GitHub)
	if err != nil || plan != (platforms.SwitchPlan{Active: "AZURE_DEVOPS", Switches: true}) {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	res, err := r.push(github("acme"), platforms.PushOptions{})
	var se *platforms.SwitchError
	if !errors.As(err, &se) || se.Active != "AZURE_DEVOPS" || res.OK() || !strings.Contains(err.Error(), "nothing was sent") {
		t.Fatalf("push without Activate: %+v %v", res, err)
	}
	for _, q := range r.srv.Requests() {
		if q.Method != "GET" {
			t.Fatalf("a refused push sent %s %s", q.Method, q.Path)
		}
	}
	if got := activeRows(); !slices.Equal(got, []string{"AZURE_DEVOPS"}) || len(r.srv.Rows()) != 1 {
		t.Fatalf("after the refused push: active %v, %d rows", got, len(r.srv.Rows()))
	}

	res, err = r.push(github("acme"), platforms.PushOptions{Activate: true})
	if err != nil || !res.OK() || !res.Active || !res.Switched || res.ActiveBefore != "azure" || !strings.Contains(res.Message, "in place of azure") {
		t.Fatalf("push with Activate: %+v %v", res, err)
	}
	if got := activeRows(); !slices.Equal(got, []string{"GITHUB"}) {
		t.Fatalf("after the switch: active %v", got)
	}

	// Azure DevOps is now held inactive: pushing it without Activate updates it and keeps GitHub active.
	az := providers.Credentials{Provider: providers.Azure, Settings: config.Settings{Host: "https://dev.azure.com/acme", Org: "gitops", Username: "a", Token: gitCanary}}
	res, err = r.push(az, platforms.PushOptions{})
	if err != nil || !res.OK() || res.Active || res.Switched || res.Method != "PUT" || !strings.Contains(res.Message, "github stays the active one") {
		t.Fatalf("update in place: %+v %v", res, err)
	}
	if got := activeRows(); !slices.Equal(got, []string{"GITHUB"}) {
		t.Fatalf("after the update in place: active %v", got)
	}
	for _, row := range r.srv.Rows() {
		if row.Provider == "AZURE_DEVOPS" && row.Token != gitCanary {
			t.Error("the inactive configuration was not updated")
		}
	}
	// Pushing the active one keeps it active, with no question to ask.
	if plan, err := r.dt.PlanPush(context.Background(), providers.GitHub); err != nil || plan.Switches || !plan.Present {
		t.Fatalf("plan of the active one: %+v %v", plan, err)
	}
	if res, err := r.push(github("acme"), platforms.PushOptions{}); err != nil || !res.OK() || !res.Active || res.Switched {
		t.Fatalf("push of the active one: %+v %v", res, err)
	}
}

func TestPushStageErrorsMeanNothingSaved(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	r.srv.FailStages(map[string]string{"Clone Http": "unable to validate project:devtron-sample-repo-dryrun-abc123 in given time " + gitCanary})
	res, err := r.push(github("acme"), platforms.PushOptions{})
	if err != nil || res.Outcome != platforms.Refused || res.OK() {
		t.Fatalf("%+v %v", res, err)
	}
	if len(r.srv.Rows()) != 0 {
		t.Error("a refused configuration was stored")
	}
	if len(res.Stages) != 2 || res.Stages[0] != (platforms.Stage{Name: "Create Repo", OK: true}) || res.Stages[1].Name != "Clone Http" || res.Stages[1].OK {
		t.Errorf("stages %+v", res.Stages)
	}
	if !strings.Contains(res.Message, "Clone Http") || !strings.Contains(res.Stages[1].Message, "[token]") {
		t.Errorf("message %q / %q", res.Message, res.Stages[1].Message)
	}
	// The connection error comes first.
	r.srv.FailStages(map[string]string{"error in connecting with GITHUB": "github client error: 401 Bad credentials", "Create Repo": "x"})
	res, _ = r.push(github("acme"), platforms.PushOptions{})
	if len(res.Stages) == 0 || res.Stages[0].Name != "error in connecting with GITHUB" {
		t.Errorf("stages %+v", res.Stages)
	}
}

func TestPushDeleteRepoFailedIsSavedWithAWarning(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	r.srv.DeleteRepoFails(true)
	res, err := r.push(github("acme"), platforms.PushOptions{})
	if err != nil || res.Outcome != platforms.SavedWithWarning || !res.OK() {
		t.Fatalf("%+v %v", res, err)
	}
	if !strings.Contains(res.Message, platforms.DryRunRepoPrefix) || !strings.Contains(res.Message, "acme") || len(res.Warnings) == 0 {
		t.Errorf("message %q", res.Message)
	}
	if len(r.srv.Rows()) != 1 {
		t.Error("not stored")
	}
}

func TestPushValidationSkippedIsSaidPlainly(t *testing.T) {
	r := newRig(t, devtronfake.Options{ArgoCDMissing: true})
	res, err := r.push(github("acme"), platforms.PushOptions{})
	if err != nil || res.Outcome != platforms.SavedUnchecked || !strings.Contains(res.Message, "without checking") {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestPush500ReadsBackAndNeverRetries(t *testing.T) {
	for _, existing := range []bool{false, true} {
		r := newRig(t, devtronfake.Options{})
		if existing {
			r.srv.Put(devtronfake.Row{Config: devtronfake.Config{Provider: "GITHUB", Host: "https://github.com/", GitHubOrgID: "old", Token: "old-token-000", Active: true}})
		}
		r.srv.Fail500(5)
		res, err := r.push(github("acme"), platforms.PushOptions{})
		if err != nil || res.Outcome != platforms.Refused || !strings.Contains(res.Message, "read back") || !strings.Contains(res.Message, "internal error") {
			t.Fatalf("existing=%v: %+v %v", existing, res, err)
		}
		writes := 0
		for _, q := range r.srv.Requests() {
			if q.Method == "POST" || q.Method == "PUT" {
				writes++
			}
		}
		got := methods(r.srv.Requests())
		if writes != 1 || got[len(got)-1] != "GET /config-by-provider" {
			t.Errorf("existing=%v: requests %v", existing, got)
		}
		if existing && r.srv.Rows()[0].GitHubOrgID != "old" {
			t.Error("a failed update changed the row")
		}
	}
}

func TestPushHTTPErrorsArePrecise(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	check := func(dt *platforms.Devtron, want string) {
		t.Helper()
		res, err := dt.Push(context.Background(), github("acme"), platforms.PushOptions{})
		r.say(res, err)
		said := res.Message
		if err != nil {
			said = err.Error()
		}
		if res.OK() || !strings.Contains(said, want) {
			t.Errorf("want %q, got %+v / %v", want, res, err)
		}
	}
	bad, _ := platforms.NewDevtron(r.env, platforms.Instance{URL: r.srv.URL(), Token: devtronCanary + "x"})
	check(bad, "refused the API token")
	viewer, _ := platforms.NewDevtron(r.env, platforms.Instance{URL: r.srv.URL(), Token: devtronfake.ViewerToken})
	check(viewer, "super-admin")
	wrong, _ := platforms.NewDevtron(r.env, platforms.Instance{URL: r.srv.URL() + "/dashboard", Token: devtronCanary})
	check(wrong, "no Devtron GitOps API")

	// 409: another writer creates the provider between the look-up and the POST.
	res, err := r.push(github("acme"), platforms.PushOptions{Progress: func(e platforms.Event) {
		if e.Phase == "send" {
			r.srv.Put(devtronfake.Row{Config: devtronfake.Config{Provider: "GITHUB", Token: "t0000", Active: true}})
		}
	}})
	if err != nil || res.Outcome != platforms.Refused || !strings.Contains(res.Message, "already holds") || !strings.Contains(res.Message, "HTTP 409") {
		t.Errorf("409: %+v %v", res, err)
	}
}

// 412: Devtron holds a client certificate without its key (kept, so the TLS data is incoherent).
func TestPush412IsExplained(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	r.srv.Put(devtronfake.Row{Config: devtronfake.Config{Provider: "GITHUB", Host: "https://github.com/", GitHubOrgID: "acme", Token: "t0000", Active: true, EnableTLSVerification: true}, TLSCert: "CERT"})
	res, err := r.push(github("acme"), platforms.PushOptions{})
	if err != nil || res.Outcome != platforms.Refused || !strings.Contains(res.Message, "TLS settings") || !strings.Contains(res.Message, "HTTP 412") {
		t.Errorf("%+v %v", res, err)
	}
}

func TestPushKeepsTLSDataDevtronHolds(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	r.srv.Put(devtronfake.Row{Config: devtronfake.Config{Provider: "GITHUB", Host: "https://github.com/", GitHubOrgID: "acme", Token: "t0000", Active: true, EnableTLSVerification: true},
		CaCert: "OLD-CA", TLSCert: "CERT", TLSKey: "KEY"})
	res, err := r.push(github("acme"), platforms.PushOptions{})
	if err != nil || !res.OK() || len(res.Warnings) == 0 {
		t.Fatalf("%+v %v", res, err)
	}
	row := r.srv.Rows()[0]
	if row.CaCert != "OLD-CA" || row.TLSCert != "CERT" || row.TLSKey != "KEY" || !row.EnableTLSVerification {
		t.Errorf("TLS data lost without a CA bundle: %+v", row)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pem := "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	if err := os.WriteFile(ca, []byte(pem), 0o600); err != nil {
		t.Fatal(err)
	}
	c := github("acme")
	c.CABundle = ca
	if res, err = r.push(c, platforms.PushOptions{}); err != nil || !res.OK() {
		t.Fatalf("%+v %v", res, err)
	}
	row = r.srv.Rows()[0]
	if row.CaCert != pem || row.TLSCert != "CERT" || row.TLSKey != "KEY" {
		t.Errorf("with a CA bundle: %+v", row)
	}
	// A new provider with a CA bundle: created with TLS verification and the CA only.
	r2 := newRig(t, devtronfake.Options{})
	if res, err = r2.push(c, platforms.PushOptions{}); err != nil || !res.OK() {
		t.Fatalf("%+v %v", res, err)
	}
	if row = r2.srv.Rows()[0]; row.CaCert != pem || !row.EnableTLSVerification {
		t.Errorf("created: %+v", row)
	}
}

func TestPushRefusesBeforeAnyRequest(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	c := github("acme")
	c.Token = ""
	if _, err := r.push(c, platforms.PushOptions{}); err == nil || !strings.Contains(err.Error(), "skip its validation") {
		t.Errorf("empty token: %v", err)
	}
	_, err := r.push(providers.Credentials{Provider: "gitea", Settings: config.Settings{Host: "https://gitea.example.com/", Org: "acme", Token: gitCanary}}, platforms.PushOptions{})
	if !errors.Is(err, platforms.ErrUnsupported) || !strings.Contains(err.Error(), "Gitea") {
		t.Errorf("gitea: %v", err)
	}
	if n := len(r.srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestPushNormalisesGitLabAndBitbucket(t *testing.T) {
	emu := kit.Emulators(t, fake.Options{})
	r := newRig(t, devtronfake.Options{})
	gl := emu.DemoCredentials(providers.GitLab) // org is the group path acme/gitops
	res, err := r.push(gl, platforms.PushOptions{})
	if err != nil || !res.OK() {
		t.Fatalf("gitlab: %+v %v", res, err)
	}
	// Bitbucket in place of GitLab as Devtron's active provider, as asked.
	bb := providers.Credentials{Provider: providers.Bitbucket, Settings: config.Settings{Host: "https://bitbucket.example/", Org: "acme", ProjectKey: "gitops", Username: "a@b.c", Token: gitCanary}}
	if res, err = r.push(bb, platforms.PushOptions{Activate: true}); err != nil || !res.OK() || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "x-bitbucket-api-token-auth") {
		t.Fatalf("bitbucket: %+v %v", res, err)
	}
	// Devtron itself fixes Bitbucket's host and key only when it validates: what is sent must be right.
	var sent map[string]any
	for _, q := range r.srv.Requests() {
		if q.Method == "POST" && strings.Contains(string(q.Body), "BITBUCKET_CLOUD") {
			_ = json.Unmarshal(q.Body, &sent)
		}
	}
	if sent["bitBucketProjectKey"] != "GITOPS" || sent["host"] != "https://bitbucket.org/" || sent["gitLabGroupId"] != "" {
		t.Errorf("sent %v %v", sent["bitBucketProjectKey"], sent["host"])
	}
	for _, row := range r.srv.Rows() {
		switch row.Provider {
		case "GITLAB":
			if row.GitLabGroupID != "81234567" {
				t.Errorf("gitlab group id %q", row.GitLabGroupID)
			}
		case "BITBUCKET_CLOUD":
			if row.BitBucketProjectKey != "GITOPS" || row.Host != "https://bitbucket.org/" || row.BitBucketWorkspaceID != "acme" {
				t.Errorf("bitbucket %+v", row)
			}
		}
	}
	// A group the token cannot see is refused before Devtron is asked.
	gl.Org = "nobody/here"
	before := len(r.srv.Requests())
	if _, err := r.push(gl, platforms.PushOptions{}); err == nil || !strings.Contains(err.Error(), "no group") {
		t.Errorf("unknown group: %v", err)
	}
	if len(r.srv.Requests()) != before {
		t.Error("Devtron was asked with an unresolved group")
	}
}

func TestPushShowsProgressAndStopsOnCancel(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	holding := r.srv.Hold()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting := make(chan struct{})
	var once sync.Once
	type out struct {
		res platforms.PushResult
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := r.dt.Push(ctx, github("acme"), platforms.PushOptions{ProgressEvery: time.Millisecond, Progress: func(e platforms.Event) {
			r.say(e)
			if e.Phase == "waiting" {
				once.Do(func() { close(waiting) })
			}
		}})
		done <- out{res, err}
	}()
	<-holding
	<-waiting
	cancel() // Ctrl-C
	o := <-done
	r.say(o.res, o.err)
	if !errors.Is(o.err, context.Canceled) || o.res.Outcome != platforms.OutcomeUnknown || !strings.Contains(o.res.Message, "may still save") {
		t.Fatalf("%+v %v", o.res, o.err)
	}
	// Devtron goes on and saves on its side, as the message says.
	r.srv.Release()
	deadline := time.Now().Add(10 * time.Second)
	for len(r.srv.Rows()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(r.srv.Rows()) != 1 {
		t.Error("the held validation did not complete")
	}
}

func TestCompareReportsDrift(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	if res, err := r.push(github("acme"), platforms.PushOptions{}); err != nil || !res.OK() {
		t.Fatal(res, err)
	}
	bb := providers.Credentials{Provider: providers.Bitbucket, Settings: config.Settings{Host: "https://bitbucket.org/", Org: "acme", Username: "a@b.c", Token: gitCanary}}
	az := providers.Credentials{Provider: providers.Azure, Settings: config.Settings{Host: "https://dev.azure.com/acme", Org: "gitops", Username: "a", Token: gitCanary}}
	if _, err := r.push(bb, platforms.PushOptions{Activate: true}); err != nil {
		t.Fatal(err)
	}
	changed := github("acme")
	changed.Token = gitCanary[:len(gitCanary)-1] + "9"
	bb.Org = "other"
	d, err := r.dt.Compare(context.Background(), []providers.Credentials{changed, bb, az, {Provider: "gitea", Settings: config.Settings{Token: gitCanary}}})
	r.say(d, err)
	if err != nil {
		t.Fatal(err)
	}
	if d.Active != providers.Bitbucket {
		t.Errorf("active %q", d.Active)
	}
	if g := d.Credentials["github"]; g.State != platforms.Differs || !slices.Equal(g.Fields, []string{"token"}) || g.ActiveThere {
		t.Errorf("github %+v", g)
	}
	if g := d.Credentials["bitbucket"]; g.State != platforms.Differs || !slices.Equal(g.Fields, []string{"org"}) || !g.ActiveThere {
		t.Errorf("bitbucket %+v", g)
	}
	if d.Credentials["azure"].State != platforms.Absent || d.Credentials["gitea"].State != platforms.Unsupported {
		t.Errorf("%+v", d.Credentials)
	}
	d, _ = r.dt.Compare(context.Background(), []providers.Credentials{github("acme")})
	if d.Credentials["github"].State != platforms.InSync {
		t.Errorf("in sync: %+v", d.Credentials["github"])
	}
}

func TestCheckInstance(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	res := r.dt.Check(context.Background())
	r.say(res)
	if !res.OK || len(res.Checks) != 3 {
		t.Errorf("super-admin: %+v", res)
	}
	viewer, _ := platforms.NewDevtron(r.env, platforms.Instance{URL: r.srv.URL(), Token: devtronfake.ViewerToken})
	res = viewer.Check(context.Background())
	if c, _ := res.Find(platforms.CheckSuperAdmin); res.OK || c.Status != providers.Fail || !strings.Contains(c.Message, "super-admin") {
		t.Errorf("viewer: %+v", res)
	}
	bad, _ := platforms.NewDevtron(r.env, platforms.Instance{URL: r.srv.URL(), Token: devtronCanary + "z"})
	res = bad.Check(context.Background())
	r.say(res)
	if c, _ := res.Find(platforms.CheckToken); res.OK || c.Status != providers.Fail {
		t.Errorf("bad token: %+v", res)
	}
	gone, _ := platforms.NewDevtron(r.env, platforms.Instance{URL: "http://127.0.0.1:1", Token: devtronCanary})
	res = gone.Check(context.Background())
	r.say(res)
	if c, _ := res.Find(platforms.CheckReachable); res.OK || c.Status != providers.Fail || !strings.Contains(c.Message, "refused") {
		t.Errorf("unreachable: %+v", res)
	}
	if _, err := platforms.NewDevtron(r.env, platforms.Instance{URL: "http://devtron.example.com", Token: "t"}); err == nil {
		t.Error("plain http to a non-loopback host accepted")
	}
	if _, err := platforms.NewDevtron(r.env, platforms.Instance{URL: r.srv.URL()}); err == nil {
		t.Error("empty token accepted")
	}
}

// A redirect is never followed: a POST turned into a GET elsewhere could read as a success.
func TestPushNeverFollowsARedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/orchestrator/gitops/config-by-provider":
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"code":404,"status":"Not Found","errors":[{"code":"11006","userMessage":"Requested resource not found"}]}`))
		case "/orchestrator/gitops/config":
			http.Redirect(w, r, "/orchestrator/gitops/configured", http.StatusMovedPermanently)
		default:
			_, _ = w.Write([]byte(`{"code":200,"status":"OK","result":{"exists":true}}`))
		}
	}))
	defer srv.Close()
	dt, err := platforms.NewDevtron(providers.NewEnv("test"), platforms.Instance{URL: srv.URL, Token: devtronCanary})
	if err != nil {
		t.Fatal(err)
	}
	res, err := dt.Push(context.Background(), github("acme"), platforms.PushOptions{})
	if res.OK() || !strings.Contains(res.Message+fmt.Sprint(err), "does not answer like Devtron") {
		t.Errorf("%+v %v", res, err)
	}
}

// Devtron's error bodies can echo tokens back: what is shown of them is redacted.
func TestErrorBodiesAreRedacted(t *testing.T) {
	for _, body := range []string{
		`{"code":500,"status":"Internal Server Error","errors":[{"code":"000","internalMessage":"x","userMessage":"pq: bad token ` + gitCanary + ` for ` + devtronCanary + `"}]}`,
		`{"code":500,"result":"failed for ` + devtronCanary + ` and ` + gitCanary + `"}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "argocd.token", Value: devtronCanary})
			w.WriteHeader(500)
			_, _ = w.Write([]byte(body))
		}))
		dt, _ := platforms.NewDevtron(providers.NewEnv("test"), platforms.Instance{URL: srv.URL, Token: devtronCanary})
		res, err := dt.Push(context.Background(), github("acme"), platforms.PushOptions{})
		said := fmt.Sprintf("%+v %v", res, err)
		srv.Close()
		if !strings.Contains(said, "[token]") || strings.Contains(said, gitCanary) || strings.Contains(said, devtronCanary) {
			t.Errorf("%s", said)
		}
	}
}

package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/platforms/kube/kubetest"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The cluster tests start a real kube-apiserver once per test binary (platforms/kube/kubetest).
func TestMain(m *testing.M) { kubetest.Main(m) }

func argoCDSpec() platforms.Spec {
	spec, err := platforms.Lookup("argocd")
	if err != nil {
		panic(err)
	}
	return spec
}

// TestClusterCommandLine drives argocd set, push argocd, status and push --force / --prune
// against a real API server: the exit codes of the contract, the other field manager named in
// status and in the refusal, and no token in anything written.
func TestClusterCommandLine(t *testing.T) {
	srv := kubetest.Shared(t)
	x := newRunFixture(t)
	ctx := context.Background()
	ns := srv.Namespace(t, "cli")
	x.setNamed("github", providers.GitHub, fake.GitHubTokenFull, "", true)
	x.setNamed("old-team", providers.GitHub, fake.GitHubTokenNoDeleteRepo, "", true)

	set := &platformSetOptions{runDeps: x.deps("", false), Spec: argoCDSpec(), Instance: "prod", Timeout: 10 * time.Second,
		Values: map[string]string{"kubeconfig": srv.Kubeconfig(t, kubetest.KubeconfigOptions{}), "namespace": ns}}
	if err := platformSetRun(ctx, set); err != nil || !strings.Contains(x.out.String(), "Saved the Argo CD instance prod") ||
		!strings.Contains(x.out.String(), "authenticated as admin") {
		t.Fatalf("argocd set: %v\n%s%s", err, x.out.String(), x.err.String())
	}

	push := func(cred string, mod func(*pushOptions)) error {
		opts := &pushOptions{runDeps: x.deps("", false), Kind: platforms.KindArgoCD, Credential: cred, Timeout: time.Minute}
		if mod != nil {
			mod(opts)
		}
		return pushRun(ctx, opts)
	}
	for _, c := range []string{"github", "old-team"} {
		if err := push(c, func(o *pushOptions) { o.JSON = true }); err != nil {
			t.Fatalf("push argocd %s: %v\n%s%s", c, err, x.out.String(), x.err.String())
		}
		var res platforms.PushResult
		if err := json.Unmarshal(x.out.Bytes(), &res); err != nil || res.Outcome != platforms.Saved || res.Objects[0].Action != platforms.ActionCreated {
			t.Fatalf("push argocd %s --json: %v\n%s", c, err, x.out.String())
		}
	}

	srv.Apply(t, "kubectl-edit", true, map[string]any{"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "gitopscfg-github-repo-creds", "namespace": ns},
		"data":     map[string]any{"username": base64.StdEncoding.EncodeToString([]byte("someone"))}})
	doc := x.statusDoc()
	var entry *platformStatusJSON
	for i := range doc.Platforms {
		if doc.Platforms[i].Kind == "argocd" {
			entry = &doc.Platforms[i]
		}
	}
	if entry == nil || entry.Credentials["github"] != "differs" || entry.Managers["github"] != "kubectl-edit" || entry.Credentials["old-team"] != "in_sync" {
		t.Fatalf("status --json: %+v", entry)
	}

	if err := push("github", nil); exitCode(err) != exitCheckFail || !strings.Contains(x.out.String(), "NOT SAVED") ||
		!strings.Contains(x.out.String(), "kubectl-edit: .data.username") {
		t.Fatalf("push over another manager's change: exit %d\n%s%s", exitCode(err), x.out.String(), x.err.String())
	}
	if err := push("github", func(o *pushOptions) { o.Force = true }); err != nil || !strings.Contains(x.out.String(), "took back .data.username from kubectl-edit") {
		t.Fatalf("push --force: %v\n%s%s", err, x.out.String(), x.err.String())
	}

	if _, _, err := x.s.Remove(ctx, "setup", "old-team", config.AnyRevision); err != nil {
		t.Fatal(err)
	}
	statusText := &statusOptions{runDeps: x.deps("", false)}
	if err := statusRun(ctx, statusText); err != nil || !strings.Contains(x.out.String(), "old-team   orphaned") {
		t.Fatalf("status: %v\n%s", err, x.out.String())
	}
	if err := push("github", func(o *pushOptions) { o.Prune = true }); err != nil || !strings.Contains(x.out.String(), "pruned: its credential old-team is no longer stored") {
		t.Fatalf("push --prune: %v\n%s%s", err, x.out.String(), x.err.String())
	}
	if _, code := srv.Get(t, "/api/v1/namespaces/"+ns+"/secrets/gitopscfg-old-team-repo-creds"); code != 404 {
		t.Fatalf("the orphan is still there: HTTP %d", code)
	}
	x.noneLeaked(fake.GitHubTokenFull, fake.GitHubTokenNoDeleteRepo, srv.AdminToken,
		base64.StdEncoding.EncodeToString([]byte(fake.GitHubTokenFull)))
}

// TestClusterStatusFigures times status with three cluster instances (two Argo CD, one Flux), each
// holding two credentials: the median of 5 (run with -v to read it). Each instance is compared
// with one request (a list of gitopscfg's Secrets), the instances concurrently.
func TestClusterStatusFigures(t *testing.T) {
	srv := kubetest.Shared(t)
	x := newRunFixture(t)
	ctx := context.Background()
	x.setNamed("github", providers.GitHub, fake.GitHubTokenFull, "", true)
	x.setNamed("team-b", providers.GitHub, fake.GitHubTokenNoDeleteRepo, "", true)
	kubeconfig := srv.Kubeconfig(t, kubetest.KubeconfigOptions{})
	for i, kind := range []platforms.Kind{platforms.KindArgoCD, platforms.KindArgoCD, platforms.KindFlux} {
		name := []string{"one", "two", "three"}[i]
		if _, err := x.s.SetPlatform(ctx, "setup", string(kind), name, config.Platform{Kubeconfig: kubeconfig, Namespace: srv.Namespace(t, name)}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{"github", "team-b"} {
			opts := &pushOptions{runDeps: x.deps("", false), Kind: kind, Credential: c, Instances: []string{name}, Timeout: time.Minute}
			if err := pushRun(ctx, opts); err != nil {
				t.Fatalf("push %s %s --instance %s: %v\n%s", kind, c, name, err, x.out.String())
			}
		}
	}
	var took []time.Duration
	for range 5 {
		start := time.Now()
		doc := x.statusDoc()
		took = append(took, time.Since(start))
		if len(doc.Platforms) != 3 {
			t.Fatalf("status compared %d instances", len(doc.Platforms))
		}
		for _, p := range doc.Platforms {
			if p.Credentials["github"] != "in_sync" || p.Credentials["team-b"] != "in_sync" {
				t.Fatalf("status: %+v", p)
			}
		}
	}
	slices.Sort(took)
	t.Logf("status with 3 cluster instances: median of 5 %v", took[2])
	x.noneLeaked(fake.GitHubTokenFull, fake.GitHubTokenNoDeleteRepo, srv.AdminToken)
}

// TestClusterCheckPlatforms: check --platforms covers a cluster instance's drift in the Nagios
// line (the field manager named) and the Prometheus families.
func TestClusterCheckPlatforms(t *testing.T) {
	srv := kubetest.Shared(t)
	x := newRunFixture(t)
	ctx := context.Background()
	ns := srv.Namespace(t, "check")
	x.set(providers.GitHub, fake.GitHubTokenFull, true, &config.CheckRecord{At: x.now, OK: true})
	if _, err := x.s.SetPlatform(ctx, "setup", "flux", "prod", config.Platform{Kubeconfig: srv.Kubeconfig(t, kubetest.KubeconfigOptions{}), Namespace: ns}); err != nil {
		t.Fatal(err)
	}
	if err := pushRun(ctx, &pushOptions{runDeps: x.deps("", false), Kind: platforms.KindFlux, Timeout: time.Minute}); err != nil {
		t.Fatalf("push flux: %v\n%s%s", err, x.out.String(), x.err.String())
	}
	srv.Apply(t, "kubectl-edit", true, map[string]any{"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "gitopscfg-github", "namespace": ns},
		"data":     map[string]any{"username": base64.StdEncoding.EncodeToString([]byte("someone"))}})
	for format, want := range map[string]string{
		"nagios":     "github differs (username) changed by kubectl-edit",
		"prometheus": `gitopscfg_platform_in_sync{kind="flux",instance="prod",provider="github",credential="github"} 0`,
	} {
		opts := x.checkOpts(format)
		opts.Platforms = true
		_ = checkRun(ctx, opts)
		if !strings.Contains(x.out.String(), want) {
			t.Errorf("check --platforms --format %s: want %q in\n%s", format, want, x.out.String())
		}
	}
	x.noneLeaked(fake.GitHubTokenFull, srv.AdminToken)
}

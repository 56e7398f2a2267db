package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// exportOpts are export's options for platform with x's dependencies.
func (x *runFixture) exportOpts(platform string, isTerm bool) *exportOptions {
	return &exportOptions{runDeps: x.deps("", isTerm), Platform: platform}
}

// TestExportRunInProcess drives export's run function: the manifests never go to a terminal,
// unchecked credentials are refused unless forced, --output writes them 0600 with the notice on
// stderr, and the token is in the manifests only.
func TestExportRunInProcess(t *testing.T) {
	t.Parallel()
	x := newRunFixture(t)
	ctx := context.Background()
	x.set(providers.GitHub, fake.GitHubTokenFull, true, &config.CheckRecord{At: x.now, OK: true})
	x.set(providers.GitLab, fake.GitLabTokenFull, false, nil)

	if err := exportRun(ctx, x.exportOpts("argocd", true)); exitCode(err) != exitUsageStore || x.out.Len() != 0 ||
		!strings.Contains(err.Error(), "gitopscfg export argocd | kubectl apply -f -") {
		t.Fatalf("to a terminal: exit %d, stdout %q, %v", exitCode(err), x.out.String(), err)
	}
	if err := exportRun(ctx, x.exportOpts("argocd", false)); err != nil {
		t.Fatalf("export argocd: %v", err)
	}
	manifests := x.out.String()
	if !strings.Contains(manifests, `argocd.argoproj.io/secret-type: "repo-creds"`) || !strings.Contains(manifests, fake.GitHubTokenFull) {
		t.Fatalf("export argocd:\n%s", manifests)
	}
	x.out.Reset() // the token belongs in the manifests: keep them out of the leak scan

	opts := x.exportOpts("flux", false)
	opts.Credential = "gitlab"
	if err := exportRun(ctx, opts); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "gitopscfg check gitlab") {
		t.Fatalf("unchecked gitlab: exit %d, %v", exitCode(err), err)
	}
	out := filepath.Join(t.TempDir(), "flux.json")
	opts = x.exportOpts("flux", true)
	opts.Credential, opts.Force, opts.JSON, opts.Output = "gitlab", true, true, out
	opts.Manifest = platforms.ExportOptions{Namespace: "gitops", Name: "gitlab-creds"}
	if err := exportRun(ctx, opts); err != nil || x.out.Len() != 0 || !strings.Contains(x.err.String(), "Wrote "+out+" (mode 0600)") {
		t.Fatalf("export flux --output: %v, stdout %q, stderr %q", err, x.out.String(), x.err.String())
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("output file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(out)
	var secret struct {
		Kind     string
		Metadata struct{ Name, Namespace string }
	}
	if err := json.Unmarshal(b, &secret); err != nil || secret.Kind != "Secret" || secret.Metadata.Name != "gitlab-creds" ||
		secret.Metadata.Namespace != "gitops" {
		t.Errorf("flux JSON: %v %+v", err, secret)
	}
	x.noneLeaked(fake.GitHubTokenFull, fake.GitLabTokenFull)
}

// TestExportCmdPassesItsOptions checks the constructor's seam: the platform, provider and flags
// reach the options; an unknown platform or a bad flag is refused (exit 2) before the run.
func TestExportCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	f := newFactory(Streams{In: strings.NewReader(""), Out: &out, Err: &out, IsTerm: true}, "test", func(string) string { return "" }, nil)
	parse := func(args ...string) (*exportOptions, error) { return parseOptions(f, newExportCmd, args...) }
	got, err := parse("argocd", "gitlab", "--namespace", "ns", "--kind", "repository", "--repo", "r", "--name", "n",
		"--output", "o.yaml", "--json", "--force")
	want := platforms.ExportOptions{Namespace: "ns", Kind: "repository", Repo: "r", Name: "n"}
	if err != nil || got == nil || got.Platform != "argocd" || got.Credential != "gitlab" || got.Manifest != want ||
		got.Output != "o.yaml" || !got.JSON || !got.Force {
		t.Fatalf("options: %v %+v", err, got)
	}
	if !got.IO.IsTerm || got.IO.Out != &out || got.OpenStore == nil || got.Env == nil {
		t.Fatalf("dependencies not filled: %+v", got)
	}
	if got, err := parse("flux"); err != nil || got == nil || got.Platform != "flux" || got.Credential != "" || got.Force {
		t.Fatalf("flux: %v %+v", err, got)
	}
	for _, bad := range [][]string{{"helm"}, {}, {"flux", "github", "gitlab"}, {"flux", "--kind"}} {
		got, err := parse(bad...)
		if got != nil || exitCode(err) != exitUsageStore {
			t.Errorf("%v: ran %v, exit %d", bad, got != nil, exitCode(err))
		}
	}
}

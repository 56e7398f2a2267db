package usecase_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/usecase"
)

// put stores the credential name of provider id on the emulators with token and org, adjusted by
// edit (nil: none); a check passed when checked.
func (r *rig) put(name string, id providers.ID, token, org string, checked bool, edit func(*config.Settings)) {
	r.t.Helper()
	s := r.emu.Credentials(id, token).Settings
	if org != "" {
		s.Org = org
	}
	if edit != nil {
		edit(&s)
	}
	c := config.Change{Credential: name, Provider: string(id), Base: config.AnyRevision, Settings: s}
	if checked {
		// A record of its own: the store forgets one it holds already when the settings change.
		c.Check = &config.CheckRecord{At: time.Now().UTC(), OK: true}
	}
	if _, err := r.s.Set(context.Background(), "t", c); err != nil {
		r.t.Fatal(err)
	}
}

// secrets maps each exported Secret's name to its URL (Argo CD) or username (Flux).
func secrets(objs []platforms.Object) map[string]string {
	out := map[string]string{}
	for _, o := range objs {
		if o.Get("kind") != "Secret" {
			continue
		}
		v, _ := o.Get("stringData.url").(string)
		if v == "" {
			v, _ = o.Get("stringData.username").(string)
		}
		out[o.Get("metadata.name").(string)] = v
	}
	return out
}

// TestExportAllOneSecretPerCredential: every stored credential becomes one Secret named after it
// (a credential named after its provider keeps the name it always had), each through the
// freshness gate; the ones the gate refuses are skipped with the reason, unless forced.
func TestExportAllOneSecretPerCredential(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	host := r.emu.URL(providers.GitHub) + "/"
	r.put("github", providers.GitHub, fake.GitHubTokenFull, "", true, nil)
	r.put("acme-infra", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrgInfra, true, nil)
	r.put("gitlab", providers.GitLab, fake.GitLabTokenFull, "", false, nil)

	all, err := r.b.ExportAll(ctx, r.data(), usecase.ExportAllInput{Platform: "argocd"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"gitopscfg-github-repo-creds": host + "acme/", "gitopscfg-acme-infra-repo-creds": host + "acme-infra/"}
	if got := secrets(all.Objects); len(got) != 2 || got["gitopscfg-github-repo-creds"] != want["gitopscfg-github-repo-creds"] ||
		got["gitopscfg-acme-infra-repo-creds"] != want["gitopscfg-acme-infra-repo-creds"] {
		t.Fatalf("secrets %v, want %v", got, want)
	}
	var nf *usecase.NotFreshError
	if len(all.Skipped) != 1 || all.Skipped[0].Credential != "gitlab" || !errors.As(all.Skipped[0].Err, &nf) || !nf.Never {
		t.Fatalf("skipped %+v", all.Skipped)
	}
	if len(all.Exports) != 2 || all.Exports[0].Credential != "github" || all.Exports[1].Credential != "acme-infra" {
		t.Fatalf("exports %+v", all.Exports)
	}

	all, err = r.b.ExportAll(ctx, r.data(), usecase.ExportAllInput{Platform: "flux", Force: true})
	if err != nil || len(all.Skipped) != 0 || len(all.Exports) != 3 || all.Exports[2].Forced == nil || all.Exports[0].Forced != nil {
		t.Fatalf("forced flux export: %+v, %v", all, err)
	}
	got := secrets(all.Objects)
	for _, name := range []string{"gitopscfg-github", "gitopscfg-acme-infra", "gitopscfg-gitlab"} {
		if _, ok := got[name]; !ok {
			t.Errorf("no Secret %s in %v", name, got)
		}
	}

	for _, m := range []platforms.ExportOptions{{Name: "one"}, {Kind: platforms.KindRepository, Repo: "gitops"}, {Repo: "gitops"}} {
		var ue *usecase.UsageError
		if _, err := r.b.ExportAll(ctx, r.data(), usecase.ExportAllInput{Platform: "argocd", Manifest: m}); !errors.As(err, &ue) {
			t.Errorf("%+v: %v, want a usage error", m, err)
		}
	}
	if _, err := r.b.ExportAll(ctx, config.NewData(), usecase.ExportAllInput{Platform: "flux"}); err == nil || !strings.Contains(err.Error(), "no credential is stored") {
		t.Errorf("nothing stored: %v", err)
	}
}

// TestExportAllRefusesTwoClaimsOfOnePrefix: two credentials whose Argo CD templates claim the
// same URL prefix (as Argo CD compares them) are refused with both names and the way to narrow
// one, and nothing is exported; a url_prefix under the organisation's resolves it. Flux Secrets
// claim no prefix.
func TestExportAllRefusesTwoClaimsOfOnePrefix(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	host := r.emu.URL(providers.GitHub) + "/"
	r.put("github", providers.GitHub, fake.GitHubTokenFull, "", true, nil)
	r.put("acme-infra", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrgInfra, true, nil)
	r.put("acme-2", providers.GitHub, fake.GitHubTokenNotAdmin, fake.GitHubOrg, true, nil)

	all, err := r.b.ExportAll(ctx, r.data(), usecase.ExportAllInput{Platform: "argocd"})
	var pc *usecase.PrefixConflictError
	if !errors.As(err, &pc) || len(pc.Conflicts) != 1 || pc.Conflicts[0].Prefix != host+"acme/" ||
		strings.Join(pc.Conflicts[0].Credentials, ",") != "github,acme-2" || len(all.Objects) != 0 {
		t.Fatalf("conflict: %+v, %v", all, err)
	}
	for _, part := range []string{"github and acme-2", "gitopscfg set acme-2 --url-prefix " + host + "acme/"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("%q lacks %q", err, part)
		}
	}
	if _, err := r.b.ExportAll(ctx, r.data(), usecase.ExportAllInput{Platform: "flux"}); err != nil {
		t.Errorf("flux: %v", err)
	}

	// Narrowed: acme-2 claims the repositories whose names start with team-.
	r.put("acme-2", providers.GitHub, fake.GitHubTokenNotAdmin, fake.GitHubOrg, true, func(s *config.Settings) { s.URLPrefix = host + "acme/team-" })
	all, err = r.b.ExportAll(ctx, r.data(), usecase.ExportAllInput{Platform: "argocd"})
	if err != nil || secrets(all.Objects)["gitopscfg-acme-2-repo-creds"] != host+"acme/team-" || len(all.Exports) != 3 {
		t.Fatalf("narrowed: %v %+v %v", secrets(all.Objects), all.Skipped, err)
	}

	// A prefix that differs only in case and a trailing .git claims the same.
	r.put("acme-infra", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrgInfra, true, func(s *config.Settings) {
		s.URLPrefix = strings.ToUpper(host) + "ACME/team-.git"
	})
	if _, err := r.b.ExportAll(ctx, r.data(), usecase.ExportAllInput{Platform: "argocd"}); !errors.As(err, &pc) ||
		strings.Join(pc.Conflicts[0].Credentials, ",") != "acme-2,acme-infra" {
		t.Fatalf("same prefix in another case: %v", err)
	}
}

// TestExportAllLooksEachGroupUpOnce: a GitLab group stored by its numeric id is looked up for the
// prefix Argo CD's template claims and again for its Secret's URL; an export of every credential
// asks GitLab once per credential, and the Secret holds the group's path.
func TestExportAllLooksEachGroupUpOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.put("gitlab", providers.GitLab, fake.GitLabTokenFull, strconv.Itoa(fake.GitLabGroupID), true, nil)
	before := len(groupLookups(r.emu))
	all, err := r.b.ExportAll(context.Background(), r.data(), usecase.ExportAllInput{Platform: "argocd"})
	if err != nil || !strings.HasSuffix(secrets(all.Objects)["gitopscfg-gitlab-repo-creds"], "/"+fake.GitLabGroupPath+"/") {
		t.Fatalf("export: %v %+v %v", secrets(all.Objects), all.Skipped, err)
	}
	if n := len(groupLookups(r.emu)) - before; n != 1 {
		t.Errorf("GitLab was asked for the group %d times, want once", n)
	}
}

// groupLookups are the GitLab emulator's group requests so far.
func groupLookups(emu *fake.Emulators) []fake.Request {
	var out []fake.Request
	for _, q := range emu.Requests(providers.GitLab) {
		if strings.Contains(q.Path, "/groups/") {
			out = append(out, q)
		}
	}
	return out
}

// TestExportAllJoinsTheCACertificates: the argocd-tls-certs-cm of several credentials is one
// ConfigMap with every host's certificates; two different bundles for one host are refused.
func TestExportAllJoinsTheCACertificates(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	dir := t.TempDir()
	pem := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("-----BEGIN CERTIFICATE-----\n"+body+"\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := pem("a.pem", "QUFB"), pem("b.pem", "QkJC")
	withCA := func(p string) func(*config.Settings) { return func(s *config.Settings) { s.CABundle = p } }
	r.put("github", providers.GitHub, fake.GitHubTokenFull, "", true, withCA(a))
	r.put("acme-infra", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrgInfra, true, withCA(a))
	r.put("gitea", providers.Gitea, fake.GiteaTokenFull, "", true, func(s *config.Settings) {
		s.Host, s.APIURL, s.CABundle = "https://gitea.example.com/", "", b
	})
	all, err := r.b.ExportAll(ctx, r.data(), usecase.ExportAllInput{Platform: "argocd"})
	if err != nil {
		t.Fatal(err)
	}
	var maps []platforms.Object
	for _, o := range all.Objects {
		if o.Get("kind") == "ConfigMap" {
			maps = append(maps, o)
		}
	}
	if len(maps) != 1 || len(all.Objects) != 4 {
		t.Fatalf("%d objects, ConfigMaps %v; want 3 Secrets and one ConfigMap", len(all.Objects), maps)
	}
	data, _ := maps[0].Get("data").(platforms.Object)
	if len(data) != 2 || data[0].Key != "127.0.0.1" || !strings.Contains(data[0].Value.(string), "QUFB") ||
		data[1].Key != "gitea.example.com" || !strings.Contains(data[1].Value.(string), "QkJC") {
		t.Fatalf("the ConfigMap's data: %v", data)
	}

	r.put("acme-infra", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrgInfra, true, withCA(b))
	var ue *usecase.UsageError
	if _, err := r.b.ExportAll(ctx, r.data(), usecase.ExportAllInput{Platform: "argocd"}); !errors.As(err, &ue) ||
		!strings.Contains(err.Error(), "github and acme-infra trust different CA bundles for the Git host 127.0.0.1") {
		t.Fatalf("two bundles for one host: %v", err)
	}
}

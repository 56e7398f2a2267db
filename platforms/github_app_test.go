package platforms_test

import (
	"context"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
)

const appKeyCanary = "-----BEGIN RSA PRIVATE KEY-----\nCANARYappKey\n-----END RSA PRIVATE KEY-----"

func gitHubApp(host, installation string) providers.Credentials {
	return providers.Credentials{Provider: providers.GitHub, Name: "acme-app", Settings: config.Settings{Host: host, Org: "acme",
		Token: appKeyCanary, Kind: config.CredentialGitHubApp, AppID: "123", InstallationID: installation}}
}

// A GitHub App's exports carry the App's fields, and the Enterprise API URL off github.com only.
func TestGitHubAppExports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		host, installation string
		argo, flux         []string // key=value of stringData
		notArgo, notFlux   []string
	}{
		{"https://github.com/", "", []string{"githubAppID=123", "githubAppPrivateKey=" + appKeyCanary, "url=https://github.com/acme/"},
			[]string{"githubAppID=123", "githubAppInstallationOwner=acme"},
			[]string{"githubAppInstallationID", "githubAppEnterpriseBaseUrl", "password", "username"}, []string{"githubAppBaseURL", "githubAppInstallationID", "password"}},
		{"https://ghe.example.com/", "77", []string{"githubAppInstallationID=77", "githubAppEnterpriseBaseUrl=https://ghe.example.com/api/v3"},
			[]string{"githubAppInstallationID=77", "githubAppBaseURL=https://ghe.example.com/api/v3"}, nil, []string{"githubAppInstallationOwner"}},
	} {
		c := gitHubApp(tc.host, tc.installation)
		argo, err := platforms.ArgoCD(ctx, providers.NewEnv("test"), c, platforms.ExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		flux, err := platforms.Flux(c, platforms.ExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkData(t, tc.host+" argocd", argo[0], tc.argo, tc.notArgo)
		checkData(t, tc.host+" flux", flux[0], tc.flux, tc.notFlux)
	}
	if n := platforms.FluxNote(gitHubApp("https://github.com/", "")); !strings.Contains(n, "spec.provider: github") {
		t.Errorf("Flux note: %q", n)
	}
}

func checkData(t *testing.T, what string, o platforms.Object, want, not []string) {
	t.Helper()
	data, _ := o.Get("stringData").(platforms.Object)
	got := map[string]string{}
	for _, f := range data {
		got[f.Key], _ = f.Value.(string)
	}
	for _, w := range want {
		k, v, _ := strings.Cut(w, "=")
		if got[k] != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got[k], v)
		}
	}
	for _, k := range not {
		if _, ok := got[k]; ok {
			t.Errorf("%s: has %s", what, k)
		}
	}
}

// Devtron takes tokens only: a GitHub App is unsupported there, even beside Devtron's GitHub.
func TestCompareCallsAnAppUnsupported(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	if res, err := r.push(github("acme"), platforms.PushOptions{}); err != nil || !res.OK() {
		t.Fatal(res, err)
	}
	d, err := r.dt.Compare(context.Background(), []providers.Credentials{gitHubApp("https://github.com/", "")})
	if err != nil {
		t.Fatal(err)
	}
	if g := d.Credentials["acme-app"]; g.State != platforms.Unsupported || !strings.Contains(g.Reason, "tokens only") {
		t.Errorf("the App: %+v", g)
	}
}

package platforms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// strict decodes JSON into v, refusing unknown fields (as kubectl's strict validation does).
func strict(t *testing.T, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("strict decode: %v\n%s", err, b)
	}
}

// docs splits a YAML stream and converts each document to JSON with sigs.k8s.io/yaml.
func docs(t *testing.T, y []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, d := range strings.Split(string(y), "\n---\n") {
		j, err := yaml.YAMLToJSONStrict([]byte(d))
		if err != nil {
			t.Fatalf("YAML: %v\n%s", err, d)
		}
		out = append(out, j)
	}
	return out
}

const testPEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n"

func caFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, []byte(testPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestArgoCDRepoCredsPerProvider(t *testing.T) {
	emu := kit.Emulators(t, fake.Options{})
	env := providers.NewEnv("test")
	gl := emu.DemoCredentials(providers.GitLab)
	gl.Org = "81234567" // numeric: the path is looked up
	for _, tc := range []struct {
		c         providers.Credentials
		url, user string
	}{
		{github("acme"), "https://github.com/acme/", "octocat"},
		{gl, strings.TrimRight(gl.Host, "/") + "/acme/gitops/", gl.Username},
		{providers.Credentials{Provider: providers.Azure, Settings: config.Settings{Host: "https://dev.azure.com/contoso/", Org: "Git Ops", Username: "jdoe", Token: gitCanary}}, "https://dev.azure.com/contoso/Git%20Ops/_git/", "jdoe"},
		{providers.Credentials{Provider: providers.Bitbucket, Settings: config.Settings{Host: "https://bitbucket.org/", Org: "acme", Username: "jdoe@example.com", Token: "ATATT" + gitCanary}}, "https://bitbucket.org/acme/", "x-bitbucket-api-token-auth"},
	} {
		objs, err := platforms.ArgoCD(context.Background(), env, tc.c, platforms.ExportOptions{})
		if err != nil {
			t.Fatalf("%s: %v", tc.c.Provider, err)
		}
		for _, enc := range [][]byte{docs(t, platforms.EncodeYAML(objs))[0], platforms.EncodeJSON(objs)} {
			var s corev1.Secret
			strict(t, enc, &s)
			if s.Kind != "Secret" || s.APIVersion != "v1" || s.Namespace != "argocd" || s.Labels["argocd.argoproj.io/secret-type"] != "repo-creds" {
				t.Errorf("%s: %+v", tc.c.Provider, s.ObjectMeta)
			}
			sd := s.StringData
			if sd["type"] != "git" || sd["url"] != tc.url || sd["username"] != tc.user || sd["password"] != tc.c.Token || len(sd) != 4 {
				t.Errorf("%s: stringData url %q user %q (%d keys)", tc.c.Provider, sd["url"], sd["username"], len(sd))
			}
		}
	}
}

func TestArgoCDRepositoryAndCA(t *testing.T) {
	env := providers.NewEnv("test")
	c := github("acme")
	c.Host = "https://ghe.example.com/"
	c.CABundle = caFile(t)
	objs, err := platforms.ArgoCD(context.Background(), env, c, platforms.ExportOptions{Kind: "repository", Repo: "gitops", Namespace: "cd"})
	if err != nil {
		t.Fatal(err)
	}
	y := docs(t, platforms.EncodeYAML(objs))
	if len(y) != 2 {
		t.Fatalf("%d documents", len(y))
	}
	var s corev1.Secret
	strict(t, y[0], &s)
	if s.Labels["argocd.argoproj.io/secret-type"] != "repository" || s.StringData["url"] != "https://ghe.example.com/acme/gitops" || s.Name != "gitopscfg-github-gitops" || s.Namespace != "cd" {
		t.Errorf("%+v %v", s.ObjectMeta, s.StringData["url"])
	}
	var cm corev1.ConfigMap
	strict(t, y[1], &cm)
	if cm.Name != "argocd-tls-certs-cm" || cm.Namespace != "cd" || cm.Data["ghe.example.com"] != testPEM || len(cm.Data) != 1 {
		t.Errorf("%+v %q", cm.ObjectMeta, cm.Data)
	}
	// JSON: a v1 List of both.
	var list corev1.List
	strict(t, platforms.EncodeJSON(objs), &list)
	if list.Kind != "List" || len(list.Items) != 2 {
		t.Errorf("list %+v", list.TypeMeta)
	}
	strict(t, list.Items[1].Raw, &cm)
	if cm.Data["ghe.example.com"] != testPEM {
		t.Errorf("JSON CA %q", cm.Data)
	}
	for _, o := range []platforms.ExportOptions{{Kind: "repository"}, {Kind: "secret"}, {Repo: "x"}, {Namespace: "Bad_NS"}, {Name: "-x"}} {
		if _, err := platforms.ArgoCD(context.Background(), env, c, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestFluxSecret(t *testing.T) {
	c := providers.Credentials{Provider: providers.Bitbucket, Settings: config.Settings{Host: "https://bitbucket.org/", Org: "acme", Username: "jdoe@example.com", Token: "ATCTT" + gitCanary, CABundle: caFile(t)}}
	objs, err := platforms.Flux(c, platforms.ExportOptions{Name: "acme-git"})
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range [][]byte{docs(t, platforms.EncodeYAML(objs))[0], platforms.EncodeJSON(objs)} {
		var s corev1.Secret
		strict(t, enc, &s)
		sd := s.StringData
		if s.Name != "acme-git" || s.Namespace != "flux-system" || sd["username"] != "x-token-auth" || sd["password"] != c.Token || sd["ca.crt"] != testPEM || len(sd) != 3 {
			t.Errorf("%+v %q %d", s.ObjectMeta, sd["username"], len(sd))
		}
	}
	c.Token = ""
	if _, err := platforms.Flux(c, platforms.ExportOptions{}); err == nil {
		t.Error("an empty token exported")
	}
}

func TestYAMLScalarsSurviveAnyText(t *testing.T) {
	for _, v := range []string{"", "plain", "yes", "null", "123", "0x1F", "- a", "a: b", "#x", "'q'", `"dq"`, "tab\there", "y", "No", "on", "~", "a.b/c-d", "multi\nline", "trail\n\n", "no-newline\nend", " lead\nx", "é ü 漢", "\x01ctl", "line \nspace"} {
		o := []platforms.Object{{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", platforms.Object{{"name", "x"}}}, {"data", platforms.Object{{"k", v}, {v, "x"}}}}}
		var cm corev1.ConfigMap
		strict(t, docs(t, platforms.EncodeYAML(o))[0], &cm)
		if cm.Data["k"] != v || cm.Data[v] != "x" {
			t.Errorf("%q came back as %q", v, cm.Data["k"])
		}
	}
}

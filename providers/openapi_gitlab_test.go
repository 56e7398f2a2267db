package providers_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/routers"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Faithful emulators: the SSH-key requests the product sends to GitLab (a deploy key with write
// access on a project, a key of the token's user; each added, refused as held already, deleted,
// and deleted again) and the GitLab emulator's answers are validated against GitLab's description
// (testdata/openapi/gitlab, trimmed from doc/api/openapi/openapi_v2.yaml by testdata/openapi/trim, which
// makes a key's expires_at and last_used_at nullable and adds the user-key operations the
// description leaves out, citing GitLab's source and documentation for both).

// specRouterV2 loads a Swagger 2.0 description, served at base.
func specRouterV2(t *testing.T, file, base string) routers.Router {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var v2 openapi2.T
	if err := json.Unmarshal(raw, &v2); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	doc, err := openapi2conv.ToV3(&v2)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return specRouter(t, file, doc, base)
}

func TestGitLabKeyExchangesFollowGitLabsDescription(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddRepo(providers.GitLab, "apps"); err != nil {
		t.Fatal(err)
	}
	p, via := validatedEmulator(t, e, providers.GitLab, "GitLab's", func(base string) []routers.Router {
		return []routers.Router{specRouterV2(t, "testdata/openapi/gitlab/openapi_v2.trimmed.json", base)}
	})
	project := fake.GitLabGroupPath + "/apps"
	for _, repo := range []string{project, ""} {
		c := via(withNewKey(e.DemoCredentials(providers.GitLab), repo))
		ref, _, err := register(t, c)
		if err != nil {
			t.Fatalf("%q: register: %v", repo, err)
		}
		other := c
		other.Repo = map[string]string{project: "", "": project}[repo] // the same key elsewhere
		if _, _, err := register(t, other); err == nil || !strings.Contains(err.Error(), "holds this public key already") {
			t.Errorf("%q: the same key elsewhere: %v", repo, err)
		}
		for range 2 { // the key, then a key GitLab no longer has (404, which unregister accepts)
			if err := unregister(t, c, ref); err != nil {
				t.Errorf("%q: unregister %s: %v", repo, ref, err)
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, op := range []string{"postApiV4ProjectsIdDeployKeys", "deleteApiV4ProjectsIdDeployKeysKeyId",
		"postApiV4UserKeys", "deleteApiV4UserKeysKeyId"} {
		if p.seen[op] == 0 {
			t.Errorf("no exchange of %s was validated (seen: %v)", op, p.seen)
		}
	}
}

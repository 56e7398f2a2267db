package fake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, a.body)
	}
	return m
}

// get sends a GET with Basic auth (user non-empty) or Bearer (user empty).
func get(t *testing.T, rawURL, user, token string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case user != "":
		req.SetBasicAuth(user, token)
	case token != "":
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: body}
}

func TestAzurePATFormat(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{fake.AzureTokenFull, fake.AzureTokenNoCode, fake.AzureTokenExpired, fake.AzureTokenRevoked, fake.AzureTokenInvalid} {
		if len(tok) != 84 || tok[76:80] != "AZDO" {
			t.Errorf("%s…: not an 84-character PAT with AZDO at 76-79", tok[:8])
		}
	}
}

func TestAzureEmulatorAnswers(t *testing.T) {
	t.Parallel()
	base := kit.Emulators(t, fake.Options{}).URL(providers.Azure) + "/" + fake.AzureOrganisation
	t.Run("connectionData names the user", func(t *testing.T) {
		m := get(t, base+"/_apis/connectionData?api-version=7.1-preview.1", "any", fake.AzureTokenFull).json(t)
		u := m["authenticatedUser"].(map[string]any)
		acct := u["properties"].(map[string]any)["Account"].(map[string]any)["$value"]
		if u["providerDisplayName"] != fake.AzureDisplayName || acct != fake.AzureUser {
			t.Errorf("authenticatedUser = %v", u)
		}
	})
	t.Run("no api-version: 400 VssVersionNotSpecifiedException", func(t *testing.T) {
		for _, path := range []string{"/_apis/connectionData", "/_apis/projects/" + fake.AzureProject,
			"/" + fake.AzureProject + "/_apis/git/repositories"} {
			a := get(t, base+path, "x", fake.AzureTokenFull)
			m := a.json(t)
			if msg, _ := m["message"].(string); a.status != 400 || m["typeKey"] != "VssVersionNotSpecifiedException" ||
				!strings.HasPrefix(msg, `No api-version was supplied for the "GET" request.`) {
				t.Errorf("%s: %d %s", path, a.status, a.body)
			}
		}
	})
	t.Run("api-version in the Accept header is accepted", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, base+"/_apis/projects/"+fake.AzureProject, nil)
		req.SetBasicAuth("x", fake.AzureTokenFull)
		req.Header.Set("Accept", "application/json; api-version=7.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("HTTP %d", resp.StatusCode)
		}
	})
	t.Run("connectionData is preview only", func(t *testing.T) {
		a := get(t, base+"/_apis/connectionData?api-version=7.1", "x", fake.AzureTokenFull)
		if m := a.json(t); a.status != 400 || m["typeKey"] != "VssInvalidPreviewVersionException" {
			t.Errorf("%d %s", a.status, a.body)
		}
	})
	t.Run("project and repositories", func(t *testing.T) {
		p := get(t, base+"/_apis/projects/"+fake.AzureProject+"?api-version=7.1", "", fake.AzureTokenFull)
		if p.status != 200 || p.json(t)["id"] != fake.AzureProjectID {
			t.Errorf("project: %d %s", p.status, p.body)
		}
		r := get(t, base+"/"+fake.AzureProject+"/_apis/git/repositories?api-version=7.1", "x", fake.AzureTokenFull)
		m := r.json(t)
		if r.status != 200 || m["count"].(float64) != 1 || len(m["value"].([]any)) != 1 {
			t.Errorf("repositories: %d %s", r.status, r.body)
		}
	})
	t.Run("unknown project is 404 TF200016", func(t *testing.T) {
		a := get(t, base+"/_apis/projects/nope?api-version=7.1", "x", fake.AzureTokenFull)
		m := a.json(t)
		if a.status != 404 || !strings.HasPrefix(m["message"].(string), "TF200016: The following project does not exist: nope") ||
			m["typeKey"] != "ProjectDoesNotExistWithNameException" {
			t.Errorf("%d %s", a.status, a.body)
		}
	})
	t.Run("invalid token gets the 203 sign-in page", func(t *testing.T) {
		a := get(t, base+"/_apis/connectionData", "x", fake.AzureTokenInvalid)
		if a.status != 203 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !strings.Contains(string(a.body), "Sign In") {
			t.Errorf("%d %s %s", a.status, a.header.Get("Content-Type"), a.body)
		}
	})
	t.Run("expired token: 401 and URL-encoded X-TFS-ServiceError", func(t *testing.T) {
		a := get(t, base+"/_apis/connectionData", "x", fake.AzureTokenExpired)
		h := a.header.Get("X-TFS-ServiceError")
		dec, _ := url.PathUnescape(h)
		if a.status != 401 || !strings.Contains(h, "%20") || dec != "Access Denied: The Personal Access Token used has expired." {
			t.Errorf("%d %q", a.status, h)
		}
	})
	t.Run("missing Code scope: 401 TF400813", func(t *testing.T) {
		a := get(t, base+"/"+fake.AzureProject+"/_apis/git/repositories?api-version=7.1", "x", fake.AzureTokenNoCode)
		if msg, _ := a.json(t)["message"].(string); a.status != 401 || !strings.HasPrefix(msg, "TF400813: The user '") ||
			!strings.HasSuffix(msg, "is not authorized to access this resource.") {
			t.Errorf("%d %s", a.status, a.body)
		}
	})
	t.Run("no credentials: 401 with WWW-Authenticate", func(t *testing.T) {
		a := get(t, base+"/_apis/connectionData", "", "")
		if a.status != 401 || a.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%d %v", a.status, a.header)
		}
	})
}

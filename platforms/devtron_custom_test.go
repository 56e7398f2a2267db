package platforms_test

import (
	"strings"
	"testing"

	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
)

// A credential with an existing repository goes to Devtron with allowCustomRepository: the push
// says so before it is sent, Devtron skips its dry run and answers validationSkipped, which the
// result shows plainly; a later push of a credential without one keeps Devtron's flag.
func TestPushCustomRepository(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	c := github("acme")
	c.Repo = "acme/gitops"
	var phases []string
	res, err := r.push(c, platforms.PushOptions{Progress: func(e platforms.Event) {
		phases = append(phases, e.Phase)
		if e.Phase == "custom-repository" {
			for _, w := range []string{"allowCustomRepository", "validationSkipped", "each Devtron application names its own repository", "organisation acme"} {
				if !strings.Contains(e.Message, w) {
					t.Errorf("the note before the push lacks %q: %s", w, e.Message)
				}
			}
		}
	}})
	if err != nil || res.Outcome != platforms.SavedUnchecked || !res.CustomRepository {
		t.Fatalf("%+v %v", res, err)
	}
	if !strings.Contains(res.Message, "validationSkipped: true") || !strings.Contains(res.Message, "allowCustomRepository") {
		t.Errorf("message %q", res.Message)
	}
	if i, j := indexOf(phases, "custom-repository"), indexOf(phases, "send"); i < 0 || j < 0 || i > j {
		t.Errorf("the note does not come before the push: %v", phases)
	}
	if rows := r.srv.Rows(); len(rows) != 1 || !rows[0].AllowCustomRepository {
		t.Fatalf("Devtron holds %+v", rows)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %v", res.Warnings)
	}

	// Without a repository: Devtron's flag stays as it is (a PUT without it would clear it).
	res, err = r.push(github("acme"), platforms.PushOptions{})
	if err != nil || res.Method != "PUT" || res.CustomRepository || !r.srv.Rows()[0].AllowCustomRepository {
		t.Fatalf("%+v %v; rows %+v", res, err, r.srv.Rows())
	}
}

func TestPushCustomRepositoryOutsideTheOrganisationWarns(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	c := github("acme")
	c.Repo = "other/gitops"
	res, err := r.push(c, platforms.PushOptions{})
	if err != nil || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "other/gitops is not in organisation acme") {
		t.Fatalf("%+v %v", res, err)
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

package ui

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// In the plain-prompt mode, a save that conflicts with another writer's change to the same
// provider says so and, when asked, saves the edits on top: nothing typed is lost.
func TestAccessibleSaveOnTopAfterAConflict(t *testing.T) {
	t.Parallel()
	for _, answer := range []string{"y", "n"} {
		s, err := config.Init(filepath.Join(t.TempDir(), "cfg"), "")
		if err != nil {
			t.Fatal(err)
		}
		gh := providers.MustLookup(providers.GitHub)
		base := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com/", Org: "acme", Username: "u", Token: "ghp_first000000000000"}}
		d, err := s.Set(context.Background(), "t", config.Change{Credential: "github", Base: config.AnyRevision, Settings: base.Settings})
		if err != nil {
			t.Fatal(err)
		}
		// Someone else changes GitHub after this admin's edit began at d.Revision.
		other := base
		other.Org = "acme-other"
		if _, err := s.Set(context.Background(), "other", config.Change{Credential: "github", Base: config.AnyRevision, Settings: other.Settings}); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		a := &accessible{ctx: context.Background(), opts: Options{Who: "admin"}, in: strings.NewReader(answer + "\n"), out: &out, store: s, now: time.Now}
		mine := base
		mine.Token = "ghp_second00000000000"
		err = a.save(gh.Name, mine, nil, d.Revision)
		cur, _ := s.Load()
		switch answer {
		case "y":
			if err != nil || cur.Credentials["github"].Token != mine.Token || !strings.Contains(out.String(), "changed by someone else") {
				t.Fatalf("save on top: %v, token %q, output %q", err, cur.Credentials["github"].Token, out.String())
			}
		case "n":
			if err == nil || cur.Credentials["github"].Org != "acme-other" || cur.Credentials["github"].Token != base.Token {
				t.Fatalf("declined save: %v, stored %+v", err, cur.Credentials["github"])
			}
		}
	}
}

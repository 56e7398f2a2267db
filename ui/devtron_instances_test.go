package ui

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
)

// twoDevtrons is a store (twoGitHubs: GitHub active and checked, acme-infra a second GitHub
// credential, checked; GitLab failed; Azure DevOps checked) with two Devtron instances, each an
// emulator of its own: a and b, stored under the names given.
type twoDevtrons struct {
	a, b         *devtronfake.Server
	nameA, nameB string
	s            *config.Store
}

func newTwoDevtrons(t *testing.T, nameA, nameB string) *twoDevtrons {
	t.Helper()
	r := &twoDevtrons{a: startDevtron(t), b: startDevtron(t), nameA: nameA, nameB: nameB}
	_, r.s = newStore(t, func(d *config.Data) {
		twoGitHubs(d)
		d.Platforms = map[string]map[string]*config.Platform{"devtron": {
			nameA: {URL: r.a.URL(), Token: devtronCanaryUI},
			nameB: {URL: r.b.URL(), Token: devtronCanaryUI},
		}}
	})
	return r
}

// pushTo pushes the stored credential name to Devtron's emulator dt as the command line does (not
// through the UI).
func (r *twoDevtrons) pushTo(t *testing.T, dt *devtronfake.Server, name string, activate bool) {
	t.Helper()
	d := load(t, r.s)
	pl, err := platforms.NewDevtron(providers.NewEnv("test"), platforms.Instance{URL: dt.URL(), Token: devtronCanaryUI})
	if err != nil {
		t.Fatal(err)
	}
	res, err := pl.Push(t.Context(), providers.FromConfig(name, d.Credentials[name]), platforms.PushOptions{Activate: activate})
	if err != nil || !res.OK() {
		t.Fatalf("push %s: %+v %v", name, res, err)
	}
}

// hosts writes the emulators' addresses (127.0.0.1 and a five-digit port) as names as long, so
// that golden screens wrap alike; it skips the test when an address is not of that length.
func (r *twoDevtrons) hosts(t *testing.T, scr string) string {
	t.Helper()
	for dt, name := range map[*devtronfake.Server]string{r.a: "devtron.lan:443", r.b: "staging.lan:443"} {
		u, err := url.Parse(dt.URL())
		if err != nil || len(u.Host) != len(name) {
			t.Skipf("the emulator's address %s is not 127.0.0.1 with a five-digit port", dt.URL())
		}
		scr = strings.ReplaceAll(scr, u.Host, name)
	}
	return scr
}

// bothRead waits until the picker shows both instances read: default with GitHub active there,
// staging holding acme-infra active.
func bothRead(hs *harness) string {
	return hs.waitUntil("both instances read", func(plain string) bool {
		return strings.Contains(plain, "· active there: github") && strings.Contains(flat(plain), "Devtron staging holds acme-infra (GitHub), here GitHub is active") &&
			strings.Contains(rowOf(plain, "GitHub"), "in sync") && !strings.Contains(plain, "…")
	})
}

// TestGoldenDevtronInstances: the picker with two Devtron instances, at both sizes: each instance
// on a line of its own, and per credential what each holds (at 80 columns, counted; the full help
// shows each). Run with -update to regenerate testdata/TestGoldenDevtronInstances/….golden.
func TestGoldenDevtronInstances(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		run  func(hs *harness) string
	}{
		{"picker_two_instances", bothRead},
		{"picker_two_instances_help", func(hs *harness) string {
			bothRead(hs)
			hs.key("?")
			return hs.waitUntil("the full help", func(plain string) bool { return strings.Contains(plain, "push to Devtron") })
		}},
	}
	for _, c := range cases {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, sz.w, sz.h), func(t *testing.T) {
				t.Parallel()
				r := newTwoDevtrons(t, config.DefaultInstance, "staging")
				r.b.Put(azureRow(false))
				r.pushTo(t, r.a, "github", false)
				r.pushTo(t, r.b, "acme-infra", false)
				hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, sz.w, sz.h)
				c.run(hs)
				scr := r.hosts(t, hs.settle())
				fitsScreen(t, hs, sz.w, sz.h)
				noTokenOnScreen(t, hs, devtronCanaryUI, tokPass, "az-devtron-held-token")
				teatest.RequireEqualOutput(t, ascii(scr))
			})
		}
	}
}

// TestPickerShowsEachInstance: with two instances, a row says what each holds of its credential
// where it fits, and counts them where it does not, the full help (?) then naming each.
func TestPickerShowsEachInstance(t *testing.T) {
	t.Parallel()
	for _, w := range []int{80, 120} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			t.Parallel()
			r := newTwoDevtrons(t, config.DefaultInstance, "staging")
			r.b.Put(azureRow(false))
			r.pushTo(t, r.a, "github", false)
			r.pushTo(t, r.b, "acme-infra", false)
			hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, w, 40)
			scr := plainText(bothRead(hs))
			each := map[string]string{
				"GitHub":       "Devtron: default in sync, active there · staging holds acme-infra",
				infraLabel:     "Devtron: default holds github · staging in sync, active there",
				"GitLab":       "Devtron: default not there · staging not there",
				"Azure DevOps": "Devtron: default not there · staging differs",
			}
			if w == 80 {
				each = map[string]string{
					"GitHub":       "Devtron: in sync on 1 of 2",
					infraLabel:     "Devtron: 1 holds github · 1 in sync",
					"GitLab":       "Devtron: not there",
					"Azure DevOps": "Devtron: 1 not there · 1 differs",
				}
			}
			for name, want := range each {
				if l := rowOf(scr, name); !strings.Contains(l, want) {
					t.Errorf("%s's row: %q, want %q", name, l, want)
				}
			}
			if w == 80 {
				hs.key("?")
				scr := plainText(waitForText(hs, "Devtron: default in sync, active there · staging holds acme-infra",
					"Devtron: default holds github · staging in sync, active there"))
				if strings.Contains(scr, "Devtron: default not there · staging not there") {
					t.Errorf("the full help repeats a state every instance shares:\n%s", scr)
				}
			}
			fitsScreen(t, hs, w, 40)
		})
	}
}

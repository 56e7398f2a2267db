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

// held is the Devtron emulator dt's configuration of provider (Devtron's name, e.g. GITHUB), nil
// when it holds none.
func held(dt *devtronfake.Server, provider string) *devtronfake.Row {
	for _, row := range dt.Rows() {
		if row.Provider == provider {
			return &row
		}
	}
	return nil
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
		// p on Azure DevOps: to which instance?
		{"picker_push_choose_instance", func(hs *harness) string {
			bothRead(hs)
			hs.key("j", "j", "j", "p")
			return waitForText(hs, "Push Azure DevOps to which Devtron instance?", "3 all, one after the other")
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

// TestPickerPushesToTheChosenInstance: with two instances (neither named default), p asks to
// which: the one chosen gets the push, the other nothing; "all" asks for each in turn, and the
// notice says what each push did. esc pushes nothing.
func TestPickerPushesToTheChosenInstance(t *testing.T) {
	t.Parallel()
	r := newTwoDevtrons(t, "prod", "staging")
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, 120, 40)
	hs.waitUntil("both read", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: prod not there · staging not there")
	})
	hs.key("p")
	waitForText(hs, "Push GitHub to which Devtron instance?", "1 prod", "2 staging", "3 all")
	hs.key("esc")
	waitForText(hs, "nothing was pushed")
	if len(r.a.Rows())+len(r.b.Rows()) != 0 {
		t.Fatal("esc pushed")
	}

	hs.key("p")
	waitForText(hs, "Push GitHub to which Devtron instance?")
	hs.key("2")
	waitForText(hs, "Push GitHub to Devtron staging at "+r.b.URL()+"?", "(y/N)")
	since := hs.frames()
	hs.key("y")
	waitForText(hs, "Devtron staging: GitHub: Devtron validated and saved the configuration")
	hs.waitUntil("GitHub in sync in staging only", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: prod not there · staging in sync, active there")
	})
	// while staging is read again, prod, which the push did not touch, keeps its state
	for _, f := range hs.framesSince(since) {
		if l := rowOf(plainText(f), "GitHub"); !strings.Contains(l, "prod not there") {
			t.Fatalf("after the push to staging, GitHub's row showed: %q", l)
		}
	}
	if held(r.b, "GITHUB") == nil || held(r.a, "GITHUB") != nil {
		t.Fatalf("prod holds %+v, staging %+v", r.a.Rows(), r.b.Rows())
	}

	// all: prod asks (yes), then staging, which holds GitHub already (no)
	hs.key("p")
	waitForText(hs, "Push GitHub to which Devtron instance?")
	hs.key("down", "down", "enter")
	waitForText(hs, "(1 of 2) Push GitHub to Devtron prod at "+r.a.URL()+"?")
	hs.key("y")
	waitForText(hs, "(2 of 2) Push GitHub to Devtron staging at "+r.b.URL()+"?")
	hs.key("n")
	scr := waitForText(hs, "Devtron prod: GitHub: Devtron validated and saved the configuration", "Devtron staging: nothing was pushed")
	if strings.Contains(plainText(scr), "of 2)") {
		t.Fatalf("a question is still shown:\n%s", plainText(scr))
	}
	hs.waitUntil("GitHub in sync in both", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: prod in sync, active there · staging in sync, active there")
	})
	if held(r.a, "GITHUB") == nil || len(r.b.Rows()) != 1 {
		t.Fatalf("prod holds %+v, staging %+v", r.a.Rows(), r.b.Rows())
	}
	noTokenOnScreen(t, hs, devtronCanaryUI, tokPass)
}

// frames is how many distinct screens the session showed so far.
func (hs *harness) frames() int {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return len(hs.history)
}

// framesSince is the distinct screens shown after the first n.
func (hs *harness) framesSince(n int) []string {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return append([]string(nil), hs.history[n:]...)
}

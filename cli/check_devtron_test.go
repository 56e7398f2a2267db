package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"gitopscfg/cli"
)

// check --devtron adds the Devtron instance's own check and the drift of every stored provider:
// a provider Devtron does not hold is reported (not a failure), a pushed one is in sync and
// active there, and a token that is not a super-admin's fails the check (exit 1). The Devtron API
// token and the Git token never appear in any output.
func TestCheckDevtron(t *testing.T) {
	t.Parallel()
	const viewerCanary = "devtron-CANARY-viewer-token-00000000004"
	d := newDelivery(t, map[string]bool{devtronCanary: true, viewerCanary: false})
	dt, gh, step, all := d.dt, d.gh, d.step, d.all
	type checkJSON struct {
		Results []struct{ Provider string }
		Devtron *struct {
			URL       string
			OK        bool
			Checks    []struct{ ID, Status string }
			Active    *string
			Providers map[string]string
		}
	}
	decode := func(r run) checkJSON {
		t.Helper()
		var c checkJSON
		if err := json.Unmarshal([]byte(r.out), &c); err != nil {
			t.Fatalf("check --json --devtron: %v\n%s", err, r.out)
		}
		return c
	}

	step(gh.Token, 0, "set", "github", "--host", gh.Host, "--api-url", gh.APIURL, "--org", gh.Org, "--username", gh.Username, "--token-stdin", "--activate")
	r := step("", 2, "check", "--devtron")
	if !strings.Contains(r.err, "no Devtron instance is stored") {
		t.Errorf("--devtron without an instance:\n%s", r.err)
	}
	step(devtronCanary, 0, "devtron", "set", "--url", dt.URL(), "--token-stdin")
	// Devtron holds nothing yet: the instance's metrics, and no in_sync sample to compare.
	fams := cli.ParsePromText(t, step("", 0, "check", "--devtron", "--format", "prometheus").out)
	if v, ok := promValue(fams, "gitopscfg_devtron_check_success", map[string]string{"url": dt.URL() + "/"}); !ok || v != 1 {
		t.Errorf("gitopscfg_devtron_check_success = %v %v", v, ok)
	}
	if _, ok := fams["gitopscfg_devtron_in_sync"]; ok {
		t.Error("an in_sync sample for a provider Devtron does not hold")
	}

	r = step("", 0, "check", "--devtron")
	if !strings.Contains(r.out, "Devtron — ") || !strings.Contains(r.out, "github     absent") {
		t.Errorf("check --devtron text before the push:\n%s", r.out)
	}
	c := decode(step("", 0, "check", "--devtron", "--json"))
	if c.Devtron == nil || !c.Devtron.OK || c.Devtron.URL == "" || c.Devtron.Providers["github"] != "absent" || c.Devtron.Active != nil {
		t.Fatalf("check --devtron --json before the push: %+v\n%s", c.Devtron, all.String())
	}

	step("", 0, "push", "devtron")
	c = decode(step("", 0, "check", "--devtron", "--json"))
	if c.Devtron == nil || c.Devtron.Providers["github"] != "in_sync" || c.Devtron.Active == nil || *c.Devtron.Active != "github" {
		t.Fatalf("check --devtron --json after the push: %+v", c.Devtron)
	}
	if c := decode(step("", 0, "check", "--json")); c.Devtron != nil {
		t.Errorf("check --json without --devtron has a devtron key: %+v", c.Devtron)
	}

	step(viewerCanary, 0, "devtron", "set", "--url", dt.URL(), "--token-stdin", "--no-check")
	r = step("", 1, "check", "--devtron")
	if !strings.Contains(r.out, "super-admin") {
		t.Errorf("a viewer's token:\n%s", r.out)
	}
	c = decode(step("", 1, "check", "--devtron", "--json"))
	if c.Devtron == nil || c.Devtron.OK || len(c.Results) != 1 {
		t.Errorf("a viewer's token, JSON: %+v", c)
	}

	for _, secret := range []string{devtronCanary, viewerCanary, gh.Token} {
		if strings.Contains(all.String(), secret) {
			t.Fatalf("a token reached the output:\n%s", all.String())
		}
	}
}

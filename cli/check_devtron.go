package cli

import (
	"cmp"
	"context"
	"io"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// devtronCheck is what `check --devtron` adds to a report: the stored Devtron instance's own check
// (reachable, token valid, super-admin) and the drift between the stored providers and Devtron.
type devtronCheck struct {
	// Kind is the platform's kind; Name is the instance's name, shown when several of its kind
	// are stored (named).
	Kind   platforms.Kind
	Name   string
	named  bool
	Result providers.Result
	Drift  *devtronStatusJSON
}

// devtronCheckJSON is check --json's "devtron" key: the instance's check result, with the drift
// shaped as status --json's devtron key.
type devtronCheckJSON struct {
	// Instance is the instance's name, given when several are stored.
	Instance      string              `json:"instance,omitempty"`
	URL           string              `json:"url"`
	OK            bool                `json:"ok"`
	DurationMS    int64               `json:"duration_ms"`
	Checks        []providers.Check   `json:"checks"`
	Active        *string             `json:"active"`
	Providers     map[string]string   `json:"providers"`
	Fields        map[string][]string `json:"fields,omitempty"`
	Error         *string             `json:"error"`
	ActiveHere    *string             `json:"active_here"`
	ActiveDiffers bool                `json:"active_differs"`
}

// checkInstances checks every stored instance of the kinds named (see checkInstance), kind by
// kind, then in their names' order.
func checkInstances(ctx context.Context, env *providers.Env, d *config.Data, drift instanceDrift, kinds ...platforms.Kind) []*devtronCheck {
	var out []*devtronCheck
	for _, in := range usecase.StoredInstances(d, kinds...) {
		c := checkInstance(ctx, env, d, in.Kind, in.Name, drift)
		c.named = len(d.InstanceNames(string(in.Kind))) > 1
		out = append(out, c)
	}
	return out
}

// instanceDrift compares the stored credentials with the stored instance of kind named name.
type instanceDrift func(ctx context.Context, d *config.Data, kind platforms.Kind, name string) *devtronStatusJSON

// checkInstance runs the check of the instance of kind named name within env's deadline and,
// when it passed, compares the credentials with drift. A differing configuration is a report,
// not a failure: only the instance check decides ok.
func checkInstance(ctx context.Context, env *providers.Env, d *config.Data, kind platforms.Kind, name string, drift instanceDrift) *devtronCheck {
	spec, _ := platforms.Lookup(string(kind))
	in := *platforms.InstanceOf(kind, name, d.Platforms[string(kind)][name])
	r, err := usecase.New(nil, usecase.Options{Env: usecase.EnvOf(env)}).CheckInstance(ctx, in, 0)
	if err != nil {
		r := providers.Result{Host: spec.Where(in)}
		r.Add(string(kind), providers.Fail, err.Error())
		r.Finish()
		return &devtronCheck{Kind: kind, Name: name, Result: displayResult(r)}
	}
	out := &devtronCheck{Kind: kind, Name: name, Result: displayResult(r)}
	if r.OK {
		out.Drift = drift(ctx, d, kind, name)
	}
	return out
}

// label is how the formats name the instance: "Devtron", or "Devtron NAME" among several.
func (c *devtronCheck) label() string {
	spec := c.spec()
	if c.named {
		return spec.Name + " " + c.Name
	}
	return spec.Name
}

func (c *devtronCheck) json() *devtronCheckJSON {
	if c == nil {
		return nil
	}
	j := &devtronCheckJSON{URL: c.Result.Host, OK: c.Result.OK, DurationMS: c.Result.DurationMS, Checks: c.Result.Checks,
		Providers: map[string]string{}}
	if c.named {
		j.Instance = c.Name
	}
	if c.Drift != nil {
		j.Active, j.Providers, j.Fields, j.Error = c.Drift.Active, c.Drift.Providers, c.Drift.Fields, c.Drift.Error
		j.ActiveHere, j.ActiveDiffers = c.Drift.ActiveHere, c.Drift.ActiveDiffers
	}
	return j
}

// writeText adds the instance check and the drift to check's text.
func (c *devtronCheck) writeText(w io.Writer) {
	if c == nil {
		return
	}
	_, _ = io.WriteString(w, "\n")
	if c.named {
		_, _ = io.WriteString(w, c.label()+":\n")
	}
	writeInstanceCheck(w, c.spec().Name, c.Result)
	writeDevtronStatusText(w, c.Drift, !c.named)
}

// platformCheckJSON is one entry of check --json's "platforms" (with --platforms): an instance of
// any kind, its check, and per stored credential whether it holds it (status --json's states).
type platformCheckJSON struct {
	Kind       string              `json:"kind"`
	Instance   string              `json:"instance"`
	URL        string              `json:"url"`
	OK         bool                `json:"ok"`
	DurationMS int64               `json:"duration_ms"`
	Checks     []providers.Check   `json:"checks"`
	Active     *string             `json:"active_provider"`
	Creds      map[string]string   `json:"credentials"`
	Fields     map[string][]string `json:"fields,omitempty"`
	Orphaned   []string            `json:"orphaned,omitempty"`
	Error      *string             `json:"error"`
}

func (c *devtronCheck) platformJSON() *platformCheckJSON {
	j := &platformCheckJSON{Kind: string(cmp.Or(c.Kind, platforms.KindDevtron)), Instance: c.Name, URL: c.Result.Host, OK: c.Result.OK,
		DurationMS: c.Result.DurationMS, Checks: c.Result.Checks, Creds: map[string]string{}}
	if c.Drift != nil {
		j.Active, j.Creds, j.Fields, j.Orphaned, j.Error = c.Drift.Active, c.Drift.Providers, c.Drift.Fields, c.Drift.orphaned, c.Drift.Error
	}
	return j
}

// spec is the instance's kind of platform (Devtron when none is set).
func (c *devtronCheck) spec() platforms.Spec {
	spec, _ := platforms.Lookup(string(cmp.Or(c.Kind, platforms.KindDevtron)))
	return spec
}

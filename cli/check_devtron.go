package cli

import (
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
	// Name is the instance's name, shown when several are stored (named).
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

// checkDevtronInstances checks every stored Devtron instance (see checkDevtronInstance), in
// their names' order.
func checkDevtronInstances(ctx context.Context, env *providers.Env, d *config.Data,
	drift func(context.Context, *config.Data, string) *devtronStatusJSON) []*devtronCheck {
	names := d.InstanceNames(string(platforms.KindDevtron))
	out := make([]*devtronCheck, len(names))
	for i, name := range names {
		out[i] = checkDevtronInstance(ctx, env, d, name, drift)
		out[i].named = len(names) > 1
	}
	return out
}

// checkDevtronInstance runs the check of the instance name within env's deadline and, when it
// passed, compares the credentials with drift. A differing configuration is a report, not a
// failure: only the instance check decides ok.
func checkDevtronInstance(ctx context.Context, env *providers.Env, d *config.Data, name string,
	drift func(context.Context, *config.Data, string) *devtronStatusJSON) *devtronCheck {
	p := d.Platforms[string(platforms.KindDevtron)][name]
	in := *platforms.InstanceOf(platforms.KindDevtron, name, p)
	r, err := usecase.New(nil, usecase.Options{Env: usecase.EnvOf(env)}).CheckInstance(ctx, in, 0)
	if err != nil {
		r := providers.Result{Host: p.URL}
		r.Add("devtron", providers.Fail, err.Error())
		r.Finish()
		return &devtronCheck{Name: name, Result: displayResult(r)}
	}
	out := &devtronCheck{Name: name, Result: displayResult(r)}
	if r.OK {
		out.Drift = drift(ctx, d, name)
	}
	return out
}

// label is how the formats name the instance: "Devtron", or "Devtron NAME" among several.
func (c *devtronCheck) label() string {
	if c.named {
		return "Devtron " + c.Name
	}
	return "Devtron"
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
	writeInstanceCheck(w, "Devtron", c.Result)
	writeDevtronStatusText(w, c.Drift, !c.named)
}

package cli

import (
	"context"
	"io"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// devtronCheck is what `check --devtron` adds to a report: the stored Devtron instance's own check
// (reachable, token valid, super-admin) and the drift between the stored providers and Devtron.
type devtronCheck struct {
	Result providers.Result
	Drift  *devtronStatusJSON
}

// devtronCheckJSON is check --json's "devtron" key: the instance's check result, with the drift
// shaped as status --json's devtron key.
type devtronCheckJSON struct {
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

// checkDevtronInstance runs the instance check within env's deadline and, when it passed,
// compares the providers with drift. A differing configuration is a report, not a failure: only
// the instance check decides ok.
func checkDevtronInstance(ctx context.Context, env *providers.Env, d *config.Data,
	drift func(context.Context, *config.Data) *devtronStatusJSON) *devtronCheck {
	r, err := usecase.New(nil, usecase.Options{Env: usecase.EnvOf(env)}).CheckDevtron(ctx, *usecase.DevtronInstance(d), 0)
	if err != nil {
		r := providers.Result{Host: usecase.StoredDevtron(d).URL}
		r.Add("devtron", providers.Fail, err.Error())
		r.Finish()
		return &devtronCheck{Result: displayResult(r)}
	}
	out := &devtronCheck{Result: displayResult(r)}
	if r.OK {
		out.Drift = drift(ctx, d)
	}
	return out
}

func (c *devtronCheck) json() *devtronCheckJSON {
	if c == nil {
		return nil
	}
	j := &devtronCheckJSON{URL: c.Result.Host, OK: c.Result.OK, DurationMS: c.Result.DurationMS, Checks: c.Result.Checks,
		Providers: map[string]string{}}
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
	writeDevtronCheck(w, c.Result)
	writeDevtronStatusText(w, c.Drift, true)
}

package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// devtronStatusJSON is status --json's "devtron" key (null when no instance is stored).
type devtronStatusJSON struct {
	URL       string         `json:"url"`
	LastCheck *lastCheckJSON `json:"last_check"`
	// Active is the provider Devtron has active (null when none, or when Devtron could not be read).
	Active *string `json:"active"`
	// Providers maps each configured provider to in_sync, differs, absent, unsupported or unknown.
	Providers map[string]string `json:"providers"`
	// Fields names, per provider that differs, the fields that do (never their values).
	Fields map[string][]string `json:"fields,omitempty"`
	// Error says why Devtron could not be compared (null when it was).
	Error *string `json:"error"`
}

// compareDevtron compares the stored providers with the stored Devtron instance (nil: none),
// within env's timeout.
func compareDevtron(ctx context.Context, env *providers.Env, d *config.Data) *devtronStatusJSON {
	if d.Devtron == nil {
		return nil
	}
	out := &devtronStatusJSON{URL: d.Devtron.URL, LastCheck: lastCheck(d.Devtron.LastCheck), Providers: map[string]string{}}
	fail := func(msg string) *devtronStatusJSON { out.Error = &msg; return out }
	dt, err := platforms.NewDevtron(env, *platforms.InstanceFromConfig(d.Devtron))
	if err != nil {
		return fail(err.Error())
	}
	var stored []providers.Credentials
	for name, p := range d.Providers {
		stored = append(stored, providers.FromConfig(providers.ID(name), p))
	}
	slices.SortFunc(stored, func(x, y providers.Credentials) int { return strings.Compare(string(x.Provider), string(y.Provider)) })
	ctx, cancel := context.WithTimeout(ctx, env.Timeout)
	defer cancel()
	drift, err := dt.Compare(ctx, stored)
	if err != nil {
		return fail(err.Error())
	}
	if drift.Active != "" {
		s := string(drift.Active)
		out.Active = &s
	}
	for id, pd := range drift.Providers {
		out.Providers[string(id)] = string(pd.State)
		if len(pd.Fields) > 0 {
			if out.Fields == nil {
				out.Fields = map[string][]string{}
			}
			out.Fields[string(id)] = pd.Fields
		}
	}
	return out
}

// writeDevtronStatusText adds the Devtron instance and its drift to status's text.
func writeDevtronStatusText(w io.Writer, st *devtronStatusJSON) {
	if st == nil {
		return
	}
	fmt.Fprintf(w, "\nDevtron %s\n", st.URL)
	if st.Error != nil {
		fmt.Fprintf(w, "  could not compare: %s\n", *st.Error)
		return
	}
	active := "none"
	if st.Active != nil {
		active = *st.Active
	}
	fmt.Fprintf(w, "  active there: %s\n", active)
	names := make([]string, 0, len(st.Providers))
	for k := range st.Providers {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		line := fmt.Sprintf("  %-10s %s", k, strings.ReplaceAll(st.Providers[k], "_", " "))
		if f := st.Fields[k]; len(f) > 0 {
			line += " (" + strings.Join(f, ", ") + ")"
		}
		fmt.Fprintln(w, line)
	}
}

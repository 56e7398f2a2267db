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
	"gitopscfg/usecase"
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
	// ActiveHere is the provider active in the store (null when none); ActiveDiffers is true when
	// Devtron's active provider is another one, so that Devtron's applications use credentials
	// other than the ones marked active here.
	ActiveHere    *string `json:"active_here"`
	ActiveDiffers bool    `json:"active_differs"`

	// name is the instance's name; holders, per credential that is "other", the one Devtron holds;
	// providerOf, each credential's provider.
	name       string
	holders    map[string]string
	providerOf map[string]string
}

// platformStatusJSON is one entry of status --json's "platforms": a stored platform instance and,
// per stored credential, whether it holds it (in_sync, differs, absent, other: another credential
// of the same provider is there; unsupported, unknown).
type platformStatusJSON struct {
	Name      string         `json:"name"`
	Kind      string         `json:"kind"`
	URL       string         `json:"url"`
	LastCheck *lastCheckJSON `json:"last_check"`
	// ActiveProvider is the provider the instance has active (null: none, or not read).
	ActiveProvider *string           `json:"active_provider"`
	Credentials    map[string]string `json:"credentials"`
	// Error says why the instance could not be compared (null when it was).
	Error *string `json:"error"`
}

// compareDevtrons compares the stored credentials with every stored Devtron instance, within
// env's timeout: status's "platforms", and its "devtron" (the default or only instance; nil
// when none is stored).
func compareDevtrons(ctx context.Context, env *providers.Env, d *config.Data) ([]*devtronStatusJSON, *devtronStatusJSON) {
	all := usecase.New(nil, usecase.Options{Env: usecase.EnvOf(env)}).CompareDevtrons(ctx, d)
	out := make([]*devtronStatusJSON, len(all))
	var dflt *devtronStatusJSON
	for i, dd := range all {
		out[i] = devtronStatus(dd)
		if dd.Name == usecase.DevtronName(d) {
			dflt = out[i]
		}
	}
	return out, dflt
}

// platformsJSON is status --json's "platforms" for the instances compared.
func platformsJSON(all []*devtronStatusJSON) []platformStatusJSON {
	list := make([]platformStatusJSON, 0, len(all))
	for _, st := range all {
		list = append(list, platformStatusJSON{Name: st.name, Kind: string(platforms.KindDevtron), URL: st.URL,
			LastCheck: st.LastCheck, ActiveProvider: st.Active, Credentials: st.Providers, Error: st.Error})
	}
	return list
}

// devtronStatus is one Devtron instance's comparison as status shows it.
func devtronStatus(dd *usecase.DevtronDrift) *devtronStatusJSON {
	out := &devtronStatusJSON{name: dd.Name, URL: dd.URL, LastCheck: lastCheck(dd.LastCheck), Providers: map[string]string{}}
	if dd.Err != nil {
		msg := dd.Err.Error()
		out.Error = &msg
		return out
	}
	if dd.Drift.Active != "" {
		s := string(dd.Drift.Active)
		out.Active = &s
	}
	if dd.ActiveHere != "" {
		here := dd.ActiveHere
		out.ActiveHere = &here
	}
	out.ActiveDiffers = dd.ActiveDiffers
	out.providerOf = map[string]string{}
	for id, pd := range dd.Drift.Credentials {
		out.Providers[id] = string(pd.State)
		out.providerOf[id] = string(pd.Provider)
		if pd.Holder != "" {
			if out.holders == nil {
				out.holders = map[string]string{}
			}
			out.holders[id] = pd.Holder
		}
		if len(pd.Fields) > 0 {
			if out.Fields == nil {
				out.Fields = map[string][]string{}
			}
			out.Fields[id] = pd.Fields
		}
	}
	return out
}

// activeDiffersText says how the active providers disagree ("" when they do not).
func activeDiffersText(st *devtronStatusJSON) string {
	if st == nil || !st.ActiveDiffers {
		return ""
	}
	here, there := "none", "none"
	if st.ActiveHere != nil {
		here = *st.ActiveHere
		if holder := st.holders[here]; holder != "" {
			// The same provider is active in both, with another of its credentials there.
			return fmt.Sprintf("the active credential differs: %s here, %s in Devtron", here, holder)
		}
	}
	if st.Active != nil {
		there = *st.Active
	}
	return fmt.Sprintf("the active provider differs: %s here, %s in Devtron", here, there)
}

// writeDevtronStatusText adds a Devtron instance and its drift to status's text (only, with
// its name, when it is the only one stored and named default).
func writeDevtronStatusText(w io.Writer, st *devtronStatusJSON, only bool) {
	if st == nil {
		return
	}
	if only && st.name == config.DefaultInstance {
		fmt.Fprintf(w, "\nDevtron %s\n", st.URL)
	} else {
		fmt.Fprintf(w, "\nDevtron %s — %s\n", st.name, st.URL)
	}
	if st.Error != nil {
		fmt.Fprintf(w, "  could not compare: %s\n", *st.Error)
		return
	}
	active := "none"
	if st.Active != nil {
		active = *st.Active
	}
	fmt.Fprintf(w, "  active there: %s\n", active)
	if why := activeDiffersText(st); why != "" {
		fmt.Fprintf(w, "  ! %s: Devtron's applications use %s's credentials (make them agree with `gitopscfg activate %s` or `gitopscfg push devtron --activate`)\n",
			why, active, active)
	}
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
		if h := st.holders[k]; h != "" {
			line += ": it holds " + h
		}
		fmt.Fprintln(w, line)
	}
}

// compareDevtronNamed compares the stored credentials with the Devtron instance name, within
// env's timeout (nil when there is none by that name).
func compareDevtronNamed(ctx context.Context, env *providers.Env, d *config.Data, name string) *devtronStatusJSON {
	dd := usecase.New(nil, usecase.Options{Env: usecase.EnvOf(env)}).CompareDevtronNamed(ctx, d, name)
	if dd == nil {
		return nil
	}
	return devtronStatus(dd)
}

package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

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

	// kind and name are the instance's; holders, per credential that is "other", the one
	// Devtron holds; providerOf, each credential's provider; orphaned, what the instance holds for
	// credentials no longer stored.
	kind platforms.Kind
	name string
	// net says how the product reaches the instance: its proxy and client certificate ("": directly).
	net        string
	orphaned   []string
	holders    map[string]string
	providerOf map[string]string
	// managers, per credential that differs on a cluster, the field managers that changed it.
	managers map[string]string
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
	// Orphaned names what the instance holds from gitopscfg for credentials no longer stored.
	Orphaned []string `json:"orphaned,omitempty"`
	// Managers names, per credential that differs on a cluster, the other field managers that
	// changed what gitopscfg applied.
	Managers map[string]string `json:"managers,omitempty"`
}

// comparePlatforms compares the stored credentials with every stored platform instance, within
// env's timeout: status's "platforms", and its "devtron" (the default or only Devtron instance;
// nil when none is stored).
func comparePlatforms(ctx context.Context, env *providers.Env, d *config.Data, now time.Time) ([]*devtronStatusJSON, *devtronStatusJSON) {
	all := usecase.New(nil, usecase.Options{Env: usecase.EnvOf(env)}).CompareAll(ctx, d)
	out := make([]*devtronStatusJSON, len(all))
	var dflt *devtronStatusJSON
	for i, dd := range all {
		out[i] = devtronStatus(dd)
		if p := d.Platforms[string(dd.Kind)][dd.Name]; p != nil {
			out[i].net = instanceNet(p.Net, p.CABundle, p.URL, now)
		}
		if dd.Kind == platforms.KindDevtron && dd.Name == usecase.DevtronName(d) {
			dflt = out[i]
		}
	}
	return out, dflt
}

// platformsJSON is status --json's "platforms" for the instances compared.
func platformsJSON(all []*devtronStatusJSON) []platformStatusJSON {
	list := make([]platformStatusJSON, 0, len(all))
	for _, st := range all {
		list = append(list, platformStatusJSON{Name: st.name, Kind: string(st.kind), URL: st.URL,
			LastCheck: st.LastCheck, ActiveProvider: st.Active, Credentials: st.Providers, Error: st.Error, Orphaned: st.orphaned,
			Managers: st.managers})
	}
	return list
}

// devtronStatus is one instance's comparison as status shows it.
func devtronStatus(dd *usecase.InstanceDrift) *devtronStatusJSON {
	out := &devtronStatusJSON{kind: dd.Kind, name: dd.Name, URL: dd.URL, LastCheck: lastCheck(dd.LastCheck), Providers: map[string]string{}}
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
	out.orphaned = dd.Drift.Orphaned
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
		if pd.Manager != "" {
			if out.managers == nil {
				out.managers = map[string]string{}
			}
			out.managers[id] = pd.Manager
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

// writeDevtronStatusText adds a platform instance and its drift to status's text (only, with
// its name, when it is the only one of its kind stored and named default).
func writeDevtronStatusText(w io.Writer, st *devtronStatusJSON, only bool) {
	if st == nil {
		return
	}
	spec, _ := platforms.Lookup(string(cmp.Or(st.kind, platforms.KindDevtron)))
	if only && st.name == config.DefaultInstance {
		fmt.Fprintf(w, "\n%s %s\n", spec.Name, st.URL)
	} else {
		fmt.Fprintf(w, "\n%s %s — %s\n", spec.Name, st.name, st.URL)
	}
	if st.net != "" {
		fmt.Fprintf(w, "  %s\n", st.net)
	}
	if st.Error != nil {
		fmt.Fprintf(w, "  could not compare: %s\n", *st.Error)
		return
	}
	if spec.OneActive {
		writeActiveThere(w, st)
	}
	writeDriftLines(w, st)
}

// writeActiveThere says which provider the instance has active, and whether it disagrees with
// the one active here.
func writeActiveThere(w io.Writer, st *devtronStatusJSON) {
	active := "none"
	if st.Active != nil {
		active = *st.Active
	}
	fmt.Fprintf(w, "  active there: %s\n", active)
	if why := activeDiffersText(st); why != "" {
		fmt.Fprintf(w, "  ! %s: Devtron's applications use %s's credentials (make them agree with `gitopscfg activate %s` or `gitopscfg push devtron --activate`)\n",
			why, active, active)
	}
}

// writeDriftLines lists each stored credential's comparison, then what the instance holds for
// credentials no longer stored.
func writeDriftLines(w io.Writer, st *devtronStatusJSON) {
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
		if m := st.managers[k]; m != "" {
			line += ": changed there by " + m + " (`gitopscfg push " + string(st.kind) + " " + k + " --force` takes it back)"
		}
		fmt.Fprintln(w, line)
	}
	for _, o := range st.orphaned {
		fmt.Fprintf(w, "  %-10s orphaned: no such credential is stored (`gitopscfg push %s --prune` deletes it)\n", o, st.kind)
	}
}

// compareNamed compares the stored credentials with the instance of kind named name, within
// env's timeout (nil when there is none by that name).
func compareNamed(ctx context.Context, env *providers.Env, d *config.Data, kind platforms.Kind, name string) *devtronStatusJSON {
	dd := usecase.New(nil, usecase.Options{Env: usecase.EnvOf(env)}).CompareNamed(ctx, d, kind, name)
	if dd == nil {
		return nil
	}
	return devtronStatus(dd)
}

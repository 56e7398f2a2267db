package platforms

import (
	"context"
	"errors"

	"gitopscfg/providers"
)

// DriftState is how Devtron's configuration of a provider compares with the stored one.
type DriftState string

// The drift states, as `status --json` names them.
const (
	InSync  DriftState = "in_sync"
	Differs DriftState = "differs"
	Absent  DriftState = "absent"
	// Unsupported: Devtron has no such provider (Gitea).
	Unsupported DriftState = "unsupported"
	// Unknown: the comparison could not be made (e.g. the GitLab group could not be looked up).
	DriftUnknown DriftState = "unknown"
)

// ProviderDrift is one provider's comparison. Fields names what differs (never values).
type ProviderDrift struct {
	State  DriftState `json:"state"`
	Fields []string   `json:"fields,omitempty"`
	// ActiveThere is true when this is the provider Devtron has active.
	ActiveThere bool   `json:"active_there"`
	Reason      string `json:"reason,omitempty"`
}

// Drift is the comparison of every stored provider with Devtron.
type Drift struct {
	// Active is the provider Devtron has active ("" when none, or one gitopscfg does not know).
	Active    providers.ID                   `json:"active"`
	Providers map[providers.ID]ProviderDrift `json:"providers"`
}

// Compare reads Devtron's configurations (the list for which exist and which is active, then each
// stored provider's by-provider read, whose plaintext token is compared and dropped) and compares
// them with stored, normalised as a push would send them.
func (d *Devtron) Compare(ctx context.Context, stored []providers.Credentials) (Drift, error) {
	list, err := d.List(ctx)
	if err != nil {
		return Drift{}, err
	}
	out := Drift{Providers: map[providers.ID]ProviderDrift{}}
	byName := map[string]Config{}
	for _, c := range list {
		byName[c.Provider] = c
		if c.Active {
			out.Active = fromDevtron(c.Provider)
		}
	}
	for _, c := range stored {
		name := DevtronProvider(c.Provider)
		if name == "" {
			out.Providers[c.Provider] = ProviderDrift{State: Unsupported, Reason: "Devtron has no such provider"}
			continue
		}
		if _, ok := byName[name]; !ok {
			out.Providers[c.Provider] = ProviderDrift{State: Absent}
			continue
		}
		want, _, err := normalize(ctx, d.env, c)
		if err != nil {
			out.Providers[c.Provider] = ProviderDrift{State: DriftUnknown, Reason: redactBoth(err.Error(), d.in.Token, c.Token)}
			continue
		}
		got, found, err := d.ByProvider(ctx, name)
		switch {
		case err != nil:
			var ae *APIError
			if errors.As(err, &ae) || isNetwork(err) {
				out.Providers[c.Provider] = ProviderDrift{State: DriftUnknown, Reason: err.Error()}
				continue
			}
			return Drift{}, err
		case !found:
			out.Providers[c.Provider] = ProviderDrift{State: Absent}
			continue
		}
		pd := ProviderDrift{State: InSync, ActiveThere: got.Active}
		if f := diffConfig(want, got); len(f) > 0 {
			pd.State, pd.Fields = Differs, f
		}
		got.Token = ""
		out.Providers[c.Provider] = pd
	}
	return out, nil
}

package usecase

import (
	"context"
	"slices"
	"strings"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// DevtronDrift is how the stored Devtron instance compares with the store.
type DevtronDrift struct {
	URL       string
	LastCheck *config.CheckRecord
	// Drift is the comparison (zero when Err is set).
	Drift platforms.Drift
	// ActiveHere is the provider active in the store ("" none); ActiveDiffers is true when
	// Devtron's active provider is another one, so that Devtron's applications use credentials
	// other than the ones marked active here.
	ActiveHere    string
	ActiveDiffers bool
	// Err says why Devtron could not be compared (nil when it was).
	Err error
}

// CompareDevtron compares every stored provider with the stored Devtron instance (nil when none
// is stored), within the environment's deadline.
func (b *Backend) CompareDevtron(ctx context.Context, d *config.Data) *DevtronDrift {
	name, p := d.Instance(string(platforms.KindDevtron), "")
	if p == nil {
		return nil
	}
	out := &DevtronDrift{URL: p.URL, LastCheck: p.LastCheck, ActiveHere: d.Active}
	env := b.Env(0)
	dt, err := platforms.NewDevtron(env, *platforms.InstanceOf(platforms.KindDevtron, name, p))
	if err != nil {
		out.Err = err
		return out
	}
	var stored []providers.Credentials
	for name, p := range d.Credentials {
		stored = append(stored, providers.FromConfig(name, p))
	}
	slices.SortFunc(stored, func(x, y providers.Credentials) int { return strings.Compare(string(x.Provider), string(y.Provider)) })
	ctx, cancel := context.WithTimeout(ctx, env.Timeout)
	defer cancel()
	out.Drift, out.Err = dt.Compare(ctx, stored)
	if out.Err == nil {
		out.ActiveDiffers = ActiveDiffers(d.Active, out.Drift)
	}
	return out
}

// ActiveDiffers reports whether Devtron's active provider is not the one active here. A Devtron
// with nothing active that does not hold the provider active here has simply not been pushed to
// yet (that provider shows as absent), which is no disagreement.
func ActiveDiffers(here string, drift platforms.Drift) bool {
	there := string(drift.Active)
	if there == here {
		return false
	}
	if there == "" {
		pd, held := drift.Providers[providers.ID(here)]
		return held && pd.State != platforms.Absent && pd.State != platforms.Unsupported
	}
	return true
}

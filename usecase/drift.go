package usecase

import (
	"context"
	"sync"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// DevtronDrift is how one stored Devtron instance compares with the store.
type DevtronDrift struct {
	// Name is the instance's name.
	Name      string
	URL       string
	LastCheck *config.CheckRecord
	// Drift is the comparison (zero when Err is set).
	Drift platforms.Drift
	// ActiveHere is the credential active in the store ("" none); ActiveDiffers is true when
	// Devtron's active configuration is not that credential, so that Devtron's applications use
	// credentials other than the ones marked active here.
	ActiveHere    string
	ActiveDiffers bool
	// Err says why Devtron could not be compared (nil when it was).
	Err error
}

// CompareDevtronNamed compares every stored credential with the Devtron instance name (nil when
// none has that name).
func (b *Backend) CompareDevtronNamed(ctx context.Context, d *config.Data, name string) *DevtronDrift {
	p := d.Platforms[string(platforms.KindDevtron)][name]
	if p == nil {
		return nil
	}
	return b.compareDevtron(ctx, d, name, p)
}

// CompareDevtrons compares every stored credential with each stored Devtron instance, in the
// order of their names, concurrently.
func (b *Backend) CompareDevtrons(ctx context.Context, d *config.Data) []*DevtronDrift {
	names := d.InstanceNames(string(platforms.KindDevtron))
	out := make([]*DevtronDrift, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { out[i] = b.compareDevtron(ctx, d, name, d.Platforms[string(platforms.KindDevtron)][name]) })
	}
	wg.Wait()
	return out
}

func (b *Backend) compareDevtron(ctx context.Context, d *config.Data, name string, p *config.Platform) *DevtronDrift {
	out := &DevtronDrift{Name: name, URL: p.URL, LastCheck: p.LastCheck, ActiveHere: d.Active}
	env := b.Env(0)
	pl, err := platforms.Open(env, *platforms.InstanceOf(platforms.KindDevtron, name, p))
	if err != nil {
		out.Err = err
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, env.Timeout)
	defer cancel()
	out.Drift, out.Err = pl.Compare(ctx, StoredCredentials(d))
	if out.Err == nil {
		out.ActiveDiffers = ActiveDiffers(d, out.Drift)
	}
	return out
}

// StoredCredentials are the stored credentials, in the order of CredentialNames.
func StoredCredentials(d *config.Data) []providers.Credentials {
	var stored []providers.Credentials
	for _, name := range CredentialNames(d) {
		stored = append(stored, providers.FromConfig(name, d.Credentials[name]))
	}
	return stored
}

// ActiveDiffers reports whether Devtron's active configuration is not the credential active
// here: another provider, or another credential of the same provider. A Devtron with nothing
// active that does not hold the credential active here has simply not been pushed to yet (it
// shows as absent), which is no disagreement.
func ActiveDiffers(d *config.Data, drift platforms.Drift) bool {
	there, here := drift.Active, d.Credentials[d.Active]
	switch {
	case here == nil:
		return there != ""
	case string(there) == here.Provider:
		return drift.Credentials[d.Active].State == platforms.Other
	case there == "":
		pd, held := drift.Credentials[d.Active]
		return held && pd.State != platforms.Absent && pd.State != platforms.Unsupported
	}
	return true
}

package usecase

import (
	"context"
	"slices"
	"sync"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// InstanceDrift is how one stored platform instance compares with the store.
type InstanceDrift struct {
	Kind platforms.Kind
	// Name is the instance's name; URL where it answers (its Spec's Where).
	Name      string
	URL       string
	LastCheck *config.CheckRecord
	// Drift is the comparison (zero when Err is set).
	Drift platforms.Drift
	// ActiveHere is the credential active in the store ("" none); ActiveDiffers is true when the
	// platform keeps an active configuration (Devtron) and it is not that credential, so that the
	// platform's applications use credentials other than the ones marked active here.
	ActiveHere    string
	ActiveDiffers bool
	// Err says why the instance could not be compared (nil when it was).
	Err error
}

// DevtronDrift is how one stored Devtron instance compares with the store.
type DevtronDrift = InstanceDrift

// CompareNamed compares every stored credential with the instance of kind named name (nil when
// none has that name).
func (b *Backend) CompareNamed(ctx context.Context, d *config.Data, kind platforms.Kind, name string) *InstanceDrift {
	p := d.Platforms[string(kind)][name]
	if p == nil {
		return nil
	}
	return b.compare(ctx, d, platforms.InstanceOf(kind, name, p), p.LastCheck)
}

// CompareDevtronNamed compares every stored credential with the Devtron instance name (nil when
// none has that name).
func (b *Backend) CompareDevtronNamed(ctx context.Context, d *config.Data, name string) *DevtronDrift {
	return b.CompareNamed(ctx, d, platforms.KindDevtron, name)
}

// CompareDevtrons compares every stored credential with each stored Devtron instance, in the
// order of their names, concurrently.
func (b *Backend) CompareDevtrons(ctx context.Context, d *config.Data) []*DevtronDrift {
	return b.CompareAll(ctx, d, platforms.KindDevtron)
}

// CompareAll compares every stored credential with each stored instance of the kinds named (none:
// every kind that has instances), kind by kind in the registry's order, then by name,
// concurrently.
func (b *Backend) CompareAll(ctx context.Context, d *config.Data, kinds ...platforms.Kind) []*InstanceDrift {
	ins := StoredInstances(d, kinds...)
	out := make([]*InstanceDrift, len(ins))
	var wg sync.WaitGroup
	for i, in := range ins {
		wg.Go(func() { out[i] = b.compare(ctx, d, in, d.Platforms[string(in.Kind)][in.Name].LastCheck) })
	}
	wg.Wait()
	return out
}

// StoredInstances are the stored instances of the kinds named (none: every kind that has
// instances), kind by kind in the registry's order, then by name.
func StoredInstances(d *config.Data, kinds ...platforms.Kind) []*platforms.Instance {
	var out []*platforms.Instance
	for _, spec := range platforms.Kinds() {
		if spec.Open == nil || (len(kinds) > 0 && !slices.Contains(kinds, spec.Kind)) {
			continue
		}
		for _, name := range d.InstanceNames(string(spec.Kind)) {
			out = append(out, platforms.InstanceOf(spec.Kind, name, d.Platforms[string(spec.Kind)][name]))
		}
	}
	return out
}

func (b *Backend) compare(ctx context.Context, d *config.Data, in *platforms.Instance, last *config.CheckRecord) *InstanceDrift {
	spec, _ := platforms.Lookup(string(in.Kind))
	out := &InstanceDrift{Kind: in.Kind, Name: in.Name, URL: spec.Where(*in), LastCheck: last, ActiveHere: d.Active}
	env := b.Env(0)
	pl, err := platforms.Open(env, *in)
	if err != nil {
		out.Err = err
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, env.Timeout)
	defer cancel()
	out.Drift, out.Err = pl.Compare(ctx, StoredCredentials(d))
	if out.Err == nil && spec.OneActive {
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

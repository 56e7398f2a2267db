package platforms

import (
	"context"
	"errors"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// Compare reads Devtron's configurations (the list for which exist and which is active, then each
// stored provider's by-provider read, whose plaintext token is compared and dropped) and compares
// each stored credential with its provider's, normalised as a push would send it. A credential
// that differs while another stored credential of its provider is what Devtron holds is Other.
func (d *Devtron) Compare(ctx context.Context, stored []providers.Credentials) (Drift, error) {
	list, err := d.List(ctx)
	if err != nil {
		return Drift{}, err
	}
	out := Drift{Credentials: map[string]ProviderDrift{}}
	byName := map[string]Config{}
	for _, c := range list {
		byName[c.Provider] = c
		if c.Active {
			out.Active = fromDevtron(c.Provider)
		}
	}
	held := map[string]*heldConfig{}
	for _, c := range stored {
		pd, err := d.compareOne(ctx, c, byName, held)
		if err != nil {
			return Drift{}, err
		}
		pd.Provider = c.Provider
		out.Credentials[c.CredentialName()] = pd
	}
	for _, c := range stored {
		pd := out.Credentials[c.CredentialName()]
		if pd.State != Differs {
			continue
		}
		if h := out.Holder(c.Provider, stored); h != "" {
			out.Credentials[c.CredentialName()] = ProviderDrift{Provider: c.Provider, State: Other, ActiveThere: pd.ActiveThere, Holder: h}
		}
	}
	return out, nil
}

// heldConfig is Devtron's configuration of one provider, read once for all its credentials.
type heldConfig struct {
	cfg   Config
	found bool
	err   error
}

// compareOne compares the stored credential c with Devtron's configuration of its provider.
func (d *Devtron) compareOne(ctx context.Context, c providers.Credentials, listed map[string]Config, held map[string]*heldConfig) (ProviderDrift, error) {
	name := DevtronProvider(c.Provider)
	if name == "" {
		return ProviderDrift{State: Unsupported, Reason: "Devtron has no such provider"}, nil
	}
	if c.CredentialKind() != config.CredentialToken {
		return ProviderDrift{State: Unsupported, Reason: "Devtron takes tokens only, not a " + c.CredentialKind()}, nil
	}
	if _, ok := listed[name]; !ok {
		return ProviderDrift{State: Absent}, nil
	}
	want, _, err := normalize(ctx, d.env, c)
	if err != nil {
		return ProviderDrift{State: DriftUnknown, Reason: redactBoth(err.Error(), d.in.Token, c.Token)}, nil
	}
	h := held[name]
	if h == nil {
		// One read per provider; its plaintext token is compared with each credential's, and
		// dropped with the map when Compare returns.
		h = &heldConfig{}
		h.cfg, h.found, h.err = d.ByProvider(ctx, name)
		held[name] = h
	}
	switch {
	case h.err != nil:
		var ae *APIError
		if errors.As(h.err, &ae) || isNetwork(h.err) {
			return ProviderDrift{State: DriftUnknown, Reason: h.err.Error()}, nil
		}
		return ProviderDrift{}, h.err
	case !h.found:
		return ProviderDrift{State: Absent}, nil
	}
	pd := ProviderDrift{State: InSync, ActiveThere: h.cfg.Active}
	if f := diffConfig(want, h.cfg); len(f) > 0 {
		pd.State, pd.Fields = Differs, f
	}
	return pd, nil
}

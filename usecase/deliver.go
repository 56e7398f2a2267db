package usecase

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// ErrNoDevtron is returned when no Devtron instance is stored.
var ErrNoDevtron = errors.New("no Devtron instance is stored: run `gitopscfg devtron set --url URL --token-stdin` first")

// UsageError is a delivery refused for what was asked (an unknown or unconfigured provider, none
// active); nothing was sent.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// NotFreshError is a delivery refused by the freshness gate: the credentials' latest check
// failed, or they changed since they were last checked.
type NotFreshError struct {
	Provider providers.ID
	// Why says what is wrong, e.g. "github's last check (2026-12-01 10:00:00) failed".
	Why string
	// Never is true when the credentials were not checked since they were last set.
	Never bool
}

func (e *NotFreshError) Error() string { return e.Why }

// Fresh is the freshness gate every delivery goes through (push, export, a rotation's push):
// credentials are delivered only when their latest check or round trip passed, since the store
// forgets the records of settings that change.
func Fresh(id providers.ID, p *config.Credential) error {
	last := p.Latest()
	switch {
	case last == nil:
		return &NotFreshError{Provider: id, Never: true, Why: fmt.Sprintf("%s's credentials have not been checked since they were last set", id)}
	case !last.OK:
		return &NotFreshError{Provider: id, Why: fmt.Sprintf("%s's last check (%s) failed", id, last.At.Local().Format(time.DateTime))}
	}
	return nil
}

// gated resolves the credentials a delivery is asked for (Deliverable) and passes them through the
// freshness gate; with force, the gate's refusal is returned as forced instead of as the error.
func gated(d *config.Data, name string, force bool) (providers.ID, *config.Credential, *NotFreshError, error) {
	id, sp, err := Deliverable(d, name)
	if err != nil {
		return "", nil, nil, err
	}
	var nf *NotFreshError
	if err := Fresh(id, sp); errors.As(err, &nf) {
		if !force {
			return id, sp, nil, nf
		}
		return id, sp, nf, nil
	}
	return id, sp, nil, nil
}

// Deliverable resolves the credentials a delivery is asked for: name ("": the active provider),
// which must be configured.
func Deliverable(d *config.Data, name string) (providers.ID, *config.Credential, error) {
	if name == "" {
		name = d.Active
	} else {
		name = strings.ToLower(strings.TrimSpace(name))
	}
	if name == "" {
		return "", nil, &UsageError{Msg: "no provider is active: name one (" + strings.Join(idNames(), ", ") + ")"}
	}
	id := providers.ID(name)
	if _, err := providers.Lookup(name); err != nil && d.Credentials[name] == nil {
		return "", nil, &UsageError{Msg: err.Error()}
	}
	sp := d.Credentials[name]
	if sp == nil {
		return "", nil, &UsageError{Msg: fmt.Sprintf("%s is not configured: run `gitopscfg set %s ...` first", name, name)}
	}
	return id, sp, nil
}

func idNames() []string {
	out := make([]string, len(providers.IDs))
	for i, id := range providers.IDs {
		out[i] = string(id)
	}
	return out
}

// DevtronInstance is the stored Devtron instance deliveries go to: the one named "default", else
// the only one (nil when none is stored).
func DevtronInstance(d *config.Data) *platforms.Instance {
	name, p := d.Instance(string(platforms.KindDevtron), "")
	return platforms.InstanceOf(platforms.KindDevtron, name, p)
}

// Devtron returns a client of the stored Devtron instance (ErrNoDevtron when none is stored).
func (b *Backend) Devtron(d *config.Data) (*platforms.Devtron, error) {
	in := DevtronInstance(d)
	if in == nil {
		return nil, ErrNoDevtron
	}
	return platforms.NewDevtron(b.Env(providers.DefaultTimeout), *in)
}

// PushInput is one push of stored credentials to the stored Devtron instance.
type PushInput struct {
	// Provider names the credentials ("": the active provider).
	Provider string
	// Force pushes credentials the freshness gate refuses (Pushed.Forced says why it would have).
	Force bool
	// Activate lets the push make the provider Devtron's active one in place of another, and then
	// makes it the active one here too, so that both agree.
	Activate bool
	// Progress receives Devtron's progress (nil: none).
	Progress func(platforms.Event)
}

// Pushed is what a push did.
type Pushed struct {
	Provider providers.ID
	Result   platforms.PushResult
	// Forced is the freshness gate's refusal that Force overrode (nil: none).
	Forced *NotFreshError
	// ActivatedHere is true when the provider was made the active one here, as in Devtron.
	ActivatedHere bool
	// Disagree, when not empty, is the provider active here while Devtron's active one is
	// Provider: the two disagree (a push without Activate into a Devtron with nothing active).
	Disagree string
	// Data is the store after the local activation (nil when none was made).
	Data *config.Data
}

// Push sends stored credentials to the stored Devtron instance, after the freshness gate. It never
// changes Devtron's active provider unless in.Activate (see platforms.PushOptions.Activate); with
// Activate, a provider made active there is made active here too. Errors: *UsageError,
// ErrNoDevtron, *NotFreshError, *platforms.SwitchError (nothing sent), or the push's own error
// when it could not be made (Pushed.Result.Outcome is empty then).
func (b *Backend) Push(ctx context.Context, d *config.Data, in PushInput) (Pushed, error) {
	if DevtronInstance(d) == nil {
		return Pushed{}, ErrNoDevtron
	}
	id, sp, forced, err := gated(d, in.Provider, in.Force)
	out := Pushed{Provider: id, Forced: forced}
	if err != nil {
		return out, err
	}
	dt, err := b.Devtron(d)
	if err != nil {
		return out, err
	}
	out.Result, err = dt.Push(ctx, providers.FromConfig(id, sp), platforms.PushOptions{Progress: in.Progress, Activate: in.Activate})
	if err != nil || !out.Result.OK() || !out.Result.Active || d.Active == string(id) {
		return out, err
	}
	if !in.Activate {
		out.Disagree = d.Active
		if out.Disagree == "" {
			out.Disagree = "none"
		}
		return out, nil
	}
	out.Data, err = b.Activate(ctx, id)
	if err != nil {
		return out, fmt.Errorf("%s is now the active provider in Devtron, but it could not be made the active one here: %w", id, err)
	}
	out.ActivatedHere = true
	return out, nil
}

// PlanPush says, in one request, what a push of provider id would do to Devtron's active
// provider, so that a front-end can ask before the push.
func (b *Backend) PlanPush(ctx context.Context, d *config.Data, id providers.ID) (platforms.SwitchPlan, error) {
	dt, err := b.Devtron(d)
	if err != nil {
		return platforms.SwitchPlan{}, err
	}
	return dt.PlanPush(ctx, id)
}

// StoredDevtron is the stored record of the Devtron instance DevtronInstance names (nil when none
// is stored).
func StoredDevtron(d *config.Data) *config.Platform {
	_, p := d.Instance(string(platforms.KindDevtron), "")
	return p
}

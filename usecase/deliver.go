package usecase

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// ErrNoDevtron is returned when no Devtron instance is stored.
var ErrNoDevtron = NoInstanceError{Kind: platforms.KindDevtron}

// NoInstanceError is a delivery to a kind of platform of which no instance is stored.
type NoInstanceError struct{ Kind platforms.Kind }

func (e NoInstanceError) Error() string {
	spec, _ := platforms.Lookup(string(e.Kind))
	return fmt.Sprintf("no %s instance is stored: run `gitopscfg %s set%s` first", spec.Name, e.Kind, spec.SetHint())
}

// UsageError is a delivery refused for what was asked (an unknown or unconfigured provider, none
// active); nothing was sent.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// NotFreshError is a delivery refused by the freshness gate: the credentials' latest check
// failed, or they changed since they were last checked.
type NotFreshError struct {
	// Credential is the credential's name.
	Credential string
	// Why says what is wrong, e.g. "github's last check (2026-12-01 10:00:00) failed".
	Why string
	// Never is true when the credentials were not checked since they were last set.
	Never bool
}

func (e *NotFreshError) Error() string { return e.Why }

// Fresh is the freshness gate every delivery goes through (push, export, a rotation's push):
// the credential name is delivered only when its latest check or round trip passed, since the
// store forgets the records of settings that change.
func Fresh(name string, p *config.Credential) error {
	last := p.Latest()
	switch {
	case last == nil:
		return &NotFreshError{Credential: name, Never: true, Why: fmt.Sprintf("%s's credentials have not been checked since they were last set", name)}
	case !last.OK:
		return &NotFreshError{Credential: name, Why: fmt.Sprintf("%s's last check (%s) failed", name, last.At.Local().Format(time.DateTime))}
	}
	return nil
}

// gated resolves the credential a delivery is asked for (Deliverable) and passes it through the
// freshness gate; with force, the gate's refusal is returned as forced instead of as the error.
func gated(d *config.Data, name string, force bool) (string, *config.Credential, *NotFreshError, error) {
	name, sp, err := Deliverable(d, name)
	if err != nil {
		return "", nil, nil, err
	}
	var nf *NotFreshError
	if err := Fresh(name, sp); errors.As(err, &nf) {
		if !force {
			return name, sp, nil, nf
		}
		return name, sp, nf, nil
	}
	return name, sp, nil, nil
}

// Deliverable resolves the credential a delivery is asked for: name ("": the active one), which
// must be stored.
func Deliverable(d *config.Data, name string) (string, *config.Credential, error) {
	if name == "" {
		switch names := CredentialNames(d); {
		case len(names) == 0:
			return "", nil, &UsageError{Msg: "no credential is stored: run `gitopscfg set PROVIDER …` first"}
		case d.Active == "":
			return "", nil, &UsageError{Msg: "no credential is active: name one (" + strings.Join(names, ", ") + ")"}
		}
		name = d.Active
	}
	return Stored(d, name)
}

// Stored resolves the stored credential named name (a provider's alias, such as forgejo, names
// the credential named after its provider); an unknown name says which exist.
func Stored(d *config.Data, name string) (string, *config.Credential, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if id, ok := providers.AliasOf(name); ok {
		name = string(id)
	}
	if c := d.Credentials[name]; c != nil {
		return name, c, nil
	}
	if p, err := providers.Lookup(name); err == nil {
		if c := d.Credentials[string(p.ID)]; c != nil {
			return string(p.ID), c, nil
		}
		return "", nil, &UsageError{Msg: fmt.Sprintf("%s is not configured: run `gitopscfg set %s ...` first", p.ID, p.ID)}
	}
	names := CredentialNames(d)
	if len(names) == 0 {
		return "", nil, &UsageError{Msg: fmt.Sprintf("no credential named %q: none is stored yet (run `gitopscfg set PROVIDER ...`)", name)}
	}
	return "", nil, &UsageError{Msg: fmt.Sprintf("no credential named %q: the stored ones are %s", name, strings.Join(names, ", "))}
}

// CredentialNames lists the stored credentials' names in the providers' order (see
// providers.IDs), the one named after its provider first, then by name.
func CredentialNames(d *config.Data) []string {
	type key struct {
		name        string
		rank, first int
	}
	keys := make([]key, 0, len(d.Credentials))
	for name, c := range d.Credentials {
		k := key{name: name, rank: slices.Index(providers.IDs, providers.ID(c.Provider)), first: 1}
		if k.rank < 0 {
			k.rank = len(providers.IDs)
		}
		if name == c.Provider {
			k.first = 0
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.first, b.first), strings.Compare(a.name, b.name))
	})
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	return names
}

// Row is one line of a list of the credentials under their providers: a stored credential, or a
// provider that has none (Name "").
type Row struct {
	Provider providers.Provider
	Name     string
}

// Rows lists each provider's credentials in the providers' order (the one named after the
// provider first, then by name), and a provider without any once: what status and the picker
// show.
func Rows(d *config.Data) []Row {
	byProvider := map[providers.ID][]string{}
	if d != nil {
		for _, name := range CredentialNames(d) {
			id := providers.ID(d.Credentials[name].Provider)
			byProvider[id] = append(byProvider[id], name)
		}
	}
	var rows []Row
	for _, p := range providers.All() {
		if len(byProvider[p.ID]) == 0 {
			rows = append(rows, Row{Provider: p})
		}
		for _, name := range byProvider[p.ID] {
			rows = append(rows, Row{Provider: p, Name: name})
		}
	}
	return rows
}

// DevtronName is the name of the Devtron instance status calls the default: the one named
// "default", else the only one ("" when there is none such).
func DevtronName(d *config.Data) string {
	name, _ := d.Instance(string(platforms.KindDevtron), "")
	return name
}

// DevtronTarget is the stored Devtron instance a push names: name, or with "" the only one
// (ErrNoDevtron when none is stored; a *UsageError naming them when several are and none is
// named, or when none has that name).
func DevtronTarget(d *config.Data, name string) (*platforms.Instance, error) {
	return Target(d, platforms.KindDevtron, name)
}

// Target is the stored instance of kind a push names: name, or with "" the only one (a
// NoInstanceError when none is stored; a *UsageError naming them when several are and none is
// named, or when none has that name).
func Target(d *config.Data, kind platforms.Kind, name string) (*platforms.Instance, error) {
	spec, err := platforms.Lookup(string(kind))
	if err != nil {
		return nil, &UsageError{Msg: err.Error()}
	}
	names := d.InstanceNames(string(kind))
	switch {
	case len(names) == 0:
		return nil, NoInstanceError{Kind: kind}
	case name == "" && len(names) > 1:
		return nil, &UsageError{Msg: fmt.Sprintf("%d %s instances are stored (%s): name one with --instance, or give --all-instances", len(names), spec.Name, strings.Join(names, ", "))}
	case name == "":
		name = names[0]
	case d.Platforms[string(kind)][name] == nil:
		return nil, &UsageError{Msg: fmt.Sprintf("no %s instance named %s is stored: the stored ones are %s", spec.Name, name, strings.Join(names, ", "))}
	}
	return platforms.InstanceOf(kind, name, d.Platforms[string(kind)][name]), nil
}

// ReplaceError is a push refused before anything was sent because the Devtron instance holds
// another stored credential of the same provider (Devtron keeps one configuration per
// provider), which the push would replace there.
type ReplaceError struct {
	Instance, Credential, Holder string
}

func (e *ReplaceError) Error() string {
	return fmt.Sprintf("the Devtron instance %s holds %s, another credential of the same provider: pushing %s replaces it there", e.Instance, e.Holder, e.Credential)
}

// PushInput is one push of stored credentials to a stored platform instance.
type PushInput struct {
	// Kind is the platform's kind ("": Devtron).
	Kind platforms.Kind
	// Credential names the credentials ("": the active provider).
	Credential string
	// Instance names the instance ("": the only one; see Target).
	Instance string
	// Replace lets the push replace another stored credential of the same provider that the
	// instance holds (see ReplaceError).
	Replace bool
	// Force pushes credentials the freshness gate refuses (Pushed.Forced says why it would have),
	// and takes back what another manager changed where the platform tells (a cluster's Secret).
	Force bool
	// Prune also deletes what the product delivered there for credentials no longer stored,
	// where the platform can tell them (see platforms.Spec.Prunes).
	Prune bool
	// Activate lets the push make the provider Devtron's active one in place of another, and then
	// makes it the active one here too, so that both agree.
	Activate bool
	// Progress receives Devtron's progress (nil: none).
	Progress func(platforms.Event)
}

// Pushed is what a push did.
type Pushed struct {
	// Credential is the name of the credential pushed, Instance the Devtron instance's.
	Credential, Instance string
	Result               platforms.PushResult
	// Forced is the freshness gate's refusal that Force overrode (nil: none).
	Forced *NotFreshError
	// ActivatedHere is true when the credential was made the active one here, as in Devtron.
	ActivatedHere bool
	// Disagree, when not empty, is the credential active here while Devtron's active one is
	// Credential's provider: the two disagree (a push without Activate into a Devtron with nothing active).
	Disagree string
	// Data is the store after the local activation (nil when none was made).
	Data *config.Data
}

// Push sends stored credentials to a stored Devtron instance, after the freshness gate. It never
// changes Devtron's active provider unless in.Activate (see platforms.PushOptions.Activate); with
// Activate, a provider made active there is made active here too. It never replaces another
// stored credential of the same provider there unless in.Replace. Errors: *UsageError,
// ErrNoDevtron, *NotFreshError, *ReplaceError and *platforms.SwitchError (nothing sent), or the
// push's own error when it could not be made (Pushed.Result.Outcome is empty then).
func (b *Backend) Push(ctx context.Context, d *config.Data, in PushInput) (Pushed, error) {
	kind := cmp.Or(in.Kind, platforms.KindDevtron)
	if spec, _ := platforms.Lookup(string(kind)); spec.TokensOnly {
		if err := TokensOnly(d, in.Credential); err != nil {
			return Pushed{Credential: in.Credential}, err // whatever the instance and the last check
		}
	}
	target, err := Target(d, kind, in.Instance)
	if err != nil {
		return Pushed{}, err
	}
	name, sp, forced, err := gated(d, in.Credential, in.Force)
	out := Pushed{Credential: name, Instance: target.Name, Forced: forced}
	if err != nil {
		return out, err
	}
	pl, err := platforms.Open(b.Env(providers.DefaultTimeout), *target)
	if err != nil {
		return out, err
	}
	creds := providers.FromConfig(name, sp)
	if spec, _ := platforms.Lookup(string(target.Kind)); spec.OneActive && !in.Replace {
		holder, err := holderOther(ctx, pl, d, creds)
		if err != nil {
			return out, err
		}
		if holder != "" {
			return out, &ReplaceError{Instance: target.Name, Credential: name, Holder: holder}
		}
	}
	o := platforms.PushOptions{Progress: in.Progress, Activate: in.Activate, Force: in.Force}
	if in.Prune {
		o.Keep = CredentialNames(d)
	}
	out.Result, err = pl.Deliver(ctx, creds, o)
	if err != nil || !out.Result.OK() || !out.Result.Active || d.Active == name {
		return out, err
	}
	if !in.Activate {
		out.Disagree = d.Active
		if out.Disagree == "" {
			out.Disagree = "none"
		}
		return out, nil
	}
	out.Data, err = b.Activate(ctx, name)
	if err != nil {
		return out, fmt.Errorf("%s is now the active one in Devtron, but it could not be made the active one here: %w", name, err)
	}
	out.ActivatedHere = true
	return out, nil
}

// holderOther is the other stored credential of creds' provider that the Devtron instance holds
// as stored ("" none); with no other credential of that provider, nothing is asked.
func holderOther(ctx context.Context, pl platforms.Platform, d *config.Data, creds providers.Credentials) (string, error) {
	var others []providers.Credentials
	for _, c := range StoredCredentials(d) {
		if c.Provider == creds.Provider && c.Name != creds.Name {
			others = append(others, c)
		}
	}
	if len(others) == 0 {
		return "", nil
	}
	drift, err := pl.Compare(ctx, others)
	if err != nil {
		return "", err
	}
	return drift.Holder(creds.Provider, others), nil
}

// PlanPush says, in one request, what a push of the credential name would do to Devtron's active
// provider, so that a front-end can ask before the push.
func (b *Backend) PlanPush(ctx context.Context, d *config.Data, name, instance string) (platforms.SwitchPlan, error) {
	_, sp, err := Stored(d, name)
	if err != nil {
		return platforms.SwitchPlan{}, err
	}
	target, err := DevtronTarget(d, instance)
	if err != nil {
		return platforms.SwitchPlan{}, err
	}
	pl, err := platforms.Open(b.Env(providers.DefaultTimeout), *target)
	if err != nil {
		return platforms.SwitchPlan{}, err
	}
	planner, ok := pl.(platforms.Planner)
	if !ok {
		return platforms.SwitchPlan{}, nil // no active configuration to switch there
	}
	return planner.PlanPush(ctx, providers.ID(sp.Provider))
}

// StoredDevtron is the stored record of the Devtron instance DevtronName names (nil when there
// is none such).
func StoredDevtron(d *config.Data) *config.Platform {
	_, p := d.Instance(string(platforms.KindDevtron), "")
	return p
}

package platforms

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/providers"
)

// Kind names a kind of platform, in the store, on the command line and in JSON output.
type Kind string

// The platforms' kinds.
const (
	KindDevtron Kind = "devtron"
	KindArgoCD  Kind = "argocd"
	KindFlux    Kind = "flux"
)

// Instance is one installation of a platform, as stored: its kind and name, where it answers, its
// secret (an API token) and an optional CA bundle (a PEM file path) for a private CA.
type Instance struct {
	Kind     Kind
	Name     string
	URL      string
	Token    string
	CABundle string
	// Net is the instance's own proxy and client certificate (see config.Net).
	config.Net
}

// InstanceOf returns the stored instance name of kind (nil when p is nil).
func InstanceOf(kind Kind, name string, p *config.Platform) *Instance {
	if p == nil {
		return nil
	}
	return &Instance{Kind: kind, Name: name, URL: p.URL, Token: p.Token, CABundle: p.CABundle, Net: p.Net}
}

// Redact masks the instance's secret in s.
func (in Instance) Redact(s string) string {
	return safe.Redact(safe.Redact(s, in.Token), in.ProxyPassword)
}

// Platform is one instance of a platform, ready to ask: its own check, its comparison with the
// stored credentials (drift) and the delivery of one credential.
type Platform interface {
	// Check is the instance's own check: it answers, the secret authenticates, and it may do
	// what a delivery needs.
	Check(ctx context.Context) providers.Result
	// Compare says, for each stored credential, whether the instance holds it as stored.
	Compare(ctx context.Context, stored []providers.Credentials) (Drift, error)
	// Deliver sends c to the instance and reads it back.
	Deliver(ctx context.Context, c providers.Credentials, o PushOptions) (PushResult, error)
}

// Planner is a Platform with one active configuration (Devtron's active provider): it says what
// a delivery of provider id would do to it, before anything is sent.
type Planner interface {
	PlanPush(ctx context.Context, id providers.ID) (SwitchPlan, error)
}

// Exporter renders credentials as a platform's Kubernetes manifests.
type Exporter func(ctx context.Context, env *providers.Env, c providers.Credentials, o ExportOptions) ([]Object, error)

// Spec is everything the rest of the program knows about one kind of platform. Its own file
// builds it and registers it; nothing else switches on its kind.
type Spec struct {
	Kind Kind
	// Name is the platform's name in messages ("Devtron").
	Name string
	// Open returns a client of one stored instance, refusing an unusable one (an unsafe URL, no
	// secret, an unreadable CA bundle) before any request. Nil: the kind has no instances here.
	Open func(env *providers.Env, in Instance) (Platform, error)
	// Export renders a credential as the platform's manifests (nil: the kind is not exported).
	Export Exporter
}

var specs = map[Kind]Spec{}

// register adds a kind of platform; called from its file's init.
func register(s Spec) {
	if _, dup := specs[s.Kind]; dup || s.Kind == "" || s.Name == "" {
		panic(fmt.Sprintf("platforms: bad or duplicate registration %q", s.Kind))
	}
	specs[s.Kind] = s
}

// Kinds lists the registered kinds of platform, sorted.
func Kinds() []Spec {
	out := make([]Spec, 0, len(specs))
	for _, s := range specs {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Spec) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
	return out
}

// Lookup returns the kind of platform named kind.
func Lookup(kind string) (Spec, error) {
	if s, ok := specs[Kind(kind)]; ok {
		return s, nil
	}
	return Spec{}, fmt.Errorf("unknown platform %q", kind)
}

// Open returns a client of the stored instance in, by its kind.
func Open(env *providers.Env, in Instance) (Platform, error) {
	s, ok := specs[in.Kind]
	if !ok || s.Open == nil {
		return nil, fmt.Errorf("platform %q has no instances", in.Kind)
	}
	return s.Open(env, in)
}

// Exporters lists the kinds that export manifests, sorted.
func Exporters() []Spec {
	var out []Spec
	for _, s := range Kinds() {
		if s.Export != nil {
			out = append(out, s)
		}
	}
	return out
}

package platforms

import (
	"cmp"
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

// Instance is one installation of a platform, as stored: its kind and name and the settings its
// kind declares (Spec.Settings): where it answers (a URL, or a kubeconfig with its context and
// namespace), its secret (an API token) and an optional CA bundle (a PEM file path).
type Instance struct {
	Kind     Kind
	Name     string
	URL      string
	Token    string
	CABundle string
	// Kubeconfig is the path of a kubeconfig file (kept as a path: the file stays the user's);
	// Context one of its contexts ("": its current one); Namespace where the Secrets go.
	Kubeconfig, Context, Namespace string
	// Net is the instance's own proxy and client certificate (see config.Net), for a kind whose
	// Spec has NetFlags.
	config.Net
}

// InstanceOf returns the stored instance name of kind (nil when p is nil).
func InstanceOf(kind Kind, name string, p *config.Platform) *Instance {
	if p == nil {
		return nil
	}
	return &Instance{Kind: kind, Name: name, URL: p.URL, Token: p.Token, CABundle: p.CABundle,
		Kubeconfig: p.Kubeconfig, Context: p.Context, Namespace: p.Namespace, Net: p.Net}
}

// SetHint is what `gitopscfg KIND set` needs at least, as a usage line shows it
// (" --url URL --token-stdin").
func (s Spec) SetHint() string {
	var b strings.Builder
	for _, st := range s.Settings {
		if st.Required {
			fmt.Fprintf(&b, " --%s %s", st.Flag, cmp.Or(st.Meta, strings.ToUpper(st.Flag)))
		}
	}
	if s.Secret != nil {
		b.WriteString(" --token-stdin")
	}
	return b.String()
}

// Stored is the instance as the store keeps it.
func (in Instance) Stored() config.Platform {
	return config.Platform{URL: in.URL, Token: in.Token, CABundle: in.CABundle,
		Kubeconfig: in.Kubeconfig, Context: in.Context, Namespace: in.Namespace, Net: in.Net}
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

// Setting is one setting of a kind's instances, as `gitopscfg KIND set` takes it: a flag whose
// value Ref points at in an instance.
type Setting struct {
	// Flag is the flag's name ("url"); Usage its help line.
	Flag, Usage string
	// Ref points at the setting in in.
	Ref func(in *Instance) *string
	// Required: an instance without it is refused. Default is the value of a new instance.
	Required bool
	Default  string
	// Path, when set, says the value is the absolute path of a file that stays where it is, and
	// names it ("the CA bundle path"); PathExample is one.
	Path, PathExample string
	// URL: the value is an address the product sends a secret to (https, or http to loopback).
	URL bool
	// Meta names the value in usage lines ("URL", "FILE").
	Meta string
}

// Secret is the secret of a kind's instances (an API token), read from standard input.
type Secret struct {
	// Noun names it in messages ("Devtron API token").
	Noun string
	// Usage is --token-stdin's help line.
	Usage string
}

// Doc is the help of a kind's `set` command.
type Doc struct {
	Use, Short, Long, Example string
	// Group is the help of the kind's command ("Store or remove the Devtron instances …"), with
	// its examples.
	Group, GroupExample string
}

// Spec is everything the rest of the program knows about one kind of platform. Its own file
// builds it and registers it; nothing else switches on its kind.
type Spec struct {
	Kind Kind
	// Name is the platform's name in messages ("Devtron").
	Name string
	// Settings are the settings of the kind's instances, in the order of `set`'s flags; Secret
	// its secret (nil: none). Both matter only with Open.
	Settings []Setting
	Secret   *Secret
	// SetDoc is the help of `gitopscfg KIND set`.
	SetDoc Doc
	// Where says where an instance answers, for messages ("https://devtron.example.com").
	Where func(in Instance) string
	// OneActive: the platform keeps one configuration per provider, one of them active
	// (Devtron): a push may switch the active one or replace another credential's.
	OneActive bool
	// TokensOnly: the platform takes Git tokens only (Devtron): a push of another kind of
	// credential (a GitHub App, a service principal) is refused before anything is sent.
	TokensOnly bool
	// Prunes: the platform can tell what the product delivered for a credential no longer
	// stored, and a push with PushOptions.Keep deletes it.
	Prunes bool
	// PushDoc is the paragraph of `gitopscfg push`'s help about this kind; PushExits say what
	// exit 0 and exit 1 mean for it ("Devtron saved it").
	PushDoc   string
	PushExits [2]string
	// NetFlags: its instances may have their own proxy and client certificate (Instance.Net),
	// which `set` takes as --proxy, --proxy-username, --no-proxy, --client-cert, --client-key.
	NetFlags bool
	// Open returns a client of one stored instance, refusing an unusable one (an unsafe URL, no
	// secret, an unreadable CA bundle) before any request. Nil: the kind has no instances here.
	Open func(env *providers.Env, in Instance) (Platform, error)
	// Export renders a credential as the platform's manifests (nil: the kind is not exported).
	Export Exporter
	// ExportNote says what the admin must set up beside c's exported manifests ("": nothing).
	ExportNote func(c providers.Credentials) string
	// ExportClaim is the part of Git URLs c's exported credential template claims (a URL
	// prefix). In an export of every credential, two that claim the same one are refused: the
	// platform would give a repository either one. Nil: templates claim nothing.
	ExportClaim func(ctx context.Context, env *providers.Env, c providers.Credentials) (string, error)
}

var specs = map[Kind]Spec{}

// Register adds a kind of platform; called from its file's (or its package's) init. The
// command line, the terminal UI and every use case find it here: nothing else names a kind.
func Register(s Spec) { register(s) }

// register adds a kind of platform.
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

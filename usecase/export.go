package usecase

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// exporter is the registered platform of kind whose credentials are Kubernetes manifests.
func exporter(kind string) (platforms.Spec, error) {
	s, err := platforms.Lookup(kind)
	if err != nil || s.Export == nil {
		var names []string
		for _, e := range platforms.Exporters() {
			names = append(names, string(e.Kind))
		}
		return platforms.Spec{}, &UsageError{Msg: fmt.Sprintf("unknown platform %q: export %s", kind, strings.Join(names, " or "))}
	}
	return s, nil
}

// note is what the admin must set up beside c's manifests for spec ("": nothing).
func note(spec platforms.Spec, c providers.Credentials) string {
	if spec.ExportNote == nil {
		return ""
	}
	return spec.ExportNote(c)
}

// ExportInput is one export of stored credentials as a platform's manifests.
type ExportInput struct {
	// Platform is argocd or flux.
	Platform string
	// Credential names the credentials ("": the active provider).
	Credential string
	// Force exports credentials the freshness gate refuses.
	Force    bool
	Manifest platforms.ExportOptions
}

// Exported is what an export made: the manifests hold the token.
type Exported struct {
	Credential string
	Objects    []platforms.Object
	// Forced is the freshness gate's refusal that Force overrode (nil: none).
	Forced *NotFreshError
	// Note is what the admin must set up beside the manifests ("": nothing), e.g. a GitHub App's
	// GitRepository provider for Flux.
	Note string
}

// Export renders stored credentials as the platform's Kubernetes manifests, after the freshness
// gate. Errors: *UsageError (an unknown platform or provider; the platform's refusal, token
// masked), *NotFreshError.
func (b *Backend) Export(ctx context.Context, d *config.Data, in ExportInput) (Exported, error) {
	spec, err := exporter(in.Platform)
	if err != nil {
		return Exported{}, err
	}
	name, sp, forced, err := gated(d, in.Credential, in.Force)
	out := Exported{Credential: name, Forced: forced}
	if err != nil {
		return out, err
	}
	creds := providers.FromConfig(name, sp)
	env := b.Env(providers.DefaultTimeout)
	ctx, cancel := context.WithTimeout(ctx, env.Timeout)
	defer cancel()
	out.Objects, err = spec.Export(ctx, env, creds, in.Manifest)
	if err != nil {
		return out, &UsageError{Msg: creds.Redact(err.Error())}
	}
	out.Note = note(spec, creds)
	return out, nil
}

// ExportAllInput is one export of every stored credential as a platform's manifests.
type ExportAllInput struct {
	// Platform is argocd or flux.
	Platform string
	// Force exports the credentials the freshness gate refuses.
	Force bool
	// Manifest is the namespace; the kind is the credential templates' (repo-creds), and each
	// Secret is named after its credential.
	Manifest platforms.ExportOptions
}

// Skipped is a credential an export of all left out, and why: a *NotFreshError (the freshness
// gate, without Force) or a *UsageError (the platform refused its settings, token masked).
type Skipped struct {
	Credential string
	Err        error
}

// ExportedAll is what an export of every credential made: one export per credential that passed,
// in CredentialNames' order, their manifests joined (Objects), and the ones left out.
type ExportedAll struct {
	Exports []Exported
	Objects []platforms.Object
	Skipped []Skipped
}

// PrefixConflict is one URL prefix several stored credentials' templates claim
// (platforms.Spec.ExportClaim).
type PrefixConflict struct {
	Prefix string
	// Credentials are the claimants' names, in CredentialNames' order.
	Credentials []string
}

// PrefixConflictError refuses an export of every credential for a platform whose templates claim
// URL prefixes (Argo CD gives a repository the template with the longest prefix of its URL, and
// of two that claim the same prefix it takes either), so the credential a repository gets would
// be left to chance. Nothing is exported. Platform is its name in prose.
type PrefixConflictError struct {
	Platform  string
	Conflicts []PrefixConflict
}

func (e *PrefixConflictError) Error() string {
	var b strings.Builder
	for i, c := range e.Conflicts {
		if i > 0 {
			b.WriteString("; ")
		}
		last := c.Credentials[len(c.Credentials)-1]
		fmt.Fprintf(&b, "the credentials %s claim the same %s URL prefix %s, and %s would give its repositories either one's template: narrow one with `gitopscfg set %s --url-prefix %s<repository-name-prefix>` (or a subgroup's URL)",
			andList(c.Credentials), e.Platform, c.Prefix, e.Platform, last, c.Prefix)
	}
	return b.String()
}

// andList joins names as prose: "a and b", "a, b and c".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// ExportAll renders every stored credential as the platform's manifests, one Secret each, each
// through the freshness gate: a credential the gate refuses (unless Force) or whose settings the
// platform refuses is skipped, and ExportedAll.Skipped says why. For a platform whose templates
// claim URL prefixes (Argo CD), the credentials' claims are compared first: two that claim the
// same one are a *PrefixConflictError and nothing is exported. Errors: *UsageError (an unknown platform, nothing stored, options that
// name one Secret), *PrefixConflictError.
func (b *Backend) ExportAll(ctx context.Context, d *config.Data, in ExportAllInput) (ExportedAll, error) {
	spec, err := exporter(in.Platform)
	if err != nil {
		return ExportedAll{}, err
	}
	switch m := in.Manifest; {
	case m.Name != "":
		return ExportedAll{}, &UsageError{Msg: "--name names one Secret: with --all each is named after its credential (gitopscfg-CREDENTIAL…)"}
	case m.Kind != "" && m.Kind != platforms.KindRepoCreds, m.Repo != "":
		return ExportedAll{}, &UsageError{Msg: "--all exports credential templates (repo-creds); --kind repository --repo NAME is for one credential's repository"}
	}
	names := CredentialNames(d)
	if len(names) == 0 {
		return ExportedAll{}, &UsageError{Msg: "no credential is stored: run `gitopscfg set PROVIDER …` first"}
	}
	// One look-up of each organisation for the prefixes and the Secrets both.
	env := b.Env(providers.DefaultTimeout).WithOrgMemo()
	ctx, cancel := context.WithTimeout(ctx, env.Timeout)
	defer cancel()
	var out ExportedAll
	if spec.ExportClaim != nil {
		if err := prefixConflicts(ctx, env, d, names, spec); err != nil {
			return out, err
		}
	}
	var sets [][]platforms.Object
	var made []string
	for _, name := range names {
		c := d.Credentials[name]
		var forced *NotFreshError
		var nf *NotFreshError
		if errors.As(Fresh(name, c), &nf) {
			if !in.Force {
				out.Skipped = append(out.Skipped, Skipped{Credential: name, Err: nf})
				continue
			}
			forced = nf
		}
		creds := providers.FromConfig(name, c)
		objs, err := spec.Export(ctx, env, creds, in.Manifest)
		if err != nil {
			out.Skipped = append(out.Skipped, Skipped{Credential: name, Err: &UsageError{Msg: creds.Redact(err.Error())}})
			continue
		}
		ex := Exported{Credential: name, Objects: objs, Forced: forced, Note: note(spec, creds)}
		out.Exports = append(out.Exports, ex)
		sets, made = append(sets, objs), append(made, name)
	}
	objs, err := platforms.MergeExports(made, sets)
	if err != nil {
		return ExportedAll{Skipped: out.Skipped}, &UsageError{Msg: err.Error()}
	}
	out.Objects = objs
	return out, nil
}

// prefixConflicts compares the URL prefixes the stored credentials' templates claim for spec, as
// Git URLs compare (platforms.NormalizeGitURL); a credential whose prefix cannot be made is left
// to its own export, which reports why.
func prefixConflicts(ctx context.Context, env *providers.Env, d *config.Data, names []string, spec platforms.Spec) error {
	claim := map[string][]string{}
	var order []string
	shown := map[string]string{}
	for _, name := range names {
		p, err := spec.ExportClaim(ctx, env, providers.FromConfig(name, d.Credentials[name]))
		if err != nil {
			continue
		}
		key := platforms.NormalizeGitURL(p)
		if _, seen := claim[key]; !seen {
			order, shown[key] = append(order, key), p
		}
		claim[key] = append(claim[key], name)
	}
	e := PrefixConflictError{Platform: spec.Name}
	for _, key := range order {
		if len(claim[key]) > 1 {
			e.Conflicts = append(e.Conflicts, PrefixConflict{Prefix: shown[key], Credentials: claim[key]})
		}
	}
	if len(e.Conflicts) > 0 {
		return &e
	}
	return nil
}

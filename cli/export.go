package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// exportOptions is what export needs: injected dependencies first, then the parsed flags and
// arguments.
type exportOptions struct {
	runDeps

	// Platform is argocd or flux.
	Platform string
	// Credential is the CREDENTIAL argument as credentialArg read it ("": the active one); Typed
	// as typed.
	Credential, Typed string
	// Manifest is --namespace, --kind, --repo and --name.
	Manifest platforms.ExportOptions
	Output   string
	JSON     bool
	Force    bool
	// All exports every stored credential, one Secret each.
	All bool
}

// exportPlatforms are the platforms export writes manifests for.
var exportPlatforms = []string{"argocd", "flux"}

// newExportCmd builds export argocd|flux; runF runs it (nil: exportRun), so tests can swap it.
func newExportCmd(f *factory, runF func(context.Context, *exportOptions) error) *cobra.Command {
	if runF == nil {
		runF = exportRun
	}
	opts := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export argocd|flux [CREDENTIAL] [--all] [--namespace NS] [--kind repo-creds|repository --repo NAME] [--name NAME] [--output FILE] [--json] [--force]",
		Short: "Print the Kubernetes manifests that give Argo CD or Flux the credentials (never to a terminal)",
		Long: `Print the Kubernetes manifests holding a provider's credentials (default: the active provider):

  argocd  a Secret labelled argocd.argoproj.io/secret-type: repo-creds (a credential template for the
          organisation's URL prefix; --kind repository --repo NAME for one repository), and, when a
          CA bundle is stored, the argocd-tls-certs-cm entry for the Git host (namespace argocd)
  flux    the Secret a GitRepository's spec.secretRef names: username, password, ca.crt
          (namespace flux-system)

The manifests hold the token, so they are never written to a terminal: pipe them, e.g.
  gitopscfg export argocd | kubectl apply -f -
or write them to a file (created 0600, atomically) with --output FILE. YAML by default, --json for JSON.
A provider whose last check failed, or that changed since, is refused unless --force.

--all prints one Secret per stored credential, named gitopscfg-CREDENTIAL-repo-creds (Argo CD) or
gitopscfg-CREDENTIAL (Flux), each through the same gate: the ones it refuses are skipped, named on
standard error with the reason, and the exit status is then 1. Argo CD gives a repository the
credential template with the longest URL prefix of its URL, so two credentials that claim the same
prefix are refused (exit 2, nothing printed); narrow one with ` + "`gitopscfg set CREDENTIAL --url-prefix URL`" + `.

Either platform takes the credentials of any provider: ` + providers.Names() + `.
CREDENTIAL names a stored credential; a provider's id names the one named after it (` + providerIDList() + `).`,
		Example: `  # Argo CD: a credential template for the active provider's organisation
  $ gitopscfg export argocd | kubectl apply -f -

  # Argo CD: one repository
  $ gitopscfg export argocd github --kind repository --repo gitops | kubectl apply -f -

  # Flux: the Secret a GitRepository's spec.secretRef names, written to a file (mode 0600)
  $ gitopscfg export flux gitlab --name gitlab-auth --output flux-secret.yaml

  # Argo CD: a credential template per stored credential
  $ gitopscfg export argocd --all | kubectl apply -f -`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: f.completeProviderArg(true, exportPlatforms...),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.fromArgs(args); err != nil {
				return err
			}
			opts.runDeps = f.deps()
			return runF(cmd.Context(), opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// fromArgs reads the platform and the CREDENTIAL argument into opts, refusing a CREDENTIAL
// given with --all.
func (opts *exportOptions) fromArgs(args []string) error {
	if err := platformArg(args[0], exportPlatforms, "use argocd or flux"); err != nil {
		return err
	}
	opts.Platform = args[0]
	if opts.All && len(args) == 2 {
		return usageErr("give a CREDENTIAL or --all, not both")
	}
	if len(args) == 2 {
		if err := readCredentialArg(args[1], &opts.Credential, &opts.Typed); err != nil {
			return err
		}
	}
	return nil
}

// addFlags declares export's flags, bound to opts.
func (opts *exportOptions) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&opts.Manifest.Namespace, "namespace", "", "namespace (default argocd, or flux-system)")
	fl.StringVar(&opts.Manifest.Kind, "kind", "", "Argo CD secret type: repo-creds (default) or repository")
	fl.StringVar(&opts.Manifest.Repo, "repo", "", "the repository's name, with --kind repository")
	fl.StringVar(&opts.Manifest.Name, "name", "", "the Secret's name (default gitopscfg-CREDENTIAL...)")
	fl.StringVar(&opts.Output, "output", "", "write to FILE (0600, atomically) instead of standard output")
	fl.BoolVar(&opts.JSON, "json", false, "JSON instead of YAML")
	fl.BoolVar(&opts.Force, "force", false, "export even if the last check failed or the settings changed since")
	fl.BoolVar(&opts.All, "all", false, "one Secret per stored credential")
}

// exportRun writes the manifests for opts.Platform to standard output (never a terminal) or to
// opts.Output (0600).
func exportRun(ctx context.Context, opts *exportOptions) error {
	if opts.Output == "" && opts.IO.IsTerm {
		return usageErr("the manifests hold the token and are not printed to a terminal: pipe them (gitopscfg export %s | kubectl apply -f -) or write them with --output FILE", opts.Platform)
	}
	_, d, err := loadNamed(opts.OpenStore, opts.Credential, opts.Typed)
	if err != nil {
		return err
	}
	b := usecase.New(nil, usecase.Options{Env: opts.Env})
	if opts.All {
		return exportAllRun(ctx, opts, b, d)
	}
	ex, err := b.Export(ctx, d, usecase.ExportInput{Platform: opts.Platform, Credential: opts.Credential, Force: opts.Force, Manifest: opts.Manifest})
	if ex.Forced != nil {
		fmt.Fprintf(opts.IO.Err, "warning: %s; going on because of --force\n", ex.Forced.Why)
	}
	if err := deliveryErr(opts.IO.Err, err); err != nil {
		return err
	}
	if ex.Note != "" {
		fmt.Fprintf(opts.IO.Err, "note: %s\n", ex.Note)
	}
	return writeManifests(opts, ex.Objects)
}

// exportAllRun writes one Secret per stored credential (see usecase.ExportAll); the credentials
// left out are named on standard error with the reason, and make the exit status 1.
func exportAllRun(ctx context.Context, opts *exportOptions, b *usecase.Backend, d *config.Data) error {
	all, err := b.ExportAll(ctx, d, usecase.ExportAllInput{Platform: opts.Platform, Force: opts.Force, Manifest: opts.Manifest})
	var conflict *usecase.PrefixConflictError
	if errors.As(err, &conflict) {
		return usageErr("nothing exported: %v", err)
	}
	if err := deliveryErr(opts.IO.Err, err); err != nil {
		return err
	}
	for _, ex := range all.Exports {
		if ex.Forced != nil {
			fmt.Fprintf(opts.IO.Err, "warning: %s; going on because of --force\n", ex.Forced.Why)
		}
		if ex.Note != "" {
			fmt.Fprintf(opts.IO.Err, "note: %s: %s\n", ex.Credential, ex.Note)
		}
	}
	if len(all.Objects) > 0 {
		if err := writeManifests(opts, all.Objects); err != nil {
			return err
		}
	}
	names := make([]string, len(all.Exports))
	for i, ex := range all.Exports {
		names[i] = ex.Credential
	}
	if len(names) > 0 {
		fmt.Fprintf(opts.IO.Err, "Exported %s: %s.\n", plural(len(names), "credential"), strings.Join(names, ", "))
	}
	if len(all.Skipped) == 0 {
		return nil
	}
	for _, sk := range all.Skipped {
		var nf *usecase.NotFreshError
		why := sk.Err.Error()
		if errors.As(sk.Err, &nf) {
			why += fmt.Sprintf(": run `gitopscfg check %s` first, or give --force", sk.Credential)
		}
		fmt.Fprintf(opts.IO.Err, "skipped %s: %s\n", sk.Credential, why)
	}
	fmt.Fprintf(opts.IO.Err, "not exported: %s of %d\n", plural(len(all.Skipped), "credential"), len(all.Skipped)+len(names))
	return errCheckFailed
}

// writeManifests writes objs to standard output, or to opts.Output (0600), as YAML or JSON.
func writeManifests(opts *exportOptions, objs []platforms.Object) error {
	out := platforms.EncodeYAML(objs)
	if opts.JSON {
		out = platforms.EncodeJSON(objs)
	}
	if opts.Output == "" {
		_, err := opts.IO.Out.Write(out)
		return err
	}
	if err := writePrivateFile(opts.Output, out); err != nil {
		return usageErr("--output: %v", err)
	}
	fmt.Fprintf(opts.IO.Err, "Wrote %s (mode 0600); it holds the token: apply it, then delete it.\n", opts.Output)
	return nil
}

// writePrivateFile writes b to path with mode 0600: a temporary file in the same directory,
// synced, then renamed into place, so a reader never sees a partial file.
func writePrivateFile(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() { _ = os.Remove(tmp) }()
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

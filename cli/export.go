package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"gitopscfg/platforms"
	"gitopscfg/providers"
)

func newExportCmd(f *factory) *cobra.Command {
	var o struct {
		platforms.ExportOptions
		output        string
		asJSON, force bool
	}
	cmd := &cobra.Command{
		Use:   "export argocd|flux [PROVIDER] [--namespace NS] [--kind repo-creds|repository --repo NAME] [--name NAME] [--output FILE] [--json] [--force]",
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
A provider whose last check failed, or that changed since, is refused unless --force.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := args[0]
			if target != "argocd" && target != "flux" {
				return usageErr("unknown platform %q: use argocd or flux", target)
			}
			if o.output == "" && f.IsTerm {
				return usageErr("the manifests hold the token and are not printed to a terminal: pipe them (gitopscfg export %s | kubectl apply -f -) or write them with --output FILE", target)
			}
			_, d, err := f.openAndLoad()
			if err != nil {
				return err
			}
			id, sp, err := deliveryProvider(d, args[1:])
			if err != nil {
				return err
			}
			if err := f.freshEnough(id, sp, o.force); err != nil {
				return err
			}
			creds := providers.FromConfig(id, sp)
			var objs []platforms.Object
			if target == "argocd" {
				ctx, cancel := context.WithTimeout(cmd.Context(), f.providerEnv().Timeout)
				defer cancel()
				objs, err = platforms.ArgoCD(ctx, f.providerEnv(), creds, o.ExportOptions)
			} else {
				objs, err = platforms.Flux(creds, o.ExportOptions)
			}
			if err != nil {
				return usageErr("%s", creds.Redact(err.Error()))
			}
			out := platforms.EncodeYAML(objs)
			if o.asJSON {
				out = platforms.EncodeJSON(objs)
			}
			if o.output == "" {
				_, err = f.Out.Write(out)
				return err
			}
			if err := writePrivateFile(o.output, out); err != nil {
				return usageErr("--output: %v", err)
			}
			fmt.Fprintf(f.Err, "Wrote %s (mode 0600); it holds the token: apply it, then delete it.\n", o.output)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Namespace, "namespace", "", "namespace (default argocd, or flux-system)")
	fl.StringVar(&o.Kind, "kind", "", "Argo CD secret type: repo-creds (default) or repository")
	fl.StringVar(&o.Repo, "repo", "", "the repository's name, with --kind repository")
	fl.StringVar(&o.Name, "name", "", "the Secret's name (default gitopscfg-PROVIDER...)")
	fl.StringVar(&o.output, "output", "", "write to FILE (0600, atomically) instead of standard output")
	fl.BoolVar(&o.asJSON, "json", false, "JSON instead of YAML")
	fl.BoolVar(&o.force, "force", false, "export even if the last check failed or the settings changed since")
	return cmd
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

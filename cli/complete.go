package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// Shell completion (`gitopscfg completion bash|zsh|fish|powershell`, cobra's): the verbs and flags
// come from the command tree; this file adds the arguments and the flag values. A completion runs
// on every Tab press, so it never asks for anything and never fails: the configured providers are
// read from the store only when it opens without a passphrase prompt (a key file, or
// GITOPSCFG_PASSPHRASE), else every provider is offered.

// completeProviderArg completes the PROVIDER argument of a verb that takes it after the given
// platforms (push devtron PROVIDER, export argocd PROVIDER; none for the others). A verb that names
// a stored provider (configured) is offered the configured ones; set, which adds one, every one.
func (f *factory) completeProviderArg(configured bool, platforms ...string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(platforms) > 0 {
			if len(args) == 0 {
				return completeWords(platforms, platformSummary, toComplete), cobra.ShellCompDirectiveNoFileComp
			}
			args = args[1:]
		}
		if len(args) > 0 || (cmd.Flags().Lookup("all") != nil && cmd.Flags().Changed("all")) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if configured {
			if d := f.storedData(); d != nil && len(d.Credentials) > 0 {
				return credentialCompletions(d, toComplete), cobra.ShellCompDirectiveNoFileComp
			}
		}
		return providerCompletions(providers.IDs, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// platformSummary describes each platform a verb delivers to, for completion.
var platformSummary = map[string]string{
	"devtron": "Devtron's GitOps configuration",
	"argocd":  "Argo CD repository credentials (Secret)",
	"flux":    "Flux GitRepository secret",
}

// providerCompletions offers the ids that start with toComplete, each described by its name; when
// none does, the aliases of those ids that do (forg → forgejo).
func providerCompletions(ids []providers.ID, toComplete string) []cobra.Completion {
	prefix := strings.ToLower(toComplete)
	var out []cobra.Completion
	for _, id := range ids {
		if strings.HasPrefix(string(id), prefix) {
			out = append(out, cobra.CompletionWithDesc(string(id), providers.MustLookup(id).Name))
		}
	}
	if len(out) > 0 || prefix == "" {
		return out
	}
	for _, a := range providers.Aliases() {
		if slices.Contains(ids, a.ID) && strings.HasPrefix(a.Name, prefix) {
			out = append(out, cobra.CompletionWithDesc(a.Name, providers.MustLookup(a.ID).Name))
		}
	}
	return out
}

// credentialCompletions offers the stored credentials whose names start with toComplete, each
// described by its provider's name; when none does, the aliases of the providers whose
// credentials are named after them (forg → forgejo).
func credentialCompletions(d *config.Data, toComplete string) []cobra.Completion {
	prefix := strings.ToLower(toComplete)
	var out []cobra.Completion
	var ids []providers.ID
	for _, name := range usecase.CredentialNames(d) {
		id := providers.ID(d.Credentials[name].Provider)
		if name == string(id) {
			ids = append(ids, id)
		}
		if strings.HasPrefix(name, prefix) {
			out = append(out, cobra.CompletionWithDesc(name, providerName(string(id))))
		}
	}
	if len(out) > 0 || prefix == "" {
		return out
	}
	return providerCompletions(ids, toComplete)
}

// storedData reads the store for completion, or nil when it cannot be read without asking for
// a passphrase (or at all).
func (f *factory) storedData() *config.Data {
	if f.Demo {
		return nil // the demo's throw-away store holds every provider
	}
	if err := f.resolveConfigDir(); err != nil {
		return nil
	}
	var pass func() (string, error) // nil: a passphrase-protected store is not opened
	if p := f.Getenv("GITOPSCFG_PASSPHRASE"); p != "" {
		pass = func() (string, error) { return p, nil }
	}
	s, err := config.Open(f.ConfigDir, pass)
	if err != nil {
		return nil
	}
	d, err := s.Load()
	if err != nil {
		return nil
	}
	return d
}

// completeWords offers the words that start with toComplete, each with its description.
func completeWords(words []string, desc map[string]string, toComplete string) []cobra.Completion {
	var out []cobra.Completion
	for _, w := range words {
		if strings.HasPrefix(w, toComplete) {
			out = append(out, cobra.CompletionWithDesc(w, desc[w]))
		}
	}
	return out
}

// completeCheckFormat completes check's --format with the registered formats.
func completeCheckFormat(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	desc := map[string]string{}
	for n, cf := range checkFormats {
		desc[n] = cf.Summary
	}
	return completeWords(checkFormatNames(), desc, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeExportKind completes export's --kind.
func completeExportKind(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return completeWords([]string{platforms.KindRepoCreds, platforms.KindRepository}, map[string]string{
		platforms.KindRepoCreds:  "a credential template for the organisation's URL prefix (the default)",
		platforms.KindRepository: "one repository, named by --repo",
	}, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// registerFlagCompletions registers the completions of flag values on root's commands. cobra keeps
// them in a process-wide map that is never emptied, so they are registered only for a completion
// request, not for every command tree (serve builds one per SSH session's command).
func registerFlagCompletions(root *cobra.Command) {
	for _, r := range []struct {
		verb, flag string
		fn         cobra.CompletionFunc
	}{
		{"check", "format", completeCheckFormat},
		{"export", "kind", completeExportKind},
	} {
		cmd, _, err := root.Find([]string{r.verb})
		if err != nil || cmd == root {
			panic("no verb " + r.verb + " to complete --" + r.flag + " of")
		}
		if err := cmd.RegisterFlagCompletionFunc(r.flag, r.fn); err != nil {
			panic(err)
		}
	}
}

// isCompletionRequest reports whether args ask for completions (the shell scripts' __complete).
func isCompletionRequest(args []string) bool {
	return len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd)
}

// completionRequest reports whether cmd is cobra's completion machinery: a completion request
// (__complete) or the completion command printing a script. Neither needs the config directory.
func completionRequest(cmd *cobra.Command) bool {
	switch cmd.Name() {
	case cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd, "completion":
		return true
	}
	return cmd.HasParent() && cmd.Parent().Name() == "completion" && cmd.Parent().Parent() == cmd.Root()
}

package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// setOptions is what set needs: the injected dependencies, then CREDENTIAL and the flags.
type setOptions struct {
	runDeps
	// Credential is the credential's name; Typed as typed. ProviderFlag is --provider ("": the
	// provider named like the credential, or the stored credential's). Provider is the
	// credential's provider, once resolved (setRun).
	Credential, Typed, ProviderFlag string
	Provider                        providers.Provider
	// Fields are the field flags given, in the order of setFieldFlags; the others keep their stored values.
	Fields                              []setField
	TokenStdin, Activate, NoCheck, Deep bool
	Timeout                             time.Duration
	// KindFlag is --kind ("": the stored kind, or the one the flags given imply); AppKeyFile is
	// --app-key, the file holding a GitHub App's private key.
	KindFlag, AppKeyFile string
	SSH                  sshOptions
}

// setField is one field flag given to set.
type setField struct {
	Flag  string
	Key   providers.FieldKey
	Value string
}

// setFieldFlags are set's flags that set one field each, in the order they are applied; the
// token has none (it is read from standard input only).
var setFieldFlags = []struct {
	flag  string
	key   providers.FieldKey
	usage string
}{
	{"host", providers.FieldHost, "Git host URL (default: the provider's public service)"},
	{"org", providers.FieldOrg, "organisation / group ID or path / project / workspace"},
	{"username", providers.FieldUsername, "username (Bitbucket: the Atlassian account e-mail)"},
	{"project-key", providers.FieldProjectKey, "Bitbucket project key (optional)"},
	{"api-url", providers.FieldAPIURL, "REST API base URL, when it cannot be derived from the host"},
	{"ca-bundle", providers.FieldCABundle, "PEM file of a private CA for a self-hosted server"},
	{"url-prefix", providers.FieldURLPrefix, "the URL prefix the Argo CD export claims, under the host (default: the organisation's)"},
	{"app-id", providers.FieldAppID, "GitHub App: the App's ID (makes the credential a GitHub App)"},
	{"installation-id", providers.FieldInstallationID, "GitHub App: its installation's ID (default: the organisation's installation)"},
	{"proxy", providers.FieldProxy, proxyUsage},
	{"proxy-username", providers.FieldProxyUsername, proxyUsernameUsage},
	{"no-proxy", providers.FieldNoProxy, noProxyUsage},
	{"client-cert", providers.FieldClientCert, clientCertUsage},
	{"client-key", providers.FieldClientKey, clientKeyUsage},
	{"tenant-id", providers.FieldTenantID, "Azure service principal: the Microsoft Entra tenant (makes the credential a service principal)"},
	{"client-id", providers.FieldClientID, "Azure service principal: the application (client) ID (makes the credential a service principal)"},
	{"authority-url", providers.FieldAuthorityURL, "Azure service principal: the Entra host, without the tenant (default " + providers.DefaultAuthorityURL + ")"},
	{"repo", providers.FieldRepo, "an existing repository, OWNER/REPO (GitLab: group/sub/repo): the round trip pushes a throw-away branch there instead of creating a repository (\"\" clears it)"},
	{"url", providers.FieldURL, "the repository's URL, https:// or ssh:// (the generic provider, git)"},
	{"ssh-url", providers.FieldSSHURL, "the SSH address ssh://git@host[:port]/ when it cannot be derived from the host"},
}

// newSetCmd builds set; runF runs it (nil: setRun), so tests can swap it.
func newSetCmd(f *factory, runF func(context.Context, *setOptions) error) *cobra.Command {
	if runF == nil {
		runF = setRun
	}
	opts := &setOptions{}
	cmd := &cobra.Command{
		Use:   "set CREDENTIAL [--provider PROVIDER] --org NAME (--username NAME --token-stdin | --app-id ID --app-key FILE [--installation-id ID]) [--host URL] [--project-key KEY] [--url-prefix URL] [--repo OWNER/REPO] [--proxy URL [--proxy-username U] [--no-proxy LIST]] [--client-cert FILE --client-key FILE] [--activate] [--no-check | --deep]",
		Short: "Add or update a credential non-interactively; checks it live and saves it only if it passes",
		Long: `Add or update a credential. The token is read from standard input (--token-stdin), never from the
command line. Fields not given keep their stored values; a new credential needs --org, --username and
the token (--host defaults to the provider's public service). The credentials are checked against the
provider's API first and saved only if the check passes; --no-check saves without checking. --deep
adds the round trip (create a throw-away repository, clone, push, verify, delete) before saving, and
saves only if it passes too; --timeout then defaults to 60s. With --repo OWNER/REPO (an existing
repository; a GitLab subgroup path included) the round trip creates and deletes no repository: it
reads that one, pushes one commit to a throw-away branch, reads it back and deletes the branch, and
the live check reports the rights only creating repositories needs as not needed; --repo "" clears it.

CREDENTIAL names the credential: lower-case letters, digits and '-', at most 40 characters. A
provider's id is the name of the credential named after that provider, so ` + "`set github`" + ` needs no
--provider; any other new name does, and one provider may have several credentials (two GitHub
organisations with their own tokens). PROVIDER is one of ` + providerIDList() + `.

A GitHub App (--app-id, --app-key FILE, optionally --installation-id) is a credential of kind
github-app: its secret is its private key, read from the file, and its check mints an installation
token instead of reading a user.`,
		Example: `  # Add GitHub and make it the active provider; the token comes from a variable, on standard input
  $ printf '%s' "$GITHUB_TOKEN" | gitopscfg set github --org acme --username octocat --token-stdin --activate

  # A self-hosted GitLab behind a private CA
  $ printf '%s' "$GITLAB_TOKEN" | gitopscfg set gitlab --host https://gitlab.example.com/ --org acme/gitops --username jdoe --token-stdin --ca-bundle /etc/ssl/corp-ca.pem

  # Bitbucket Cloud: an Atlassian API token and the account's e-mail address
  $ printf '%s' "$BITBUCKET_API_TOKEN" | gitopscfg set bitbucket --org acme --project-key GITOPS --username jdoe@example.com --token-stdin

  # Forgejo on Codeberg (the gitea provider)
  $ printf '%s' "$FORGEJO_TOKEN" | gitopscfg set forgejo --host https://codeberg.org/ --org acme --username jdoe --token-stdin

  # Change one field and keep the others, the token included
  $ gitopscfg set github --org acme-platform

  # A new token, saved only if the round trip passes too
  $ printf '%s' "$GITHUB_TOKEN" | gitopscfg set github --token-stdin --deep

  # Behind a corporate proxy that wants credentials (the password never on the command line)
  $ GITOPSCFG_PROXY_PASSWORD="$PROXY_PW" gitopscfg set github --proxy http://proxy.corp:3128 --proxy-username jdoe

  # A server that demands a client certificate
  $ gitopscfg set gitlab --client-cert /etc/ssl/gitops.crt --client-key /etc/ssl/gitops.key

  # Repositories are created by hand: verify with a throw-away branch in an existing one
  $ printf '%s' "$GITLAB_TOKEN" | gitopscfg set gitlab --org acme --repo acme/platform/gitops-apps --token-stdin --deep

  # A second GitHub credential, for another organisation
  $ printf '%s' "$INFRA_TOKEN" | gitopscfg set acme-infra --provider github --org acme-infra --username octocat --token-stdin

  # A GitHub App: its ID and private key; its installation is found from the organisation
  $ gitopscfg set acme-app --provider github --org acme --app-id 123456 --app-key ./acme-gitops.pem`,
		SuggestFor:        []string{"add"},
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProviderArg(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.fromCommand(cmd, args); err != nil {
				return err
			}
			opts.runDeps = f.deps()
			return runF(cmd.Context(), opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// addFlags declares set's flags: one per credential field (setFieldFlags), bound to opts.
func (opts *setOptions) addFlags(fl *pflag.FlagSet) {
	for _, ff := range setFieldFlags {
		fl.String(ff.flag, "", ff.usage)
	}
	fl.StringVar(&opts.ProviderFlag, "provider", "", "the provider of a new credential whose name is not a provider's id ("+strings.Join(providerNames(), ", ")+")")
	fl.BoolVar(&opts.TokenStdin, "token-stdin", false, "read the token from standard input")
	fl.BoolVar(&opts.Activate, "activate", false, "make this the active credential")
	fl.BoolVar(&opts.NoCheck, "no-check", false, "save without checking the credentials")
	fl.BoolVar(&opts.Deep, "deep", false, "also run the round trip (create, clone, push, verify, delete) before saving")
	fl.DurationVar(&opts.Timeout, "timeout", providers.DefaultTimeout, "deadline for the live check (60s with --deep)")
	addKindFlags(fl, opts)
	opts.SSH.addFlags(fl)
}

// fromCommand reads the credential's name and the flags given into opts, refusing what the
// command line gets wrong (a usage error) before anything is opened.
func (opts *setOptions) fromCommand(cmd *cobra.Command, args []string) error {
	if err := readCredentialArg(args[0], &opts.Credential, &opts.Typed); err != nil {
		return err
	}
	if err := opts.earlyProvider(); err != nil {
		return err
	}
	if err := opts.checkKindFlags(); err != nil {
		return err
	}
	if opts.Deep && opts.NoCheck {
		return usageErr("--deep and --no-check exclude each other")
	}
	if err := opts.SSH.validate(); err != nil {
		return err
	}
	fl := cmd.Flags()
	if opts.Deep && !fl.Changed("timeout") {
		opts.Timeout = providers.DeepTimeout
	}
	if opts.Timeout <= 0 {
		return usageErr("--timeout must be positive")
	}
	opts.Fields = nil
	for _, ff := range setFieldFlags {
		if fl.Changed(ff.flag) {
			v, err := fl.GetString(ff.flag)
			if err != nil {
				return usageErr("%v", err)
			}
			opts.Fields = append(opts.Fields, setField{Flag: ff.flag, Key: ff.key, Value: v})
		}
	}
	return nil
}

// earlyProvider checks --provider against a credential named after a provider, before the store
// is read: such a credential is of that provider.
func (opts *setOptions) earlyProvider() error {
	if opts.ProviderFlag == "" {
		return nil
	}
	p, err := providerArg(opts.ProviderFlag)
	if err != nil {
		return err
	}
	if named, err := providers.Lookup(opts.Credential); err == nil && named.ID != p.ID {
		return usageErr("the credential named %s is of provider %s: name a credential of %s otherwise (e.g. %s-2)", opts.Credential, named.Name, p.Name, p.ID)
	}
	opts.Provider = p
	return nil
}

// resolveProvider finds the credential's provider: --provider, else the stored credential's, else
// the provider it is named after; a stored credential keeps its provider.
func (opts *setOptions) resolveProvider(d *config.Data, stored *config.Credential) error {
	switch {
	case stored != nil && opts.ProviderFlag != "" && string(opts.Provider.ID) != stored.Provider:
		return usageErr("%s is a credential of %s, not %s: remove it first, or choose another name", opts.Credential, providerName(stored.Provider), opts.Provider.Name)
	case stored != nil:
		opts.Provider = providers.MustLookup(providers.ID(stored.Provider))
	case opts.ProviderFlag != "":
	default:
		p, err := providers.Lookup(opts.Credential)
		if err != nil {
			msg := fmt.Sprintf("%s is a new credential: give its provider with --provider (one of %s)", opts.Credential, providerIDList())
			if sug := suggest(opts.Credential, providerNames()); len(sug) > 0 {
				msg = fmt.Sprintf("unknown credential %q: did you mean %s? A new credential needs --provider (one of %s)", opts.Credential, orList(sug), providerIDList())
			}
			return usageErr("%s", msg)
		}
		opts.Provider = p
	}
	return nil
}

// setRun overlays the given fields (and the token) on opts.Provider's stored settings, checks
// them unless --no-check, and saves them only if the check passed.
func setRun(ctx context.Context, opts *setOptions) error {
	s, d, err := loadStore(opts.OpenStore)
	if err != nil {
		if _, perr := providers.Lookup(opts.Credential); perr != nil && opts.ProviderFlag == "" && config.IsKind(err, config.KindNotFound) {
			return usageErr("%s", unknownCredential(cmp.Or(opts.Typed, opts.Credential), nil))
		}
		return err
	}
	stored := d.Credentials[opts.Credential]
	if err := opts.resolveProvider(d, stored); err != nil {
		return err
	}
	p := opts.Provider
	creds, changed, err := mergeSetFields(opts, stored)
	if err != nil {
		return err
	}
	verify := usecase.VerifyCheck
	switch {
	case opts.NoCheck, opts.SSH.SSHGenerate && !opts.SSH.RegisterKey:
		// A key just generated cannot pass before its public key is on the server.
		verify = usecase.VerifyNone
	case opts.Deep:
		verify = usecase.VerifyDeep
	}
	b := usecase.New(s, usecase.Options{Env: opts.Env, Now: opts.Now, Who: opts.Who()})
	// Only what this invocation set is applied, over whatever is current now; the store refuses
	// the save when another writer changed this provider while the check ran, since what would be
	// saved is not what was checked.
	out, err := b.Save(ctx, usecase.SaveInput{Credentials: creds, Fields: changed, Base: config.AnyRevision,
		Activate: opts.Activate, Verify: verify, Timeout: opts.Timeout,
		TrustHostKey: opts.SSH.TrustHostKey, AskHostKey: hostKeyQuestion(opts.IO), RegisterKey: opts.SSH.RegisterKey})
	if out.KeyRegistered != "" {
		fmt.Fprintln(opts.IO.Out, strings.ToUpper(out.KeyRegistered[:1])+out.KeyRegistered[1:]+".")
	}
	if out.KeyUnregistered != "" {
		fmt.Fprintln(opts.IO.Err, strings.ToUpper(out.KeyUnregistered[:1])+out.KeyUnregistered[1:]+".")
	}
	var invalid *usecase.InvalidError
	if errors.As(err, &invalid) {
		return usageErr("not saved:\n  %s", strings.ReplaceAll(strings.Join(invalidLinesOf(p, creds.Kind, invalid.Err), "\n"), "\n", "\n  "))
	}
	if out.Result != nil {
		r := *out.Result
		r.Active = opts.Activate || d.Active == opts.Credential
		writeResultsText(opts.IO.Out, []providers.Result{r}, opts.Now())
	}
	var failed *usecase.CheckFailedError
	var untrusted *usecase.UntrustedHostKeyError
	var hostChanged *providers.HostKeyChangedError
	switch {
	case errors.As(err, &untrusted), errors.As(err, &hostChanged), errors.As(err, new(*usecase.KeyRegistrationError)):
		fmt.Fprintln(opts.IO.Err, err)
		return errCheckFailed
	case errors.As(err, &failed):
		fmt.Fprintln(opts.IO.Err, "not saved: the check failed; fix what it names, or save anyway with --no-check")
		return errCheckFailed
	case config.IsKind(err, config.KindStale):
		return usageErr("not saved: %s's stored settings changed while the check ran; run the command again", credentialLabel(opts.Credential, string(p.ID)))
	case err != nil:
		return err
	}
	label := credentialLabel(opts.Credential, string(p.ID))
	msg := "Saved " + label
	if opts.Activate {
		msg = "Saved and activated " + label
	}
	if opts.NoCheck {
		msg += " (not checked: run `gitopscfg check " + opts.Credential + "`)"
	} else if opts.SSH.SSHGenerate && !opts.SSH.RegisterKey {
		msg += " (not checked: add the public key below to the Git server, then run `gitopscfg check " + opts.Credential + "`)"
	}
	fmt.Fprintln(opts.IO.Out, msg+".")
	opts.SSH.printPublicKey(opts.IO)
	return nil
}

// invalidLines says why the fields in err are not valid, one line each, naming each field by the
// flag that sets it (--org, --token-stdin) and the token by the provider's own noun, as the
// command line knows them (the shared validators name the form's fields).
func invalidLines(p providers.Provider, err error) []string { return invalidLinesOf(p, "", err) }

// invalidLinesOf is invalidLines for a credential of kind.
func invalidLinesOf(p providers.Provider, kind string, err error) []string {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	tokenLabel := genericTokenNoun
	if f, ok := p.FieldOf(kind, providers.FieldToken); ok {
		tokenLabel = f.Label
	}
	var lines []string
	for _, e := range errs {
		var fe *forms.FieldError
		if !errors.As(e, &fe) {
			lines = append(lines, e.Error())
			continue
		}
		msg := strings.ReplaceAll(fe.Err.Error(), "in the "+tokenLabel+" field", "on standard input (--token-stdin)")
		msg = strings.ReplaceAll(msg, genericTokenNoun, tokenNoun(p.ID))
		lines = append(lines, fieldFlagOf(kind, fe.Field)+": "+msg)
	}
	return lines
}

// fieldFlag is the flag of set that sets field k.
func fieldFlag(k providers.FieldKey) string {
	switch k {
	case providers.FieldToken:
		return "--token-stdin"
	case providers.FieldProxyPassword:
		return "the proxy password (" + proxyPasswordEnv + ")"
	}
	for _, ff := range setFieldFlags {
		if ff.key == k {
			return "--" + ff.flag
		}
	}
	return string(k)
}

// mergeSetFields overlays the given fields (and the token from stdin) on the stored credentials
// and lists the fields the invocation sets.
func mergeSetFields(opts *setOptions, stored *config.Credential) (providers.Credentials, []providers.FieldKey, error) {
	p := opts.Provider
	c := providers.FromConfig(opts.Credential, stored)
	c.Provider = p.ID
	changed, err := opts.applyKind(&c)
	if err != nil {
		return c, nil, err
	}
	for _, f := range opts.Fields {
		if _, ok := p.FieldOf(c.Kind, f.Key); !ok {
			if _, any := p.Field(f.Key); any {
				return c, nil, usageErr("--%s does not apply to a %s credential of kind %s", f.Flag, p.Name, c.CredentialKind())
			}
			return c, nil, usageErr("--%s does not apply to %s", f.Flag, p.Name)
		}
		*c.Field(f.Key) = f.Value
		changed = append(changed, f.Key)
	}
	if err := opts.readAppKey(&c, &changed); err != nil {
		return c, nil, err
	}
	more, err := applyNetFlags(opts.runDeps, &c.Settings, changed)
	if err != nil {
		return c, nil, err
	}
	changed = append(changed, more...)
	if err := opts.SSH.appliesTo(p); err != nil {
		return c, nil, err
	}
	if set, err := opts.SSH.apply(&c); err != nil {
		return c, nil, err
	} else if set {
		keepHostKey(&c, stored)
		changed = append(changed, providers.FieldSSHKey, providers.FieldSSHHostKey)
	}
	if (opts.SSH.TrustHostKey != "" || opts.SSH.RegisterKey) && !providers.UsesSSH(c) {
		return c, nil, usageErr("--trust-host-key and --register-key apply to a credential with an SSH key: give --ssh-key FILE or --ssh-key-generate")
	}
	if opts.SSH.TrustHostKey != "" && !slices.Contains(changed, providers.FieldSSHHostKey) {
		changed = append(changed, providers.FieldSSHHostKey)
	}
	if opts.TokenStdin {
		noun := tokenNoun(p.ID)
		if c.Kind == config.CredentialServicePrincipal {
			noun = "client secret"
		}
		tok, err := readToken(opts.IO.In, opts.IO.Err, noun)
		if err != nil {
			return c, nil, err
		}
		c.Token = tok
		changed = append(changed, providers.FieldToken)
	}
	if stored == nil {
		if c.Host == "" {
			c.Host = p.DefaultHost
			changed = append(changed, providers.FieldHost)
		}
		missing := missingFlags(p, c)
		if p.GitOnly() {
			missing = missingFields(p, c)
		}
		if len(missing) > 0 {
			return c, nil, usageErr("%s is not configured yet, so it needs %s", p.Name, strings.Join(missing, ", "))
		}
	}
	if len(changed) == 0 {
		return c, nil, usageErr("nothing to set: give at least one of --host, --org, --username, --project-key, --api-url, --ca-bundle, --proxy, --client-cert, --token-stdin, --kind, --app-id, --app-key, --installation-id, --url, --ssh-key, --ssh-key-generate, --ssh-url, --trust-host-key")
	}
	return c, changed, nil
}

// tokenNoun names provider id's kind of token, as the provider does ("token" for an unknown id).
func tokenNoun(id providers.ID) string {
	if p, err := providers.Lookup(string(id)); err == nil {
		return p.TokenNoun
	}
	return "token"
}

// genericTokenNoun is what the shared validators (forms) call every token; the command line says
// the provider's own noun instead.
const genericTokenNoun = "personal access token"

// readToken reads the token from standard input (a pipe or a file), trimmed. On a terminal it is
// read without echo, so it never shows on the screen. noun names the kind of token in errors.
func readToken(in io.Reader, prompt io.Writer, noun string) (string, error) {
	if in == nil {
		return "", usageErr("--token-stdin: standard input is not available")
	}
	var b []byte
	var err error
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err = readSecret(f, prompt, "Token (not shown): ")
	} else {
		b, err = io.ReadAll(io.LimitReader(in, 64*1024))
	}
	if err != nil {
		return "", usageErr("--token-stdin: cannot read standard input: %v", err)
	}
	tok, err := forms.Token(string(b))
	if err != nil {
		var fe *forms.FieldError
		if errors.As(err, &fe) {
			err = fe.Err
		}
		return "", usageErr("--token-stdin: %s", strings.ReplaceAll(err.Error(), genericTokenNoun, noun))
	}
	return tok, nil
}

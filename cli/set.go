package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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
	// SPCertFile is --sp-cert, the file holding an Azure service principal's certificate and its
	// private key (its secret instead of a client secret).
	SPCertFile string
}

// newSetCmd builds set; runF runs it (nil: setRun), so tests can swap it.
func newSetCmd(f *factory, runF func(context.Context, *setOptions) error) *cobra.Command {
	if runF == nil {
		runF = setRun
	}
	opts := &setOptions{}
	cmd := &cobra.Command{
		Use:               "set CREDENTIAL [--provider PROVIDER] --org NAME (--username NAME --token-stdin | --app-id ID --app-key FILE [--installation-id ID] | --tenant-id T --client-id C (--token-stdin | --sp-cert FILE)) [--host URL] [--project-key KEY] [--url-prefix URL] [--repo OWNER/REPO] [--proxy URL [--proxy-username U] [--no-proxy LIST]] [--client-cert FILE --client-key FILE [--client-cert-in-place]] [--activate] [--no-check | --deep]",
		Short:             "Add or update a credential non-interactively; checks it live and saves it only if it passes",
		Long:              setLong,
		Example:           setExample,
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
	addInPlaceFlag(fl)
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
	inPlace, err := inPlaceGiven(fl)
	if err != nil || !inPlace {
		return err
	}
	for i := range opts.Fields { // the files' paths instead of their contents
		opts.Fields[i].Key = inPlaceKey(opts.Fields[i].Key)
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
	creds, changed, err := mergeSetFields(opts, stored)
	if err != nil {
		return err
	}
	b := usecase.New(s, usecase.Options{Env: opts.Env, Now: opts.Now, Who: opts.Who()})
	// Only what this invocation set is applied, over whatever is current now; the store refuses
	// the save when another writer changed this provider while the check ran, since what would be
	// saved is not what was checked.
	out, err := b.Save(ctx, usecase.SaveInput{Credentials: creds, Fields: changed, Base: config.AnyRevision,
		Activate: opts.Activate, Verify: opts.verify(), Timeout: opts.Timeout,
		TrustHostKey: opts.SSH.TrustHostKey, AskHostKey: hostKeyQuestion(opts.IO), RegisterKey: opts.SSH.RegisterKey})
	return reportSave(opts, d, creds, out, err)
}

// verify is how set checks before it saves: not at all (--no-check, or a key just generated,
// which cannot pass before its public key is on the server), the round trip (--deep), or the
// live check.
func (opts *setOptions) verify() usecase.Verify {
	switch {
	case opts.NoCheck, opts.SSH.SSHGenerate && !opts.SSH.RegisterKey:
		return usecase.VerifyNone
	case opts.Deep:
		return usecase.VerifyDeep
	}
	return usecase.VerifyCheck
}

// reportSave says how set's save ended: the check's result, why nothing was saved, or what was.
func reportSave(opts *setOptions, d *config.Data, creds providers.Credentials, out usecase.Saved, err error) error {
	p := opts.Provider
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
	fmt.Fprintln(opts.IO.Out, opts.savedText()+".")
	opts.SSH.printPublicKey(opts.IO, creds)
	return nil
}

// savedText says what set saved, and how to check it when it was not checked.
func (opts *setOptions) savedText() string {
	label := credentialLabel(opts.Credential, string(opts.Provider.ID))
	msg := "Saved " + label
	if opts.Activate {
		msg = "Saved and activated " + label
	}
	if opts.NoCheck {
		msg += " (not checked: run `gitopscfg check " + opts.Credential + "`)"
	} else if opts.SSH.SSHGenerate && !opts.SSH.RegisterKey {
		msg += " (not checked: add the public key below to the Git server, then run `gitopscfg check " + opts.Credential + "`)"
	}
	return msg
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

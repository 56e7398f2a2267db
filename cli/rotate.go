package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// `gitopscfg rotate CREDENTIAL`: replace a credential's token as one guided step, each step's result
// shown as it happens. A provider that can rotate through its API (providers.Provider.Rotation: GitLab) issues
// the new token itself and revokes the old one at once, so the new token is saved before
// anything else; for the others the admin creates the replacement, and it is saved only after
// it passed the check and the round trip. Either way, a failure at any step leaves the store with
// the token that works, and says which one.

// rotateOptions is what rotate needs: injected dependencies first, then the parsed flags and
// arguments.
type rotateOptions struct {
	runDeps
	// PushDevtron, when set, replaces the push of the credential name in d to d's Devtron
	// instance (tests); configured is false when d holds no instance.
	PushDevtron func(ctx context.Context, d *config.Data, name string) (configured bool, err error)
	// PushProgress shows Devtron's progress (on stderr).
	PushProgress func(platforms.Event)

	// Credential is the credential's name as credentialArg read it; Typed as typed.
	Credential, Typed string
	// ExpiresInGiven: --expires-in was given.
	ExpiresInGiven bool
	// provider is the credential's provider, once the store is read.
	provider providers.ID
	// TokenStdin reads the new token from standard input (GitLab: instead of rotating through the API).
	TokenStdin bool
	// Yes rotates through the API without asking first.
	Yes bool
	// ShowUnsaved prints an issued token that could not be saved, once.
	ShowUnsaved bool
	// ExpiresIn is the issued token's lifetime (0: the old one's, see providers.Rotation.Lifetime).
	ExpiresIn time.Duration
	// Timeout is the deadline of each step's requests.
	Timeout time.Duration
}

// newRotateCmd builds rotate; runF runs it (nil: rotateRun), so tests can swap it.
func newRotateCmd(f *factory, runF func(context.Context, *rotateOptions) error) *cobra.Command {
	if runF == nil {
		runF = rotateRun
	}
	opts := &rotateOptions{}
	cmd := &cobra.Command{
		Use:   "rotate CREDENTIAL [--token-stdin] [--yes] [--expires-in 90d]",
		Short: "Replace a provider's token: create or paste, check, round trip, save, push",
		Long: `Replace CREDENTIAL's token as one guided step, showing each step's result as it happens.

GitLab rotates the token through its API (POST /personal_access_tokens/self/rotate): after you
confirm, GitLab issues a new token with the same name and scopes and revokes the old one at once;
the new token is saved before anything else, then checked, round-tripped and pushed to Devtron
when an instance is configured. The new token keeps the old one's lifetime (at most a year)
unless --expires-in says otherwise.

For the other providers (and for GitLab with --token-stdin), gitopscfg shows the page where the
replacement is created and the scopes to tick, reads the new token (standard input with
--token-stdin, else a masked prompt), checks it, runs the round trip, saves it, pushes it to
Devtron when configured, and then says where to revoke the old one.

A failure at any step leaves the store with a working token and says which one.
Exit status 0 when every step passed, 1 when one failed or the rotation was declined, 2 on a
usage or store error.`,
		Example: `  # GitLab issues the new token itself, after you confirm, and revokes the old one
  $ gitopscfg rotate gitlab

  # The same without asking, for a lifetime of 90 days
  $ gitopscfg rotate gitlab --yes --expires-in 90d

  # Any provider: the replacement you created, from a variable on standard input
  $ printf '%s' "$NEW_GITHUB_TOKEN" | gitopscfg rotate github --token-stdin`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProviderArg(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.parse(cmd, args); err != nil {
				return err
			}
			opts.runDeps = f.deps()
			opts.PushProgress = f.pushProgress(false)
			return runF(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.TokenStdin, "token-stdin", false, "read the new token from standard input (GitLab: paste one instead of rotating through the API)")
	fl.BoolVar(&opts.Yes, "yes", false, "rotate without asking first (GitLab)")
	fl.BoolVar(&opts.ShowUnsaved, "show-token-if-unsaved", false, "if the new token cannot be saved, print it once so it is not lost (GitLab)")
	fl.Var(durationFlag{&opts.ExpiresIn}, "expires-in", "lifetime of the new GitLab token (default: the old one's, at most a year)")
	fl.DurationVar(&opts.Timeout, "timeout", providers.DeepTimeout, "deadline of each step's requests")
	return cmd
}

// parse checks rotate's argument and flags, and puts CREDENTIAL in opts.Credential.
func (opts *rotateOptions) parse(cmd *cobra.Command, args []string) error {
	if err := readCredentialArg(args[0], &opts.Credential, &opts.Typed); err != nil {
		return err
	}
	opts.ExpiresInGiven = cmd.Flags().Changed("expires-in")
	if p, err := providers.Lookup(opts.Credential); err == nil {
		if err := opts.checkExpiresIn(p); err != nil {
			return err
		}
	}
	if opts.Timeout <= 0 {
		return usageErr("--timeout must be positive")
	}
	return nil
}

// checkExpiresIn refuses --expires-in where the provider p does not issue the token.
func (opts *rotateOptions) checkExpiresIn(p providers.Provider) error {
	if !opts.ExpiresInGiven {
		return nil
	}
	if p.Rotation == nil || opts.TokenStdin {
		return usageErr("--expires-in applies only when %s issues the token itself (GitLab without --token-stdin)", p.Name)
	}
	if opts.ExpiresIn < 24*time.Hour {
		return usageErr("--expires-in must be at least 1d")
	}
	return nil
}

// rotateRun replaces opts.Credential's token (usecase.Rotate), printing each step as it happens:
// through the provider's API when it rotates tokens itself (and no token is given on standard
// input), else by hand.
func rotateRun(ctx context.Context, opts *rotateOptions) error {
	s, _, c, err := loadCredential(opts.OpenStore, opts.Credential, opts.Typed)
	if err != nil {
		return err
	}
	p := providers.MustLookup(providers.ID(c.Provider))
	opts.provider = p.ID
	if err := opts.checkExpiresIn(p); err != nil {
		return err
	}
	byHand := p.Rotation == nil || opts.TokenStdin
	ask := &rotateAsker{opts: opts}
	if opts.IO.In != nil {
		ask.in = bufio.NewReader(opts.IO.In)
	}
	b := usecase.New(s, usecase.Options{Env: opts.Env, Now: opts.Now, Who: opts.Who()})
	_, err = b.Rotate(ctx, usecase.RotateInput{Credential: opts.Credential, ByHand: byHand, Yes: opts.Yes, ExpiresIn: opts.ExpiresIn,
		Timeout: opts.Timeout, ShowUnsaved: opts.ShowUnsaved, Events: ask.show, Push: opts.PushDevtron, PushProgress: opts.PushProgress}, ask)
	var ue *usecase.UsageError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ue):
		return usageErr("%v", err)
	case errors.Is(err, usecase.ErrSaveFailed):
		return &exitError{code: exitUsageStore, err: errCheckFailed}
	case errors.Is(err, usecase.ErrDeclined), errors.Is(err, usecase.ErrStepFailed), errors.Is(err, usecase.ErrInterrupted):
		return errCheckFailed
	}
	return err
}

// rotateAsker prints a rotation's steps and asks its questions on the streams.
type rotateAsker struct {
	opts *rotateOptions
	in   *bufio.Reader
}

// show prints one event of the rotation as it happens.
func (a *rotateAsker) show(e usecase.RotateEvent) {
	out := a.opts.IO.Out
	switch e := e.(type) {
	case usecase.StepDone:
		fmt.Fprintf(out, "%s %s: %s\n", e.Status.Mark(), e.Name, e.Message)
	case usecase.StepNote:
		fmt.Fprintf(out, "  %s\n", e.Text)
	case usecase.RotateWarning:
		fmt.Fprintln(a.opts.IO.Err, "warning:", e.Text)
	case usecase.UnsavedToken:
		fmt.Fprintln(out, e.Token)
	case usecase.CreateAt:
		if len(e.Scopes) == 0 {
			fmt.Fprintf(out, "• create: create the replacement at %s\n", e.Page)
			break
		}
		fmt.Fprintf(out, "• create: create the replacement at %s with:\n", e.Page)
		for _, sc := range e.Scopes {
			extra := ""
			if sc.Advisory {
				extra = " (optional)"
			}
			fmt.Fprintf(out, "  - %s%s: %s\n", sc.Name, extra, sc.Why)
		}
	}
}

// Confirm asks before the provider issues the new token.
func (a *rotateAsker) Confirm(p usecase.IssuePlan) (bool, error) {
	return a.confirm(p.Question() + " [y/N] ")
}

// CanReadToken refuses to ask for a token without --token-stdin when no terminal is there.
func (a *rotateAsker) CanReadToken() error {
	if !a.opts.TokenStdin && !a.onTerminal() {
		return usageErr("give the new token on standard input with --token-stdin (there is no terminal to ask on)")
	}
	return nil
}

// Token reads the replacement: standard input with --token-stdin, else a masked prompt.
func (a *rotateAsker) Token() (string, error) {
	st := a.opts.IO
	prompt := st.Out
	if a.opts.TokenStdin {
		prompt = st.Err
	}
	return readToken(st.In, prompt, tokenNoun(a.opts.provider))
}

// ShowUnsaved asks, on a terminal only, whether to show the token that could not be saved.
func (a *rotateAsker) ShowUnsaved() bool {
	if !a.onTerminal() {
		return false
	}
	show, _ := a.confirm("  Show the new token once, so that you can store it yourself? [y/N] ")
	return show
}

// confirm asks a yes/no question on standard input.
func (a *rotateAsker) confirm(question string) (bool, error) {
	if a.in == nil {
		return false, usageErr("no standard input to confirm on: give --yes to rotate without asking")
	}
	fmt.Fprint(a.opts.IO.Out, question)
	line, err := a.in.ReadString('\n')
	if !a.onTerminal() {
		fmt.Fprintln(a.opts.IO.Out) // the answer came from a pipe: end the question's line
	}
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		fmt.Fprintln(a.opts.IO.Out)
		return false, usageErr("no answer on standard input: give --yes to rotate without asking")
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// onTerminal reports whether both standard input and output are terminals (a person is there).
func (a *rotateAsker) onTerminal() bool {
	f, ok := a.opts.IO.In.(*os.File)
	return ok && a.opts.IO.IsTerm && term.IsTerminal(int(f.Fd()))
}

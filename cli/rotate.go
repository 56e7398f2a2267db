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
)

// `gitopscfg rotate PROVIDER`: replace a provider's token as one guided step, each step's result
// shown as it happens. A provider that can rotate through its API (providers.Provider.Rotation: GitLab) issues
// the new token itself and revokes the old one at once, so the new token is saved before
// anything else; for the others the admin creates the replacement, and it is saved only after
// it passed the check and the round trip. Either way, a failure at any step leaves the store with
// the token that works, and says which one.

// rotateOptions is what rotate needs: injected dependencies first, then the parsed flags and
// arguments.
type rotateOptions struct {
	IO        Streams
	OpenStore func() (*config.Store, error)
	Env       func(timeout time.Duration) *providers.Env
	Now       func() time.Time
	Who       func() string
	// PushDevtron pushes provider id's credentials in d to d's Devtron instance, as `gitopscfg
	// push devtron` does (Devtron's progress on stderr); configured is false when d holds no
	// instance.
	PushDevtron func(ctx context.Context, d *config.Data, id providers.ID) (configured bool, err error)

	Provider providers.Provider
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
		Use:   "rotate PROVIDER [--token-stdin] [--yes] [--expires-in 90d]",
		Short: "Replace a provider's token: create or paste, check, round trip, save, push",
		Long: `Replace PROVIDER's token as one guided step, showing each step's result as it happens.

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
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := providerArg(args[0])
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("expires-in") {
				if p.Rotation == nil || opts.TokenStdin {
					return usageErr("--expires-in applies only when %s issues the token itself (GitLab without --token-stdin)", p.Name)
				}
				if opts.ExpiresIn < 24*time.Hour {
					return usageErr("--expires-in must be at least 1d")
				}
			}
			if opts.Timeout <= 0 {
				return usageErr("--timeout must be positive")
			}
			opts.IO, opts.OpenStore, opts.Env, opts.Now, opts.Who = f.Streams, f.openStore, f.providerEnvWithTimeout, f.now, f.who
			opts.PushDevtron = devtronPusher(f.providerEnv, f.pushProgress(false))
			opts.Provider = p
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

// devtronPusher pushes a provider's credentials to the Devtron instance stored beside them, with
// Devtron's progress going to progress.
func devtronPusher(env func() *providers.Env, progress func(platforms.Event)) func(context.Context, *config.Data, providers.ID) (bool, error) {
	return func(ctx context.Context, d *config.Data, id providers.ID) (bool, error) {
		if d.Devtron == nil {
			return false, nil
		}
		sp := d.Providers[string(id)]
		if sp == nil {
			return true, fmt.Errorf("%s was removed from the store", id)
		}
		dt, err := platforms.NewDevtron(env(), *platforms.InstanceFromConfig(d.Devtron))
		if err != nil {
			return true, err
		}
		res, err := dt.Push(ctx, providers.FromConfig(id, sp), platforms.PushOptions{Progress: progress})
		if err != nil && res.Outcome == "" {
			return true, err
		}
		if !res.OK() {
			return true, errors.New(res.Message)
		}
		return true, nil
	}
}

// rotation is one run of `rotate`.
type rotation struct {
	opts *rotateOptions
	s    *config.Store
	p    providers.Provider
	env  *providers.Env
	// old are the provider's credentials when the rotation started, the old token among them.
	old providers.Credentials
	in  *bufio.Reader
}

// rotateRun replaces opts.Provider's token: through the provider's API when it rotates tokens
// itself (and no token is given on standard input), else by hand.
func rotateRun(ctx context.Context, opts *rotateOptions) error {
	p := opts.Provider
	s, d, err := loadStore(opts.OpenStore)
	if err != nil {
		return err
	}
	stored := d.Providers[string(p.ID)]
	if stored == nil {
		return usageErr("%s is not configured: run `gitopscfg set %s …` first", p.Name, p.ID)
	}
	r := &rotation{opts: opts, s: s, p: p, env: opts.Env(opts.Timeout), old: providers.FromConfig(p.ID, stored)}
	if opts.IO.In != nil {
		r.in = bufio.NewReader(opts.IO.In)
	}
	if p.Rotation != nil && !opts.TokenStdin {
		return r.throughAPI(ctx, *p.Rotation)
	}
	return r.byHand(ctx)
}

// step prints one step's result as it happens.
func (r *rotation) step(st providers.Status, name, msg string) {
	fmt.Fprintf(r.opts.IO.Out, "%s %s: %s\n", st.Mark(), name, msg)
}

// note prints an indented line under a step.
func (r *rotation) note(format string, args ...any) {
	fmt.Fprintf(r.opts.IO.Out, "  "+format+"\n", args...)
}

func hint(tok string) string { return providers.TokenHint(tok) }

// throughAPI: describe the stored token, confirm, rotate, save at once, then check, round trip
// and push.
func (r *rotation) throughAPI(ctx context.Context, api providers.Rotation) error {
	info, err := api.Current(ctx, r.env, r.old)
	if err != nil {
		r.step(providers.Fail, "token", err.Error())
		r.note("Nothing changed: the store still holds %s.", hint(r.old.Token))
		return errCheckFailed
	}
	r.step(providers.Pass, "token", describeToken(info, r.old.Token))
	// --expires-in is sent as given (the instance may allow less, and then refuses the rotation:
	// nothing changes).
	lifetime := r.opts.ExpiresIn
	if lifetime == 0 {
		lifetime = api.Lifetime(info)
	}
	expires := providers.RotatedExpiry(r.opts.Now(), lifetime)
	if !r.opts.Yes {
		ok, err := r.confirm(fmt.Sprintf("%s revokes %s the moment it issues the new token, which will expire on %s. Rotate now? [y/N] ",
			r.p.Name, hint(r.old.Token), expires.Format("2006-01-02")))
		if err != nil {
			return err
		}
		if !ok {
			r.step(providers.Skip, "rotate", "not rotated: nothing changed")
			return errCheckFailed
		}
	}
	if ctx.Err() != nil {
		return r.interrupted(false, "")
	}
	newTok, newInfo, err := api.Rotate(ctx, r.env, r.old, expires)
	if err != nil {
		r.step(providers.Fail, "rotate", err.Error())
		var re *providers.RotateError
		if errors.As(err, &re) && re.MaybeRevoked {
			r.note("The store still holds the old token %s, which %s may have revoked.", hint(r.old.Token), r.p.Name)
		} else {
			r.note("Nothing changed: the store still holds the old token %s, which still works.", hint(r.old.Token))
		}
		return errCheckFailed
	}
	exp := "no expiry date"
	if newInfo.ExpiresAt != nil {
		exp = "expiring on " + newInfo.ExpiresAt.Format("2006-01-02")
	}
	r.step(providers.Pass, "rotate", fmt.Sprintf("%s issued the new token %s (%s) and revoked the old one %s", r.p.Name, hint(newTok), exp, hint(r.old.Token)))

	// The old token is dead: saving the new one comes first, and Ctrl-C does not stop it.
	d, err := r.s.RotateToken(context.WithoutCancel(ctx), r.opts.Who(), config.TokenRotation{
		Provider: string(r.p.ID), From: r.old.Settings(), Token: newTok, Issued: true, At: r.opts.Now()})
	if err != nil {
		return r.unsaved(newTok, err)
	}
	r.step(providers.Pass, "save", fmt.Sprintf("the new token %s is in the store (revision %d)", hint(newTok), d.Revision))
	// what is stored now: the new token over the settings as they are (another writer may have changed them)
	if err := r.verify(ctx, d, providers.FromConfig(r.p.ID, d.Providers[string(r.p.ID)]), true); err != nil {
		return err
	}
	r.step(providers.Pass, "done", fmt.Sprintf("%s now uses %s; %s revoked the old token itself, so there is nothing to revoke by hand",
		r.p.Name, hint(newTok), r.p.Name))
	return nil
}

// confirm asks a yes/no question on standard input.
func (r *rotation) confirm(question string) (bool, error) {
	if r.in == nil {
		return false, usageErr("no standard input to confirm on: give --yes to rotate without asking")
	}
	fmt.Fprint(r.opts.IO.Out, question)
	line, err := r.in.ReadString('\n')
	if !r.onTerminal() {
		fmt.Fprintln(r.opts.IO.Out) // the answer came from a pipe: end the question's line
	}
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		fmt.Fprintln(r.opts.IO.Out)
		return false, usageErr("no answer on standard input: give --yes to rotate without asking")
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// unsaved reports a new token that could not be saved while the old one is revoked: it is shown
// only on explicit request (--show-token-if-unsaved, or yes on a terminal).
func (r *rotation) unsaved(newTok string, err error) error {
	r.step(providers.Fail, "save", err.Error())
	r.note("The new token is NOT saved, and %s has revoked the old one %s: GitOps stops working until a working token is stored.",
		r.p.Name, hint(r.old.Token))
	show := r.opts.ShowUnsaved
	if !show && r.onTerminal() {
		show, _ = r.confirm("  Show the new token once, so that you can store it yourself? [y/N] ")
	}
	if show {
		r.note("The new token, shown this once (store it with `gitopscfg set %s --token-stdin`, then clear the screen):", r.p.ID)
		fmt.Fprintln(r.opts.IO.Out, newTok)
	} else {
		r.note("It is not shown (only --show-token-if-unsaved or an answer on a terminal shows it), so it is lost with this run:")
		r.note("create a new token at %s with the scopes %s and store it with `gitopscfg set %s --token-stdin`.",
			r.p.TokenURL(r.old.Host), strings.Join(r.p.ScopeNames(), ", "), r.p.ID)
	}
	return &exitError{code: exitUsageStore, err: errCheckFailed}
}

// onTerminal reports whether both standard input and output are terminals (a person is there).
func (r *rotation) onTerminal() bool {
	f, ok := r.opts.IO.In.(*os.File)
	return ok && r.opts.IO.IsTerm && term.IsTerminal(int(f.Fd()))
}

// verify checks c, then runs the round trip, then pushes to Devtron; saved says whether c is in
// the store already (issued by the provider), which the failure messages name; d is the store
// as the rotation last saw it. A token made by hand is saved between the round trip and the push.
func (r *rotation) verify(ctx context.Context, d *config.Data, c providers.Credentials, saved bool) error {
	where := fmt.Sprintf("Nothing saved: the store still holds the old token %s, unchanged.", hint(r.old.Token))
	if saved {
		where = fmt.Sprintf("The store holds the new token %s (the old one is revoked).", hint(c.Token))
	}
	if ctx.Err() != nil {
		return r.interrupted(saved, c.Token)
	}
	res := providers.Run(ctx, r.env, c)
	if ctx.Err() != nil {
		return r.interrupted(saved, c.Token)
	}
	checkedAt := r.opts.Now()
	r.result("check", res, false)
	if !res.OK {
		if saved {
			r.record(ctx, d, c, res, checkedAt, false)
		}
		r.note("%s Fix what the check names, then run `gitopscfg check %s --deep`.", where, r.p.ID)
		return errCheckFailed
	}
	deep := providers.RunDeep(ctx, r.env, c, func(ch providers.Check) {
		if ch.Status != providers.Running && strings.HasPrefix(ch.ID, "deep:") {
			r.note("%s %s %s", ch.Status.Mark(), ch.ID, ch.Message)
		}
	})
	if ctx.Err() != nil {
		return r.interrupted(saved, c.Token)
	}
	deepAt := r.opts.Now()
	r.result("round trip", deep, true)
	if saved {
		d = r.record(ctx, d, c, res, checkedAt, false)
		d = r.record(ctx, d, c, deep, deepAt, true)
	}
	if !deep.OK {
		r.note("%s Fix what the round trip names, then run `gitopscfg check %s --deep`.", where, r.p.ID)
		return errCheckFailed
	}
	if !saved {
		var err error
		if d, err = r.saveChecked(ctx, c, res.Record(checkedAt, false), deep.Record(deepAt, true)); err != nil {
			return err
		}
	}
	return r.push(ctx, d, c)
}

// result prints a check's (or round trip's) outcome as one step, its failing lines beneath.
func (r *rotation) result(name string, res providers.Result, deep bool) {
	st := providers.Pass
	if !res.OK {
		st = providers.Fail
	}
	var fails []providers.Check
	for _, c := range res.Checks {
		if strings.HasPrefix(c.ID, "deep:") != deep {
			continue
		}
		if c.Status == providers.Fail || c.Status == providers.Warn {
			fails = append(fails, c)
		}
	}
	msg := fmt.Sprintf("passed in %d ms", res.DurationMS)
	if res.User != "" && !deep {
		msg = fmt.Sprintf("authenticated as %s, passed in %d ms", res.User, res.DurationMS)
	}
	if !res.OK {
		msg = fmt.Sprintf("failed in %d ms", res.DurationMS)
	}
	r.step(st, name, msg)
	for _, c := range fails {
		if deep {
			continue // the stages were shown as they finished
		}
		r.note("%s %s %s", c.Status.Mark(), c.ID, c.Message)
	}
}

// record remembers a check (or round trip) of the saved token, as `check` does, and returns the
// store as it is then (d when nothing could be recorded).
func (r *rotation) record(ctx context.Context, d *config.Data, c providers.Credentials, res providers.Result, at time.Time, deep bool) *config.Data {
	next, err := r.s.RecordChecks(context.WithoutCancel(ctx), r.opts.Who(),
		config.Checked{Provider: string(r.p.ID), Tested: c.Settings(), Record: res.Record(at, deep)})
	switch {
	case config.IsKind(err, config.KindStale):
		return d // changed meanwhile: the result is not theirs to keep
	case err != nil:
		fmt.Fprintln(r.opts.IO.Err, "warning: the check results could not be remembered:", err)
		return d
	}
	return next
}

// saveChecked stores a pasted token that passed the check and the round trip, with their records;
// the store refuses it when the provider's settings changed since the rotation started.
func (r *rotation) saveChecked(ctx context.Context, c providers.Credentials, check, deep *config.CheckRecord) (*config.Data, error) {
	if ctx.Err() != nil {
		return nil, r.interrupted(false, c.Token)
	}
	d, err := r.s.RotateToken(context.WithoutCancel(ctx), r.opts.Who(), config.TokenRotation{
		Provider: string(r.p.ID), From: r.old.Settings(), Token: c.Token, Check: check, Deep: deep, At: r.opts.Now()})
	if err != nil {
		r.step(providers.Fail, "save", err.Error())
		r.note("Nothing saved: the store still holds what it held (the old token %s unless someone replaced it); run `gitopscfg rotate %s` again.",
			hint(r.old.Token), r.p.ID)
		return nil, &exitError{code: exitUsageStore, err: errCheckFailed}
	}
	r.step(providers.Pass, "save", fmt.Sprintf("the new token %s is in the store (revision %d)", hint(c.Token), d.Revision))
	return d, nil
}

// push sends the stored credentials to Devtron when an instance is configured.
func (r *rotation) push(ctx context.Context, d *config.Data, c providers.Credentials) error {
	configured, err := r.opts.PushDevtron(ctx, d, r.p.ID)
	var se *platforms.SwitchError
	switch {
	case !configured:
		r.step(providers.Skip, "push", "no Devtron instance is configured: nothing to push")
	case errors.As(err, &se):
		// A rotation never changes Devtron's active provider.
		r.step(providers.Skip, "push", fmt.Sprintf("Devtron holds no %s configuration and %s is its active provider: creating one would make %s the active one there, so nothing was pushed (`gitopscfg push devtron %s --activate` does that)",
			r.p.ID, platforms.ActiveName(se.Active), r.p.ID, r.p.ID))
	case err != nil:
		r.step(providers.Fail, "push", err.Error())
		r.note("The store holds the new token %s; Devtron still has the old one: run `gitopscfg push devtron %s`.", hint(c.Token), r.p.ID)
		return errCheckFailed
	default:
		r.step(providers.Pass, "push", "Devtron has the new token")
	}
	return nil
}

// interrupted reports Ctrl-C between steps, saying which token the store holds.
func (r *rotation) interrupted(saved bool, newTok string) error {
	if saved {
		r.step(providers.Skip, "interrupted", fmt.Sprintf("the store holds the new token %s (the old one is revoked); finish with `gitopscfg check %s --deep`",
			hint(newTok), r.p.ID))
	} else {
		r.step(providers.Skip, "interrupted", fmt.Sprintf("nothing saved: the store still holds the old token %s, unchanged", hint(r.old.Token)))
	}
	return errCheckFailed
}

// byHand: show where to create the replacement, read it, check it, round-trip it, save it, push
// it, then say where to revoke the old one.
func (r *rotation) byHand(ctx context.Context) error {
	st := r.opts.IO
	if !r.opts.TokenStdin && !r.onTerminal() {
		return usageErr("give the new token on standard input with --token-stdin (there is no terminal to ask on)")
	}
	page := r.p.TokenURL(r.old.Host)
	fmt.Fprintf(st.Out, "• create: create the replacement at %s with:\n", page)
	for _, sc := range r.p.Scopes {
		extra := ""
		if sc.Advisory {
			extra = " (optional)"
		}
		r.note("- %s%s: %s", sc.Name, extra, sc.Why)
	}
	prompt := st.Out
	if r.opts.TokenStdin {
		prompt = st.Err
	}
	tok, err := readToken(st.In, prompt)
	if err != nil {
		return err
	}
	if tok == r.old.Token {
		return usageErr("that is the token stored already: create a new one at %s", page)
	}
	r.step(providers.Pass, "token", "read "+hint(tok))
	next := r.old
	next.Token = tok
	if err := r.verify(ctx, nil, next, false); err != nil {
		return err
	}
	r.step(providers.Pass, "done", fmt.Sprintf("%s now uses %s. Revoke the old token %s at %s: it keeps working until you do",
		r.p.Name, hint(tok), hint(r.old.Token), r.p.RevokeURL(r.old.Host, r.old.Token)))
	return nil
}

// describeToken says what the provider shows of the stored token.
func describeToken(t providers.TokenInfo, tok string) string {
	exp := "no expiry date"
	if t.ExpiresAt != nil {
		exp = "expires on " + t.ExpiresAt.Format("2006-01-02")
	}
	return fmt.Sprintf("the stored token %q (%s) has the scopes %s and %s", t.Name, hint(tok), strings.Join(t.Scopes, ", "), exp)
}

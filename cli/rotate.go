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

type rotateOptions struct {
	tokenStdin, yes, showUnsaved bool
	expiresIn, timeout           time.Duration
}

// pushRotatedToDevtron pushes provider id's stored credentials to the stored Devtron instance
// (as `gitopscfg push devtron` does, Devtron's progress on stderr) and reports whether one is
// stored. A variable, so that tests can make the push fail without a Devtron.
var pushRotatedToDevtron = func(ctx context.Context, f *factory, id providers.ID) (configured bool, err error) {
	_, d, err := f.openAndLoad()
	if err != nil {
		return true, err
	}
	if d.Devtron == nil {
		return false, nil
	}
	sp := d.Providers[string(id)]
	if sp == nil {
		return true, fmt.Errorf("%s was removed from the store", id)
	}
	dt, err := platforms.NewDevtron(f.providerEnv(), *platforms.InstanceFromConfig(d.Devtron))
	if err != nil {
		return true, err
	}
	res, err := dt.Push(ctx, providers.FromConfig(id, sp), platforms.PushOptions{Progress: f.pushProgress(false)})
	if err != nil && res.Outcome == "" {
		return true, err
	}
	if !res.OK() {
		return true, errors.New(res.Message)
	}
	return true, nil
}

func newRotateCmd(f *factory) *cobra.Command {
	var o rotateOptions
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
				if p.Rotation == nil || o.tokenStdin {
					return usageErr("--expires-in applies only when %s issues the token itself (GitLab without --token-stdin)", p.Name)
				}
				if o.expiresIn < 24*time.Hour {
					return usageErr("--expires-in must be at least 1d")
				}
			}
			if o.timeout <= 0 {
				return usageErr("--timeout must be positive")
			}
			return f.runRotate(cmd.Context(), p, o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.tokenStdin, "token-stdin", false, "read the new token from standard input (GitLab: paste one instead of rotating through the API)")
	fl.BoolVar(&o.yes, "yes", false, "rotate without asking first (GitLab)")
	fl.BoolVar(&o.showUnsaved, "show-token-if-unsaved", false, "if the new token cannot be saved, print it once so it is not lost (GitLab)")
	fl.Var(durationFlag{&o.expiresIn}, "expires-in", "lifetime of the new GitLab token (default: the old one's, at most a year)")
	fl.DurationVar(&o.timeout, "timeout", providers.DeepTimeout, "deadline of each step's requests")
	return cmd
}

// rotation is one run of `rotate`.
type rotation struct {
	a    *factory
	s    *config.Store
	p    providers.Provider
	o    rotateOptions
	env  *providers.Env
	old  providers.Credentials
	base int64 // the store revision the rotation started from
	in   *bufio.Reader
}

func (f *factory) runRotate(ctx context.Context, p providers.Provider, o rotateOptions) error {
	s, d, err := f.openAndLoad()
	if err != nil {
		return err
	}
	stored := d.Providers[string(p.ID)]
	if stored == nil {
		return usageErr("%s is not configured: run `gitopscfg set %s …` first", p.Name, p.ID)
	}
	r := &rotation{a: f, s: s, p: p, o: o, env: f.providerEnvWithTimeout(o.timeout), old: providers.FromConfig(p.ID, stored), base: d.Revision}
	if f.In != nil {
		r.in = bufio.NewReader(f.In)
	}
	if p.Rotation != nil && !o.tokenStdin {
		return r.throughAPI(ctx, *p.Rotation)
	}
	return r.byHand(ctx)
}

// step prints one step's result as it happens.
func (r *rotation) step(st providers.Status, name, msg string) {
	fmt.Fprintf(r.a.Out, "%s %s: %s\n", st.Mark(), name, msg)
}

// note prints an indented line under a step.
func (r *rotation) note(format string, args ...any) {
	fmt.Fprintf(r.a.Out, "  "+format+"\n", args...)
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
	// The old token's lifetime, within a week and the provider's maximum; --expires-in is sent as
	// given (the instance may allow less, and then refuses the rotation: nothing changes).
	lifetime := r.o.expiresIn
	if lifetime == 0 {
		lifetime = info.Lifetime()
		if lifetime <= 0 {
			lifetime = api.MaxLifetime
		}
		lifetime = min(max(lifetime, 7*24*time.Hour), api.MaxLifetime)
	}
	expires := time.Now().UTC().Truncate(24 * time.Hour).Add(lifetime)
	if !r.o.yes {
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
	if err := r.saveRotated(context.WithoutCancel(ctx), newTok); err != nil {
		return r.unsaved(newTok, err)
	}
	next := r.old
	next.Token = newTok
	if err := r.verify(ctx, next, true); err != nil {
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
	fmt.Fprint(r.a.Out, question)
	line, err := r.in.ReadString('\n')
	if !r.onTerminal() {
		fmt.Fprintln(r.a.Out) // the answer came from a pipe: end the question's line
	}
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		fmt.Fprintln(r.a.Out)
		return false, usageErr("no answer on standard input: give --yes to rotate without asking")
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// saveRotated stores the new token over the old one. If the provider's settings changed since
// the rotation started, the new token is applied over them, as long as the stored token is still
// the one just revoked; a token someone else stored meanwhile is kept.
func (r *rotation) saveRotated(ctx context.Context, newTok string) error {
	id := string(r.p.ID)
	edit := func(d *config.Data) error {
		sp := d.Providers[id]
		switch {
		case sp == nil:
			return fmt.Errorf("%s was removed from the store while rotating", r.p.Name)
		case sp.Token != r.old.Token:
			return fmt.Errorf("the stored token was replaced while rotating (now %s): that one is kept", hint(sp.Token))
		}
		sp.Token = newTok
		sp.UpdatedAt = time.Now().UTC()
		return nil
	}
	d, err := r.s.UpdateProvider(ctx, r.a.who(), "rotate", id, r.base, edit)
	if config.IsKind(err, config.KindConflict) {
		d, err = r.s.Update(ctx, r.a.who(), "rotate", -1, edit)
	}
	if err != nil {
		return err
	}
	r.base = d.Revision
	r.step(providers.Pass, "save", fmt.Sprintf("the new token %s is in the store (revision %d)", hint(newTok), d.Revision))
	return nil
}

// unsaved reports a new token that could not be saved while the old one is revoked: it is shown
// only on explicit request (--show-token-if-unsaved, or yes on a terminal).
func (r *rotation) unsaved(newTok string, err error) error {
	r.step(providers.Fail, "save", err.Error())
	r.note("The new token is NOT saved, and %s has revoked the old one %s: GitOps stops working until a working token is stored.",
		r.p.Name, hint(r.old.Token))
	show := r.o.showUnsaved
	if !show && r.onTerminal() {
		show, _ = r.confirm("  Show the new token once, so that you can store it yourself? [y/N] ")
	}
	if show {
		r.note("The new token, shown this once (store it with `gitopscfg set %s --token-stdin`, then clear the screen):", r.p.ID)
		fmt.Fprintln(r.a.Out, newTok)
	} else {
		r.note("It is not shown (only --show-token-if-unsaved or an answer on a terminal shows it), so it is lost with this run:")
		r.note("create a new token at %s with the scopes %s and store it with `gitopscfg set %s --token-stdin`.",
			r.p.TokenURL(r.old.Host), strings.Join(r.p.ScopeNames(), ", "), r.p.ID)
	}
	return &exitError{code: exitUsageStore, err: errCheckFailed}
}

// onTerminal reports whether both standard input and output are terminals (a person is there).
func (r *rotation) onTerminal() bool {
	f, ok := r.a.In.(*os.File)
	return ok && r.a.IsTerm && term.IsTerminal(int(f.Fd()))
}

// verify checks c, then runs the round trip, then pushes to Devtron; saved says whether c is in
// the store already (GitLab), which the failure messages name.
func (r *rotation) verify(ctx context.Context, c providers.Credentials, saved bool) error {
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
	r.result("check", res, false)
	if !res.OK {
		r.note("%s Fix what the check names, then run `gitopscfg check %s --deep`.", where, r.p.ID)
		return errCheckFailed
	}
	var stages []providers.Check
	deep := providers.RunDeep(ctx, r.env, c, func(ch providers.Check) {
		if ch.Status != providers.Running && strings.HasPrefix(ch.ID, "deep:") {
			stages = append(stages, ch)
			r.note("%s %s %s", ch.Status.Mark(), ch.ID, ch.Message)
		}
	})
	if ctx.Err() != nil {
		return r.interrupted(saved, c.Token)
	}
	r.result("round trip", deep, true)
	if saved {
		r.record(ctx, c, deep)
	}
	if !deep.OK {
		r.note("%s Fix what the round trip names, then run `gitopscfg check %s --deep`.", where, r.p.ID)
		return errCheckFailed
	}
	if !saved {
		if err := r.saveChecked(ctx, c, deep); err != nil {
			return err
		}
	}
	return r.push(ctx, c)
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

// record remembers a round trip of the saved token, as `check --deep` does.
func (r *rotation) record(ctx context.Context, c providers.Credentials, deep providers.Result) {
	tested := config.NewData()
	sp := &config.Provider{}
	c.ApplyTo(sp)
	tested.Providers[string(r.p.ID)] = sp
	deep.Provider = r.p.ID
	r.a.recordResults(context.WithoutCancel(ctx), r.s, tested, []providers.Result{deep}, true)
}

// saveChecked stores a pasted token that passed the check and the round trip, with that record;
// it conflicts when the provider's settings changed since the rotation started.
func (r *rotation) saveChecked(ctx context.Context, c providers.Credentials, deep providers.Result) error {
	if ctx.Err() != nil {
		return r.interrupted(false, c.Token)
	}
	d, err := r.s.UpdateProvider(context.WithoutCancel(ctx), r.a.who(), "rotate", string(r.p.ID), r.base, func(d *config.Data) error {
		sp := d.Providers[string(r.p.ID)]
		if sp == nil {
			return fmt.Errorf("%s was removed from the store meanwhile", r.p.Name)
		}
		sp.Token = c.Token
		sp.UpdatedAt = time.Now().UTC()
		sp.LastDeep = deep.Record(time.Now(), true)
		return nil
	})
	if err != nil {
		r.step(providers.Fail, "save", err.Error())
		r.note("Nothing saved: the store still holds what it held (the old token %s unless someone replaced it); run `gitopscfg rotate %s` again.",
			hint(r.old.Token), r.p.ID)
		return &exitError{code: exitUsageStore, err: errCheckFailed}
	}
	r.step(providers.Pass, "save", fmt.Sprintf("the new token %s is in the store (revision %d)", hint(c.Token), d.Revision))
	return nil
}

// push sends the stored credentials to Devtron when an instance is configured.
func (r *rotation) push(ctx context.Context, c providers.Credentials) error {
	configured, err := pushRotatedToDevtron(ctx, r.a, r.p.ID)
	switch {
	case !configured:
		r.step(providers.Skip, "push", "no Devtron instance is configured: nothing to push")
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
	if !r.o.tokenStdin && !r.onTerminal() {
		return usageErr("give the new token on standard input with --token-stdin (there is no terminal to ask on)")
	}
	page := r.p.TokenURL(r.old.Host)
	fmt.Fprintf(r.a.Out, "• create: create the replacement at %s with:\n", page)
	for _, sc := range r.p.Scopes {
		extra := ""
		if sc.Advisory {
			extra = " (optional)"
		}
		r.note("- %s%s: %s", sc.Name, extra, sc.Why)
	}
	var tok string
	var err error
	switch {
	case r.o.tokenStdin:
		tok, err = readToken(r.a.In, r.a.Err)
	default:
		tok, err = readToken(r.a.In, r.a.Out)
	}
	if err != nil {
		return err
	}
	if tok == r.old.Token {
		return usageErr("that is the token stored already: create a new one at %s", page)
	}
	r.step(providers.Pass, "token", "read "+hint(tok))
	next := r.old
	next.Token = tok
	if err := r.verify(ctx, next, false); err != nil {
		return err
	}
	r.step(providers.Pass, "done", fmt.Sprintf("%s now uses %s. Revoke the old token %s at %s: it keeps working until you do",
		r.p.Name, hint(tok), hint(r.old.Token), revokePage(r.p, r.old)))
	return nil
}

// revokePage is where the old token is revoked: the provider's token page (GitHub lists
// fine-grained tokens, github_pat_…, on a page of their own).
func revokePage(p providers.Provider, c providers.Credentials) string {
	page := p.TokenURL(c.Host)
	if strings.HasPrefix(c.Token, "github_pat_") {
		return strings.TrimSuffix(page, "/settings/tokens") + "/settings/personal-access-tokens"
	}
	return page
}

// describeToken says what the provider shows of the stored token.
func describeToken(t providers.TokenInfo, tok string) string {
	exp := "no expiry date"
	if t.ExpiresAt != nil {
		exp = "expires on " + t.ExpiresAt.Format("2006-01-02")
	}
	return fmt.Sprintf("the stored token %q (%s) has the scopes %s and %s", t.Name, hint(tok), strings.Join(t.Scopes, ", "), exp)
}

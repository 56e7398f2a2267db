package ui

import (
	"context"
	"errors"
	"fmt"
	"github.com/charmbracelet/colorprofile"
	"io"
	"os"
	"strings"
	"time"

	"charm.land/huh/v2"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
)

// accessibleIO are the streams of the accessible mode (nil: the process's standard streams).
type accessibleIO struct {
	in  io.Reader
	out io.Writer
}

// accessible is the plain-prompt UI for screen readers and dumb terminals: no full-screen program,
// one question at a time with huh's accessible mode, the checklist printed as lines.
type accessible struct {
	ctx   context.Context
	opts  Options
	in    io.Reader
	out   io.Writer
	store *config.Store
	check checkFunc
	now   func() time.Time
}

func runAccessible(ctx context.Context, opts Options, aio accessibleIO) error {
	a := &accessible{ctx: ctx, opts: opts, in: aio.in, out: aio.out, store: opts.Store, check: providers.Run, now: time.Now}
	if a.in == nil {
		a.in = os.Stdin
	}
	if a.out == nil {
		// Downsample the prompts' styling to what the terminal supports: none for TERM=dumb,
		// NO_COLOR or a pipe.
		a.out = colorprofile.NewWriter(os.Stdout, os.Environ())
	}
	if a.opts.Env == nil {
		a.opts.Env = providers.NewEnv(opts.Version)
	}
	if a.opts.Who == "" {
		a.opts.Who = config.LocalUser()
	}
	if a.store == nil {
		if !config.Exists(opts.ConfigDir) {
			return a.firstRun()
		}
		if err := a.open(); err != nil {
			return err
		}
	}
	return a.menu()
}

func (a *accessible) say(format string, args ...any) { fmt.Fprintf(a.out, format+"\n", args...) }

func (a *accessible) run(fields ...huh.Field) error {
	err := huh.NewForm(huh.NewGroup(fields...)).WithAccessible(true).WithInput(a.in).WithOutput(a.out).Run()
	if errors.Is(err, huh.ErrUserAborted) {
		return errQuit
	}
	return err
}

var errQuit = errors.New("quit")

func (a *accessible) open() error {
	pass := a.opts.Passphrase
	prot, err := config.PassphraseProtected(a.opts.ConfigDir)
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		if prot && (pass == "" || try > 0) {
			if try >= maxUnlockTries {
				return ErrUnlockFailed
			}
			pass = ""
			if err := a.run(huh.NewInput().Title("Passphrase of the store:").EchoMode(huh.EchoModePassword).Value(&pass)); err != nil {
				return err
			}
		}
		s, err := config.Open(a.opts.ConfigDir, func() (string, error) { return pass, nil })
		if config.IsKind(err, config.KindWrongPassphrase) && prot {
			a.say("Wrong passphrase: the store stays locked and nothing was changed.")
			if try+1 >= maxUnlockTries {
				return ErrUnlockFailed
			}
			continue
		}
		if err != nil {
			return err
		}
		a.store = s
		return nil
	}
}

func (a *accessible) firstRun() error {
	a.say("Welcome to gitopscfg. This sets up the Git credentials your GitOps platform uses to create, clone and push its repositories, checks them live, and keeps them in one encrypted file in %s.", a.opts.ConfigDir)
	protect := protectKeyFile
	if err := a.run(huh.NewSelect[string]().Title("Step 1 of 3: how should the store be protected?").Options(
		huh.NewOption("Key file (recommended)", protectKeyFile), huh.NewOption("Passphrase", protectPassphrase)).Value(&protect)); err != nil {
		return err
	}
	pass := ""
	if protect == protectPassphrase {
		again := ""
		if err := a.run(
			huh.NewInput().Title("New passphrase (at least 10 characters):").EchoMode(huh.EchoModePassword).Value(&pass).Validate(validPassphrase),
			huh.NewInput().Title("The same passphrase again:").EchoMode(huh.EchoModePassword).Value(&again).Validate(func(s string) error {
				if s != pass {
					return errors.New("the two passphrases differ")
				}
				return nil
			})); err != nil {
			return err
		}
	}
	p, err := a.chooseProvider("Step 2 of 3: which Git provider hosts the GitOps repositories?", nil)
	if err != nil {
		return err
	}
	creds, result, ok, err := a.edit(p, nil)
	if err != nil || !ok {
		return err
	}
	s, err := config.Init(a.opts.ConfigDir, pass)
	if err != nil {
		return err
	}
	if _, err := s.Set(a.ctx, a.opts.Who, change(0, creds, result, nil, true, a.now())); err != nil {
		return err
	}
	a.store = s
	a.say("Saved %s and made it the active provider. Keep a backup of %s: without it the store cannot be read.", p.Name, config.IdentityFile)
	return a.menu()
}

func (a *accessible) chooseProvider(title string, d *config.Data) (providers.Provider, error) {
	var opts []huh.Option[string]
	for _, p := range providers.All() {
		label := p.Name
		if d != nil {
			label += ": " + a.describe(p, d)
		}
		opts = append(opts, huh.NewOption(label, string(p.ID)))
	}
	id := string(providers.GitHub)
	if err := a.run(huh.NewSelect[string]().Title(title).Options(opts...).Value(&id)); err != nil {
		return providers.Provider{}, err
	}
	return providers.MustLookup(providers.ID(id)), nil
}

// describe is one provider's state in words.
func (a *accessible) describe(p providers.Provider, d *config.Data) string {
	c := d.Providers[string(p.ID)]
	if c == nil {
		return "not configured"
	}
	parts := []string{"configured (" + c.Host + ", " + p.OrgNoun + " " + c.Org + ")"}
	if d.Active == string(p.ID) {
		parts = append([]string{"ACTIVE"}, parts...)
	}
	if r := c.LastCheck; r != nil {
		out := "last check passed"
		if !r.OK {
			out = "last check FAILED"
		}
		parts = append(parts, out+" "+Ago(r.At, a.now()))
		if note, _ := ExpiryNote(r.ExpiresAt, a.now()); note != "" {
			parts = append(parts, note)
		}
	} else {
		parts = append(parts, "never checked")
	}
	if r := c.LastDeep; r != nil {
		out := "round trip passed"
		if !r.OK {
			out = "round trip FAILED"
		}
		parts = append(parts, out+" "+Ago(r.At, a.now()))
	}
	return strings.Join(parts, ", ")
}

func (a *accessible) menu() error {
	for {
		d, err := a.store.Load()
		if err != nil {
			return err
		}
		a.say("")
		for _, p := range providers.All() {
			a.say("%s: %s", p.Name, a.describe(p, d))
		}
		action := "edit"
		err = a.run(huh.NewSelect[string]().Title("What next?").Options(
			huh.NewOption("Configure or edit a provider", "edit"),
			huh.NewOption("Activate a provider", "activate"),
			huh.NewOption("Re-test a provider", "test"),
			huh.NewOption("Round-trip test a provider (create, clone, push, delete a repository)", "deep"),
			huh.NewOption("Remove a provider", "remove"),
			huh.NewOption("Quit", "quit")).Value(&action))
		if errors.Is(err, errQuit) || (err == nil && action == "quit") {
			return nil
		}
		if err != nil {
			return err
		}
		if err := a.act(action, d); err != nil {
			if errors.Is(err, errQuit) {
				return nil
			}
			a.say("Error: %v", err)
		}
	}
}

func (a *accessible) act(action string, d *config.Data) error {
	p, err := a.chooseProvider("Which provider?", d)
	if err != nil {
		return err
	}
	c := d.Providers[string(p.ID)]
	if action != "edit" && c == nil {
		a.say("%s is not configured.", p.Name)
		return nil
	}
	switch action {
	case "edit":
		creds, result, ok, err := a.edit(p, c)
		if err != nil || !ok {
			return err
		}
		if err := a.save(p, creds, result, d.Revision); err != nil {
			return err
		}
		a.say("Saved %s.", p.Name)
		if d.Active != string(p.ID) && result != nil && result.OK && a.confirm("Make "+p.Name+" the active provider?") {
			return a.activate(p)
		}
	case "activate":
		return a.activate(p)
	case "test", "deep":
		creds := providers.FromConfig(p.ID, c)
		deep := action == "deep"
		var r providers.Result
		if deep {
			r = a.runDeep(creds)
		} else {
			r = a.runCheck(creds)
		}
		_, err := recordResult(a.ctx, a.store, a.opts.Who, creds, r, a.now(), deep)
		if errors.Is(err, errStale) {
			return nil // the credentials changed meanwhile: the result is not theirs to keep
		}
		return err
	case "remove":
		if !a.confirm("Remove " + p.Name + " and its token from the store?") {
			return nil
		}
		_, wasActive, err := a.store.Remove(a.ctx, a.opts.Who, string(p.ID), d.Revision)
		if config.IsKind(err, config.KindNotConfigured) {
			a.say("%s is not configured any more (another writer removed it).", p.Name)
			return nil
		}
		if err != nil {
			return err
		}
		a.say("Removed %s.", p.Name)
		if wasActive {
			a.say("It was the active provider: no provider is active now.")
		}
	}
	return nil
}

// activate makes p the active provider, if it is still configured.
func (a *accessible) activate(p providers.Provider) error {
	_, err := a.store.Activate(a.ctx, a.opts.Who, string(p.ID))
	if config.IsKind(err, config.KindNotConfigured) {
		a.say("%s is not configured any more (another writer removed it).", p.Name)
		return nil
	}
	if err != nil {
		return err
	}
	a.say("%s is now the active provider.", p.Name)
	return nil
}

func (a *accessible) confirm(q string) bool {
	yes := false
	if err := a.run(huh.NewConfirm().Title(q).Value(&yes)); err != nil {
		return false
	}
	return yes
}

// edit asks for p's fields (with their help), checks them and says whether to save.
func (a *accessible) edit(p providers.Provider, c *config.Provider) (providers.Credentials, *providers.Result, bool, error) {
	draft := providers.FromConfig(p.ID, c)
	if c == nil {
		draft = a.opts.startingCredentials(p)
	}
	kept := draft
	if err := forms.New(p, &draft, forms.Accessible()).WithInput(a.in).WithOutput(a.out).Run(); err != nil {
		return draft, nil, false, err
	}
	if draft.Token == "" {
		draft.Token = kept.Token // an empty answer to the (masked) token prompt keeps the token
	}
	norm, err := forms.Credentials(draft)
	if err != nil {
		a.say("Not saved: %v", err)
		return draft, nil, false, nil
	}
	r := a.runCheck(norm)
	if !r.OK && !a.confirm("The check failed. Save anyway?") {
		a.say("Not saved.")
		return norm, nil, false, nil
	}
	return norm, &r, true, nil
}

// save writes the edited provider; when someone else changed that provider meanwhile, it says
// so and offers to save the edits on top, so nothing typed is lost.
func (a *accessible) save(p providers.Provider, creds providers.Credentials, result *providers.Result, base int64) error {
	_, err := a.store.Set(a.ctx, a.opts.Who, change(base, creds, result, nil, false, a.now()))
	if !config.IsKind(err, config.KindConflict) {
		return err
	}
	a.say("%v", err)
	cur, lerr := a.store.Load()
	if lerr != nil {
		return lerr
	}
	if !a.confirm("Save your edits of " + p.Name + " on top of the other change?") {
		return errors.New("not saved: your edits were discarded")
	}
	_, err = a.store.Set(a.ctx, a.opts.Who, change(cur.Revision, creds, result, nil, false, a.now()))
	return err
}

// runDeep runs the round trip, printing each stage as it ends, and its verdict.
func (a *accessible) runDeep(c providers.Credentials) providers.Result {
	a.say("Round trip on %s: creating a throw-away repository in %s, cloning, pushing, verifying, deleting …", c.Host, c.Org)
	env := *a.opts.Env
	env.Timeout = providers.DeepTimeout
	r := providers.RunDeep(a.ctx, &env, c, func(ch providers.Check) {
		if ch.Status != providers.Running {
			a.say("%s: %s: %s", accessibleMark(ch.Status), ch.ID, ch.Message)
		}
	})
	if del, ok := r.Find(providers.CheckDeepDelete); ok && del.Status == providers.Fail {
		a.say("The round trip LEFT A REPOSITORY BEHIND: remove it by hand (see deep:delete).")
	} else if r.OK {
		a.say("Round trip passed.")
	} else {
		a.say("Round trip failed: %s.", failSummary(r))
	}
	return r
}

func accessibleMark(st providers.Status) string {
	return map[providers.Status]string{providers.Pass: "pass", providers.Fail: "FAIL", providers.Warn: "warning", providers.Skip: "skipped"}[st]
}

// runCheck runs the live check and prints its checklist.
func (a *accessible) runCheck(c providers.Credentials) providers.Result {
	a.say("Checking %s …", c.Host)
	r := a.check(a.ctx, a.opts.Env, c)
	for _, ch := range r.Checks {
		a.say("%s: %s: %s", accessibleMark(ch.Status), ch.ID, ch.Message)
	}
	if r.OK {
		a.say("All checks passed.")
	} else {
		a.say("%s.", failSummary(r))
	}
	return r
}

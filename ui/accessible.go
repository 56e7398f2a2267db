package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"
	"golang.org/x/term"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
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
	// tty: the answers come from a terminal (in is a ttyLineReader), which can take masked answers;
	// otherwise from a pipe or a file, one line per question.
	tty bool

	// mu guards prompting and ended: runAccessible ends at once on a signal when the flow waits
	// for an answer, and otherwise lets what runs (a check, a round trip's clean-up, a save) end.
	mu        sync.Mutex
	prompting bool
	ended     error // errEndOfInput or errInterrupted, once seen: every later prompt fails with it

	// registerKey: the next save registers the SSH key's public half (accessible_ssh.go).
	registerKey bool
	// confirmedFP and confirmedLine are the SSH host key the admin confirmed in this edit (trusted
	// for the first time, or replacing the one trusted): the save trusts exactly that one.
	confirmedFP, confirmedLine string
}

func runAccessible(ctx context.Context, opts Options, aio accessibleIO) error {
	a := &accessible{ctx: ctx, opts: opts, in: aio.in, out: aio.out, store: opts.Store, check: providers.Run, now: time.Now}
	if a.in == nil {
		a.in = os.Stdin
	}
	var restoreTerm func()
	if f, ok := a.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		a.in = ttyLineReader{newLineReader(ctx, f), f.Fd()}
		a.tty = true
		if st, err := term.GetState(int(f.Fd())); err == nil {
			restoreTerm = func() { _ = term.Restore(int(f.Fd()), st) } // echo back on after a masked prompt
		}
	} else {
		a.in = newLineReader(ctx, a.in)
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
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- panicError("plain prompts", r)
			}
		}()
		done <- a.start()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// A signal. Waiting for an answer, nothing is in progress: end now (the read stays blocked
	// until the process exits). Otherwise what runs sees the cancelled context and ends, and the
	// next prompt ends the flow.
	a.mu.Lock()
	waiting := a.prompting
	a.ended = errInterrupted
	a.mu.Unlock()
	if waiting {
		if restoreTerm != nil {
			restoreTerm()
		}
		return errInterrupted
	}
	if err := <-done; err != nil && !errors.Is(err, errInterrupted) {
		return err
	}
	return errInterrupted
}

func (a *accessible) start() error {
	if a.store == nil {
		if !config.Exists(a.opts.ConfigDir) {
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
	return a.form(huh.NewForm(huh.NewGroup(fields...)).WithAccessible(true))
}

// form asks f's questions. At the end of input, or after a signal, it returns errEndOfInput or
// errInterrupted, and so does every later call: the flow unwinds to the end.
func (a *accessible) form(f *huh.Form) (err error) {
	a.mu.Lock()
	if a.ended != nil {
		a.mu.Unlock()
		return a.ended
	}
	if a.ctx.Err() != nil {
		a.ended = errInterrupted
		a.mu.Unlock()
		return errInterrupted
	}
	a.prompting = true
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.prompting = false
		if r := recover(); r != nil {
			e, ok := r.(inputEnd)
			if !ok {
				a.mu.Unlock()
				panic(r)
			}
			if a.ended == nil {
				a.ended = e.err
			}
			err = a.ended
		}
		a.mu.Unlock()
	}()
	err = f.WithInput(a.in).WithOutput(a.out).Run()
	if errors.Is(err, huh.ErrUserAborted) {
		return errQuit
	}
	return err
}

// endErr reports whether err ends the plain-prompt mode (end of input, a signal).
func endErr(err error) bool {
	return errors.Is(err, errEndOfInput) || errors.Is(err, errInterrupted) || errors.Is(err, errLineTooLong)
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
			huh.NewInput().Title("New passphrase (at least "+itoa(config.MinPassphraseLen)+" characters):").EchoMode(huh.EchoModePassword).Value(&pass).Validate(validPassphrase),
			huh.NewInput().Title("The same passphrase again:").EchoMode(huh.EchoModePassword).Value(&again).Validate(func(s string) error {
				if s != pass {
					return errors.New("the two passphrases differ")
				}
				return nil
			})); err != nil {
			return err
		}
		if validPassphrase(pass) != nil || pass != again {
			// huh reads masked answers only from a terminal: from a pipe none was read.
			return errors.New("no passphrase was read: it can be typed only on a terminal; from a script run `GITOPSCFG_PASSPHRASE=… gitopscfg init --passphrase` first; nothing was created")
		}
	}
	p, err := a.chooseProvider("Step 2 of 3: which Git provider hosts the GitOps repositories?", nil)
	if err != nil {
		return err
	}
	creds, result, err := a.edit(p, string(p.ID), nil)
	if err != nil {
		// Nothing was created either: a script's answers failed, and its exit status says so.
		return err
	}
	in, err := a.saveIn(0, creds, result, true)
	if err != nil {
		return err
	}
	b, _, err := usecase.Create(a.ctx, a.opts.ConfigDir, pass, a.options(), in)
	if err != nil {
		return err
	}
	a.store = b.Store()
	a.say("Saved %s and made it the active provider. Keep a backup of %s: without it the store cannot be read.", p.Name, config.IdentityFile)
	return a.menu()
}

// retest checks the stored credential name (c) again (with the round trip when deep) and records
// the result.
func (a *accessible) retest(name string, c *config.Credential, deep bool) error {
	creds := providers.FromConfig(name, c)
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
}

// remove removes row e's credential and its token from the store once confirmed.
func (a *accessible) remove(e entry, d *config.Data) error {
	name, label, noun := e.credential(), e.label(), providers.CredentialNoun(e.credential(), e.p.ID)
	if !a.confirm("Remove " + label + " and its token from the store?") {
		return nil
	}
	removed, err := a.backend().RemoveWithKey(a.ctx, name, d.Revision)
	wasActive := removed.WasActive
	if config.IsKind(err, config.KindNotConfigured) {
		a.say("%s is not configured any more (another writer removed it).", label)
		return nil
	}
	if err != nil {
		return err
	}
	a.say("Removed %s.", label)
	if removed.Key != "" {
		a.say("%s.", removed.Key)
	}
	if wasActive {
		a.say("It was the active %s: no %s is active now.", noun, noun)
	}
	return nil
}

// editAndSave asks for the fields of credential name of p (c: as stored, nil for a new one),
// checks them and saves them, then offers to make the credential the active one when they passed
// and it is not.
func (a *accessible) editAndSave(p providers.Provider, name string, c *config.Credential, d *config.Data) error {
	label, noun := providers.CredentialLabel(name, p.ID), providers.CredentialNoun(name, p.ID)
	creds, result, err := a.edit(p, name, c)
	var notSaved notSavedError
	if errors.As(err, &notSaved) {
		return nil // said so; back to the menu, where the end of input ends the prompts with an error
	}
	if err != nil {
		return err
	}
	if err := a.save(label, creds, result, d.Revision); err != nil {
		return err
	}
	a.say("Saved %s.", label)
	if d.Active != name && result != nil && result.OK && a.confirm("Make "+label+" the active "+noun+"?") {
		return a.activate(name, label, noun)
	}
	return nil
}

// add adds a credential: its provider, its name (the provider's id while that one is not stored),
// then its fields, checked and saved as an edit's.
func (a *accessible) add(d *config.Data) error {
	p, err := a.chooseProvider("Which Git provider is the new credential for?", d)
	if err != nil {
		return err
	}
	def := ""
	if d.Credentials[string(p.ID)] == nil {
		def = string(p.ID) // the credential named after its provider, as `gitopscfg set github` names it
	}
	name := def
	title := "Name of the new " + p.Name + " credential (lower-case letters, digits and '-', at most " + itoa(config.MaxNameLen) + " characters"
	if def != "" {
		title += "; Enter takes " + def
	}
	in := huh.NewInput().Title(title + "):").Value(&name)
	if a.tty {
		// From a pipe no question asks again (its line would be the next answer's): the name is
		// checked afterwards.
		in.Validate(func(s string) error {
			if strings.TrimSpace(s) == "" && def != "" {
				return nil
			}
			_, err := newCredentialName(d, p, s)
			return err
		})
	}
	if err := a.run(in); err != nil {
		return err
	}
	name, err = newCredentialName(d, p, name)
	if err != nil {
		a.say("Not added: %v.", err)
		return nil
	}
	kind, err := a.chooseKind(p)
	if err != nil || kind == "" {
		return err
	}
	if kind != config.CredentialToken {
		// A credential of another kind starts from that kind's form, at the provider's own host.
		c := &config.Credential{Provider: string(p.ID), Settings: config.Settings{Host: p.DefaultHost, Kind: kind}}
		return a.editAndSave(p, name, c, d)
	}
	return a.editAndSave(p, name, nil, d)
}

// chooseKind asks which kind of credential a new one of p is, when p takes more than tokens
// (config.CredentialToken otherwise).
func (a *accessible) chooseKind(p providers.Provider) (string, error) {
	if len(p.Kinds) == 0 {
		return config.CredentialToken, nil
	}
	var opts []huh.Option[string]
	for _, k := range p.KindNames() {
		opts = append(opts, huh.NewOption(kindOption(p, k), k))
	}
	kind := config.CredentialToken
	if err := a.run(huh.NewSelect[string]().Title("Kind of credential:").Options(opts...).Value(&kind)); err != nil {
		return "", err
	}
	return kind, nil
}

// activate makes the credential name the active one, if it is still stored.
func (a *accessible) activate(name, label, noun string) error {
	_, err := a.backend().Activate(a.ctx, name)
	if config.IsKind(err, config.KindNotConfigured) {
		a.say("%s is not configured any more (another writer removed it).", label)
		return nil
	}
	if err != nil {
		return err
	}
	a.say("%s is now the active %s.", label, noun)
	return nil
}

func (a *accessible) confirm(q string) bool {
	yes := false
	if err := a.run(huh.NewConfirm().Title(q).Value(&yes)); err != nil {
		return false
	}
	return yes
}

// edit asks for the fields of credential name of p (with their help; c: as stored, nil for a new
// one), checks them and returns what to save, or a notSavedError (after saying so) when nothing is
// to be saved.
func (a *accessible) edit(p providers.Provider, name string, c *config.Credential) (providers.Credentials, *providers.Result, error) {
	draft := providers.FromConfig(name, c)
	if c == nil {
		draft = a.opts.startingCredentials(p, name)
	}
	kept := draft
	opts := []forms.Option{forms.Accessible()}
	if !a.tty {
		// From a pipe or a file: the token is read as a line like any answer (huh masks only on
		// a terminal, and elsewhere would leave the token's line to the next question).
		opts = append(opts, forms.Piped())
	}
	if err := a.form(forms.New(p, &draft, opts...)); err != nil {
		return providers.Credentials{}, nil, err
	}
	if draft.Token == "" {
		draft.Token = kept.Token // an empty answer to the token prompt keeps the token
	}
	if err := a.askSSH(p, &draft, c != nil && c.SSHKey != ""); err != nil {
		return providers.Credentials{}, nil, err
	}
	norm, err := forms.Credentials(draft)
	if err != nil {
		// No validator error shows a value that may be a token (forms.maySecret).
		a.say("Not saved: %v", err)
		return providers.Credentials{}, nil, notSavedError{oneLine(err.Error())}
	}
	if err := a.trustFirst(&norm); err != nil {
		return providers.Credentials{}, nil, err
	}
	r := a.runCheck(norm)
	if !r.OK {
		save := false
		if err := a.run(huh.NewConfirm().Title("The check failed. Save anyway?").Value(&save)); err != nil {
			return providers.Credentials{}, nil, err
		}
		if !save {
			a.say("Not saved.")
			return providers.Credentials{}, nil, notSavedError{"the check failed (" + failSummary(r) + "), and saving anyway was declined"}
		}
	}
	return norm, &r, nil
}

// oneLine joins the lines of s (errors.Join's) with "; ".
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }

// save writes the edited credential (label names it); when someone else changed it meanwhile, it
// says so and offers to save the edits on top, so nothing typed is lost.
func (a *accessible) save(label string, creds providers.Credentials, result *providers.Result, base int64) error {
	in, err := a.saveIn(base, creds, result, false)
	if err != nil {
		return err
	}
	_, err = a.backend().Save(a.ctx, in)
	if !config.IsKind(err, config.KindConflict) {
		return err
	}
	a.say("%v", err)
	cur, lerr := a.store.Load()
	if lerr != nil {
		return lerr
	}
	if !a.confirm("Save your edits of " + label + " on top of the other change?") {
		return errors.New("not saved: your edits were discarded")
	}
	in.Base = cur.Revision
	_, err = a.backend().Save(a.ctx, in)
	return err
}

// options are the use cases' dependencies in the plain prompts.
func (a *accessible) options() usecase.Options {
	return usecase.Options{Env: usecase.EnvOf(a.opts.Env), Now: a.now, Who: a.opts.Who, Check: usecase.CheckFunc(a.check)}
}

// backend is the use cases on the open store.
func (a *accessible) backend() *usecase.Backend { return usecase.New(a.store, a.options()) }

// runDeep runs the round trip, printing each stage as it ends, and its verdict.
func (a *accessible) runDeep(c providers.Credentials) providers.Result {
	if c.Repo != "" {
		a.say("Round trip on %s: reading %s, pushing a throw-away branch, verifying, deleting the branch …", c.Host, safe.Text(c.Repo))
	} else {
		a.say("Round trip on %s: creating a throw-away repository in %s, cloning, pushing, verifying, deleting …", c.Host, c.Org)
	}
	r := a.backend().RoundTripDraft(a.ctx, c, func(ch providers.Check) {
		if ch.Status != providers.Running {
			a.say("%s: %s: %s", ch.Status.Word(), safe.Text(ch.ID), safe.Text(ch.Message))
		}
	})
	if del, ok := providers.LeftBehind(r); ok {
		a.say("The round trip LEFT %s BEHIND: remove it by hand (see %s).", leftWhat(del), del.ID)
	} else if r.OK {
		a.say("Round trip passed%s.", withWarnings(r))
	} else {
		a.say("Round trip failed: %s.", failSummary(r))
	}
	return r
}

// runCheck runs the live check and prints its checklist.
func (a *accessible) runCheck(c providers.Credentials) providers.Result {
	a.say("Checking %s …", c.Host)
	r := a.backend().CheckDraft(a.ctx, c, 0)
	for _, ch := range r.Checks {
		a.say("%s: %s: %s", ch.Status.Word(), safe.Text(ch.ID), safe.Text(ch.Message))
	}
	if px := proxyHost(r); px != "" {
		a.say("The requests went through the proxy %s.", px)
	}
	if r.OK {
		a.say("%s.", passedHeadline(r))
	} else {
		a.say("%s.", failSummary(r))
	}
	return r
}

package ui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// Every function here returns a tea.Cmd that does I/O (files, network) off the event loop. Each
// captures its inputs by value before returning; the replies are the messages below.

// crashMsg: a command panicked; err says where, never what (the value may hold a token).
type crashMsg struct{ err error }

// guard turns a panic in a command into a crashMsg, so that the UI ends cleanly and Bubble Tea
// never prints the panic's value.
func guard(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = crashMsg{err: panicError("a background task", r)}
			}
		}()
		return cmd()
	}
}

// openedMsg: the store is unlocked and loaded (or why not).
type openedMsg struct {
	store *config.Store
	data  *config.Data
	err   error
}

// needWizardMsg: there is no store yet.
type needWizardMsg struct{}

// needPassphraseMsg: the store is passphrase-protected and no passphrase was given.
type needPassphraseMsg struct{}

// loadedMsg: a fresh read of the store (after another writer changed it, or a conflict).
type loadedMsg struct {
	data *config.Data
	err  error
}

// watchMsg: the store file was looked at; stamp is what it looked like.
type watchMsg struct {
	stamp config.Stamp
	data  *config.Data // non-nil when it changed and was re-read
}

// savedMsg: an editor's save finished.
type savedMsg struct {
	data      *config.Data
	err       error
	activated bool
	reloaded  *config.Data // after a conflict: the store as it is now
	// said is what the save did besides (the public key it registered), "" nothing.
	said string
}

// createdMsg: the wizard created the store and saved the first provider.
type createdMsg struct {
	store *config.Store
	data  *config.Data
	err   error
}

// changedMsg: the picker changed the store (activate, remove).
type changedMsg struct {
	data   *config.Data
	err    error
	notice string
}

// retestedMsg: a picker re-test of credential name finished; it is recorded only if no newer
// re-test of it started meanwhile.
type retestedMsg struct {
	name   string
	seq    int
	creds  providers.Credentials
	result providers.Result
	at     time.Time
}

// retestMsg: a picker re-test's result was recorded (or why not).
type retestMsg struct {
	name   string
	seq    int
	result providers.Result
	data   *config.Data
	err    error
}

// openCmd opens the store in dir: wizard, passphrase screen, or unlocked and loaded.
func openCmd(dir, pass string) tea.Cmd {
	return guard(func() tea.Msg {
		if !config.Exists(dir) {
			return needWizardMsg{}
		}
		prot, err := config.PassphraseProtected(dir)
		if err != nil {
			return openedMsg{err: err}
		}
		if prot && pass == "" {
			return needPassphraseMsg{}
		}
		s, err := config.Open(dir, func() (string, error) { return pass, nil })
		if err != nil {
			return openedMsg{err: err}
		}
		d, err := s.Load()
		return openedMsg{store: s, data: d, err: err}
	})
}

// loadCmd reads the already open store.
func loadCmd(s *config.Store) tea.Cmd {
	return guard(func() tea.Msg {
		d, err := s.Load()
		return loadedMsg{data: d, err: err}
	})
}

// watchCmd looks at the store file after every; when it changed since last, it re-reads it, so
// that changes by other writers (the command line, another session) show up.
func watchCmd(s *config.Store, last config.Stamp, every time.Duration) tea.Cmd {
	if s == nil || every < 0 {
		return nil
	}
	return tea.Tick(every, func(time.Time) tea.Msg {
		st := s.Stamp()
		if st == last || st.IsZero() {
			return watchMsg{stamp: last}
		}
		d, err := s.Load()
		if err != nil {
			return watchMsg{stamp: last}
		}
		return watchMsg{stamp: st, data: d}
	})
}

// saveCmd runs the save in (usecase.Backend.Save) with the use cases' options o. On a conflict it
// re-reads the store so the editor can offer the fresh revision, keeping the admin's draft.
func saveCmd(ctx context.Context, s *config.Store, o usecase.Options, in usecase.SaveInput) tea.Cmd {
	return guard(func() tea.Msg {
		out, err := usecase.New(s, o).Save(ctx, in)
		if err != nil {
			msg := savedMsg{err: keyUndone(err, out.KeyUnregistered)}
			if config.IsKind(err, config.KindConflict) {
				msg.reloaded, _ = s.Load()
			}
			return msg
		}
		return savedMsg{data: out.Data, activated: in.Activate, said: out.KeyRegistered}
	})
}

// keyUndone adds to a failed save's error what became of the key the save had registered.
func keyUndone(err error, said string) error {
	if said == "" {
		return err
	}
	return &undoneError{err: err, said: said}
}

type undoneError struct {
	err  error
	said string
}

func (e *undoneError) Error() string { return e.err.Error() + " (" + e.said + ")" }
func (e *undoneError) Unwrap() error { return e.err }

// createCmd creates the store (key file, or passphrase-protected when pass is set) and saves and
// activates the first provider (in): nothing is written before the admin saves.
func createCmd(ctx context.Context, dir, pass string, o usecase.Options, in usecase.SaveInput) tea.Cmd {
	return guard(func() tea.Msg {
		b, out, err := usecase.Create(ctx, dir, pass, o, in)
		if b == nil {
			return createdMsg{err: err}
		}
		return createdMsg{store: b.Store(), data: out.Data, err: err}
	})
}

// saveInput is the save of creds (edited from revision base) with the check result of exactly
// them and the round trip deep (kept by the store only when it tested creds).
func saveInput(base int64, creds providers.Credentials, result *providers.Result, deep *deepOutcome, activate bool, now time.Time) usecase.SaveInput {
	in := usecase.SaveInput{Credentials: creds, Base: base, Activate: activate, Anyway: true}
	if result != nil {
		in.Check = &usecase.Verified{Creds: creds, Result: *result, At: now}
	}
	if deep != nil {
		in.Deep = &usecase.Verified{Creds: deep.creds, Result: deep.result, At: deep.at}
	}
	return in
}

// activateCmd makes the credential name the active one; label and noun name it in the notice
// ("GitHub", "provider").
func activateCmd(ctx context.Context, s *config.Store, who string, name, label, noun string) tea.Cmd {
	return guard(func() tea.Msg {
		d, err := usecase.New(s, usecase.Options{Who: who}).Activate(ctx, name)
		if config.IsKind(err, config.KindNotConfigured) {
			err = errors.New(label + " is not configured any more (another writer removed it)")
		}
		return changedMsg{data: d, err: err, notice: label + " is now the active " + noun}
	})
}

// removeCmd removes the credential name (and the SSH key it registered through its provider's
// API, with the use cases' options o), unless its settings changed after the revision base the
// admin saw; label and noun name it in the notice.
func removeCmd(ctx context.Context, s *config.Store, o usecase.Options, base int64, name, label, noun string) tea.Cmd {
	return guard(func() tea.Msg {
		removed, err := usecase.New(s, o).RemoveWithKey(ctx, name, base)
		d, wasActive := removed.Data, removed.WasActive
		if config.IsKind(err, config.KindNotConfigured) {
			err = errors.New(label + " is not configured any more (another writer removed it)")
		}
		notice := label + " was removed"
		if removed.Key != "" {
			notice += "; " + removed.Key // the public key registered through the provider's API
		}
		if err == nil && wasActive {
			notice += ". It was the active " + noun + ": none is active now, so `gitopscfg check` and the platforms have no default"
			if next := firstConfigured(d); next != "" {
				notice += "; press a on " + labelIn(d, next) + " (or another) to make it the active one"
			}
		}
		return changedMsg{data: d, err: err, notice: notice}
	})
}

// firstConfigured is the first credential d holds, in the picker's order ("" none).
func firstConfigured(d *config.Data) string {
	if d == nil {
		return ""
	}
	for _, e := range entries(d) {
		if e.name != "" {
			return e.name
		}
	}
	return ""
}

// errStale: the stored credentials changed while they were being re-tested.
var errStale = usecase.ErrStale

// recordResult keeps r as the provider's last check (or last round trip when deep), or fails with
// errStale when the stored credentials are no longer the ones tested.
func recordResult(ctx context.Context, s *config.Store, who string, creds providers.Credentials, r providers.Result, at time.Time, deep bool) (*config.Data, error) {
	return usecase.New(s, usecase.Options{Who: who}).Record(ctx, creds, r, at, deep)
}

// retestCmd re-tests stored credentials; the picker records the result (recordRetestCmd) when it
// is still the newest re-test of the credential. knownUser is the user id the last check of these
// credentials learned (0: none): GitLab's membership look-up then goes out with /user.
func retestCmd(ctx context.Context, env *providers.Env, check checkFunc, seq int, creds providers.Credentials,
	knownUser int64, now func() time.Time) tea.Cmd {
	return guard(func() tea.Msg {
		r := usecase.New(nil, usecase.Options{Env: usecase.EnvOf(env), Check: usecase.CheckFunc(check)}).CheckDraft(ctx, creds, knownUser)
		return retestedMsg{name: creds.CredentialName(), seq: seq, creds: creds, result: r, at: now()}
	})
}

// recordRetestCmd records a re-test's result, unless the credentials changed meanwhile.
func recordRetestCmd(ctx context.Context, s *config.Store, who string, msg retestedMsg) tea.Cmd {
	return guard(func() tea.Msg {
		d, err := recordResult(ctx, s, who, msg.creds, msg.result, msg.at, false)
		return retestMsg{name: msg.name, seq: msg.seq, result: msg.result, data: d, err: err}
	})
}

// deepProgressMsg: a round-trip stage started (Status Running) or ended; seq says which run.
type deepProgressMsg struct {
	seq   int
	check providers.Check
}

// deepDoneMsg: the round trip returned (its clean-up included); seq says which run. It comes after
// every progress message of its run.
type deepDoneMsg struct {
	seq    int
	result providers.Result
}

// deepRecordedMsg: a round trip's result was stored as the credential name's last round trip (or
// why not).
type deepRecordedMsg struct {
	seq  int
	name string
	data *config.Data
	err  error
}

// deepEvents is how many messages a round trip's channel holds: two per stage (started, ended),
// the result, and room to spare. Progress that would take the last slot is dropped rather than
// waited for (the result carries every stage anyway): a blocked callback must never hold up the
// clean-up, and the result always finds its slot.
const deepEvents = 4 * 8

// runDeepCmd runs the round trip on creds. Its progress and then its result (deepDoneMsg) go to
// events, in order, without ever blocking; events is closed after the result. finished is closed
// as soon as the round trip returned, clean-up included, so that the session can wait for it
// before the process exits.
func runDeepCmd(ctx context.Context, env *providers.Env, deep deepFunc, seq int, creds providers.Credentials,
	events chan<- tea.Msg, finished chan<- struct{}) tea.Cmd {
	return guard(func() tea.Msg {
		defer close(events)
		defer close(finished)
		progress := func(c providers.Check) {
			if len(events) < cap(events)-1 { // only this goroutine sends
				events <- deepProgressMsg{seq: seq, check: c}
			}
		}
		r := usecase.New(nil, usecase.Options{Env: usecase.EnvOf(env), Deep: usecase.DeepFunc(deep)}).RoundTripDraft(ctx, creds, progress)
		events <- deepDoneMsg{seq: seq, result: r}
		return nil
	})
}

// waitDeepCmd hands over the next message of a round trip (progress, then its result); it is
// issued again after each progress message, and ends (no message) once the channel is closed.
func waitDeepCmd(events <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-events
		if !ok {
			return nil
		}
		return msg
	}
}

// recordDeepCmd stores a round trip's result as the provider's last round trip, unless the stored
// credentials are no longer the ones tested.
func recordDeepCmd(ctx context.Context, s *config.Store, who string, seq int, creds providers.Credentials,
	r providers.Result, at time.Time) tea.Cmd {
	return guard(func() tea.Msg {
		d, err := recordResult(ctx, s, who, creds, r, at, true)
		return deepRecordedMsg{seq: seq, name: creds.CredentialName(), data: d, err: err}
	})
}

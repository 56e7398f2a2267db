// Package ui owns the terminal UI: the root model (a router between the unlock screen, the
// first-run wizard, the provider picker and the editor with its live check panel), its styles and
// key bindings, and the accessible plain-prompt mode. It reaches files and the network only through
// config and providers, and only inside tea.Cmds.
package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// Options configure one UI session.
type Options struct {
	ConfigDir string
	// Store is an already unlocked store (the SSH server's); nil makes the UI open it itself: the
	// first-run wizard when there is none, a passphrase screen when it is passphrase-protected and
	// Passphrase is empty.
	Store      *config.Store
	Passphrase string
	Env        *providers.Env
	// Who names the admin in the audit trail.
	Who        string
	Accessible bool
	Version    string
	// NewProvider gives the starting values of a provider that is not configured yet; nil: its
	// public service's host. The demo points new providers at its emulators with it.
	NewProvider func(providers.ID) providers.Credentials
	// Notice is shown on the picker's notice line when it first opens (the SSH server greets a
	// session with the tokens about to expire); the next action replaces it, as any notice.
	Notice string
	// SkipRoundTripConfirm starts the picker's round trip (r) at once; by default it asks first
	// (y/N), since it creates and deletes a throw-away repository.
	SkipRoundTripConfirm bool
}

// startingCredentials are the values an editor of a new credential name of provider p starts
// from.
func (o Options) startingCredentials(p providers.Provider, name string) providers.Credentials {
	c := providers.Credentials{Provider: p.ID, Settings: config.Settings{Host: p.DefaultHost}}
	if o.NewProvider != nil {
		c = o.NewProvider(p.ID)
	}
	c.Name = name
	return c
}

// ErrUnlockFailed is returned when the passphrase was wrong three times; nothing was changed.
var ErrUnlockFailed = errors.New("wrong passphrase three times: the store was not unlocked and nothing was changed")

// New returns the root model of one session (one fresh model per SSH session).
func New(opts Options) tea.Model { return newModel(opts, deps{}) }

// Run runs the UI until the admin quits: the full-screen program, or plain prompts when
// opts.Accessible. A panic restores the terminal and comes back as an error that carries no value
// from the UI's state (so never a token).
func Run(ctx context.Context, opts Options, progOpts ...tea.ProgramOption) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError("run", r)
		}
	}()
	if opts.Accessible {
		return runAccessible(ctx, opts, accessibleIO{})
	}
	m := newModel(opts, deps{})
	defer m.shutdown()
	go warmRenderer(m.picker.View(), 120, 40)
	progOpts = append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)
	final, err := tea.NewProgram(m, progOpts...).Run()
	// The program may have ended without the admin quitting (a signal, a crash, the context): a
	// round trip still running is cancelled, and its clean-up allowed to finish, so that the
	// process never exits leaving a repository behind.
	m.Close()
	if fm, ok := final.(*Model); ok && fm.fatal != nil {
		return fm.fatal
	}
	if err != nil {
		if errors.Is(err, tea.ErrProgramPanic) {
			return errors.New("the terminal UI crashed (internal error); the terminal was restored and the store is as last saved")
		}
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("terminal UI: %w", err)
	}
	return nil
}

// Close ends what a session left running once its program has ended: checks are cancelled, and
// a round trip still running is cancelled and its clean-up (deleting the throw-away repository)
// awaited. The SSH server calls it when a session's UI ends; Run calls it itself.
func (m *Model) Close() {
	m.shutdown()
	m.c.later.drain(laterTimeout) // a GitHub App's installation token a live check minted is revoked
	m.awaitRoundTrip(providers.DeepDeleteTimeout + 5*time.Second)
	// a rotation's answer is the only copy of the new token: its save is awaited too
	m.picker.awaitRotation(2*providers.DefaultTimeout + 5*time.Second)
}

// panicError describes a recovered panic without its value, which may hold UI state (a token).
func panicError(where string, r any) error {
	return fmt.Errorf("the terminal UI crashed (internal error %T in %s); the store is as last saved", r, where)
}

// deps are the seams tests use: a fixed clock, a canned check, a still spinner, fast timers.
type deps struct {
	now   func() time.Time
	check checkFunc
	deep  deepFunc
	// checkLater replaces providers.RunDeferred (nil with a canned check: it leaves nothing)
	checkLater checkLaterFunc
	still      bool          // a spinner that never moves (deterministic screens)
	debounce   time.Duration // pause after typing before the live check (default 400 ms)
	watch      time.Duration // how often the store file is watched for other writers (default 1 s; <0 off)
}

// checkLaterFunc runs a live check and leaves what can wait to the caller; providers.RunDeferred
// in production.
type checkLaterFunc func(ctx context.Context, env *providers.Env, c providers.Credentials) (providers.Result, providers.Pending)

// checkFunc runs a live check; providers.Run in production.
type checkFunc func(ctx context.Context, env *providers.Env, c providers.Credentials) providers.Result

// deepFunc runs a round trip, reporting each stage as it starts and ends; providers.RunDeep in
// production. It must delete what it created even when ctx is cancelled.
type deepFunc func(ctx context.Context, env *providers.Env, c providers.Credentials, progress func(providers.Check)) providers.Result

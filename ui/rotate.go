package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// The picker's rotation (R) of a provider whose tokens rotate through its API (GitLab): after a
// y/N confirmation, one command reads the token's lifetime, rotates it, and saves the new token
// at once, the session's end notwithstanding (the provider revoked the old one the moment it
// answered: the answer is the only copy of the new token); then the picker's re-test checks it.
// Each step's result is shown as it arrives. A failed save keeps the new token in memory only,
// to retry the save (R again); the rotation itself is never retried.

type rotStage int

const (
	rotConfirm rotStage = iota // asking y/N
	rotRunning                 // the rotation and its save are on their way
	rotUnsaved                 // rotated, but the save failed: tok waits for a retry
)

// rotation is the picker's rotation of one provider's token.
type rotation struct {
	id       providers.ID
	stage    rotStage
	old      providers.Credentials
	base     int64
	tok      string // the new token, kept only while its save failed (never shown)
	events   chan tea.Msg
	finished chan struct{} // closed once the rotation and its save returned
	quitting bool          // the admin quit while it ran: the session ends once the save is done
}

// rotatedMsg: the provider answered the rotation (or refused it).
type rotatedMsg struct {
	id           providers.ID
	hint, expiry string
	err          error
	maybeRevoked bool
}

// rotateSavedMsg: the new token's save returned; tok is carried only to retry a failed save.
type rotateSavedMsg struct {
	id   providers.ID
	data *config.Data
	tok  string
	err  error
}

// rotateLifetime is the new token's lifetime: the old one's, within a week and max.
func rotateLifetime(info providers.TokenInfo, max_ time.Duration) time.Duration {
	l := info.Lifetime()
	if l <= 0 {
		l = max_
	}
	return min(max(l, 7*24*time.Hour), max_)
}

// rotateCmd rotates old's token and saves the new one; its two replies go to events, which is
// closed after the second; finished is closed when it returned. Neither step stops when the
// session ends.
func rotateCmd(ctx context.Context, env *providers.Env, s *config.Store, who string, api providers.Rotation,
	old providers.Credentials, base int64, now func() time.Time, events chan<- tea.Msg, finished chan<- struct{}) tea.Cmd {
	ctx = context.WithoutCancel(ctx)
	return guard(func() tea.Msg {
		defer close(finished)
		defer close(events)
		info, err := api.Current(ctx, env, old)
		if err != nil {
			events <- rotatedMsg{id: old.Provider, err: err}
			return nil
		}
		expires := now().UTC().Truncate(24 * time.Hour).Add(rotateLifetime(info, api.MaxLifetime))
		tok, next, err := api.Rotate(ctx, env, old, expires)
		if err != nil {
			var re *providers.RotateError
			events <- rotatedMsg{id: old.Provider, err: err, maybeRevoked: errors.As(err, &re) && re.MaybeRevoked}
			return nil
		}
		exp := "no expiry date"
		if next.ExpiresAt != nil {
			exp = "expiring on " + next.ExpiresAt.Format("2006-01-02")
		}
		events <- rotatedMsg{id: old.Provider, hint: providers.TokenHint(tok), expiry: exp}
		events <- saveRotated(ctx, s, who, old, base, tok, now())
		return nil
	})
}

// saveRotatedCmd retries the save of a rotated token.
func saveRotatedCmd(ctx context.Context, s *config.Store, who string, old providers.Credentials, base int64, tok string, now time.Time) tea.Cmd {
	ctx = context.WithoutCancel(ctx)
	return guard(func() tea.Msg { return saveRotated(ctx, s, who, old, base, tok, now) })
}

// saveRotated stores tok over old's token. If the provider's settings changed since base, tok
// goes over them as long as the stored token is still the one just revoked; a token someone
// else stored meanwhile is kept.
func saveRotated(ctx context.Context, s *config.Store, who string, old providers.Credentials, base int64, tok string, now time.Time) rotateSavedMsg {
	id := string(old.Provider)
	name := providers.MustLookup(old.Provider).Name
	edit := func(d *config.Data) error {
		sp := d.Providers[id]
		switch {
		case sp == nil:
			return fmt.Errorf("%s was removed from the store while rotating", name)
		case sp.Token != old.Token:
			return fmt.Errorf("the stored token was replaced while rotating (now %s)", providers.TokenHint(sp.Token))
		}
		sp.Token = tok
		sp.UpdatedAt = now.UTC()
		return nil
	}
	d, err := s.UpdateProvider(ctx, who, "rotate", id, base, edit)
	if config.IsKind(err, config.KindConflict) {
		d, err = s.Update(ctx, who, "rotate", config.AnyRevision, edit)
	}
	if err != nil {
		return rotateSavedMsg{id: old.Provider, tok: tok, err: err}
	}
	return rotateSavedMsg{id: old.Provider, data: d}
}

// startRotate answers R on the selected provider.
func (p *picker) startRotate(sel providers.Provider) tea.Cmd {
	cfg := p.configured(sel.ID)
	switch {
	case cfg == nil:
		p.say(sel.Name+" is not configured yet: nothing to rotate", true)
		return nil
	case p.rot != nil && p.rot.stage == rotRunning:
		p.say("a rotation is running already", true)
		return nil
	case p.rot != nil && p.rot.stage == rotUnsaved && p.rot.id == sel.ID:
		r := p.rot
		r.stage = rotRunning
		r.finished = nil
		p.say("saving the new "+sel.Name+" token again…", false)
		return saveRotatedCmd(p.c.ctx, p.c.store, p.c.opts.Who, r.old, r.base, r.tok, p.c.now())
	case p.rot != nil && p.rot.stage == rotUnsaved:
		p.say("the new "+providers.MustLookup(p.rot.id).Name+" token is not saved yet: select it and press R to retry the save first", true)
		return nil
	case sel.Rotation == nil:
		p.notice = ""
		return func() tea.Msg { return openEditorMsg{id: sel.ID, rotate: true} }
	}
	p.rot = &rotation{id: sel.ID, stage: rotConfirm, old: providers.FromConfig(sel.ID, cfg), base: p.data.Revision}
	p.notice = ""
	return nil
}

// confirmRotate answers the y/N question.
func (p *picker) confirmRotate(yes bool) tea.Cmd {
	r := p.rot
	if !yes {
		p.rot = nil
		p.say("not rotated: nothing changed", false)
		return nil
	}
	r.stage = rotRunning
	r.events, r.finished = make(chan tea.Msg, 2), make(chan struct{})
	pr := providers.MustLookup(r.id)
	p.say("rotating the "+pr.Name+" token…", false)
	return tea.Batch(rotateCmd(p.c.ctx, p.c.opts.Env, p.c.store, p.c.opts.Who, *pr.Rotation, r.old, r.base, p.c.now, r.events, r.finished),
		waitDeepCmd(r.events))
}

// rotateUpdate handles the rotation's replies; ok is false for any other message.
func (p *picker) rotateUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case rotatedMsg:
		r := p.rot
		if r == nil || r.id != msg.id {
			return nil, true
		}
		name := providers.MustLookup(msg.id).Name
		if msg.err != nil {
			p.rot = nil
			still := "nothing changed: the store still holds the old token, which still works"
			if msg.maybeRevoked {
				still = "the store still holds the old token, which " + name + " may have revoked"
			}
			p.say("✗ rotate: "+msg.err.Error()+" — "+still, true)
			if r.quitting {
				return func() tea.Msg { return quitMsg{} }, true
			}
			return nil, true
		}
		p.say("✓ rotate: "+name+" issued the new token "+msg.hint+" ("+msg.expiry+") and revoked the old one; saving it…", false)
		return waitDeepCmd(r.events), true
	case rotateSavedMsg:
		r := p.rot
		if r == nil || r.id != msg.id {
			return nil, true
		}
		name := providers.MustLookup(msg.id).Name
		if msg.err != nil {
			r.stage, r.tok = rotUnsaved, msg.tok
			quit := ""
			if r.quitting {
				r.quitting = false
				quit = " Quitting was put off: the new token would be lost."
			}
			p.say("✗ save: the new "+name+" token is NOT saved: "+msg.err.Error()+". "+name+" has revoked the old one. "+
				"Press R to retry the save: the new token is kept only in this session's memory until then."+quit, true)
			return nil, true
		}
		p.rot = nil
		p.data = msg.data
		if r.quitting {
			return func() tea.Msg { return quitMsg{} }, true
		}
		p.saidBefore = "✓ save: the new token is in the store (revision " + itoa64(msg.data.Revision) + "); "
		return p.retest(msg.id), true
	}
	return nil, false
}

// rotating reports whether a rotation or its save is on its way: the session must not end
// before the new token is saved.
func (p *picker) rotating() bool { return p.rot != nil && p.rot.stage == rotRunning }

// quitWhenSaved puts off the session's end until the rotation's save returned.
func (p *picker) quitWhenSaved() {
	p.rot.quitting = true
	p.say("finishing the rotation: the session ends once the new token is saved…", false)
}

// awaitRotation waits (at most d) for a rotation still running to return, its save included; the
// program has ended, so nothing else touches the model.
func (p *picker) awaitRotation(d time.Duration) {
	if p.rot == nil || p.rot.finished == nil {
		return
	}
	select {
	case <-p.rot.finished:
	case <-time.After(d):
	}
}

// startRotation makes the editor guide the replacement of the stored token by hand: it names the
// page to create it and the scopes to tick, and focuses the token field; after the save it names
// where to revoke the old one.
func (e *editor) startRotation() {
	e.rotating, e.rotated = true, *e.draft
	e.say("Create the replacement at "+e.p.TokenURL(e.draft.Host)+" with the scopes "+strings.Join(e.p.ScopeNames(), ", ")+
		", then paste it over the token; ctrl+s saves it once its check passed.", false)
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

package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// The picker's rotation (R) replaces a provider's token as one guided step, in a view that takes
// the list's place until the admin leaves it; each step's result shows as it arrives.
//
// A provider whose tokens rotate through its API (GitLab): after a y/N question, one command
// reads the token's lifetime, rotates it and saves the new token at once, the session's end
// notwithstanding (the provider revoked the old one the moment it answered: the answer is the
// only copy of the new token); then the check (recorded, as a re-test is), the round trip
// (recorded) and the push to Devtron when an instance is stored. A failed save keeps the new
// token in memory only, to retry the save (R); the rotation itself is never retried.
//
// The others, by hand: the page where the replacement is made and the scopes to tick, a masked
// input, then the new token's check and round trip, its save (with both: the store takes a token
// made by hand only so), the push, and where to revoke the old one.
//
// A failure at any step ends the rotation there and says which token the store holds: a working
// one. Quitting waits for what must not be cut short (the rotation and its save, a save on its
// way, the round trip's clean-up) and ends the session then.

type rotStage int

const (
	rotConfirm   rotStage = iota // asking y/N before the provider rotates the token
	rotInput                     // by hand: reading the new token
	rotRotating                  // the rotation and its save (or the save's retry) are on their way
	rotUnsaved                   // rotated, but the save failed: tok waits for a retry (R)
	rotChecking                  // the new token's live check
	rotRoundTrip                 // its round trip
	rotSaving                    // by hand: the save of the token that passed both
	rotPushing                   // the push to Devtron
	rotDone                      // every step passed, or one failed (failed)
)

// rotStep is one finished step: its outcome (ID is the step's name), the lines under it, and
// whether the round trip's stages go under it too.
type rotStep struct {
	outcome providers.Check
	details []providers.Check
	stages  bool
}

// rotation is the picker's rotation of one provider's token.
type rotation struct {
	p      providers.Provider
	id     providers.ID
	seq    int  // tags the replies of this rotation's steps
	issued bool // the provider issues the new token (its API rotation)
	stage  rotStage
	old    providers.Credentials // as stored when the rotation started
	tok    string                // an issued token whose save failed: kept for the retry, shown only on request (s)
	shown  bool                  // the admin asked to see tok, to keep it by hand
	creds  providers.Credentials // the new token's credentials, under test
	input  textinput.Model
	steps  []rotStep
	// running says what the step on its way does ("" when none is).
	running string
	// inputErr says why the token typed was not taken.
	inputErr  string
	checked   providers.Result // the new token's check
	checkedAt time.Time
	rt        *roundTrip
	events    chan tea.Msg
	finished  chan struct{} // closed once the rotation and its save returned
	quitting  bool          // the admin quit while a step that must not be cut short ran
	failed    bool
	verdict   string // the outcome, once done
}

// rotationMsg is a reply to a step of rotation seq; the root hands it to the picker whichever
// screen is shown.
type rotationMsg struct {
	seq int
	msg tea.Msg
}

// forRotation tags cmd's reply as a step of rotation seq (a crash stays a crash).
func forRotation(seq int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		msg := cmd()
		switch msg.(type) {
		case nil, crashMsg:
			return msg
		}
		return rotationMsg{seq: seq, msg: msg}
	}
}

// rotatedMsg: the provider answered the rotation (or refused it).
type rotatedMsg struct {
	hint, expiry string
	err          error
	maybeRevoked bool
}

// rotateSavedMsg: the new token's save returned; tok is carried only to retry a failed save of
// an issued token.
type rotateSavedMsg struct {
	data *config.Data
	tok  string
	err  error
}

// rotateCmd rotates old's token and saves the new one; its two replies go to events, which is
// closed after the second; finished is closed when it returned. Neither step stops when the
// session ends.
func rotateCmd(ctx context.Context, env *providers.Env, s *config.Store, who string, api providers.Rotation,
	old providers.Credentials, now func() time.Time, events chan<- tea.Msg, finished chan<- struct{}) tea.Cmd {
	ctx = context.WithoutCancel(ctx)
	return guard(func() tea.Msg {
		defer close(finished)
		defer close(events)
		info, err := api.Current(ctx, env, old)
		if err != nil {
			events <- rotatedMsg{err: err}
			return nil
		}
		expires := providers.RotatedExpiry(now(), api.Lifetime(info))
		tok, next, err := api.Rotate(ctx, env, old, expires)
		if err != nil {
			var re *providers.RotateError
			events <- rotatedMsg{err: err, maybeRevoked: errors.As(err, &re) && re.MaybeRevoked}
			return nil
		}
		exp := "no expiry date"
		if next.ExpiresAt != nil {
			exp = "expiring on " + next.ExpiresAt.Format("2006-01-02")
		}
		events <- rotatedMsg{hint: providers.TokenHint(tok), expiry: exp}
		events <- saveIssued(ctx, s, who, old, tok, now())
		return nil
	})
}

// saveIssuedCmd retries the save of an issued token.
func saveIssuedCmd(ctx context.Context, s *config.Store, who string, old providers.Credentials, tok string, now time.Time) tea.Cmd {
	ctx = context.WithoutCancel(ctx)
	return guard(func() tea.Msg { return saveIssued(ctx, s, who, old, tok, now) })
}

// saveIssued stores tok, which the provider issued in place of old's token (config.RotateToken).
func saveIssued(ctx context.Context, s *config.Store, who string, old providers.Credentials, tok string, now time.Time) rotateSavedMsg {
	d, err := s.RotateToken(ctx, who, config.TokenRotation{Provider: string(old.Provider), From: old.Settings(), Token: tok, Issued: true, At: now})
	if err != nil {
		return rotateSavedMsg{tok: tok, err: err}
	}
	return rotateSavedMsg{data: d}
}

// saveMadeCmd stores a token made by hand that passed its check and round trip, with both.
func saveMadeCmd(ctx context.Context, s *config.Store, who string, old providers.Credentials, tok string,
	check, deep *config.CheckRecord, now time.Time) tea.Cmd {
	ctx = context.WithoutCancel(ctx)
	return guard(func() tea.Msg {
		d, err := s.RotateToken(ctx, who, config.TokenRotation{Provider: string(old.Provider), From: old.Settings(), Token: tok,
			Check: check, Deep: deep, At: now})
		return rotateSavedMsg{data: d, err: err}
	})
}

// startRotate answers R on the selected provider.
func (p *picker) startRotate(sel providers.Provider) tea.Cmd {
	cfg := p.configured(sel.ID)
	switch {
	case cfg == nil:
		p.say(sel.Name+" is not configured yet: nothing to rotate", true)
		return nil
	case p.pushing != "":
		p.say("a push to Devtron is running: rotate once it is done", true)
		return nil
	}
	p.seq++
	r := &rotation{p: sel, id: sel.ID, seq: p.seq, issued: sel.Rotation != nil, old: providers.FromConfig(sel.ID, cfg)}
	p.rot = r
	p.notice = ""
	if r.issued {
		r.stage = rotConfirm
		return nil
	}
	r.stage = rotInput
	r.input = textinput.New()
	r.input.EchoMode = textinput.EchoPassword
	r.input.EchoCharacter = '•'
	r.input.Prompt = "New token: "
	r.input.SetWidth(40)
	return r.input.Focus()
}

// confirmRotate answers the y/N question.
func (p *picker) confirmRotate(yes bool) tea.Cmd {
	r := p.rot
	if !yes {
		p.rot = nil
		p.say("not rotated: nothing changed", false)
		return nil
	}
	r.stage, r.running = rotRotating, "rotating the "+r.p.Name+" token…"
	r.events, r.finished = make(chan tea.Msg, 2), make(chan struct{})
	return tea.Batch(rotateCmd(p.c.ctx, p.c.opts.Env, p.c.store, p.c.opts.Who, *r.p.Rotation, r.old, p.c.now, r.events, r.finished),
		forRotation(r.seq, waitDeepCmd(r.events)), p.spin.Tick)
}

// submitToken takes the token typed by hand, once it has the right format and is a new one.
func (p *picker) submitToken() tea.Cmd {
	r := p.rot
	next := r.old
	next.Token = strings.TrimSpace(r.input.Value())
	norm, err := forms.Credentials(next)
	switch {
	case next.Token == "":
		r.inputErr = "paste the new token, or press esc to leave it"
		return nil
	case err != nil:
		r.inputErr = fieldErrors(err)[0]
		return nil
	case norm.Token == r.old.Token:
		r.inputErr = "that is the token stored already: create a new one at " + r.p.TokenURL(r.old.Host)
		return nil
	}
	r.input.Reset()
	r.input.Blur()
	r.inputErr = ""
	r.creds = norm
	r.add(providers.Pass, "token", "read "+providers.TokenHint(norm.Token))
	return p.rotationCheck()
}

// rotationKey answers a key while the rotation is shown.
func (p *picker) rotationKey(msg tea.KeyPressMsg) tea.Cmd {
	r := p.rot
	quit := func() tea.Msg { return quitMsg{} }
	switch r.stage {
	case rotConfirm:
		return p.confirmRotate(key.Matches(msg, p.c.keys.confirm.Yes))
	case rotInput:
		switch msg.String() {
		case "esc":
			p.rot = nil
			p.say("not rotated: nothing changed", false)
			return nil
		case "enter":
			return p.submitToken()
		}
		var cmd tea.Cmd
		r.input, cmd = r.input.Update(msg)
		return cmd
	case rotUnsaved:
		switch msg.String() {
		case "R":
			r.stage, r.running = rotRotating, "saving the new "+r.p.Name+" token again…"
			r.finished = nil
			r.steps = r.steps[:len(r.steps)-1] // the failed save makes way for its retry
			return tea.Batch(forRotation(r.seq, saveIssuedCmd(p.c.ctx, p.c.store, p.c.opts.Who, r.old, r.tok, p.c.now())), p.spin.Tick)
		case "s":
			r.shown = true // the only copy of a token the provider already made the old one's successor
		case "q":
			return quit
		}
	case rotDone:
		switch msg.String() {
		case "esc", "enter":
			p.rot = nil
			p.say(r.verdict, r.failed)
		case "R":
			if r.failed {
				p.rot = nil
				return p.startRotate(r.p)
			}
		case "q":
			return quit
		}
	default:
		if msg.String() == "q" {
			return quit
		}
	}
	return nil
}

// rotationInput hands the token input what it needs (pasted text, its cursor) while it is
// shown; ok is false for the picker's own messages.
func (p *picker) rotationInput(msg tea.Msg) (tea.Cmd, bool) {
	if p.rot == nil || p.rot.stage != rotInput {
		return nil, false
	}
	switch msg.(type) {
	case tea.KeyPressMsg, spinner.TickMsg, rotationMsg, retestedMsg, retestMsg, devtronDriftMsg, devtronPushedMsg, devtronPlanMsg,
		changedMsg:
		return nil, false
	}
	var cmd tea.Cmd
	p.rot.input, cmd = p.rot.input.Update(msg)
	return cmd, true
}

// rotateUpdate handles the replies to the rotation's steps; ok is false for any other message.
func (p *picker) rotateUpdate(msg tea.Msg) (tea.Cmd, bool) {
	if cmd, ok := p.rotationInput(msg); ok {
		return cmd, true
	}
	if tick, ok := msg.(spinner.TickMsg); ok && p.rot != nil && p.rot.rt != nil && tick.ID == p.rot.rt.spin.ID() {
		return p.rot.rt.update(tick), true // the round trip's own spinner
	}
	rm, ok := msg.(rotationMsg)
	if !ok {
		return nil, false
	}
	r := p.rot
	if r == nil || r.seq != rm.seq {
		return nil, true // stale: that rotation is over
	}
	switch msg := rm.msg.(type) {
	case rotatedMsg:
		return p.rotated(msg), true
	case rotateSavedMsg:
		if r.stage == rotSaving {
			return p.madeSaved(msg), true
		}
		return p.issuedSaved(msg), true
	case retestedMsg:
		r.checkedAt = msg.at
		if r.issued {
			// the new token is the stored one: its check is kept, as a re-test's is
			return forRotation(r.seq, recordRetestCmd(p.c.ctx, p.c.store, p.c.opts.Who, msg)), true
		}
		return p.rotationChecked(msg.result, msg.at), true
	case retestMsg:
		if msg.data != nil {
			p.setData(msg.data)
		}
		return p.rotationChecked(msg.result, r.checkedAt), true
	case deepProgressMsg:
		if r.rt == nil || msg.seq != r.rt.seq || r.rt.state == rtDone {
			return nil, true
		}
		r.rt.progress(msg.check)
		return forRotation(r.seq, waitDeepCmd(r.rt.events)), true
	case deepDoneMsg:
		if r.rt == nil || msg.seq != r.rt.seq {
			return nil, true
		}
		return p.roundTripped(msg.result), true
	case deepRecordedMsg:
		if r.rt == nil || msg.seq != r.rt.seq {
			return nil, true
		}
		r.rt.update(msg)
		if msg.err == nil && msg.data != nil {
			p.setData(msg.data)
		}
		if r.stage != rotRoundTrip {
			return nil, true
		}
		return p.afterRoundTrip(), true
	}
	return nil, true
}

// add notes a finished step.
func (r *rotation) add(st providers.Status, name, msg string, details ...providers.Check) {
	r.steps = append(r.steps, rotStep{outcome: providers.Check{ID: name, Status: st, Message: msg}, details: details})
}

// holds says which token the store holds while the new one is not through every step.
func (r *rotation) holds() string {
	if r.issued {
		return "The store holds the new token " + providers.TokenHint(r.creds.Token) + " (" + r.p.Name + " revoked the old one)."
	}
	return "Nothing saved: the store still holds the old token " + providers.TokenHint(r.old.Token) + ", which still works."
}

// end ends the rotation: with failed, at the step just added; the session ends now if the admin
// quit meanwhile.
func (p *picker) end(failed bool, verdict string) tea.Cmd {
	r := p.rot
	r.stage, r.running, r.failed, r.verdict = rotDone, "", failed, verdict
	if r.quitting {
		return func() tea.Msg { return quitMsg{} }
	}
	return nil
}

// rotated takes the provider's answer to the rotation; the save follows on the same command.
func (p *picker) rotated(msg rotatedMsg) tea.Cmd {
	r := p.rot
	if msg.err != nil {
		r.add(providers.Fail, "rotate", msg.err.Error())
		still := "Nothing changed: the store still holds the old token " + providers.TokenHint(r.old.Token) + ", which still works."
		if msg.maybeRevoked {
			still = "The store still holds the old token " + providers.TokenHint(r.old.Token) + ", which " + r.p.Name + " may have revoked."
		}
		return p.end(true, still)
	}
	r.add(providers.Pass, "rotate", r.p.Name+" issued the new token "+msg.hint+" ("+msg.expiry+") and revoked the old one "+
		providers.TokenHint(r.old.Token))
	r.running = "saving the new token…"
	return forRotation(r.seq, waitDeepCmd(r.events))
}

// issuedSaved takes the save of an issued token: the check follows, unless it failed (the token
// waits for a retry) or the admin quit meanwhile (the session ends now that it is saved).
func (p *picker) issuedSaved(msg rotateSavedMsg) tea.Cmd {
	r := p.rot
	if msg.err != nil {
		r.stage, r.running, r.tok = rotUnsaved, "", msg.tok
		quit := ""
		if r.quitting {
			r.quitting = false
			quit = " Quitting was put off: the new token would be lost."
		}
		r.add(providers.Fail, "save", "the new "+r.p.Name+" token is NOT saved: "+msg.err.Error()+". "+r.p.Name+" has revoked the old one. "+
			"Press R to retry the save: the new token is kept only in this session's memory until then; s shows it, to keep it by hand."+quit)
		return nil
	}
	r.tok = ""
	p.setData(msg.data)
	r.creds = providers.FromConfig(r.id, msg.data.Providers[string(r.id)])
	r.add(providers.Pass, "save", "the new token is in the store (revision "+itoa64(msg.data.Revision)+"); "+
		providers.TokenHint(r.creds.Token)+" replaces "+providers.TokenHint(r.old.Token))
	if r.quitting {
		return p.end(false, "Quitting: the store holds the new token "+providers.TokenHint(r.creds.Token)+"; check it with t.")
	}
	return p.rotationCheck()
}

// rotationCheck starts the new token's live check (with the identity the old token's last check
// learned: the check confirms it).
func (p *picker) rotationCheck() tea.Cmd {
	r := p.rot
	r.stage, r.running = rotChecking, "checking the new token…"
	known := providers.KnownUserID(p.configured(r.id))
	return tea.Batch(forRotation(r.seq, retestCmd(p.c.ctx, p.c.opts.Env, p.c.check, r.seq, r.creds, known, p.c.now)), p.spin.Tick)
}

// rotationChecked takes the new token's check: the round trip follows when it passed.
func (p *picker) rotationChecked(res providers.Result, at time.Time) tea.Cmd {
	r := p.rot
	r.checked, r.checkedAt = res, at
	var details []providers.Check
	var fails, warns []string
	for _, c := range res.Checks {
		switch c.Status {
		case providers.Fail:
			fails = append(fails, c.ID)
			details = append(details, c)
		case providers.Warn:
			warns = append(warns, c.ID)
			details = append(details, c)
		}
	}
	took := " (" + tookText(res.DurationMS) + ")"
	as := ""
	if res.User != "" {
		as = " · authenticated as " + res.User
	}
	switch {
	case !res.OK:
		r.add(providers.Fail, "check", failSummary(res)+": "+strings.Join(fails, ", ")+took, details...)
		fix := " Fix what the check names (enter on the list edits " + r.p.Name + "), then press t to re-test."
		if !r.issued {
			fix = " Fix the new token at " + r.p.TokenURL(r.old.Host) + " and press R to try again."
		}
		return p.end(true, r.holds()+fix)
	case len(warns) > 0:
		r.add(providers.Warn, "check", "passed with "+plural(len(warns), "warning")+": "+strings.Join(warns, ", ")+as+took, details...)
	default:
		r.add(providers.Pass, "check", "all checks passed"+as+took)
	}
	return p.rotationRoundTrip()
}

// rotationRoundTrip starts the new token's round trip: the round-trip view's model, without its
// view, its messages tagged for this rotation. An issued token's round trip is recorded, as the
// stored token's.
func (p *picker) rotationRoundTrip() tea.Cmd {
	r := p.rot
	r.stage, r.running = rotRoundTrip, ""
	r.rt = newRoundTrip(p.c, roundTripMsg{creds: r.creds, stored: r.issued}, p, r.seq)
	r.rt.SetSize(p.width, p.height)
	return r.rt.start(func(events <-chan tea.Msg) tea.Cmd { return forRotation(r.seq, waitDeepCmd(events)) })
}

// roundTripped takes the round trip's end (clean-up included). An issued token's round trip is
// recorded first (afterRoundTrip goes on once it is); a token made by hand is saved if it passed.
func (p *picker) roundTripped(res providers.Result) tea.Cmd {
	r := p.rot
	record := forRotation(r.seq, r.rt.done(res))
	if r.quitting {
		return p.end(true, "Quitting once the round trip has cleaned up. "+r.holds())
	}
	took := " in " + tookText(res.DurationMS)
	if !res.OK {
		summary, _ := r.rt.summary()
		r.steps = append(r.steps, rotStep{outcome: providers.Check{ID: "round trip", Status: providers.Fail,
			Message: strings.TrimPrefix(summary, r.p.Name+": round trip ") + took}, stages: true})
	} else {
		r.add(providers.Pass, "round trip", "passed"+took+": created, cloned, pushed to, verified and deleted a throw-away repository")
	}
	if record != nil {
		r.running = "recording the round trip…"
		return record
	}
	return p.afterRoundTrip()
}

// afterRoundTrip goes on from the round trip: a failure ends the rotation; a token made by hand
// is saved next, an issued one pushed.
func (p *picker) afterRoundTrip() tea.Cmd {
	r := p.rot
	if !r.rt.result.OK {
		fix := " Fix what the round trip names, then press r to run it again."
		if !r.issued {
			fix = " Fix what the round trip names, then press R to try again."
		}
		return p.end(true, r.holds()+fix)
	}
	if r.issued {
		return p.rotationPush()
	}
	r.stage, r.running = rotSaving, "saving the new token…"
	save := saveMadeCmd(p.c.ctx, p.c.store, p.c.opts.Who, r.old, r.creds.Token, r.checked.Record(r.checkedAt, false),
		r.rt.result.Record(r.rt.at, true), p.c.now())
	return tea.Batch(forRotation(r.seq, save), p.spin.Tick)
}

// madeSaved takes the save of a token made by hand: the push follows.
func (p *picker) madeSaved(msg rotateSavedMsg) tea.Cmd {
	r := p.rot
	if msg.err != nil {
		r.add(providers.Fail, "save", msg.err.Error())
		return p.end(true, "Nothing saved: the store still holds what it held (the old token "+providers.TokenHint(r.old.Token)+
			" unless someone replaced it). Press R on the list to rotate again.")
	}
	p.setData(msg.data)
	r.add(providers.Pass, "save", "the new token is in the store (revision "+itoa64(msg.data.Revision)+"), with its check and round trip; "+
		providers.TokenHint(r.creds.Token)+" replaces "+providers.TokenHint(r.old.Token))
	if r.quitting {
		return p.end(false, "Quitting: the store holds the new token "+providers.TokenHint(r.creds.Token)+". "+p.revokeNote())
	}
	return p.rotationPush()
}

// revokeNote says where to revoke the old token made by hand.
func (p *picker) revokeNote() string {
	r := p.rot
	return "Now revoke the old one " + providers.TokenHint(r.old.Token) + " at " + r.p.RevokeURL(r.old.Host, r.old.Token) + ": it keeps working until you do."
}

// rotationPush pushes the stored credentials (the new token's) to Devtron, with the picker's push
// command, when an instance is stored; then the rotation is done.
func (p *picker) rotationPush() tea.Cmd {
	r := p.rot
	cfg := p.configured(r.id)
	if p.data == nil || p.data.Devtron == nil || cfg == nil {
		r.add(providers.Skip, "push", "no Devtron instance is configured: nothing to push")
		return p.rotationDone()
	}
	r.stage, r.running = rotPushing, "pushing the new token to Devtron at "+p.data.Devtron.URL+"…"
	p.pushing = r.id
	// A rotation never changes Devtron's active provider (Activate false).
	return tea.Batch(devtronPushCmd(p.c.ctx, p.c.backend(), p.data.Clone(), r.id, false, ""), p.spin.Tick)
}

// pushes reports whether the rotation (r may be nil) waits for the push of provider id.
func (r *rotation) pushes(id providers.ID) bool {
	return r != nil && r.stage == rotPushing && r.id == id
}

// rotationPushed takes the end of the rotation's push to Devtron. A push refused because it would
// have made the provider Devtron's active one is skipped, with the command line's words.
func (p *picker) rotationPushed(msg devtronPushedMsg) tea.Cmd {
	r := p.rot
	var se *platforms.SwitchError
	switch {
	case errors.As(msg.err, &se):
		id := string(r.id)
		r.add(providers.Skip, "push", "Devtron holds no "+id+" configuration and "+platforms.ActiveName(se.Active)+
			" is its active provider: creating one would make "+id+" the active one there, so nothing was pushed (`gitopscfg push devtron "+
			id+" --activate` does that)")
		return p.rotationDone()
	case msg.err != nil && msg.res.Outcome == "":
		r.add(providers.Fail, "push", "not pushed: "+msg.err.Error())
	case !msg.res.OK():
		r.add(providers.Fail, "push", msg.res.Message)
	default:
		r.add(providers.Pass, "push", msg.res.Message)
		return p.rotationDone()
	}
	still := "Devtron still has the old one, which " + r.p.Name + " revoked: press p on the list to push the new one."
	if !r.issued {
		still = "Devtron still has the old one: press p on the list to push the new one, then revoke the old token at " +
			r.p.RevokeURL(r.old.Host, r.old.Token) + "."
	}
	return p.end(true, "The store holds the new token "+providers.TokenHint(r.creds.Token)+"; "+still)
}

// rotationDone ends a rotation whose every step passed.
func (p *picker) rotationDone() tea.Cmd {
	r := p.rot
	checks := "all checks passed"
	if n := warnings(r.checked.Record(r.checkedAt, false)); n > 0 {
		checks = "the check passed with " + plural(n, "warning")
	}
	verdict := r.p.Name + ": " + checks + " and the round trip too; " + r.p.Name + " now uses " + providers.TokenHint(r.creds.Token) + "."
	if r.issued {
		return p.end(false, verdict+" "+r.p.Name+" revoked the old token itself: there is nothing to revoke by hand.")
	}
	return p.end(false, verdict+" "+p.revokeNote())
}

// rotationSpinning reports whether a rotation's step is on its way (the picker's spinner turns).
func (p *picker) rotationSpinning() bool { return p.rot != nil && p.rot.running != "" }

// rotating reports whether a step runs that the session must not cut short: the rotation and
// the save of its token, a save on its way, a round trip before its clean-up.
func (p *picker) rotating() bool {
	r := p.rot
	if r == nil {
		return false
	}
	switch r.stage {
	case rotRotating, rotSaving:
		return true
	case rotRoundTrip:
		return r.rt != nil && r.rt.busy()
	}
	return false
}

// quitWhenSaved puts off the session's end until that step returned (a round trip is cancelled,
// and ends once it cleaned up).
func (p *picker) quitWhenSaved() {
	r := p.rot
	r.quitting = true
	if r.stage == rotRoundTrip {
		r.rt.quit()
		r.running = "quitting once the round trip has cleaned up: deleting its repository…"
		return
	}
	r.running = "finishing the rotation: the session ends once the new token is saved…"
}

// awaitRotation waits (at most d, the round trip's clean-up at most its own deadline) for what
// the rotation still runs; the program has ended, so nothing else touches the model.
func (p *picker) awaitRotation(d time.Duration) {
	r := p.rot
	if r == nil {
		return
	}
	if r.finished != nil {
		select {
		case <-r.finished:
		case <-time.After(d):
		}
	}
	if r.rt != nil && r.rt.finished != nil {
		select {
		case <-r.rt.finished:
		case <-time.After(providers.DeepDeleteTimeout + 5*time.Second):
		}
	}
}

// rotationKeys are the rotation view's bindings at its stage.
type rotationKeys []key.Binding

func (k rotationKeys) ShortHelp() []key.Binding  { return k }
func (k rotationKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k} }

func (r *rotation) keys() help.KeyMap {
	b := func(k, desc string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc)) }
	switch r.stage {
	case rotInput:
		return rotationKeys{b("enter", "check it"), b("esc", "leave it"), b("ctrl+c", "quit")}
	case rotUnsaved:
		if r.shown {
			return rotationKeys{b("R", "retry the save"), b("q", "quit (keep the token shown above)")}
		}
		return rotationKeys{b("R", "retry the save"), b("s", "show the new token"), b("q", "quit (the new token is lost)")}
	case rotDone:
		if r.failed {
			return rotationKeys{b("esc", "back to the list"), b("R", "rotate again"), b("q", "quit")}
		}
		return rotationKeys{b("esc", "back to the list"), b("q", "quit")}
	}
	return rotationKeys{b("q", "quit (a save or a round trip's clean-up on its way finishes first)")}
}

// rotationView is the rotation: what it does, its steps as they end, the one on its way, and
// its outcome.
func (p *picker) rotationView() string {
	s := p.c.styles
	r := p.rot
	w, h := p.width, p.height
	var head []string
	head = append(head, truncate(s.title.Render(r.p.Name)+s.subtitle.Render(" · token rotation"), w))
	intro := r.p.Name + " issues the new token and revokes the old one " + providers.TokenHint(r.old.Token) +
		" at once: the new token is saved first, then checked, round-tripped, and pushed to Devtron when an instance is stored."
	if !r.issued {
		intro = "Create the replacement at " + r.p.TokenURL(r.old.Host) + " and paste it below. It is checked and round-tripped, " +
			"and saved only if both pass; then pushed to Devtron when an instance is stored. The old token " +
			providers.TokenHint(r.old.Token) + " keeps working until you revoke it."
	}
	for _, l := range strings.Split(wrapText(intro, w), "\n") {
		head = append(head, s.dim.Render(l))
	}
	var body []string
	if r.stage == rotInput {
		body = append(body, "Scopes to tick:")
		for _, sc := range r.p.Scopes {
			extra := ""
			if sc.Advisory {
				extra = " (optional)"
			}
			body = append(body, hangingWrap("- "+sc.Name+extra+": "+sc.Why, w, 2))
		}
		body = append(body, "", r.input.View())
		if r.inputErr != "" {
			body = append(body, s.fail.Render(providers.Fail.Mark()+" ")+hangingWrap(r.inputErr, w-2, 2))
		}
	}
	for _, st := range r.steps {
		body = append(body, checkLine(s, st.outcome, "", w))
		for _, d := range st.details {
			body = append(body, indent(checkLine(s, d, "", w-4), 4))
		}
		if st.stages && r.rt != nil {
			body = append(body, p.stageLines(w)...)
		}
	}
	if r.stage == rotRoundTrip {
		body = append(body, r.rt.spin.View()+" "+s.dim.Render(truncate("round trip: a throw-away repository is created, cloned, pushed to, verified and deleted…", w-2)))
		body = append(body, p.stageLines(w)...)
	}
	if r.running != "" {
		body = append(body, p.spin.View()+" "+s.dim.Render(wrapText(r.running, w-2)))
	}
	if r.stage == rotUnsaved && r.shown && r.tok != "" {
		// Shown whole on the admin's explicit request, as the command line's --show-token-if-unsaved
		// does: the old token is revoked, so this is the only way left to keep the new one.
		body = append(body, "", s.warn.Render("The new token, shown because you asked (it is not saved: keep it somewhere safe):"), r.tok)
	}
	var foot []string
	if r.stage == rotDone {
		st := s.pass
		if r.failed {
			st = s.fail
		}
		foot = append(foot, st.Render(wrapText(r.verdict, w)))
	}
	hm := p.c.help
	hm.SetWidth(w)
	foot = append(foot, hm.View(r.keys()))
	top := strings.Join(head, "\n") + "\n\n"
	bottom := strings.Join(foot, "\n")
	room := h - lineCount(top) - lineCount(bottom)
	content := clampLines(strings.Join(body, "\n"), max(room-1, 1))
	gap := h - lineCount(top) - lineCount(content) - lineCount(bottom)
	return top + content + strings.Repeat("\n", max(gap, 0)+1) + bottom
}

// stageLines are the round trip's stages, indented under its step.
func (p *picker) stageLines(w int) []string {
	var out []string
	for _, c := range p.rot.rt.stages {
		out = append(out, indent(p.rot.rt.stageLine(c, w-4, false), 4))
	}
	return out
}

// indent puts n spaces before every line of s.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

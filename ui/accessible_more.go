package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/huh/v2"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/forms"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// The plain prompts' re-test of every provider, push to Devtron and rotation: what the picker's
// T, p and R do, through the same use cases, said in words.

// testAll re-tests every stored credential and says how each did.
func (a *accessible) testAll(d *config.Data) error {
	names := usecase.CredentialNames(d)
	if len(names) == 0 {
		a.say("No provider is configured yet.")
		return nil
	}
	noun := "provider"
	for _, n := range names {
		if n != d.Credentials[n].Provider {
			noun = "credential"
		}
	}
	a.say("Re-testing %s …", plural(len(names), noun))
	out := a.backend().Test(a.ctx, d, names, usecase.TestOptions{})
	for _, r := range out.Results {
		a.say("%s: %s", providers.CredentialLabel(r.CredentialName(), r.Provider), verdictWords(r))
		for _, ch := range r.Checks {
			if ch.Status == providers.Fail || ch.Status == providers.Warn {
				a.say("  %s: %s: %s", ch.Status.Word(), safe.Text(ch.ID), safe.Text(ch.Message))
			}
		}
	}
	if out.RecordErr != nil {
		a.say("Warning: the results could not be remembered: %v", out.RecordErr)
	}
	return nil
}

// verdictWords is a result in words: passed, passed with N warnings, or what failed.
func verdictWords(r providers.Result) string {
	if !r.OK {
		return "FAILED (" + failSummary(r) + ")"
	}
	return "passed" + withWarnings(r)
}

// push sends the stored credential of row e to a stored Devtron instance: with several, it asks
// to which (each by its number, and after them all, one after the other). Each push says first,
// and asks, when it would change the instance's active provider, or replace there another
// credential of its provider.
func (a *accessible) push(e entry, d *config.Data) error {
	insts := instancesIn(d)
	if len(insts) == 0 {
		a.say("No Devtron instance is stored: run `gitopscfg devtron set --url URL --token-stdin` first.")
		return nil
	}
	name, label := e.credential(), e.label()
	if err := usecase.Fresh(name, d.Credentials[name]); err != nil {
		a.say("Not pushed: %v: re-test %s first.", err, label)
		return nil
	}
	targets := insts
	if len(insts) > 1 {
		var opts []huh.Option[int]
		for i, k := range insts {
			in := platforms.InstanceOf(k.kind, k.name, d.Platforms[string(k.kind)][k.name])
			opts = append(opts, huh.NewOption(listNameIn(d, k)+" at "+safe.Text(k.spec().Where(*in)), i))
		}
		opts = append(opts, huh.NewOption("All, one after the other (each push asks first)", len(insts)))
		which := "platform instance"
		if oneKindIn(d) {
			which = insts[0].spec().Name + " instance"
		}
		i := 0
		if err := a.run(huh.NewSelect[int]().Title("Push " + label + " to which " + which + "?").Options(opts...).Value(&i)); err != nil {
			return err
		}
		if i < len(insts) {
			targets = insts[i : i+1]
		}
	}
	for n, inst := range targets {
		if n > 0 {
			// the push before may have made the credential the active one here
			nd, err := a.store.Load()
			if err != nil {
				return err
			}
			d = nd
		}
		if err := a.pushTo(e, d, inst, len(insts) > 1); err != nil {
			return err
		}
	}
	return nil
}

// pushTo sends the stored credential of row e to the stored Devtron instance inst (named: said by
// its name, as there are several), saying first, and asking, when the push would change its
// active provider, or replace there another credential of its provider.
func (a *accessible) pushTo(e entry, d *config.Data, inst instKey, named bool) error {
	target, err := usecase.Target(d, inst.kind, inst.name)
	if err != nil {
		a.say("Not pushed: %v", err)
		return nil
	}
	spec := inst.spec()
	t := pushTarget{inst: inst, dt: namedIn(d, inst), url: safe.Text(spec.Where(*target)), redact: target.Redact}
	if named {
		t.to, t.at = " to "+t.dt, t.dt+": "
	}
	activate, ok := a.askPush(e, d, t)
	if !ok {
		return nil
	}
	if spec.OneActive {
		a.say("Pushing %s to %s (its validation can take minutes) …", e.label(), t.dt)
	} else {
		a.say("Pushing %s to %s …", e.label(), t.dt)
	}
	out, err, ok := a.sendPush(e, d, t, usecase.PushInput{Kind: inst.kind, Credential: e.credential(), Instance: inst.name, Activate: activate})
	if ok {
		a.sayPushed(e, d, t, out, err)
	}
	return nil
}

// pushTarget is the Devtron instance a plain-prompt push goes to, as its messages name it.
type pushTarget struct {
	inst    instKey
	dt, url string
	// to and at name the instance in messages when several are stored ("" otherwise).
	to, at string
	redact func(string) string
}

// askPush asks whether to push e's credential to t (and, when the push would switch Devtron's
// active provider, whether to); ok is false when nothing is to be pushed (said already).
func (a *accessible) askPush(e entry, d *config.Data, t pushTarget) (activate, ok bool) {
	label := e.label()
	if !t.inst.spec().OneActive {
		if !a.confirm(fmt.Sprintf("Push %s to %s at %s? %s is given its Secret, which is read back.", label, t.dt, t.url, t.dt)) {
			a.say("Nothing was pushed%s.", t.to)
			return false, false
		}
		return false, true
	}
	plan, err := a.backend().PlanPush(a.ctx, d, e.credential(), t.inst.name)
	if err != nil {
		a.say("Not pushed%s: %s's active provider could not be read: %s", t.to, t.dt, safe.Text(t.redact(err.Error())))
		return false, false
	}
	validates := "Devtron validates it by creating and deleting a repository."
	if cfg := d.Credentials[e.credential()]; cfg != nil && cfg.Repo != "" {
		validates = platforms.CustomRepositoryNote(providers.FromConfig(e.credential(), cfg))
		a.say("%s", validates)
	}
	if !plan.Switches {
		if !a.confirm(fmt.Sprintf("Push %s to %s at %s? %s", label, t.dt, t.url, validates)) {
			a.say("Nothing was pushed%s.", t.to)
			return false, false
		}
		return false, true
	}
	there := platforms.ActiveName(plan.Active)
	a.say("%s's active GitOps provider is %s: its applications push there.", t.dt, there)
	activate = a.confirm(fmt.Sprintf("Make %s the active one in %s at %s, and here?", label, t.dt, t.url))
	if !activate && !plan.Present {
		a.say("Nothing was pushed%s: %s stays %s's active provider.", t.to, there, t.dt)
		return false, false
	}
	if !activate && !a.confirm(fmt.Sprintf("Update %s's configuration in %s and keep %s active there?", e.p.Name, t.dt, there)) {
		a.say("Nothing was pushed%s.", t.to)
		return false, false
	}
	return activate, true
}

// sendPush pushes, asking before it replaces another credential of the provider that the
// instance holds; ok is false when the admin declined (said already).
func (a *accessible) sendPush(e entry, d *config.Data, t pushTarget, in usecase.PushInput) (usecase.Pushed, error, bool) {
	b := a.backend()
	out, err := b.Push(a.ctx, d, in)
	var re *usecase.ReplaceError
	if errors.As(err, &re) {
		// Devtron holds one configuration per provider: nothing was sent; ask before replacing.
		if !a.confirm(fmt.Sprintf("%s holds %s, another %s credential: replace it there with %s?", t.dt, labelIn(d, re.Holder), e.p.Name, e.label())) {
			a.say("Nothing was pushed: %s keeps %s.", t.dt, labelIn(d, re.Holder))
			return out, nil, false
		}
		in.Replace = true
		out, err = b.Push(a.ctx, d, in)
	}
	return out, err, true
}

// sayPushed says the platform's stages and the push's outcome.
func (a *accessible) sayPushed(e entry, d *config.Data, t pushTarget, out usecase.Pushed, err error) {
	for _, st := range out.Result.Stages {
		word := providers.Pass.Word()
		if !st.OK {
			word = providers.Fail.Word()
		}
		a.say("  %s: %s %s", word, safe.Text(st.Name), safe.Text(st.Message))
	}
	label, name := e.label(), e.credential()
	noun := providers.CredentialNoun(name, e.p.ID)
	switch {
	case err != nil && !out.Result.OK():
		a.say("Not pushed%s: %s", t.to, safe.Text(err.Error()))
	case err != nil:
		a.say("%s%s: %s; but %s", t.at, label, safe.Text(out.Result.Message), safe.Text(err.Error()))
	case out.ActivatedHere:
		a.say("%s%s: %s. %s is now the active %s here too, as in %s.", t.at, label, safe.Text(out.Result.Message), label, noun, t.dt)
	case out.Disagree != "":
		a.say("%s%s: %s. Here %s is the active %s: activate %s to make them agree.", t.at, label, safe.Text(out.Result.Message), out.Disagree, nounIn(d, out.Disagree), label)
	default:
		a.say("%s%s: %s", t.at, label, safe.Text(out.Result.Message))
	}
}

// rotate replaces the token of row e's credential (usecase.Rotate), saying each step as it
// happens.
func (a *accessible) rotate(e entry) error {
	label := e.label()
	_, err := a.backend().Rotate(a.ctx, usecase.RotateInput{Credential: e.credential(), ByHand: e.p.Rotation == nil,
		Timeout: providers.DeepTimeout, Events: a.rotationEvent}, accessibleAsker{a})
	var ue *usecase.UsageError
	switch {
	case err == nil:
		a.say("The rotation of %s's token is done.", label)
	case endErr(err):
		return err
	case errors.As(err, &ue):
		a.say("Not rotated: %v", err)
	default:
		a.say("The rotation of %s's token did not finish: see the steps above.", label)
	}
	return nil
}

// rotationEvent says one of a rotation's events.
func (a *accessible) rotationEvent(e usecase.RotateEvent) {
	switch e := e.(type) {
	case usecase.StepDone:
		a.say("%s: %s: %s", e.Status.Word(), e.Name, safe.Text(e.Message))
	case usecase.StepNote:
		a.say("  %s", safe.Text(e.Text))
	case usecase.RotateWarning:
		a.say("Warning: %s", safe.Text(e.Text))
	case usecase.UnsavedToken:
		a.say("%s", e.Token) // asked for: the only copy of the new token
	case usecase.CreateAt:
		a.say("Create the replacement at %s with:", e.Page)
		var scopes []string
		for _, sc := range e.Scopes {
			extra := ""
			if sc.Advisory {
				extra = " (optional)"
			}
			scopes = append(scopes, sc.Name+extra+": "+sc.Why)
		}
		a.say("  %s", strings.Join(scopes, "; "))
	}
}

// accessibleAsker answers a rotation's questions with plain prompts.
type accessibleAsker struct{ a *accessible }

func (q accessibleAsker) Confirm(p usecase.IssuePlan) (bool, error) { return q.yes(p.Question()) }

// CanReadToken: a token is read from a terminal (masked) or a pipe (a line) alike.
func (q accessibleAsker) CanReadToken() error { return nil }

// Token asks for the replacement: masked on a terminal, one line from a pipe (never echoed).
func (q accessibleAsker) Token() (string, error) {
	tok := ""
	in := huh.NewInput().Title("The new token:").Value(&tok)
	if q.a.tty {
		in.EchoMode(huh.EchoModePassword)
	}
	if err := q.a.run(in); err != nil {
		return "", err
	}
	tok, err := forms.Token(tok)
	if err != nil {
		return "", &usecase.UsageError{Msg: err.Error()}
	}
	return tok, nil
}

// ShowUnsaved asks, on a terminal only, whether to show the token that could not be saved.
func (q accessibleAsker) ShowUnsaved() bool {
	if !q.a.tty {
		return false
	}
	show, _ := q.yes("Show the new token once, so that you can store it yourself?")
	return show
}

func (q accessibleAsker) yes(question string) (bool, error) {
	yes := false
	if err := q.a.run(huh.NewConfirm().Title(question).Value(&yes)); err != nil {
		return false, err
	}
	return yes, nil
}

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

// testAll re-tests every configured provider and says how each did.
func (a *accessible) testAll(d *config.Data) error {
	ids := usecase.CredentialNames(d)
	if len(ids) == 0 {
		a.say("No provider is configured yet.")
		return nil
	}
	a.say("Re-testing %d providers …", len(ids))
	out := a.backend().Test(a.ctx, d, ids, usecase.TestOptions{})
	for _, r := range out.Results {
		a.say("%s: %s", providers.MustLookup(r.Provider).Name, verdictWords(r))
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

// push sends p's stored credentials to the stored Devtron instance, saying first, and asking,
// when the push would change Devtron's active provider.
func (a *accessible) push(p providers.Provider, d *config.Data) error {
	if usecase.StoredDevtron(d) == nil {
		a.say("No Devtron instance is stored: run `gitopscfg devtron set --url URL --token-stdin` first.")
		return nil
	}
	b := a.backend()
	if err := usecase.Fresh(string(p.ID), d.Credentials[string(p.ID)]); err != nil {
		a.say("Not pushed: %v: re-test %s first.", err, p.Name)
		return nil
	}
	url := safe.Text(usecase.StoredDevtron(d).URL)
	plan, err := b.PlanPush(a.ctx, d, string(p.ID), usecase.DevtronName(d))
	if err != nil {
		a.say("Not pushed: Devtron's active provider could not be read: %s", safe.Text(usecase.DevtronInstance(d).Redact(err.Error())))
		return nil
	}
	activate := false
	if plan.Switches {
		there := platforms.ActiveName(plan.Active)
		a.say("Devtron's active GitOps provider is %s: its applications push there.", there)
		activate = a.confirm(fmt.Sprintf("Make %s the active one in Devtron at %s, and here?", p.Name, url))
		if !activate && !plan.Present {
			a.say("Nothing was pushed: %s stays Devtron's active provider.", there)
			return nil
		}
		if !activate && !a.confirm(fmt.Sprintf("Update %s's configuration in Devtron and keep %s active there?", p.Name, there)) {
			a.say("Nothing was pushed.")
			return nil
		}
	} else if !a.confirm(fmt.Sprintf("Push %s to Devtron at %s? Devtron validates it by creating and deleting a repository.", p.Name, url)) {
		a.say("Nothing was pushed.")
		return nil
	}
	a.say("Pushing %s to Devtron (its validation can take minutes) …", p.Name)
	out, err := b.Push(a.ctx, d, usecase.PushInput{Credential: string(p.ID), Instance: usecase.DevtronName(d), Activate: activate})
	for _, st := range out.Result.Stages {
		word := providers.Pass.Word()
		if !st.OK {
			word = providers.Fail.Word()
		}
		a.say("  %s: %s %s", word, safe.Text(st.Name), safe.Text(st.Message))
	}
	switch {
	case err != nil && !out.Result.OK():
		a.say("Not pushed: %s", safe.Text(err.Error()))
	case err != nil:
		a.say("%s: %s; but %s", p.Name, safe.Text(out.Result.Message), safe.Text(err.Error()))
	case out.ActivatedHere:
		a.say("%s: %s. %s is now the active provider here too, as in Devtron.", p.Name, safe.Text(out.Result.Message), p.Name)
	case out.Disagree != "":
		a.say("%s: %s. Here %s is the active provider: activate %s to make them agree.", p.Name, safe.Text(out.Result.Message), out.Disagree, p.Name)
	default:
		a.say("%s: %s", p.Name, safe.Text(out.Result.Message))
	}
	return nil
}

// rotate replaces p's token (usecase.Rotate), saying each step as it happens.
func (a *accessible) rotate(p providers.Provider) error {
	_, err := a.backend().Rotate(a.ctx, usecase.RotateInput{Credential: string(p.ID), ByHand: p.Rotation == nil,
		Timeout: providers.DeepTimeout, Events: a.rotationEvent}, accessibleAsker{a})
	var ue *usecase.UsageError
	switch {
	case err == nil:
		a.say("The rotation of %s's token is done.", p.Name)
	case endErr(err):
		return err
	case errors.As(err, &ue):
		a.say("Not rotated: %v", err)
	default:
		a.say("The rotation of %s's token did not finish: see the steps above.", p.Name)
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

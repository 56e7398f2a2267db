package ui

import (
	"errors"
	"strings"

	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// verdict sums the rotation up: the headline under its steps (which say the rest), and the
// notice on the list: the headline, then the use case's last word (on a failure, its note on which
// token the store holds).
func (r *rotateScreen) verdict() {
	name := r.label()
	last, _ := r.lastStep()
	var notes []string // the prose under the last step
	for i := len(r.events) - 1; i >= 0; i-- {
		if _, step := r.events[i].(usecase.StepDone); step {
			break
		}
		if n, ok := r.events[i].(usecase.StepNote); ok && !isCheckLine(n.Text) {
			notes = append([]string{n.Text}, notes...)
		}
	}
	say := last.Message
	switch {
	case len(notes) > 0 && errors.Is(r.err, usecase.ErrSaveFailed):
		say = notes[0] // which token the store holds comes before how to keep the new one
	case len(notes) > 0:
		say = notes[len(notes)-1]
	}
	r.failed = r.err != nil
	switch {
	case !r.failed:
		checks := "all checks passed"
		if r.warnings > 0 {
			checks = "the check passed with " + plural(r.warnings, "warning")
		}
		r.headline = name + ": " + checks + " and the round trip too."
	case last.Name == "interrupted":
		r.headline, say = name+": interrupted: "+last.Message, ""
	case last.Status == providers.Fail:
		r.headline = strings.TrimSpace(name + ": the " + last.Name + " step failed. " + r.fix(last.Name))
	default: // a store or usage error, no step's
		r.headline, say = name+": "+r.err.Error(), ""
	}
	r.notice = strings.TrimSpace(r.headline + " " + say)
}

// fix says what the admin does in the UI after step failed (the use case names the commands).
func (r *rotateScreen) fix(step string) string {
	switch {
	case step == "push":
		return "Press p on the list to push the new token to Devtron."
	case step != "check" && step != "round trip":
		return ""
	case r.issued:
		return "Fix what it names (enter on the list edits " + r.label() + "), then press t or r there."
	}
	return "Fix what it names, then press R to try again."
}

func (r *rotateScreen) lastStep() (usecase.StepDone, bool) {
	for i := len(r.events) - 1; i >= 0; i-- {
		if s, ok := r.events[i].(usecase.StepDone); ok {
			return s, true
		}
	}
	return usecase.StepDone{}, false
}

// isCheckLine reports whether a note is a check's or a stage's line (it starts with a mark).
func isCheckLine(text string) bool {
	for _, st := range []providers.Status{providers.Pass, providers.Fail, providers.Warn, providers.Skip} {
		if strings.HasPrefix(text, st.Mark()+" ") {
			return true
		}
	}
	return false
}

// canAgain reports whether R rotates again: after a failure that left a working token in the
// store (not after a failed save of an issued token: the old one is revoked).
func (r *rotateScreen) canAgain() bool {
	return !r.busy() && r.failed && !(r.issued && errors.Is(r.err, usecase.ErrSaveFailed))
}

package ui

import (
	"fmt"
	"strings"
	"time"

	"gitopscfg/config/safe"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// issueQuestion is GitLab's question before it issues the new token.
func (r *rotateScreen) issueQuestion(p usecase.IssuePlan) string {
	then := "then checked and round-tripped"
	if r.devtron != "" {
		then = "then checked, round-tripped and pushed to Devtron at " + safe.Text(r.devtron)
	}
	return "Rotate the " + p.Provider + " token? " + p.Provider + " revokes the current token " + p.OldHint +
		" the moment it returns the new one, which expires on " + p.Expires.Format("2006-01-02") +
		"; the new token is saved at once, " + then + "."
}

// running says what the step on its way does, or what a cancelled rotation still finishes.
func (r *rotateScreen) running() string {
	name := r.p.Name
	if r.state == rotCancelling {
		switch {
		case r.quitting && (r.step == stepIssuing || r.step == stepSaving):
			return "finishing the rotation: the session ends once the new token is saved…"
		case r.quitting && r.step == stepRoundTrip:
			return "quitting once the round trip has cleaned up: deleting its repository…"
		case r.quitting:
			return "quitting once the step on its way has stopped…"
		case r.step == stepIssuing || r.step == stepSaving:
			return "cancelling once the new token is saved (" + name + "'s answer is its only copy)…"
		case r.step == stepRoundTrip:
			return "cancelling: deleting the round trip's repository…"
		}
		return "cancelling…"
	}
	switch r.step {
	case stepReading:
		return "reading what " + name + " says of the stored token…"
	case stepIssuing:
		return name + " is issuing the new token…"
	case stepSaving:
		return "saving the new token…"
	case stepChecking:
		return "checking the new token…"
	case stepRoundTrip:
		if r.old.Repo != "" {
			return "round trip: a throw-away branch is pushed to " + safe.Text(r.old.Repo) + ", verified and deleted…"
		}
		return "round trip: a throw-away repository is created, cloned, pushed to, verified and deleted…"
	case stepPushing:
		if r.pushed != "" {
			return "pushing the new token to Devtron: " + r.pushed
		}
		return "pushing the new token to Devtron at " + r.devtron + "…"
	}
	return "…"
}

// elapsedText is how long a step has run: "4 s", "1 min 05 s".
func elapsedText(d time.Duration) string {
	s := int(max(d, 0) / time.Second)
	if s < 60 {
		return fmt.Sprintf("%d s", s)
	}
	return fmt.Sprintf("%d min %02d s", s/60, s%60)
}

// View is the rotation: what it does, its steps as they end, the one on its way with its elapsed
// time or the question asked, and the outcome; when the steps do not fit, the earliest give way.
func (r *rotateScreen) View() string {
	s := r.c.styles
	w, h := r.width, r.height
	intro := r.p.Name + " issues the new token and revokes the old one " + providers.TokenHint(r.old.Token) +
		" at once: the new token is saved first, then checked, round-tripped, and pushed to Devtron when an instance is stored."
	if !r.issued {
		intro = "Paste the replacement below: it is saved only once it passed the check and the round trip, then pushed to " +
			"Devtron when an instance is stored. The old token " + providers.TokenHint(r.old.Token) + " keeps working until you revoke it."
	}
	top := truncate(s.title.Render(r.label())+s.subtitle.Render(" · token rotation"), w) + "\n"
	for _, l := range strings.Split(clampLines(wrapText(intro, w), 3), "\n") {
		top += s.dim.Render(l) + "\n"
	}
	top += "\n"
	foot := r.footer(w)
	body := r.body(w)
	if room := max(h-lineCount(top)-lineCount(foot)-1, 1); len(body) > room {
		kept := body[len(body)-max(room-1, 1):]
		body = append([]string{s.dim.Render("… " + plural(len(body)-len(kept), "earlier line"))}, kept...)
	}
	gap := h - lineCount(top) - len(body) - lineCount(foot)
	return top + strings.Join(body, "\n") + strings.Repeat("\n", max(gap, 0)+1) + foot
}

// body is the steps so far, then what goes on now: the token input, the step on its way, the
// token shown on request.
func (r *rotateScreen) body(w int) []string {
	s := r.c.styles
	var out []string
	for _, e := range r.events {
		switch e := e.(type) {
		case usecase.StepDone:
			out = append(out, checkLine(s, providers.Check{ID: e.Name, Status: e.Status, Message: e.Message}, "", w))
		case usecase.StepNote:
			if isCheckLine(e.Text) { // a check's or a stage's line hangs under its mark
				out = append(out, indentLines(hangingWrap(safe.Text(e.Text), w-2, 2), 2))
			} else {
				out = append(out, indentLines(wrapText(safe.Text(e.Text), w-2), 2))
			}
		case usecase.RotateWarning:
			out = append(out, s.warn.Render(hangingWrap(providers.Warn.Mark()+" "+safe.Text(e.Text), w, 2)))
		}
	}
	if r.asking(askToken) {
		if c := r.create; c != nil {
			out = append(out, hangingWrap("Create the replacement at "+safe.Text(c.Page)+" with the scopes:", w, 2))
			for _, sc := range c.Scopes {
				extra := ""
				if sc.Advisory {
					extra = " (optional)"
				}
				out = append(out, hangingWrap("- "+sc.Name+extra+": "+sc.Why, w, 2))
			}
		}
		out = append(out, "", r.input.View())
		if r.inputErr != "" {
			out = append(out, s.fail.Render(providers.Fail.Mark()+" ")+hangingWrap(safe.Text(r.inputErr), w-2, 2))
		}
	}
	if r.working() {
		st := s.dim
		if r.state == rotCancelling {
			st = s.prompt
		}
		text := safe.Text(r.running() + " " + elapsedText(r.c.now().Sub(r.since)))
		out = append(out, r.spin.View()+" "+st.Render(hangingWrap(text, w-2, 2)))
	}
	if r.shown != "" {
		// Shown whole on the admin's explicit request, as the command line's --show-token-if-unsaved
		// does: the old token is revoked, so this is the only way left to keep the new one.
		out = append(out, "", s.warn.Render(wrapText("The new token, shown because you asked (it is not saved: keep it somewhere safe):", w)), r.shown)
	}
	return strings.Split(strings.Join(out, "\n"), "\n")
}

// footer is the question asked or the outcome, and the keys.
func (r *rotateScreen) footer(w int) string {
	s := r.c.styles
	var out []string
	switch {
	case r.yn != nil:
		out = append(out, r.yn.view(s, w, 6))
	case r.asking(askShow, askRetry):
		q := "The new token is not saved and " + r.p.Name + " has revoked the old one: "
		if r.asking(askRetry) {
			q += "R saves it again (the token stays in this session's memory until then); s shows it whole, once."
		} else {
			q += "s shows it whole, once, so that you can keep it by hand."
		}
		if r.putOff {
			q = "Quitting was put off: the new token would be lost. " + q
		}
		out = append(out, s.prompt.Render(clampLines(wrapText(q, w), 4)))
	case r.state == rotDone:
		st := s.pass
		if r.failed {
			st = s.fail
		}
		out = append(out, st.Render(clampLines(wrapText(safe.Text(r.headline), w), 3)))
	}
	hm := r.c.help
	hm.SetWidth(w)
	return strings.Join(append(out, hm.View(r)), "\n")
}

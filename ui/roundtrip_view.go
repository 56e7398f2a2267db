package ui

import (
	"strings"

	"gitopscfg/config/safe"
	"gitopscfg/providers"
)

// View renders the whole screen: what is tested, the stages, the verdict and the keys.
func (rt *roundTrip) View() string {
	w, h := rt.width, rt.height
	head, foot := rt.head(w), rt.footer(w)
	body := head + "\n" + rt.box(w, rt.boxHeight())
	gap := h - lineCount(body) - lineCount(foot)
	return body + strings.Repeat("\n", max(gap, 0)+1) + foot
}

// head is what is tested, above the checklist.
func (rt *roundTrip) head(w int) string {
	s := rt.c.styles
	sub := " · round-trip test"
	if !rt.stored {
		sub += " of the unsaved draft"
	}
	text := "Creates a private throw-away repository in " + rt.p.OrgNoun + " " + rt.creds.Org +
		", clones it over HTTPS, pushes a commit, reads the branch back and deletes the repository."
	if rt.creds.Repo != "" {
		text = "Reads " + safe.Text(rt.creds.Repo) + ", pushes one commit to a throw-away branch, reads it back and deletes the branch; " +
			"no repository is created or deleted."
	}
	intro := clampLines(wrapText(text, w), 2)
	head := truncate(s.title.Render(rt.label())+s.subtitle.Render(sub), w) + "\n"
	for _, l := range strings.Split(intro, "\n") {
		head += s.dim.Render(l) + "\n"
	}
	return head
}

// box is the checklist in a frame w cells wide and at most h lines high; what does not fit under
// its title and the live check's line scrolls.
func (rt *roundTrip) box(w, h int) string {
	head, body := rt.boxLines(w, h)
	lines := append(head, rt.scroll.window(body, max(h-2-len(head), 1), max(w-4, 10), rt.c.styles.dim)...)
	return box(strings.Join(lines, "\n"), w, rt.c.styles.border)
}

// boxLines are the checklist's lines in a box w × h: the title and the live check's line, then
// the rest. When the wrapped lines do not fit, the live check's details go first, then the
// finished stages keep one line each (a failure stays whole); what still does not fit scrolls.
func (rt *roundTrip) boxLines(w, h int) (head, body []string) {
	s := rt.c.styles
	inner := max(w-4, 10)
	title := s.panelTitle.Render("Round trip") + s.dim.Render(" · "+truncate(safe.Text(rt.creds.Host), max(inner-13, 1)))
	live, details := rt.liveLines(inner)
	for _, compact := range []bool{false, true} {
		lines := []string{title, live}
		if !compact {
			lines = append(lines, details...)
		}
		for _, c := range rt.stages {
			lines = append(lines, rt.stageLine(c, inner, compact))
		}
		if lineCount(strings.Join(lines, "\n")) <= h-2 || compact {
			return lines[:2], strings.Split(strings.Join(lines[2:], "\n"), "\n")
		}
	}
	return nil, nil
}

// liveLines is the live check's line and, once done, its failures and warnings.
func (rt *roundTrip) liveLines(w int) (string, []string) {
	s := rt.c.styles
	switch {
	case rt.state != rtDone && !rt.begun && rt.cancelled:
		return rt.spin.View() + " " + truncate("live check: stopping…", w-2), nil
	case rt.state != rtDone && !rt.begun:
		return rt.spin.View() + " " + truncate("live check: checking the credentials before the round trip…", w-2), nil
	case rt.state != rtDone:
		return s.pass.Render(providers.Pass.Mark()) + " " + truncate("live check: authentication and organisation passed", w-2), nil
	}
	checks := rt.liveChecks()
	var fails, warns []string
	var details []string
	for _, c := range checks {
		switch c.Status {
		case providers.Fail:
			fails = append(fails, safe.Text(c.ID))
			details = append(details, indentLines(checkLine(s, c, "", w-2), 2))
		case providers.Warn:
			warns = append(warns, safe.Text(c.ID))
			details = append(details, indentLines(checkLine(s, c, "", w-2), 2))
		}
	}
	var line string
	switch {
	case len(fails) == 1:
		line = checkLine(s, providers.Check{ID: "live check", Status: providers.Fail, Message: "1 check failed: " + fails[0]}, "", w)
	case len(fails) > 1:
		line = checkLine(s, providers.Check{ID: "live check", Status: providers.Fail,
			Message: itoa(len(fails)) + " checks failed: " + strings.Join(fails, ", ")}, "", w)
	case len(warns) > 0:
		line = checkLine(s, providers.Check{ID: "live check", Status: providers.Warn,
			Message: "passed with " + plural(len(warns), "warning") + ": " + strings.Join(warns, ", ")}, "", w)
	default:
		msg := itoa(len(checks)) + " checks passed"
		if rt.result.User != "" {
			msg += " · " + safe.Text(rt.result.User)
		}
		id := "live check (" + tookText(rt.liveMS()) + ")"
		line = checkLine(s, providers.Check{ID: id, Status: providers.Pass, Message: msg}, "", w)
	}
	return clampLines(line, 1), details
}

// liveMS is how long the live check took: the whole round trip less its stages.
func (rt *roundTrip) liveMS() int64 {
	ms := rt.result.DurationMS
	for _, c := range rt.stages {
		if c.DurationMS != nil {
			ms -= *c.DurationMS
		}
	}
	return max(ms, 0)
}

// stageLine renders one stage: pending, running (spinner) or finished (mark, message, duration).
func (rt *roundTrip) stageLine(c providers.Check, w int, compact bool) string {
	s := rt.c.styles
	switch c.Status {
	case "":
		return s.dim.Render("· " + c.ID)
	case providers.Running:
		return rt.spin.View() + " " + truncate(safe.Text(c.ID+": "+c.Message)+"…", w-2)
	}
	if c.DurationMS != nil && c.Status != providers.Skip {
		c.ID += " (" + tookText(*c.DurationMS) + ")"
	}
	// a failure always shows in full: it says what to fix (and names a left-over repository)
	if compact && c.Status != providers.Fail {
		mark, st := checkMark(s, c.Status)
		return st.Render(mark) + " " + truncate(safe.Text(c.ID+": "+c.Message), w-2)
	}
	return checkLine(s, c, "", w)
}

// verdict is the outcome under the checklist, or what is going on.
func (rt *roundTrip) verdict(w int) string {
	s := rt.c.styles
	created := rt.stages[0].Status != ""
	what := "the repository"
	if rt.creds.Repo != "" {
		what = "the throw-away branch"
		created = len(rt.stages) > 1 && rt.stages[1].Status != "" // the push may have made it
	}
	switch {
	case rt.state == rtCancelling && rt.quitting && created:
		return s.prompt.Render(wrapText("quitting once the clean-up is over: deleting "+what+"…", w))
	case rt.state == rtCancelling && rt.quitting:
		return s.prompt.Render(wrapText("quitting once the check has stopped…", w))
	case rt.state == rtCancelling && created:
		return s.prompt.Render(wrapText("cancelling: deleting "+what+"…", w))
	case rt.state == rtCancelling:
		return s.prompt.Render(wrapText("cancelling: waiting for the check to stop…", w))
	case rt.state == rtRunning && rt.creds.Repo != "":
		return s.dim.Render(wrapText("Running: the throw-away branch is deleted at the end whatever happens (esc cancels).", w))
	case rt.state == rtRunning:
		return s.dim.Render(wrapText("Running: the repository is deleted at the end whatever happens (esc cancels).", w))
	}
	took := " in " + tookText(rt.result.DurationMS)
	var line string
	failed := rt.failedStage()
	switch {
	case rt.leftOver():
		line = s.fail.Render("Round trip FAILED and LEFT A REPOSITORY BEHIND: deep:delete names it and the permission that is missing; remove it by hand.")
		if c, _ := providers.LeftBehind(rt.result); c.ID == providers.CheckDeepDeleteBranch {
			line = s.fail.Render("Round trip FAILED and LEFT A BRANCH BEHIND: deep:delete-branch names it and the command that deletes it.")
		}
	case rt.cancelled:
		line = s.warn.Render("Round trip cancelled" + took + ": nothing was left behind.")
	case rt.result.OK && rt.creds.Repo != "":
		line = s.pass.Render("Round trip passed" + withWarnings(rt.result) + took + ": this token reads " + safe.Text(rt.creds.Repo) +
			" and pushes to and deletes its branches; it created and deleted no repository.")
	case rt.result.OK:
		line = s.pass.Render("Round trip passed" + withWarnings(rt.result) + took + ": this token creates, clones, pushes to and deletes repositories in " +
			rt.p.OrgNoun + " " + rt.creds.Org + ".")
	case failed != "":
		line = s.fail.Render("Round trip FAILED at " + failed + took + ": fix what it says and run it again.")
	default:
		line = s.fail.Render("Round trip FAILED: the live check did not pass (see above).")
	}
	return clampLines(wrapText(line, w), 2)
}

func (rt *roundTrip) footer(w int) string {
	s := rt.c.styles
	var b strings.Builder
	b.WriteString(rt.verdict(w) + "\n")
	if rt.record != "" {
		st := s.dim
		if rt.recErr {
			st = s.msgError
		}
		b.WriteString(st.Render(truncate(rt.record, w)) + "\n")
	}
	h := rt.c.help
	h.SetWidth(w)
	b.WriteString(h.View(rt))
	return b.String()
}

// leftWhat is what a failed clean-up stage c left behind, in capitals for the verdict.
func leftWhat(c providers.Check) string {
	if c.ID == providers.CheckDeepDeleteBranch {
		return "A BRANCH"
	}
	return "A REPOSITORY"
}

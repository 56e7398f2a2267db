package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"gitopscfg/providers"
)

func (e *editor) View() string {
	s := e.c.styles
	w := e.width
	formW, formH, panelW, panelH, side := e.dims()
	head := s.title.Render(e.label()) + s.subtitle.Render(" · "+e.subtitle())
	formView := e.formView(formW, formH)
	panelView := e.panel.View(panelW, panelH)
	var body string
	switch {
	case e.showsHostKey():
		body = padLines(e.hostKeyView(w), e.bodyLines())
	case e.showPub:
		body = padLines(e.pubView(w), e.bodyLines())
	case side:
		body = besides(formView, formW, formH, panelView)
	default:
		body = padLines(formView, formH) + "\n" + panelView
	}
	if pub := e.pubLines(w); len(pub) > 0 {
		body += "\n" + strings.Join(pub, "\n")
	}
	return truncate(head, w) + "\n\n" + body + "\n" + e.footer(w)
}

func (e *editor) subtitle() string {
	switch {
	case e.create != nil:
		return "first provider (step 3 of 3)"
	case e.orig.Token == "":
		return "new credential"
	}
	return "editing the stored credential"
}

// formView is the form with the format errors of its fields under it, in w × h cells.
func (e *editor) formView(w, h int) string {
	var errs []string
	for _, err := range e.form.Errors() {
		errs = append(errs, e.c.styles.fail.Render(providers.Fail.Mark()+" ")+hangingWrap(err.Error(), w-2, 2))
	}
	errText := strings.Join(errs, "\n")
	room := h - lipgloss.Height(errText)
	if errText == "" {
		room = h
	}
	out := keepFocusedInput(strings.TrimRight(e.form.View(), "\n"), max(room, 3))
	if errText != "" {
		out += "\n" + errText
	}
	return clampLines(out, h)
}

// keepFocusedInput fits a form's view into h lines, scrolled no further than needed for the
// focused field to show whole. A field taller than the room (the token's long help on a small terminal) keeps its title
// and its input line: the middle of its help gives way, marked with "…".
func keepFocusedInput(view string, h int) string {
	lines := strings.Split(view, "\n")
	if len(lines) <= h {
		return view
	}
	first, last := -1, -1
	for i, l := range lines {
		if strings.HasPrefix(ansi.Strip(l), "┃") {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	switch {
	case first < 0:
		return clampLines(view, h)
	case last-first+1 <= h:
		start := max(0, last-h+1) // scroll no further than the focused field needs
		return strings.Join(lines[start:start+h], "\n")
	case h < 3:
		return strings.Join(lines[last-h+1:last+1], "\n")
	}
	tail := h - 2 // the field's title, "…", then the end of its help and its input
	out := append([]string{lines[first], "┃ …"}, lines[last-tail+1:last+1]...)
	return strings.Join(out, "\n")
}

func (e *editor) footer(w int) string {
	s := e.c.styles
	h := e.c.help
	h.SetWidth(w)
	line := ""
	switch e.state {
	case askSaveAnyway, askDiscard, askActivate, askTrustHostKey:
		// the room of the notice: the question wraps, its answers always show
		line = e.q.view(s, w, editorQuestionLines)
	case saving:
		line = s.dim.Render("Saving…")
	case lookingHostKey:
		line = s.dim.Render("Looking at the SSH server's host key…")
	case checkingTrusted:
		line = s.dim.Render("Checking again with the trusted host key, then saving… (esc stops)")
	default:
		if e.notice != "" {
			st := s.msgInfo
			if e.isErr {
				st = s.msgError
			}
			line = st.Render(clampLines(wrapText(e.notice, w), 2))
		}
	}
	return line + "\n" + h.View(e)
}

// editorQuestionLines is the room of the editor's notice, which its questions take.
const editorQuestionLines = 2

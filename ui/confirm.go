package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// A confirm is the UI's one y/N question, asked before what cannot be taken back or creates
// something: remove (d), push (p), the round trip (r), GitLab's rotation (R) and the editor's
// three questions (save anyway, discard, make active). Its text wraps to the width, and its
// answers always show whole, in the question ("(y/N)") and in the key hints: when the room is
// short, the end of the text gives way ("…"), never the answers.
//
// A screen keeps the question it asks (nil: none), hands it the keys (answer), draws it where
// its notice goes (view) and shows its bindings as its help (it is a help.KeyMap):
//
//	q := newConfirm(c.keys.confirm, "Remove GitHub and its token from the store?")
//	...
//	if r, ok := q.answer(msg); ok && r == replyYes { … }
//	footer := q.view(c.styles, width, 3) + "\n" + helpModel.View(q)
type confirm struct {
	text    string
	yes, no key.Binding
	others  []key.Binding
	// defaultYes: enter answers yes too, the question reads (Y/n), and a key that is no answer is
	// ignored; otherwise every other key answers no, as (y/N) promises.
	defaultYes bool
	// described: the answers say what they do ("push and switch"), in the question too.
	described bool
}

// reply is an answer: replyYes, replyNo, or the key of another answer (confirm.or).
type reply string

const (
	replyYes reply = "y"
	replyNo  reply = "n"
)

// newConfirm asks text (a question, without its answers) with the answers of k (y; n or esc).
func newConfirm(k confirmKeys, text string) *confirm {
	return &confirm{text: text, yes: k.Yes, no: k.No}
}

// withDefaultYes makes enter answer yes, the question read (Y/n), and the keys that are no
// answer do nothing (the editor's "make it active?").
func (q *confirm) withDefaultYes() *confirm {
	q.defaultYes = true
	q.yes = key.NewBinding(key.WithKeys(append(q.yes.Keys(), "enter")...), key.WithHelp(q.yes.Help().Key+"/enter", q.yes.Help().Desc))
	return q
}

// meaning says what yes and no do ("push and switch", "nothing is pushed"), in the question and
// in the key hints.
func (q *confirm) meaning(yes, no string) *confirm {
	q.yes.SetHelp(q.yes.Help().Key, yes)
	q.no.SetHelp(q.no.Help().Key, no)
	q.described = true
	return q
}

// or adds another answer, key k doing what desc says (push: "k" keeps Devtron's active provider).
func (q *confirm) or(k, desc string) *confirm {
	q.others = append(q.others, key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc)))
	q.described = true
	return q
}

// answer is the reply msg gives, if it answers: yes, another answer's key, or no (for a (y/N)
// question, any other key is no).
func (q *confirm) answer(msg tea.KeyPressMsg) (reply, bool) {
	switch {
	case key.Matches(msg, q.yes):
		return replyYes, true
	case key.Matches(msg, q.no):
		return replyNo, true
	}
	for _, o := range q.others {
		if key.Matches(msg, o) {
			return reply(o.Keys()[0]), true
		}
	}
	if q.defaultYes {
		return "", false
	}
	return replyNo, true
}

// hint is the answers as the question ends with them: "(y/N)", "(Y/n)", or each answer and what
// it does.
func (q *confirm) hint() string {
	y, n := "y", "N"
	if q.defaultYes {
		y, n = "Y", "n"
	}
	if !q.described {
		return "(" + y + "/" + n + ")"
	}
	parts := []string{y + ": " + q.yes.Help().Desc}
	for _, o := range q.others {
		parts = append(parts, o.Help().Key+": "+o.Help().Desc)
	}
	parts = append(parts, n+": "+q.no.Help().Desc)
	return "(" + strings.Join(parts, " · ") + ")"
}

// lines is the question wrapped to w cells in at most most lines (0: no limit), its answers at
// the end. When it does not fit, the text is cut short with "…" before the answers, which stay
// whole.
func (q *confirm) lines(w, most int) []string {
	full := strings.Split(wrapText(q.text+" "+q.hint(), w), "\n")
	if most <= 0 || len(full) <= most {
		return full
	}
	hint := strings.Split(wrapText(q.hint(), w), "\n")
	room := most - len(hint)
	if room < 1 {
		return hint[len(hint)-most:] // answers too long for the room: the end names no
	}
	text := strings.Split(wrapText(q.text, w), "\n")[:room]
	last := strings.TrimRight(text[room-1], " ")
	if ansi.StringWidth(last) <= w-2 {
		last += " …"
	} else {
		last = ansi.Truncate(last, w-1, "") + "…"
	}
	text[room-1] = last
	return append(text, hint...)
}

// view draws the question (lines) in the prompt style.
func (q *confirm) view(s styles, w, most int) string {
	ls := q.lines(w, most)
	for i, l := range ls {
		ls[i] = s.prompt.Render(l)
	}
	return strings.Join(ls, "\n")
}

// ShortHelp is the answers' bindings: yes, the others, no.
func (q *confirm) ShortHelp() []key.Binding {
	return append(append([]key.Binding{q.yes}, q.others...), q.no)
}

func (q *confirm) FullHelp() [][]key.Binding { return [][]key.Binding{q.ShortHelp()} }

package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"gitopscfg/config/safe"
	"gitopscfg/providers"
)

// With several Devtron instances, p asks first to which instance the credential goes: one of
// them (↑/↓ and enter, or its number), or all of them (the number after the last), one after the
// other, each push asking its own question as a push to the only instance does. The numbers are
// the plain prompts' (accessible_more.go). A push to all ends with one notice, a line per
// instance.

// pushChoice is the question to which of the Devtron instances insts (sorted) the credential name
// (of provider) is pushed; cursor is the option selected (len(insts): all).
type pushChoice struct {
	name     string
	provider providers.ID
	insts    []instKey
	cursor   int
}

// pushBatch is a push of credential name (of provider) to every instance, one after the other:
// rest are the instances still to ask, said what each push's notice said, notes its notes.
type pushBatch struct {
	name     string
	provider providers.ID
	total    int
	rest     []instKey
	said     []string
	isErr    bool
	notes    []pushNote
}

// chooseKeys are the answers to the question to which instance a push goes.
type chooseKeys struct {
	Choose, Push, Number, No key.Binding
}

func newChooseKeys(n int) chooseKeys {
	nums := make([]string, 0, n+1)
	for i := 1; i <= min(n+1, 9); i++ {
		nums = append(nums, itoa(i))
	}
	return chooseKeys{
		Choose: key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "choose")),
		Push:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "push there")),
		Number: key.NewBinding(key.WithKeys(nums...), key.WithHelp("1–"+nums[len(nums)-1], "that one")),
		No:     key.NewBinding(key.WithKeys("esc", "n", "N"), key.WithHelp("esc", "nothing is pushed")),
	}
}

func (k chooseKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Choose, k.Push, k.Number, k.No} }
func (k chooseKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// answerWhich takes a key while the picker asks to which instance the push goes: the arrows move,
// enter or a number chooses, esc (or n) pushes nothing; other keys do nothing.
func (p *picker) answerWhich(msg tea.KeyPressMsg) tea.Cmd {
	c := p.which
	k := newChooseKeys(len(c.insts))
	n := len(c.insts) + 1
	switch {
	case key.Matches(msg, k.No):
		p.which = nil
		p.say("nothing was pushed", false)
		return nil
	case key.Matches(msg, k.Choose):
		if s := msg.String(); s == "up" || s == "k" {
			c.cursor = (c.cursor + n - 1) % n
		} else {
			c.cursor = (c.cursor + 1) % n
		}
		return nil
	case key.Matches(msg, k.Number):
		c.cursor = int(msg.String()[0]-'0') - 1
	case !key.Matches(msg, k.Push):
		return nil
	}
	p.which = nil
	insts := c.insts
	if c.cursor < len(insts) {
		insts = insts[c.cursor : c.cursor+1]
	} else {
		p.batch = &pushBatch{name: c.name, provider: c.provider, total: len(insts), rest: insts[1:]}
	}
	if p.where(insts[0]) == "" {
		p.batch = nil
		p.say("nothing was pushed: "+p.named(insts[0])+" is no longer stored (another writer changed the store)", true)
		return nil
	}
	return p.askPush(c.name, c.provider, insts[0])
}

// nextPush goes on with a push to all instances once the push to one has ended (answered no, or
// pushed): it keeps what the notice said and asks about the next instance, or, after the last,
// says what each push did. Nothing while a question is asked or a push runs.
func (p *picker) nextPush() tea.Cmd {
	b := p.batch
	if b == nil || p.ask != nil || p.pushing != "" {
		return nil
	}
	b.said = append(b.said, p.notice)
	b.isErr = b.isErr || p.isErr
	if n := p.dv.note; n != nil && n.text == p.notice {
		b.notes = append(b.notes, *n)
	}
	p.notice, p.isErr = "", false
	for len(b.rest) > 0 {
		inst := b.rest[0]
		b.rest = b.rest[1:]
		if p.where(inst) == "" {
			b.said = append(b.said, p.named(inst)+": nothing was pushed: it is no longer stored")
			continue
		}
		return p.askPush(b.name, b.provider, inst)
	}
	p.batch = nil
	text := strings.Join(b.said, "\n")
	p.say(text, b.isErr)
	p.dv.note = nil
	if len(b.notes) > 0 {
		p.dv.note = &pushNote{text: text, parts: b.notes}
	}
	return nil
}

// batchCount starts the question of a push to all instances: "(1 of 2) " ("" for a push to one).
func (p *picker) batchCount() string {
	b := p.batch
	if b == nil {
		return ""
	}
	return "(" + itoa(b.total-len(b.rest)) + " of " + itoa(b.total) + ") "
}

// whichView is the question to which instance the push goes, in w cells and at most most lines:
// the question, then a line per instance (its number, name, what it holds of the credential and
// its address) and the line for all; a window of them around the selected one when they do not
// all fit.
func (p *picker) whichView(w, most int) string {
	s := p.c.styles
	c := p.which
	e := entry{p: providers.MustLookup(c.provider), name: c.name}
	col := 0
	for _, n := range c.insts {
		col = max(col, lipgloss.Width(p.listName(n)))
	}
	which := "platform instance"
	if p.oneKind() {
		which = c.insts[0].spec().Name + " instance"
	}
	lines := []string{s.prompt.Render(truncate("Push "+p.label(c.name)+" to which "+which+"? (esc: nothing is pushed)", w))}
	var opts []string
	for i, n := range c.insts {
		st := ""
		if is, ok := p.stateIn(n, e); ok {
			st = is.full + s.dim.Render(" · ")
		}
		opts = append(opts, itoa(i+1)+" "+padRight(p.listName(n), col+1)+st+s.dim.Render(safe.Text(p.where(n))))
	}
	opts = append(opts, itoa(len(c.insts)+1)+" all, one after the other (each push asks first)")
	room := max(most-1, 1)
	from := 0
	if len(opts) > room {
		from = min(max(c.cursor-room/2, 0), len(opts)-room)
	}
	for i := from; i < min(from+room, len(opts)); i++ {
		cur := "  "
		if i == c.cursor {
			cur = s.cursor.Render("› ")
		}
		lines = append(lines, truncateStyled(cur+opts[i], w))
	}
	return strings.Join(lines, "\n")
}

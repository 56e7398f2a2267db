package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
)

// maxUnlockTries is how many wrong passphrases end the program (with ErrUnlockFailed).
const maxUnlockTries = 3

// unlock asks for the store's passphrase, masked, and tries to open the store with it.
type unlock struct {
	size
	c      *common
	input  textinput.Model
	spin   spinner.Model
	tries  int
	busy   bool
	notice string
}

func newUnlock(c *common, notice string) *unlock {
	in := textinput.New()
	in.EchoMode = textinput.EchoPassword
	in.EchoCharacter = maskChar
	in.Prompt = "Passphrase: "
	in.SetWidth(40)
	return &unlock{c: c, input: in, spin: c.newSpinner(), notice: notice}
}

func (u *unlock) Init() tea.Cmd { return u.input.Focus() }

// failed counts a wrong passphrase; the third ends the program with ErrUnlockFailed.
func (u *unlock) failed(err error) tea.Cmd {
	u.busy = false
	u.tries++
	u.input.Reset()
	if u.tries >= maxUnlockTries {
		return func() tea.Msg { return unlockFailedMsg{} }
	}
	left := maxUnlockTries - u.tries
	u.notice = "Wrong passphrase: the store stays locked and nothing was changed. " + itoa(left) + " tries left."
	if left == 1 {
		u.notice = "Wrong passphrase: the store stays locked and nothing was changed. 1 try left."
	}
	_ = err
	return nil
}

// unlockFailedMsg ends the program after the last wrong passphrase.
type unlockFailedMsg struct{}

func (u *unlock) Update(msg tea.Msg) (screen, tea.Cmd) { return u, u.update(msg) }

func (u *unlock) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !u.busy {
			return nil
		}
		var cmd tea.Cmd
		u.spin, cmd = u.spin.Update(msg)
		return cmd
	case tea.KeyPressMsg:
		if u.busy {
			return nil
		}
		switch {
		case key.Matches(msg, u.c.keys.unlock.Quit):
			return func() tea.Msg { return quitMsg{} } // nothing was opened
		case key.Matches(msg, u.c.keys.unlock.Unlock):
			pass := u.input.Value()
			if pass == "" {
				u.notice = "Type the passphrase, or press esc to leave."
				return nil
			}
			u.busy = true
			u.notice = ""
			return tea.Batch(openCmd(u.c.opts.ConfigDir, pass), u.spin.Tick)
		}
	}
	var cmd tea.Cmd
	u.input, cmd = u.input.Update(msg)
	return cmd
}

func (u *unlock) View() string {
	s := u.c.styles
	w := u.width
	out := s.title.Render("gitopscfg") + s.subtitle.Render(" · unlock the store") + "\n\n"
	out += wrapText("The store in "+u.c.opts.ConfigDir+" is protected by a passphrase ("+config.IdentityFile+" is encrypted).", w) + "\n\n"
	out += u.input.View() + "\n\n"
	switch {
	case u.busy:
		out += u.spin.View() + " " + s.dim.Render("Unlocking…")
	case u.notice != "":
		out += s.msgError.Render(wrapText(u.notice, w))
	}
	out += "\n\n" + s.dim.Render(inlineHelp(u))
	return out
}

func (u *unlock) ShortHelp() []key.Binding  { return u.c.keys.unlock.ShortHelp() }
func (u *unlock) FullHelp() [][]key.Binding { return u.c.keys.unlock.FullHelp() }

package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// screen is what every screen of the UI is (the shape of soft-serve's common.Component): it starts
// with Init, takes messages in Update and returns itself and a command, draws itself as a string,
// is told the terminal's size, and names its key bindings for help. Screens are pointers changed in
// place. A screen never switches to another: it asks the root with a message (openEditorMsg,
// closeEditorMsg, roundTripMsg, closeRoundTripMsg, wizardDoneMsg, quitMsg), and only the root
// decides what is shown.
type screen interface {
	Init() tea.Cmd
	Update(tea.Msg) (screen, tea.Cmd)
	View() string
	SetSize(width, height int)
	help.KeyMap
}

// size is a screen's room on the terminal, set by the root.
type size struct{ width, height int }

func (s *size) SetSize(width, height int) { s.width, s.height = width, height }

// loading is shown until the store is open (or the wizard or the passphrase screen takes over).
type loading struct {
	size
	c *common
}

func (l *loading) Init() tea.Cmd                    { return nil }
func (l *loading) Update(tea.Msg) (screen, tea.Cmd) { return l, nil }
func (l *loading) View() string                     { return l.c.styles.dim.Render("Opening the store…") }
func (l *loading) ShortHelp() []key.Binding         { return nil }
func (l *loading) FullHelp() [][]key.Binding        { return nil }

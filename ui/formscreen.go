package ui

import (
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
)

// formScreen is a huh form shown as a screen of its own (the wizard, adding a credential): in the
// session's colours, sized to the terminal, at most 100 columns wide and at least minHeight rows.
type formScreen struct {
	size
	c         *common
	form      *huh.Form
	minHeight int
}

// startForm starts the form shown, sized, in the session's colours.
func (f *formScreen) startForm() tea.Cmd {
	cmd := f.form.Init()
	f.forward(tea.BackgroundColorMsg{Color: bgColor(f.c.dark)})
	f.layout()
	return cmd
}

func (f *formScreen) layout() {
	f.form.WithWidth(min(f.width, 100)).WithHeight(max(f.height-4, f.minHeight))
}

// SetSize lays the form out for the terminal's new size.
func (f *formScreen) SetSize(width, height int) {
	f.size.SetSize(width, height)
	f.layout()
}

// forward hands msg to the form and keeps the form it returns.
func (f *formScreen) forward(msg tea.Msg) tea.Cmd {
	m, cmd := f.form.Update(msg)
	if form, ok := m.(*huh.Form); ok {
		f.form = form
	}
	return cmd
}

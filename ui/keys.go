package ui

import "charm.land/bubbles/v2/key"

// pickerKeys are the picker's bindings; they implement help.KeyMap.
type pickerKeys struct {
	Up, Down, Edit, Activate, Test, TestAll, Remove, Help, Quit key.Binding
}

func newPickerKeys() pickerKeys {
	return pickerKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Edit:     key.NewBinding(key.WithKeys("enter", "e"), key.WithHelp("enter", "edit")),
		Activate: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "activate")),
		Test:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "re-test")),
		TestAll:  key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "re-test all")),
		Remove:   key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "remove")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

func (k pickerKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Edit, k.Activate, k.Test, k.TestAll, k.Remove, k.Help, k.Quit}
}

func (k pickerKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Edit}, {k.Activate, k.Remove}, {k.Test, k.TestAll}, {k.Help, k.Quit}}
}

// editorKeys are the editor's own bindings; the form's keys (tab, shift+tab, enter) come from huh.
// None of them is a printable character: a text field always has the focus here.
type editorKeys struct {
	Next, Prev, Save, Recheck, Back, Quit key.Binding
}

func newEditorKeys() editorKeys {
	return editorKeys{
		Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "back")),
		Save:    key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		Recheck: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "re-check")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave")),
		Quit:    key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

func (k editorKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Prev, k.Save, k.Recheck, k.Back}
}

func (k editorKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Next, k.Prev, k.Save, k.Recheck, k.Back, k.Quit}}
}

// confirmKeys answer a yes/no question.
type confirmKeys struct{ Yes, No key.Binding }

func newConfirmKeys() confirmKeys {
	return confirmKeys{
		Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:  key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "no")),
	}
}

func (k confirmKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Yes, k.No} }
func (k confirmKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// keyMap is every binding of the UI, shared through common.
type keyMap struct {
	picker  pickerKeys
	editor  editorKeys
	confirm confirmKeys
}

func newKeyMap() keyMap {
	return keyMap{picker: newPickerKeys(), editor: newEditorKeys(), confirm: newConfirmKeys()}
}

package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
)

// pickerKeys are the picker's bindings; they implement help.KeyMap.
type pickerKeys struct {
	Up, Down, Page, Edit, New, Activate, Test, TestAll, RoundTrip, Push, Rotate, Remove, Help, Quit key.Binding
}

func newPickerKeys() pickerKeys {
	return pickerKeys{
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		// the list scrolls when its rows do not fit (picker_scroll.go)
		Page:     key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "page")),
		Edit:     key.NewBinding(key.WithKeys("enter", "e"), key.WithHelp("enter", "edit")),
		New:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "add")),
		Activate: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "activate")),
		Test:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "re-test")),
		TestAll:  key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "re-test all")),
		// the round trip creates and deletes a repository: never on all providers at once
		RoundTrip: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "round trip")),
		Push:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "push to Devtron")),
		Rotate:    key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "rotate token")),
		Remove:    key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "remove")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

func (k pickerKeys) ShortHelp() []key.Binding {
	// T (re-test all) and d (remove) are in the full help: with n and r the short help must still
	// fit 80 columns
	return []key.Binding{k.Edit, k.New, k.Activate, k.Test, k.RoundTrip, k.Help, k.Quit}
}

func (k pickerKeys) FullHelp() [][]key.Binding {
	add := k.New
	add.SetHelp("n", "add a credential")
	return [][]key.Binding{{k.Up, k.Down, k.Page, k.Edit}, {add, k.Activate, k.Rotate, k.Remove}, {k.Test, k.TestAll, k.RoundTrip, k.Push}, {k.Help, k.Quit}}
}

// addKeys are the bindings of adding a credential; the form's own (↑/↓, enter) come from huh.
type addKeys struct{ Choose, Next, Back key.Binding }

func newAddKeys() addKeys {
	return addKeys{
		Choose: key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose")),
		Next:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list")),
	}
}

// ShortHelp is the bindings while the provider is asked, or the name (naming).
func (k addKeys) ShortHelp(naming bool) []key.Binding {
	if !naming {
		return []key.Binding{k.Choose, k.Next, k.Back}
	}
	next, back := k.Next, k.Back
	next.SetHelp("enter", "next: its settings")
	back.SetHelp("esc", "back to the provider")
	return []key.Binding{next, back}
}

// editorKeys are the editor's own bindings; the form's keys (tab, shift+tab, enter) come from huh.
// None of them is a printable character: a text field always has the focus here.
type editorKeys struct {
	Next, Prev, Save, Recheck, RoundTrip, Back, Quit key.Binding
}

func newEditorKeys() editorKeys {
	return editorKeys{
		Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "back")),
		Save:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		Recheck:   key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "re-check")),
		RoundTrip: key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "round trip")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave")),
		Quit:      key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

func (k editorKeys) ShortHelp() []key.Binding {
	// shift+tab is in the full help: with ctrl+t the short help must still fit 80 columns
	return []key.Binding{k.Next, k.Save, k.Recheck, k.RoundTrip, k.Back}
}

func (k editorKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Next, k.Prev, k.Save, k.Recheck, k.RoundTrip, k.Back, k.Quit}}
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

// keyList is a fixed list of bindings, as help.KeyMap.
type keyList []key.Binding

func (k keyList) ShortHelp() []key.Binding  { return k }
func (k keyList) FullHelp() [][]key.Binding { return [][]key.Binding{k} }

// pushAnswers are the answers to the question before a push to Devtron: while Devtron is being
// asked which provider is active there, only no; when the push switches Devtron's active provider
// (from), yes switches and, when Devtron holds the configuration already, k updates it without.
func (m keyMap) pushAnswers(planning, switches, present bool, from string) help.KeyMap {
	c := m.confirm
	if planning {
		no := c.No
		no.SetHelp("n/esc", "nothing is pushed")
		return keyList{no}
	}
	if !switches {
		return c
	}
	yes := c.Yes
	yes.SetHelp("y", "push and switch")
	out := keyList{yes}
	if present {
		out = append(out, key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "keep "+from+" active there")))
	}
	return append(out, c.No)
}

// roundTripKeys are the round-trip view's bindings; Back cancels while it runs.
type roundTripKeys struct{ Back, Quit key.Binding }

func newRoundTripKeys() roundTripKeys {
	return roundTripKeys{
		Back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// running is the bindings while the round trip runs: esc cancels it.
func (k roundTripKeys) running() roundTripKeys {
	k.Back.SetHelp("esc", "cancel (the repository is still deleted)")
	return k
}

func (k roundTripKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Back, k.Quit} }
func (k roundTripKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// rotationKeys are the rotation screen's bindings; which apply depends on its stage.
type rotationKeys struct {
	// while a step runs, and once it is done
	Cancel, Quit, Back, Again key.Binding
	// the token made by hand
	Submit, Leave, Interrupt key.Binding
	// an issued token the store could not take
	Retry, Show, GiveUp, QuitLosing, QuitKeeping key.Binding
}

func newRotationKeys() rotationKeys {
	b := func(k, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(append([]string{k}, keys...)...), key.WithHelp(k, desc))
	}
	return rotationKeys{
		Cancel:    b("esc", "cancel (a save or a round trip's clean-up finishes first)"),
		Quit:      b("q", "quit", "ctrl+c"),
		Back:      b("esc", "back to the list", "enter"),
		Again:     b("R", "rotate again"),
		Submit:    b("enter", "check it"),
		Leave:     b("esc", "leave it"),
		Interrupt: b("ctrl+c", "quit"),
		Retry:     b("R", "retry the save"),
		Show:      b("s", "show the new token"),
		GiveUp:    b("esc", "give it up"),
		// quitting, or giving up, loses the new token unless it is shown
		QuitLosing:  b("q", "quit (it is lost)", "ctrl+c"),
		QuitKeeping: b("q", "quit (keep the token shown)", "ctrl+c"),
	}
}

// unlockKeys are the passphrase screen's bindings.
type unlockKeys struct{ Unlock, Quit key.Binding }

func newUnlockKeys() unlockKeys {
	return unlockKeys{
		Unlock: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "unlock")),
		Quit:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "quit")),
	}
}

func (k unlockKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Unlock, k.Quit} }
func (k unlockKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// inlineHelp is a screen's short help as one plain line ("enter unlock · esc quit"), for the
// screens that draw it in their own style.
func inlineHelp(k help.KeyMap) string {
	var parts []string
	for _, b := range k.ShortHelp() {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return strings.Join(parts, " · ")
}

// keyMap is every binding of the UI, shared through common.
type keyMap struct {
	picker    pickerKeys
	editor    editorKeys
	confirm   confirmKeys
	roundTrip roundTripKeys
	rotation  rotationKeys
	unlock    unlockKeys
	add       addKeys
}

func newKeyMap() keyMap {
	return keyMap{picker: newPickerKeys(), editor: newEditorKeys(), confirm: newConfirmKeys(), roundTrip: newRoundTripKeys(),
		rotation: newRotationKeys(), unlock: newUnlockKeys(), add: newAddKeys()}
}

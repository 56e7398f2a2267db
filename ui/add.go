package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// Adding a credential (the picker's n): its provider, then its name, then the provider's form in
// the editor, which saves it under that name. Nothing is written before the editor saves.

// addCredentialMsg asks the root to open the adding of a credential, provider chosen first.
type addCredentialMsg struct{ provider providers.ID }

// closeAddMsg asks the root to go back to the picker, saying notice.
type closeAddMsg struct{ notice string }

// adder asks for a new credential's provider, then for its name.
type adder struct {
	formScreen
	data *config.Data // the store as the picker showed it: the names taken
	// naming is false while the provider is asked, true while the name is
	naming   bool
	provider string
	name     string
	// kind is the kind of credential, asked beside the name when the provider takes several.
	kind string
}

func newAdder(c *common, data *config.Data, provider providers.ID) *adder {
	a := &adder{formScreen: formScreen{c: c, minHeight: 6}, data: data, provider: string(provider)}
	if _, err := providers.Lookup(a.provider); err != nil {
		a.provider = string(providers.FirstRun)
	}
	a.form = a.providerForm()
	return a
}

// providerForm asks for the provider, with how many credentials of it are stored.
func (a *adder) providerForm() *huh.Form {
	var opts []huh.Option[string]
	for _, p := range providers.All() {
		label := p.Name
		if n := len(credentialsOf(a.data, p.ID)); n > 0 {
			label += "  (" + plural(n, "credential") + " stored)"
		}
		opts = append(opts, huh.NewOption(label, string(p.ID)))
	}
	return huh.NewForm(huh.NewGroup(huh.NewSelect[string]().Key("provider").
		Title("Step 1 of 3 · Which Git provider is the new credential for?").
		Description("A provider may hold several credentials, e.g. one per organisation or group.").
		Options(opts...).Value(&a.provider))).WithTheme(formTheme()).WithShowHelp(false)
}

// nameForm asks for the name, the provider's id when its own credential is not stored yet.
func (a *adder) nameForm() *huh.Form {
	p := providers.MustLookup(providers.ID(a.provider))
	a.name = ""
	example := string(p.ID) + "-2"
	if a.data == nil || a.data.Credentials[string(p.ID)] == nil {
		a.name = string(p.ID) // the credential named after its provider, as `gitopscfg set github` names it
	}
	fields := []huh.Field{huh.NewInput().Key("name").
		Title("Step 2 of 3 · Name of the new " + p.Name + " credential").
		Description("Lower-case letters, digits and '-', at most " + itoa(config.MaxNameLen) + " characters; the command line " +
			"names it so (gitopscfg check NAME). " + string(p.ID) + " is " + p.Name + "'s own credential; another one needs another name, e.g. " + example + ".").
		Placeholder(example).CharLimit(config.MaxNameLen).
		Validate(func(s string) error { _, err := newCredentialName(a.data, p, s); return err }).
		Value(&a.name)}
	a.kind = config.CredentialToken
	if len(p.Kinds) > 0 {
		var opts []huh.Option[string]
		for _, k := range p.KindNames() {
			opts = append(opts, huh.NewOption(kindOption(p, k), k))
		}
		fields = append(fields, huh.NewSelect[string]().Key("kind").Title("Kind of credential").
			Description("What the platforms will sign in with; the next step asks for its settings.").
			Options(opts...).Value(&a.kind))
	}
	return huh.NewForm(huh.NewGroup(fields...)).WithTheme(formTheme()).WithShowHelp(false)
}

// kindOption words the kind of credential k of provider p for the choice.
func kindOption(p providers.Provider, k string) string {
	switch k {
	case config.CredentialGitHubApp:
		return "GitHub App: its ID and private key (the platforms mint hour-long installation tokens)"
	case config.CredentialServicePrincipal:
		return "Service principal: a Microsoft Entra ID app's tenant, client ID and client secret"
	}
	return "Token: a " + p.TokenNoun
}

// newCredentialName checks the name typed for a new credential of provider p in d (in any case,
// spaces around it ignored) and returns it: a valid name (config.ValidName), not stored yet, and
// not the name of another provider's own credential.
func newCredentialName(d *config.Data, p providers.Provider, typed string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(typed))
	if err := config.ValidName(name); err != nil {
		return "", err
	}
	if d != nil && d.Credentials[name] != nil {
		return "", fmt.Errorf("%s exists already: edit it, or choose another name", labelIn(d, name))
	}
	if id, ok := providers.AliasOf(name); ok {
		return "", fmt.Errorf("%s is another name of %s's own credential (%s): choose another name, e.g. %s-2", name, providers.MustLookup(id).Name, id, p.ID)
	}
	if other, err := providers.Lookup(name); err == nil && other.ID != p.ID {
		return "", errors.New(name + " is the name of " + other.Name + "'s own credential: choose another name, e.g. " + string(p.ID) + "-2")
	}
	return name, nil
}

func (a *adder) Init() tea.Cmd { return a.start() }

// start starts the form shown, sized, in the session's colours.
func (a *adder) start() tea.Cmd { return a.startForm() }

func (a *adder) Update(msg tea.Msg) (screen, tea.Cmd) { return a, a.update(msg) }

// update goes back on esc (from the name to the provider, from the provider to the list), and on
// once a step is answered: the name opens the provider's form (openEditorMsg).
func (a *adder) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return nil // laid out by SetSize
	case tea.KeyPressMsg:
		if key.Matches(msg, a.c.keys.add.Back) {
			if !a.naming {
				return func() tea.Msg { return closeAddMsg{notice: "nothing was added"} }
			}
			a.naming = false
			a.form = a.providerForm()
			return a.start()
		}
	}
	cmd := a.forward(msg)
	if a.form.State != huh.StateCompleted {
		return cmd
	}
	p := providers.MustLookup(providers.ID(a.provider))
	if !a.naming {
		a.naming = true
		a.form = a.nameForm()
		return a.start()
	}
	name, err := newCredentialName(a.data, p, a.name)
	if err != nil { // validated already; a form completed otherwise asks again
		a.form = a.nameForm()
		return a.start()
	}
	kind := a.kind
	if kind == config.CredentialToken {
		kind = ""
	}
	return func() tea.Msg { return openEditorMsg{id: p.ID, name: name, kind: kind} }
}

func (a *adder) ShortHelp() []key.Binding  { return a.c.keys.add.ShortHelp(a.naming) }
func (a *adder) FullHelp() [][]key.Binding { return [][]key.Binding{a.ShortHelp()} }

func (a *adder) View() string {
	s := a.c.styles
	out := s.title.Render("gitopscfg") + s.subtitle.Render(" · add a credential") + "\n\n" + strings.TrimRight(a.form.View(), "\n")
	return out + "\n\n" + s.dim.Render(truncate(inlineHelp(a), a.width))
}

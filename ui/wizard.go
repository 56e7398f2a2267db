package ui

import (
	"errors"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// Protection modes offered by the wizard.
const (
	protectKeyFile    = "keyfile"
	protectPassphrase = "passphrase"
)

// wizardDoneMsg: the wizard's questions are answered; the provider's form comes next.
type wizardDoneMsg struct {
	passphrase string
	provider   providers.ID
}

// wizard is the first run: welcome → protection (key file or passphrase, typed twice) → provider.
// It writes nothing: the store is created when the first provider is saved.
type wizard struct {
	formScreen
	protect  string
	pass     string
	again    string
	provider string
}

func newWizard(c *common) *wizard {
	w := &wizard{formScreen: formScreen{c: c, minHeight: 8}, protect: protectKeyFile, provider: string(providers.FirstRun)}
	w.form = w.build()
	return w
}

func (w *wizard) build() *huh.Form {
	var provOpts []huh.Option[string]
	for _, p := range providers.All() {
		host := p.DefaultHost
		if host == "" {
			host = "self-hosted"
		}
		provOpts = append(provOpts, huh.NewOption(p.Name+"  ("+host+")", string(p.ID)))
	}
	welcome := huh.NewGroup(huh.NewNote().
		Title("Welcome to gitopscfg").
		Description("This sets up the Git credentials your GitOps platform uses to create, clone and push its " +
			"GitOps repositories: " + providers.Names() + ", as on the platform's " +
			"Global Configurations › GitOps page.\n\n" +
			"Every token is checked live against its provider while you type, so you see at once which scope " +
			"or permission is missing and where to fix it. The credentials are kept in one encrypted file, " +
			config.StoreFile + ", in " + w.c.opts.ConfigDir + ".\n\nThree steps: protection, provider, credentials.").
		Next(true).NextLabel("Start"))
	protection := huh.NewGroup(huh.NewSelect[string]().Key("protect").
		Title("Step 1 of 3 · How should the store be protected?").
		Description("The store is encrypted with a key. Keep a backup of the key file: without it the store cannot be read.").
		Options(
			huh.NewOption("Key file (recommended): "+config.IdentityFile+" beside the store, nothing to type", protectKeyFile),
			huh.NewOption("Passphrase: the key file is encrypted, you type the passphrase at each start", protectPassphrase),
		).
		Value(&w.protect))
	passphrase := huh.NewGroup(
		huh.NewInput().Key("passphrase").Title("Step 1 of 3 · New passphrase").
			Description("At least "+itoa(config.MinPassphraseLen)+" characters; a few unrelated words work well.").
			EchoMode(huh.EchoModePassword).Value(&w.pass).Validate(validPassphrase),
		huh.NewInput().Key("again").Title("The same passphrase again").
			EchoMode(huh.EchoModePassword).Value(&w.again).Validate(func(s string) error {
			if s != w.pass {
				return errors.New("the two passphrases differ: type the same one again")
			}
			return nil
		}),
	).WithHideFunc(func() bool { return w.protect != protectPassphrase })
	provider := huh.NewGroup(huh.NewSelect[string]().Key("provider").
		Title("Step 2 of 3 · Which Git provider hosts the GitOps repositories?").
		Description("You can add the others later from the list.").
		Options(provOpts...).
		Value(&w.provider))
	return huh.NewForm(welcome, protection, passphrase, provider).WithTheme(formTheme()).WithShowHelp(false)
}

func validPassphrase(s string) error {
	if utf8.RuneCountInString(s) < config.MinPassphraseLen {
		return errors.New("too short: use at least " + itoa(config.MinPassphraseLen) + " characters")
	}
	return nil
}

// strength is a rough hint of a passphrase's strength, from its length and character classes.
func strength(s string) string {
	n := utf8.RuneCountInString(s)
	classes := 0
	var lower, upper, digit, other bool
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			other = true
		}
	}
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	switch {
	case n == 0:
		return ""
	case n < config.MinPassphraseLen:
		return "too short"
	case n >= 20 || (n >= 14 && classes >= 3):
		return "strong"
	case n >= 14 || classes >= 3:
		return "fair"
	}
	return "weak: longer is better"
}

func (w *wizard) Init() tea.Cmd { return w.startForm() }

// onWelcome reports whether the welcome note (no text field) has the focus.
func (w *wizard) onWelcome() bool {
	_, isNote := w.form.GetFocusedField().(*huh.Note)
	return isNote
}

func (w *wizard) Update(msg tea.Msg) (screen, tea.Cmd) { return w, w.update(msg) }

// update leaves (quitMsg: nothing was written) on q or esc at the welcome note, or when the form
// is aborted.
func (w *wizard) update(msg tea.Msg) tea.Cmd {
	quit := func() tea.Msg { return quitMsg{} }
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return nil // laid out by SetSize
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q":
			if w.onWelcome() {
				return quit
			}
		case "esc":
			if w.onWelcome() {
				return quit
			}
			return w.form.PrevGroup()
		}
	}
	cmd := w.forward(msg)
	switch w.form.State {
	case huh.StateCompleted:
		pass := ""
		if w.protect == protectPassphrase {
			pass = w.pass
		}
		done := wizardDoneMsg{passphrase: pass, provider: providers.ID(w.provider)}
		return func() tea.Msg { return done }
	case huh.StateAborted:
		return quit
	}
	return cmd
}

// ShortHelp is the focused field's bindings, shown under the form with the session's key bar
// (huh's own would separate them otherwise than every other list).
func (w *wizard) ShortHelp() []key.Binding  { return w.form.KeyBinds() }
func (w *wizard) FullHelp() [][]key.Binding { return [][]key.Binding{w.ShortHelp()} }

func (w *wizard) View() string {
	s := w.c.styles
	out := s.title.Render("gitopscfg") + s.subtitle.Render(" · first-run setup") + "\n\n" + w.form.View()
	if w.protect == protectPassphrase && w.pass != "" {
		if _, ok := w.form.GetFocusedField().(*huh.Input); ok {
			out += "\n" + s.dim.Render("strength: ") + w.strengthStyled()
		}
	}
	return out + "\n\n" + w.c.help.ShortHelpView(w.ShortHelp())
}

func (w *wizard) strengthStyled() string {
	s := w.c.styles
	h := strength(w.pass)
	switch h {
	case "strong":
		return s.pass.Render(h)
	case "fair":
		return s.warn.Render(h)
	}
	return s.fail.Render(h)
}

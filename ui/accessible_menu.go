package ui

import (
	"errors"
	"strings"

	"charm.land/huh/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// chooseProvider asks for a provider; with d, each says how many credentials of it d holds.
func (a *accessible) chooseProvider(title string, d *config.Data) (providers.Provider, error) {
	var opts []huh.Option[string]
	for _, p := range providers.All() {
		label := p.Name
		if n := len(credentialsOf(d, p.ID)); n > 0 {
			label += " (" + plural(n, "credential") + " stored)"
		}
		opts = append(opts, huh.NewOption(label, string(p.ID)))
	}
	id := string(providers.FirstRun)
	if err := a.run(huh.NewSelect[string]().Title(title).Options(opts...).Value(&id)); err != nil {
		return providers.Provider{}, err
	}
	return providers.MustLookup(providers.ID(id)), nil
}

// chooseCredential asks for a credential among the rows the picker lists (entries): the stored
// credentials under their provider, and a provider with none as not configured (with one
// credential per provider, named after it, the numbers are the providers' as they always were).
func (a *accessible) chooseCredential(title string, d *config.Data) (entry, error) {
	rows := entries(d)
	var opts []huh.Option[int]
	for i, e := range rows {
		opts = append(opts, huh.NewOption(e.label()+": "+a.describe(e, d), i))
	}
	i := 0
	if err := a.run(huh.NewSelect[int]().Title(title).Options(opts...).Value(&i)); err != nil {
		return entry{}, err
	}
	return rows[i], nil
}

// describe is one row's credential's state in words.
func (a *accessible) describe(e entry, d *config.Data) string {
	c := d.Credentials[e.name]
	if e.name == "" || c == nil {
		return "not configured"
	}
	parts := []string{"configured (" + c.Host + ", " + e.p.OrgNoun + " " + c.Org + ")"}
	if c.SSHKey != "" {
		parts = append(parts, sshTransport(c.SSHHostKey))
	}
	if d.Active == e.name {
		parts = append([]string{"ACTIVE"}, parts...)
	}
	if r := c.LastCheck; r != nil {
		out := "last check passed"
		if n := providers.Warnings(r); r.OK && n > 0 {
			out += " with " + plural(n, "warning")
		}
		if !r.OK {
			out = "last check FAILED"
		}
		parts = append(parts, out+" "+Ago(r.At, a.now()))
		if note, _ := ExpiryNote(r.ExpiresAt, a.now()); note != "" {
			parts = append(parts, note)
		}
	} else {
		parts = append(parts, "never checked")
	}
	if r := c.LastDeep; r != nil {
		out := "round trip passed"
		if !r.OK {
			out = "round trip FAILED"
		}
		parts = append(parts, out+" "+Ago(r.At, a.now()))
	}
	return strings.Join(parts, ", ")
}

func (a *accessible) menu() error {
	for {
		d, err := a.store.Load()
		if err != nil {
			return err
		}
		a.say("")
		for _, e := range entries(d) {
			a.say("%s: %s", e.label(), a.describe(e, d))
		}
		action := "edit"
		err = a.run(huh.NewSelect[string]().Title("What next?").Options(
			huh.NewOption("Configure or edit a credential", "edit"),
			huh.NewOption("Activate a credential", "activate"),
			huh.NewOption("Re-test a credential", "test"),
			huh.NewOption("Round-trip test a credential (create, clone, push, delete a repository)", "deep"),
			huh.NewOption("Remove a credential", "remove"),
			huh.NewOption("Quit", "quit"),
			// New actions come after Quit, so that scripts' numbered answers keep their meaning.
			huh.NewOption("Re-test every stored credential", "testall"),
			huh.NewOption("Push a credential to Devtron", "push"),
			huh.NewOption("Rotate a credential's token", "rotate"),
			huh.NewOption("Add a credential (a provider may hold several, e.g. one per organisation)", "add")).Value(&action))
		if errors.Is(err, errQuit) || (err == nil && action == "quit") {
			return nil
		}
		if err != nil {
			return err
		}
		if err := a.act(action, d); err != nil {
			if errors.Is(err, errQuit) {
				return nil
			}
			if endErr(err) {
				return err
			}
			a.say("Error: %v", err)
		}
	}
}

func (a *accessible) act(action string, d *config.Data) error {
	switch action {
	case "testall":
		return a.testAll(d)
	case "add":
		return a.add(d)
	}
	e, err := a.chooseCredential("Which credential?", d)
	if err != nil {
		return err
	}
	name, label := e.credential(), e.label()
	c := d.Credentials[name]
	if action != "edit" && c == nil {
		a.say("%s is not configured.", label)
		return nil
	}
	switch action {
	case "edit":
		return a.editAndSave(e.p, name, c, d)
	case "activate":
		return a.activate(name, label, providers.CredentialNoun(name, e.p.ID))
	case "push":
		return a.push(e, d)
	case "rotate":
		return a.rotate(e)
	case "test", "deep":
		return a.retest(name, c, action == "deep")
	case "remove":
		return a.remove(e, d)
	}
	return nil
}

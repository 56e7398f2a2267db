package forms

import (
	"strings"
	"testing"
	"testing/iotest"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

func TestFieldHelpSaysWhatWhereAndScopes(t *testing.T) {
	t.Parallel()
	for _, p := range providers.All() {
		for _, f := range p.Fields {
			h := FieldHelp(p, f, "")
			if len(h) < 40 {
				t.Errorf("%s %s: help too short: %q", p.ID, f.Key, h)
			}
			// An address stands on a line of its own (urlsOnTheirOwnLines).
			if f.Example != "" && f.Key != providers.FieldHost && !strings.Contains(h, "Example: "+f.Example) && !strings.Contains(h, "Example:\n"+f.Example) {
				t.Errorf("%s %s: help lacks its example", p.ID, f.Key)
			}
			if f.Key != providers.FieldToken {
				continue
			}
			for _, s := range p.Scopes {
				if !strings.Contains(h, s.Name) {
					t.Errorf("%s token help lacks scope %s", p.ID, s.Name)
				}
			}
			if !strings.Contains(h, "Create it at:\nhttps://") {
				t.Errorf("%s token help lacks where to create it: %q", p.ID, h)
			}
		}
	}
	gh := providers.MustLookup(providers.GitHub)
	tok, _ := gh.Field(providers.FieldToken)
	if h := FieldHelp(gh, tok, "https://ghe.example.com"); !strings.Contains(h, "https://ghe.example.com/settings/tokens") {
		t.Errorf("token help ignores the typed host: %q", h)
	}
	az := providers.MustLookup(providers.Azure)
	tok, _ = az.Field(providers.FieldToken)
	if h := FieldHelp(az, tok, ""); !strings.Contains(h, "https://dev.azure.com/<organisation>/_usersSettings/tokens") {
		t.Errorf("Azure token help without a host: %q", h)
	}
}

// render sizes and initialises a form and returns its view.
func render(f *huh.Form) string {
	f.WithWidth(100).WithHeight(200)
	f.Init()
	return f.View()
}

func TestFormBindsDraftMasksTokenAndGroupsAdvanced(t *testing.T) {
	t.Parallel()
	const secret = "ghp_CANARYformToken000000000000000000000"
	for _, p := range providers.All() {
		d := &providers.Credentials{Settings: config.Settings{Host: p.DefaultHost, Org: "acme", Username: "someone@example.com", Token: secret}}
		f := New(p, d)
		if d.Provider != p.ID {
			t.Errorf("%s: the draft's provider is not set", p.ID)
		}
		view := render(f)
		if strings.Contains(view, secret) || strings.Contains(view, secret[:12]) {
			t.Fatalf("%s: the form shows the token", p.ID)
		}
		for _, fl := range p.Fields {
			if !fl.Advanced && fl.AppliesTo(d.Kind) && !fl.CommandLineOnly && !strings.Contains(view, fl.Label) {
				t.Errorf("%s: field %q not in the first group", p.ID, fl.Label)
			}
		}
		// typing lands in the draft
		for _, r := range "xy" {
			f.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		first := d.Field(p.Fields[0].Key)
		if want := map[providers.ID]string{providers.GitServer: "xy"}[p.ID]; want != "" && *first != want {
			t.Errorf("%s: typing did not reach the draft: %q", p.ID, *first)
		} else if want == "" && d.Host != p.DefaultHost+"xy" {
			t.Errorf("%s: typing did not reach the draft: %q", p.ID, d.Host)
		}
	}
}

func TestFormValidatesInline(t *testing.T) {
	t.Parallel()
	d := &providers.Credentials{Settings: config.Settings{Host: "github.com"}}
	f := New(providers.MustLookup(providers.GitHub), d)
	render(f)
	f.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	errs := f.Errors()
	if len(errs) == 0 || !strings.Contains(errs[0].Error(), "not an absolute URL") {
		t.Fatalf("enter on a bad host: errors %v", errs)
	}
	if f.GetFocusedField().GetKey() != string(providers.FieldHost) {
		t.Errorf("focus left a field with a bad value")
	}
}

func TestAccessibleFormPrintsHelp(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	d := &providers.Credentials{}
	f := New(providers.MustLookup(providers.GitLab), d, Accessible()).
		WithInput(iotest.OneByteReader(strings.NewReader("https://gitlab.example.com\nacme\njdoe\n"))).WithOutput(&out)
	// the token prompt needs a terminal; the run stops there with an error, after the help.
	_ = f.Run()
	for _, want := range []string{"GitLab Group ID", "numeric ID", "Example: jdoe", "Scopes to tick: api, write_repository"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("accessible output lacks %q:\n%s", want, out.String())
		}
	}
	if d.Host != "https://gitlab.example.com" || d.Org != "acme" || d.Username != "jdoe" {
		t.Errorf("accessible answers not in the draft: %+v", d)
	}
}

// A form shows the fields of its draft's kind: a GitHub App's ID, key and installation, and no
// username or personal token.
func TestFormShowsTheFieldsOfTheDraftsKind(t *testing.T) {
	t.Parallel()
	gh := providers.MustLookup(providers.GitHub)
	d := &providers.Credentials{Settings: config.Settings{Host: gh.DefaultHost, Org: "acme", Kind: config.CredentialGitHubApp}}
	view := render(New(gh, d))
	for _, want := range []string{"GitHub App ID", "GitHub App Private Key", "Installation ID"} {
		if !strings.Contains(view, want) {
			t.Errorf("the App's form lacks %q:\n%s", want, view)
		}
	}
	for _, not := range []string{"Personal Access Token", "Username"} {
		if strings.Contains(view, not) {
			t.Errorf("the App's form shows %q:\n%s", not, view)
		}
	}
}

package forms

import (
	"charm.land/huh/v2"

	"gitopscfg/providers"
)

// Option adjusts a provider form.
type Option func(*formOptions)

type formOptions struct {
	accessible bool
	fit        HelpFit
}

// FitHelp bounds each field's help to the room described by fit (see HelpFit), so a field's input
// line is never pushed off a small screen. Build a new form when the room changes.
func FitHelp(fit HelpFit) Option { return func(o *formOptions) { o.fit = fit } }

// Accessible builds the form for huh's accessible mode: plain prompts, each preceded by its help
// (accessible inputs print only their title).
func Accessible() Option { return func(o *formOptions) { o.accessible = true } }

// groupAdvanced is the title of the group holding the optional, rarely needed fields.
const groupAdvanced = "Advanced"

// New builds a fresh form for provider p whose inputs are bound to the draft d: every keystroke
// lands in d, so the caller reads the draft, never the form. Each input carries its label from
// the registry, its full help (what, example, where, scopes) and a pure format validator; the
// token is masked. API URL and CA bundle sit in a separate "Advanced" group. A form is one-shot:
// build a new one for each edit.
func New(p providers.Provider, d *providers.Credentials, opts ...Option) *huh.Form {
	var o formOptions
	for _, opt := range opts {
		opt(&o)
	}
	d.Provider = p.ID
	var main, advanced []huh.Field
	for _, f := range p.Fields {
		fields := &main
		if f.Advanced {
			fields = &advanced
		}
		what, where := fieldHelpParts(p, f, d.Host)
		if o.accessible {
			*fields = append(*fields, huh.NewNote().Title(f.Label).Description(what+where))
		}
		bound := bind(d, f.Key)
		validate, label := validator(p.ID, f.Key), title(f)
		if o.accessible && *bound != "" {
			// Plain prompts: Enter on an empty answer keeps the current value, which the
			// prompt names (a token only by its hint).
			current := *bound
			if f.Secret {
				current = providers.TokenHint(current)
			}
			label += " [Enter keeps " + current + "]"
			check := validate
			validate = func(s string) error {
				if s == "" {
					return nil
				}
				return check(s)
			}
		}
		in := huh.NewInput().
			Key(string(f.Key)).
			Title(label).
			Value(bound).
			Validate(validate)
		if !o.accessible {
			in.Description(o.fit.fit(what, where))
		}
		if f.Placeholder != "" {
			in.Placeholder(f.Placeholder)
		} else if f.Example != "" {
			in.Placeholder(f.Example)
		}
		if f.Secret {
			in.EchoMode(huh.EchoModePassword).CharLimit(MaxTokenBytes)
		}
		*fields = append(*fields, in)
	}
	groups := []*huh.Group{huh.NewGroup(main...).Title(p.Name)}
	if len(advanced) > 0 {
		groups = append(groups, huh.NewGroup(advanced...).Title(groupAdvanced).
			Description("Optional: leave both empty unless your server needs them."))
	}
	return huh.NewForm(groups...).WithAccessible(o.accessible).WithShowErrors(true)
}

func title(f providers.Field) string {
	if f.Optional {
		return f.Label + " (optional)"
	}
	return f.Label
}

// bind returns the draft's string that field k edits.
func bind(d *providers.Credentials, k providers.FieldKey) *string {
	if v := d.Field(k); v != nil {
		return v
	}
	panic("forms: unknown field " + string(k))
}

// validator returns the pure format check of field k of provider id; it never touches the network.
func validator(id providers.ID, k providers.FieldKey) func(string) error {
	return func(s string) error { _, err := checkValue(id, k, s); return err }
}

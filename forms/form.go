package forms

import (
	"charm.land/huh/v2"

	"gitopscfg/providers"
)

// Option adjusts a provider form.
type Option func(*formOptions)

type formOptions struct {
	accessible bool
	piped      bool
	fit        HelpFit
	// kind is the draft's kind of credential, whose rules its fields follow.
	kind string
	// ssh is the Git transport questions' answers (WithSSH; nil: not asked).
	ssh *SSHChoice
}

// FitHelp bounds each field's help to the room described by fit (see HelpFit), so a field's input
// line is never pushed off a small screen. Build a new form when the room changes.
func FitHelp(fit HelpFit) Option { return func(o *formOptions) { o.fit = fit } }

// Accessible builds the form for huh's accessible mode: plain prompts, each preceded by its help
// (accessible inputs print only their title).
func Accessible() Option { return func(o *formOptions) { o.accessible = true } }

// Piped says the accessible form's answers come from a pipe or a file, not a terminal: one line
// per question, in order. huh reads a masked answer only from a terminal (elsewhere it reads
// nothing, and the next question would get the token's line), so the token is read as a plain
// line there: nothing read from a pipe is echoed anyway. And nobody can answer a re-prompt, whose
// line would be the next question's answer, so no input re-prompts: each takes its line as it
// is, and the caller checks the whole draft afterwards (Credentials), refusing to save on any
// error. Without Accessible it has no effect.
func Piped() Option { return func(o *formOptions) { o.piped = true } }

// groupAdvanced is the title of the group holding the optional, rarely needed fields.
const groupAdvanced = "Advanced"

// New builds a fresh form for provider p whose inputs are bound to the draft d: every keystroke
// lands in d, so the caller reads the draft, never the form. Each input carries its label from
// the registry, its full help (what, example, where, scopes) and a pure format validator; the
// token is masked (except when Piped: see there). API URL and CA bundle sit in a separate
// "Advanced" group. A form is one-shot: build a new one for each edit.
//
// No error a validator returns shows a value that may be a token (see maySecret), and the token's
// own errors never show it, so neither an error under an input nor a plain prompt's re-prompt
// gives a token away.
func New(p providers.Provider, d *providers.Credentials, opts ...Option) *huh.Form {
	var o formOptions
	for _, opt := range opts {
		opt(&o)
	}
	d.Provider = p.ID
	o.kind = d.Kind
	var main, advanced []huh.Field
	for _, f := range p.Fields {
		if (o.accessible && f.NotInPlainPrompts) || f.CommandLineOnly || !f.AppliesTo(d.Kind) {
			continue
		}
		fields := &main
		if f.Advanced {
			fields = &advanced
		}
		what, where := fieldHelpParts(p, f, d.Host)
		if o.accessible {
			*fields = append(*fields, huh.NewNote().Title(f.Label).Description(what+where))
		}
		*fields = append(*fields, o.input(p.ID, f, bind(d, f.Key), what, where))
	}
	groups := append([]*huh.Group{huh.NewGroup(main...).Title(p.Name)}, o.sshGroups(p, d)...)
	if len(advanced) > 0 {
		groups = append(groups, huh.NewGroup(advanced...).Title(groupAdvanced).
			Description("Optional: leave them empty unless your server needs them, or two credentials claim one Argo CD URL prefix."))
	}
	return huh.NewForm(groups...).WithAccessible(o.accessible).WithShowErrors(true)
}

// input builds the input of field f of provider id, bound to the draft's value: its label, its
// validator, its help (what and where) unless accessible (the note before it shows that), its
// placeholder and, for the token, its masking.
func (o formOptions) input(id providers.ID, f providers.Field, bound *string, what, where string) *huh.Input {
	validate, label := kindValidator(id, o.kind, f.Key), title(f)
	piped := o.accessible && o.piped
	if piped {
		validate = nil // checked as a whole afterwards: a re-prompt would take the next answer
	}
	if o.accessible && *bound != "" {
		label, validate = keepCurrent(label, validate, *bound, f.Secret)
	}
	in := huh.NewInput().
		Key(string(f.Key)).
		Title(label).
		Value(bound)
	if validate != nil {
		in.Validate(validate)
	}
	if !o.accessible {
		in.Description(o.fit.fit(what, where))
	}
	if ph := placeholder(f); ph != "" {
		in.Placeholder(ph)
	}
	switch {
	case f.Secret && piped:
		// A plain line (huh masks only on a terminal), without the character limit, whose
		// re-prompt would take the next answer: Token refuses an over-long token afterwards.
	case f.Secret:
		in.EchoMode(huh.EchoModePassword).CharLimit(MaxTokenBytes)
	}
	return in
}

// keepCurrent adapts a plain prompt to a field that has a value: Enter on an empty answer keeps
// the current value, which the label names (a token only by its hint), and the validator lets
// that empty answer through.
func keepCurrent(label string, validate func(string) error, current string, secret bool) (string, func(string) error) {
	if secret {
		current = providers.TokenHint(current)
	}
	label += " [Enter keeps " + current + "]"
	if check := validate; check != nil {
		validate = func(s string) error {
			if s == "" {
				return nil
			}
			return check(s)
		}
	}
	return label, validate
}

// placeholder is what an empty input shows: its placeholder or example, marked "e.g." so that it
// never reads as a value, even where dim text is not dim (NO_COLOR, a monochrome terminal).
func placeholder(f providers.Field) string {
	ph := f.Placeholder
	if ph == "" {
		ph = f.Example
	}
	if ph == "" {
		return ""
	}
	return "e.g. " + ph
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

// kindValidator returns the pure format check of field k of provider id for a credential of kind
// (a GitHub App's private key follows its own rule); it never touches the network.
func kindValidator(id providers.ID, kind string, k providers.FieldKey) func(string) error {
	return func(s string) error { _, err := checkKindValue(id, kind, k, s); return err }
}

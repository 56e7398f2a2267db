package ui

// focus names the focused form field ("" when none), for tests.
func (m *Model) focus() string {
	switch s := m.top.(type) {
	case *editor:
		return s.form.GetFocusedField().GetKey()
	case *wizard:
		return s.form.GetFocusedField().GetKey()
	case *adder:
		return s.form.GetFocusedField().GetKey()
	}
	return ""
}

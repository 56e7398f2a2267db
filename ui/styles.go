package ui

import (
	"sync"

	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
)

// styles are every look of the UI, derived from whether the terminal's background is dark. Bubble
// Tea downsamples the colours to the terminal's profile (true colour, 256, 16, none).
type styles struct {
	dark bool

	title, subtitle, dim, bold     lipgloss.Style
	active, pass, fail, warn, skip lipgloss.Style
	selected, cursor               lipgloss.Style
	border, panelTitle             lipgloss.Style
	msgInfo, msgError              lipgloss.Style
	badgeOn, badgeOff              lipgloss.Style
	prompt                         lipgloss.Style
}

func newStyles(dark bool) styles {
	ld := lipgloss.LightDark(dark)
	var (
		green  = ld(lipgloss.Color("#1A7F37"), lipgloss.Color("#3FB950"))
		red    = ld(lipgloss.Color("#CF222E"), lipgloss.Color("#F85149"))
		yellow = ld(lipgloss.Color("#9A6700"), lipgloss.Color("#D29922"))
		muted  = ld(lipgloss.Color("#6E7781"), lipgloss.Color("#8B949E"))
		accent = ld(lipgloss.Color("#0550AE"), lipgloss.Color("#79C0FF"))
		border = ld(lipgloss.Color("#D0D7DE"), lipgloss.Color("#30363D"))
	)
	s := styles{dark: dark}
	s.title = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.subtitle = lipgloss.NewStyle().Foreground(muted)
	s.dim = lipgloss.NewStyle().Foreground(muted)
	s.bold = lipgloss.NewStyle().Bold(true)
	s.active = lipgloss.NewStyle().Bold(true).Foreground(green)
	s.pass = lipgloss.NewStyle().Foreground(green)
	s.fail = lipgloss.NewStyle().Foreground(red)
	s.warn = lipgloss.NewStyle().Foreground(yellow)
	s.skip = lipgloss.NewStyle().Foreground(muted)
	s.selected = lipgloss.NewStyle().Bold(true)
	s.cursor = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.border = lipgloss.NewStyle().Foreground(border)
	s.panelTitle = lipgloss.NewStyle().Bold(true)
	s.msgInfo = lipgloss.NewStyle().Foreground(accent)
	s.msgError = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.badgeOn = lipgloss.NewStyle().Foreground(green)
	s.badgeOff = lipgloss.NewStyle().Foreground(muted)
	s.prompt = lipgloss.NewStyle().Foreground(yellow).Bold(true)
	return s
}

// formTheme is huh's Charm theme; huh picks its light or dark variant from the background itself.
// huh asks its theme for the styles many times per frame, so both variants are built once.
func formTheme() huh.Theme { return charmTheme() }

// builtTheme serves prebuilt huh styles for each background.
type builtTheme struct{ dark, light *huh.Styles }

func (t builtTheme) Theme(isDark bool) *huh.Styles {
	if isDark {
		return t.dark
	}
	return t.light
}

var charmTheme = sync.OnceValue(func() huh.Theme {
	return builtTheme{dark: huh.ThemeCharm(true), light: huh.ThemeCharm(false)}
})

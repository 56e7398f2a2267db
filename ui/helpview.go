package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// wrappedFullHelp renders the full help's columns side by side as far as they fit in w, and the
// columns that do not fit on further rows below, so that every key is listed at any width (the
// help model alone cuts the columns that do not fit off with an ellipsis).
func wrappedFullHelp(h help.Model, groups [][]key.Binding, w int) string {
	h.SetWidth(0) // measured here, row by row: never cut
	var rows []string
	var row [][]key.Binding
	for _, g := range groups {
		if len(row) > 0 && lipgloss.Width(h.FullHelpView(append(row[:len(row):len(row)], g))) > w {
			rows = append(rows, h.FullHelpView(row))
			row = nil
		}
		row = append(row, g)
	}
	if len(row) > 0 {
		rows = append(rows, h.FullHelpView(row))
	}
	return strings.Join(rows, "\n")
}

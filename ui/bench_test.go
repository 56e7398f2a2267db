package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// benchModel is a root model at 120×40 showing a store with three providers configured.
func benchModel(b *testing.B) *Model {
	b.Helper()
	d := config.NewData()
	withActive(d)
	m := newModel(Options{ConfigDir: b.TempDir(), Env: providers.NewEnv("bench"), Who: "bench"}, deps{now: func() time.Time { return fixedNow }, still: true})
	m.update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.picker.setData(d)
	m.top = m.picker
	return m
}

func BenchmarkPickerView(b *testing.B) {
	m := benchModel(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

func BenchmarkEditorView(b *testing.B) {
	m := benchModel(b)
	m.openEditor(providers.MustLookup(providers.GitHub), "github", nil)
	m.editor.panel.state = panelDone
	m.editor.panel.result = cannedCheck(b.Context(), nil, providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Token: tokScopes}})
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

package ui

import (
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// A provider that is not configured starts from Options.NewProvider (the demo's emulators), else
// from its public service's host.
func TestEditorOfANewProviderStartsFromOptions(t *testing.T) {
	t.Parallel()
	bb := providers.MustLookup(providers.Bitbucket)
	demo := providers.Credentials{Provider: providers.Bitbucket, Settings: config.Settings{Host: "http://127.0.0.1:1/", Org: "acme", Username: "jdoe@example.com", Token: "ATATTdemo0000000000"}}
	for _, c := range []struct {
		opts Options
		want providers.Credentials
	}{
		{Options{}, providers.Credentials{Provider: providers.Bitbucket, Name: "bitbucket", Settings: config.Settings{Host: bb.DefaultHost}}},
		{Options{NewProvider: func(providers.ID) providers.Credentials { return demo }}, named(demo, "bitbucket")},
	} {
		e := newEditor(newCommon(c.opts, deps{}), bb, string(bb.ID), config.NewData(), nil)
		if *e.draft != c.want {
			t.Errorf("draft %+v; want %+v", *e.draft, c.want)
		}
	}
}

// named is c with the name given.
func named(c providers.Credentials, name string) providers.Credentials {
	c.Name = name
	return c
}

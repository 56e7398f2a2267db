package providers_test

import (
	"testing"

	"gitopscfg/forms"
	"gitopscfg/providers"
)

// Every provider has an emulator, whose full-access credentials pass the forms' rules for that
// provider (its own field rules included) and its live check.
func TestEveryProviderHasAnEmulatorWhoseCredentialsPass(t *testing.T) {
	t.Parallel()
	e := sharedEmulators(t)
	for _, p := range providers.All() {
		t.Run(string(p.ID), func(t *testing.T) {
			t.Parallel()
			c := e.DemoCredentials(p.ID)
			if c.Provider != p.ID || (c.Org == "" && c.URL == "") || c.Token == "" {
				t.Fatalf("no emulator credentials for %s: %+v", p.ID, c.Redact(c.Org))
			}
			norm, err := forms.Credentials(c)
			if err != nil {
				t.Fatalf("the emulator's credentials fail the forms' rules: %v", err)
			}
			if r := providers.Run(testCtx(t), envWithTimeout(providers.DefaultTimeout), norm); !r.OK {
				t.Fatalf("live check against the emulator: %+v", r.Checks)
			}
		})
	}
}

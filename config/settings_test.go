package config

import (
	"encoding/json"
	"slices"
	"testing"
)

// A setting's key is its name in the store: Ref and Fields follow Settings' json tags, every key
// has a place of its own, and an unknown key has none.
func TestSettingsKeysAreTheirStoredNames(t *testing.T) {
	t.Parallel()
	want := []Field{FieldHost, FieldOrg, FieldProjectKey, FieldUsername, FieldToken, FieldAPIURL, FieldCABundle, FieldURLPrefix,
		FieldKind, FieldAppID, FieldInstallationID,
		FieldProxy, FieldProxyUsername, FieldProxyPassword, FieldNoProxy, FieldClientCert, FieldClientKey,
		FieldTenantID, FieldClientID, FieldAuthorityURL, FieldRepo,
		FieldURL, FieldSSHKey, FieldSSHURL, FieldSSHHostKey, FieldSSHKeyRef,
		FieldClientCertPath, FieldClientKeyPath}
	if !slices.Equal(Fields, want) {
		t.Fatalf("Fields = %v, want %v", Fields, want)
	}
	var s Settings
	for _, f := range Fields {
		*s.Ref(f) = "value of " + string(f)
	}
	raw, err := json.Marshal(Credential{Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	var stored map[string]any
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	for _, f := range Fields {
		if got := stored[string(f)]; got != "value of "+string(f) {
			t.Errorf("stored %s = %v, want %q (in %s)", f, got, "value of "+string(f), raw)
		}
	}
	if (&Settings{}).Ref("nope") != nil {
		t.Error("an unknown key has a place")
	}
}

package kit

import (
	"encoding/json"
	"testing"

	"gitopscfg/providers"
)

// GiteaResult is the one result of `check gitea --json` output.
func GiteaResult(t testing.TB, out string) providers.Result {
	t.Helper()
	var doc struct {
		Results []providers.Result `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("not one JSON result (%v): %s", err, out)
	}
	return doc.Results[0]
}

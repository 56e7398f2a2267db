package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gitopscfg/config/safe"
	"gitopscfg/providers"
)

// TestJSONLShowsOnlySafeText: the jsonl lines are a display boundary like the text and JSON
// outputs: a server's bidi override or zero-width character, had it slipped past the providers'
// seal, reaches a log pipeline escaped, never raw (encoding/json escapes C0 controls but passes
// U+202E and U+200B through untouched).
func TestJSONLShowsOnlySafeText(t *testing.T) {
	t.Parallel()
	const hostile = "org \u202eevil\u200b"
	cf, err := lookupCheckFormat("jsonl")
	if err != nil {
		t.Fatal(err)
	}
	r := providers.Result{Provider: providers.GitHub, Host: "https://" + hostile, User: hostile}
	r.Add("org "+hostile, providers.Fail, "not found: "+hostile)
	r.Finish()
	var out bytes.Buffer
	at := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	if err := cf.Stage(&out, providers.GitHub, providers.Check{ID: "create " + hostile, Status: providers.Fail, Message: hostile}, at); err != nil {
		t.Fatal(err)
	}
	if err := cf.Write(&out, &checkReport{Results: []providers.Result{r}, At: at, Graded: at}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\u202e\u200b") {
		t.Fatalf("a raw bidi or zero-width character reached the jsonl output:\n%q", out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want a stage and a result:\n%s", len(lines), out.String())
	}
	var stage struct{ ID, Message string }
	var result struct {
		User   string
		Checks []struct{ ID, Message string }
	}
	if err := json.Unmarshal([]byte(lines[0]), &stage); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &result); err != nil {
		t.Fatal(err)
	}
	want := safe.Text(hostile)
	if stage.Message != want || result.User != want || len(result.Checks) != 1 || result.Checks[0].Message != "not found: "+want {
		t.Fatalf("stage %+v, result %+v; want the hostile text shown as %q", stage, result, want)
	}
}

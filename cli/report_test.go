package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

const evil = "evil\x1b]0;PWNED\a\x1b[2J\u009b1m\x7f\u202eLIVE\u200b"

var rawEscapes = []string{"\x1b", "\a", "\u009b", "\x7f", "\u202e", "\u200b"}

// TestReportsEscapeWhatTheyShow guards the display boundary on its own: a result that was never
// sealed is still printed safely, in text and in JSON (decoded), and so is the audit trail.
func TestReportsEscapeWhatTheyShow(t *testing.T) {
	r := providers.Result{Provider: providers.GitHub, User: evil, Host: "https://" + evil + "/",
		Checks: []providers.Check{{ID: "auth", Status: providers.Pass, Message: "authenticated as " + evil}}}
	var text, js bytes.Buffer
	writeResultsText(&text, []providers.Result{r}, time.Now())
	if err := writeResultsJSON(&js, []providers.Result{r}); err != nil {
		t.Fatal(err)
	}
	var decoded struct{ Results []providers.Result }
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	d := decoded.Results[0]
	audit := displayAudit([]config.AuditEntry{{Who: "alice " + evil + " (SHA256:x)", Action: "set", Fields: []string{evil}}})
	for name, s := range map[string]string{"text": text.String(), "user": d.User, "host": d.Host, "message": d.Checks[0].Message,
		"audit who": audit[0].Who, "audit field": audit[0].Fields[0]} {
		for _, raw := range rawEscapes {
			if strings.Contains(s, raw) {
				t.Errorf("%s shows %q raw: %q", name, raw, s)
			}
		}
		if !strings.Contains(s, `evil\x1b]0;PWNED\a`) {
			t.Errorf("%s does not show the string escaped: %q", name, s)
		}
	}
}

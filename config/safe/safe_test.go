package safe_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"gitopscfg/config/safe"
)

// canaries are tokens whose escaped forms differ from the raw one: reserved characters, a space,
// a percent sign and multi-byte characters.
var canaries = []string{
	"ghp_CANARYtok3nAbCdEfGhIjKlMnOpQrStUv12",
	"glpat-Ab+c/d=e f%20~ü€CANARY",
	"ATATT3xFfGF0CANARY_token-with/slash?and&amp=1",
}

func percentAll(s string, upper bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		f := "%%%02x"
		if upper {
			f = "%%%02X"
		}
		fmt.Fprintf(&b, f, s[i])
	}
	return b.String()
}

func forms(tok string) map[string]string {
	f := map[string]string{
		"raw":                tok,
		"QueryEscape":        url.QueryEscape(tok),
		"PathEscape":         url.PathEscape(tok),
		"every byte, lower":  percentAll(tok, false),
		"every byte, upper":  percentAll(tok, true),
		"upper-cased escape": strings.ToUpper(url.QueryEscape(tok)[:0]) + strings.ReplaceAll(url.PathEscape(tok), "%2F", "%2f"),
	}
	for _, user := range []string{"", "x", "ab", "octocat", "x-token-auth", "user@example.com"} {
		for name, enc := range map[string]*base64.Encoding{"std": base64.StdEncoding, "raw std": base64.RawStdEncoding, "url": base64.URLEncoding, "raw url": base64.RawURLEncoding} {
			f["base64 "+name+" of "+user+":token"] = enc.EncodeToString([]byte(user + ":" + tok))
			f["base64 "+name+" of token:"+user] = enc.EncodeToString([]byte(tok + ":" + user))
		}
		f["percent-encoded base64 of "+user+":token"] = url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(user + ":" + tok)))
	}
	f["base64 of token"] = base64.StdEncoding.EncodeToString([]byte(tok))
	f["base64url of token"] = base64.RawURLEncoding.EncodeToString([]byte(tok))
	return f
}

func TestRedactMasksEveryForm(t *testing.T) {
	for _, tok := range canaries {
		for name, form := range forms(tok) {
			in := `{"message":"Bad credentials: ` + form + `", "login": "` + form + `"} Authorization: Basic ` + form + "\n"
			out := safe.Redact(in, tok)
			if strings.Contains(out, form) {
				t.Errorf("%s of %q survives: %s", name, tok, out)
			}
			if strings.Count(out, safe.Mask) < 3 {
				t.Errorf("%s of %q: want 3 masks, got %s", name, tok, out)
			}
			if !strings.Contains(out, `{"message":"Bad credentials: `) || !strings.Contains(out, "Authorization: Basic ") {
				t.Errorf("%s of %q: the text around the token is garbled: %s", name, tok, out)
			}
		}
	}
}

func TestRedactLeavesOtherTextAlone(t *testing.T) {
	in := "authenticated as octocat (id 42): scopes repo, admin:org; see https://github.com/settings/tokens?type=beta%20x"
	for _, tok := range canaries {
		if got := safe.Redact(in, tok); got != in {
			t.Errorf("Redact changed text without the token:\n%s\n%s", in, got)
		}
	}
	if got := safe.Redact("abc is a word", "abc"); got != "abc is a word" {
		t.Errorf("a 3-byte token masks words: %q", got)
	}
	if got := safe.Redact("the token wxyz leaked", "wxyz"); got != "the token [token] leaked" {
		t.Errorf("a 4-byte token is not masked: %q", got)
	}
}

func TestTextEscapesWhatATerminalInterprets(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"octocat", "octocat"},
		{"Zoë Müller 日本", "Zoë Müller 日本"},
		{"evil\x1b]0;PWNED\a\x1b[2J", `evil\x1b]0;PWNED\a\x1b[2J`},
		{"csi\u009b31m osc\u009d0;x\u009c", `csi\u009b31m osc\u009d0;x\u009c`},
		{"del\x7f nul\x00 bs\b cr\r nl\n tab\t", `del\x7f nul\x00 bs\b cr\r nl\n tab\t`},
		{"admin\u202egpj.exe", `admin\u202egpj.exe`},
		{"oct\u200bocat\u200d\u2060\ufeff", `oct\u200bocat\u200d\u2060\ufeff`},
		{"iso\u2066late\u2069 mark\u200f", `iso\u2066late\u2069 mark\u200f`},
		{"bad\xffutf8\xc3", `bad\xffutf8\xc3`},
		{"ls\u2028ps\u2029", `ls\u2028ps\u2029`},
	} {
		got := safe.Text(c.in)
		if got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
		if safe.Text(got) != got {
			t.Errorf("Text is not idempotent on %q", got)
		}
		for _, r := range got {
			if safe.Unsafe(r) {
				t.Errorf("Text(%q) still holds %U", c.in, r)
			}
		}
	}
}

func TestFirstUnsafe(t *testing.T) {
	r, pos, ok := safe.FirstUnsafe("añb\u202ec")
	if !ok || r != 0x202e || pos != 4 {
		t.Fatalf("FirstUnsafe = %U %d %v", r, pos, ok)
	}
	if got := safe.Describe(r); got != "U+202E (RIGHT-TO-LEFT OVERRIDE)" {
		t.Errorf("Describe = %q", got)
	}
	if _, _, ok := safe.FirstUnsafe("plain ü"); ok {
		t.Error("FirstUnsafe found something in plain text")
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("prefix ghp_abcdefgh suffix", "ghp_abcdefgh")
	f.Fuzz(func(t *testing.T, s, tok string) {
		out := safe.Redact(s, tok)
		if len(tok) >= 4 && strings.Contains(out, tok) && !strings.Contains(safe.Mask, tok) {
			t.Fatalf("raw token survives: %q in %q", tok, out)
		}
		_ = safe.Text(out)
	})
}

package safe_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"gitopscfg/config/safe"
)

// TestRedactMasksTheWholeBasicValue: the base64 of "user:token" (or "token:user") is masked as
// one run, so a Basic header reads "Basic [token]": no encoding of the user name is left before
// the mask and none of the bits the token shares with its neighbours after it (from which part of
// the token could be read back).
func TestRedactMasksTheWholeBasicValue(t *testing.T) {
	t.Parallel()
	encodings := map[string]*base64.Encoding{
		"std": base64.StdEncoding, "raw std": base64.RawStdEncoding, "url": base64.URLEncoding, "raw url": base64.RawURLEncoding,
	}
	for i, tok := range canaries {
		for _, user := range []string{"x", "ab", "abc", "octocat", "x-token-auth", "user@example.com"} {
			for name, enc := range encodings {
				for _, pair := range []string{user + ":" + tok, tok + ":" + user} {
					value := enc.EncodeToString([]byte(pair))
					for _, form := range []string{value, url.QueryEscape(value)} {
						in := "> GET /api/v4/user HTTP/1.1\r\n> Authorization: Basic " + form + "\r\n> Accept: */*\r\n" +
							`{"header":"Basic ` + form + `"}`
						want := "> GET /api/v4/user HTTP/1.1\r\n> Authorization: Basic " + safe.Mask + "\r\n> Accept: */*\r\n" +
							`{"header":"Basic ` + safe.Mask + `"}`
						if got := safe.Redact(in, tok); got != want {
							t.Errorf("%s base64 of user %q and canary %d:\n got %q\nwant %q", name, user, i, got, want)
						}
					}
				}
			}
		}
	}
}

// TestRedactLeavesNoPieceOfTheBasicValue: whatever the alignment of the token inside the
// encoded pair, no 4-character piece of the encoded value survives next to the mask.
func TestRedactLeavesNoPieceOfTheBasicValue(t *testing.T) {
	t.Parallel()
	for _, tok := range canaries {
		for n := range 6 {
			user := strings.Repeat("u", n)
			value := base64.StdEncoding.EncodeToString([]byte(user + ":" + tok))
			out := safe.Redact("Authorization: Basic "+value+"\n", tok)
			rest := strings.TrimSuffix(strings.TrimPrefix(out, "Authorization: Basic "), "\n")
			if rest != safe.Mask {
				t.Errorf("user %q: the Basic value is not masked whole: %q", user, out)
			}
			for i := 0; i+4 <= len(value); i++ {
				if strings.Contains(out, value[i:i+4]) {
					t.Errorf("user %q: %q of the encoded credentials survives in %q", user, value[i:i+4], out)
					break
				}
			}
		}
	}
}

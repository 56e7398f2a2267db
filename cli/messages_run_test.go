package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// TestResultHeadlineSaysPassedWithWarnings: a check that passed with warnings says so in its
// headline, above its "!" lines, rather than OK; the JSON keeps ok: true.
func TestResultHeadlineSaysPassedWithWarnings(t *testing.T) {
	t.Parallel()
	ms := int64(3)
	res := func(ok bool, statuses ...providers.Status) providers.Result {
		r := providers.Result{Provider: providers.Bitbucket, Host: "https://bitbucket.org/", OK: ok, DurationMS: 42}
		for i, s := range statuses {
			r.Checks = append(r.Checks, providers.Check{ID: "c" + string(rune('0'+i)), Status: s, Message: "m", DurationMS: &ms})
		}
		return r
	}
	for _, c := range []struct {
		r    providers.Result
		want string
	}{
		{res(true, providers.Pass, providers.Pass), "Bitbucket Cloud — https://bitbucket.org/ — OK in 42 ms\n"},
		{res(true, providers.Pass, providers.Warn, providers.Skip), "Bitbucket Cloud — https://bitbucket.org/ — passed with 1 warning in 42 ms\n"},
		{res(true, providers.Warn, providers.Warn, providers.Warn), "Bitbucket Cloud — https://bitbucket.org/ — passed with 3 warnings in 42 ms\n"},
		{res(false, providers.Warn, providers.Fail), "Bitbucket Cloud — https://bitbucket.org/ — FAILED in 42 ms\n"},
	} {
		var out bytes.Buffer
		writeResultsText(&out, []providers.Result{c.r}, runNow)
		if got, _, _ := strings.Cut(out.String(), "  "); got != c.want {
			t.Errorf("headline %q, want %q", got, c.want)
		}
	}
	var dt bytes.Buffer
	writeInstanceCheck(&dt, "Devtron", providers.Result{Host: "https://devtron.example.com", OK: true, DurationMS: 7, Checks: []providers.Check{{ID: "version", Status: providers.Warn}}})
	if !strings.HasPrefix(dt.String(), "Devtron — https://devtron.example.com — passed with 1 warning in 7 ms\n") {
		t.Errorf("Devtron's headline: %q", dt.String())
	}
}

// TestStatusTextOnAnEmptyStore: with nothing configured, status says to add a provider (not to
// activate one); with providers but none active, to activate one.
func TestStatusTextOnAnEmptyStore(t *testing.T) {
	t.Parallel()
	s, open := newRunStore(t)
	out, err := runStatus(t, open, noEnv(t), false)
	if err != nil || !strings.Contains(out, "\nNo provider is configured: add one with `gitopscfg set PROVIDER …`.\n") || strings.Contains(out, "activate") {
		t.Fatalf("status on an empty store: %v\n%s", err, out)
	}
	storeProvider(t, s, providers.Credentials{Provider: providers.GitLab, Settings: config.Settings{Host: "https://gitlab.com", Org: "acme", Username: "jdoe", Token: "glpat-CANARYempty0000000"}}, false, nil)
	out, err = runStatus(t, open, noEnv(t), false)
	if err != nil || !strings.Contains(out, "\nNo provider is active: `gitopscfg activate PROVIDER`.\n") {
		t.Fatalf("status with nothing active: %v\n%s", err, out)
	}
}

// TestCheckNothingActiveWithProviders: check without a provider says to activate one only when
// some are configured.
func TestCheckNothingActiveWithProviders(t *testing.T) {
	t.Parallel()
	x := newRunFixture(t)
	x.set(providers.GitLab, "glpat-CANARYnothingactive0", false, nil)
	if err := checkRun(context.Background(), x.checkOpts("text")); exitCode(err) != exitCheckFail ||
		x.err.String() != "no provider is active: give a provider, --all, or `gitopscfg activate PROVIDER`\n" {
		t.Fatalf("exit %d, stderr %q", exitCode(err), x.err.String())
	}
}

// TestTokenNouns: the command line names each provider's token as the provider does (a Bitbucket
// API token, a Gitea access token, a Devtron API token), never "personal access token" for those.
func TestTokenNouns(t *testing.T) {
	t.Parallel()
	for _, id := range providers.IDs {
		if n := tokenNoun(id); n == "" || n == "token" {
			t.Errorf("%s has no token noun of its own (%q)", id, n)
		}
	}
	for _, c := range []struct {
		noun, in, want string
	}{
		{tokenNoun(providers.Bitbucket), "ATATT", "--token-stdin: the token is only 5 characters long; API tokens are much longer: paste the whole token"},
		{tokenNoun(providers.Bitbucket), "", "--token-stdin: the token is empty: paste the API token"},
		{tokenNoun(providers.Gitea), "", "--token-stdin: the token is empty: paste the access token"},
		{"Devtron API token", "abc", "--token-stdin: the token is only 3 characters long; Devtron API tokens are much longer: paste the whole token"},
		{tokenNoun(providers.GitHub), "ghp_", "--token-stdin: the token is only 4 characters long; personal access tokens are much longer: paste the whole token"},
	} {
		_, err := readToken(strings.NewReader(c.in), io.Discard, c.noun)
		if exitCode(err) != exitUsageStore || err.Error() != c.want {
			t.Errorf("%q as a %s: %v\nwant %s", c.in, c.noun, err, c.want)
		}
	}
}

// TestSetNamesTheFlagsOfInvalidFields: set's refusal names each invalid field by its flag, and a
// token typed into another field is sent to --token-stdin, not to a "Personal Access Token
// field" (Bitbucket's token is an API token).
func TestSetNamesTheFlagsOfInvalidFields(t *testing.T) {
	t.Parallel()
	_, open := newRunStore(t)
	const tok = "ATATT3xFfGF0CANARYsetfields0000000000000000"
	streams, _, _ := testStreams("ATATT3xFfGF0CANARYsettoken00000000000000000\n")
	bb := providers.MustLookup(providers.Bitbucket)
	err := setRun(context.Background(), &setOptions{
		runDeps:    runDeps{IO: streams, OpenStore: open, Env: func(time.Duration) *providers.Env { return providers.NewEnv("t") }, Now: fixedClock, Who: testWho},
		Credential: string(bb.ID), TokenStdin: true, NoCheck: true, Fields: []setField{
			{Flag: "org", Key: providers.FieldOrg, Value: tok}, {Flag: "username", Key: providers.FieldUsername, Value: "jdoe"}}})
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	for _, w := range []string{"not saved:\n  --org: this looks like a token (not shown): a token goes only on standard input (--token-stdin); ",
		"\n  --username: "} {
		if !strings.Contains(msg, w) {
			t.Errorf("set's refusal lacks %q:\n%s", w, msg)
		}
	}
	if exitCode(err) != exitUsageStore || strings.Contains(msg, "Personal Access Token") || strings.Contains(msg, tok[5:]) {
		t.Errorf("exit %d:\n%s", exitCode(err), msg)
	}
	// An error that is no field's is kept as it is.
	if got := invalidLines(bb, &usecase.InvalidError{Err: io.ErrUnexpectedEOF}); len(got) != 1 || got[0] != io.ErrUnexpectedEOF.Error() {
		t.Errorf("invalidLines of a plain error: %q", got)
	}
}

package ui

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// showsToken reports whether s shows tok, or the middle of it (all but a hint's prefix and last
// four characters), in any case.
func showsToken(s, tok string) bool {
	low := strings.ToLower(s)
	return strings.Contains(low, strings.ToLower(tok)) || strings.Contains(low, strings.ToLower(tok[4:len(tok)-4]))
}

// runPiped runs the plain prompts with the answers on a pipe (an *os.File that is no terminal,
// as for `gitopscfg --accessible < answers`), writing to out.
func runPiped(t *testing.T, opts Options, answers []string, out io.Writer) error {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		_, _ = io.WriteString(w, strings.Join(answers, "\n")+"\n")
		_ = w.Close()
	}()
	return runAccessible(context.Background(), opts, accessibleIO{in: r, out: out})
}

// openStore opens the key-file store in dir.
func openStore(t *testing.T, dir string) *config.Data {
	t.Helper()
	s, err := config.Open(dir, func() (string, error) { return "", nil })
	if err != nil {
		t.Fatal(err)
	}
	return load(t, s)
}

// firstRunAnswers are the setup wizard's answers for GitHub on emu: key file, GitHub, then the
// form's fields.
func firstRunAnswers(emu *fake.Emulators, fields ...string) []string {
	return append([]string{"1", "1", emu.URL(providers.GitHub) + "/"}, fields...)
}

// Piped answers reach one question each, the token's included: `gitopscfg --accessible` on a
// first run saves exactly the piped token and never shows it. (huh reads a masked answer only
// from a terminal: from a pipe the token's line went to the API URL, whose error showed it.)
func TestAccessiblePipedFirstRunSavesThePipedToken(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	tok := kit.RandomCanary(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	var out bytes.Buffer
	// The emulator does not know the canary: the check fails, and the admin saves anyway.
	err := runPiped(t, Options{ConfigDir: dir, Who: "t"},
		firstRunAnswers(emu, fake.GitHubOrg, fake.GitHubUser, tok, "", "", "", "y", "6"), &out)
	if err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	if showsToken(out.String(), tok) {
		t.Fatalf("the output shows the token:\n%s", out.String())
	}
	for _, want := range []string{"Personal Access Token", "The check failed. Save anyway?", "Saved GitHub and made it the active provider"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	c := openStore(t, dir).Credentials["github"]
	if c == nil || c.Token != tok || c.APIURL != "" || c.CABundle != "" || c.Username != fake.GitHubUser || c.Org != fake.GitHubOrg {
		t.Fatalf("stored %+v", c)
	}
}

// A token piped into the wrong field (answers one line off) is never shown, nothing is saved,
// and the plain prompts end with an error (exit status 2) that does not hold it either.
func TestAccessiblePipedMisplacedTokenIsNeverShown(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	tok := kit.RandomCanary(t)
	hexTok := make([]byte, 20)
	if _, err := rand.Read(hexTok); err != nil {
		t.Fatal(err)
	}
	giteaLike := hex.EncodeToString(hexTok) // 40 hex digits, no prefix
	org, user := fake.GitHubOrg, fake.GitHubUser
	for _, c := range []struct {
		name    string
		answers []string
		secret  string
		want    string // in the error
	}{
		{"a line missing: the token lands in the username, the input ends", firstRunAnswers(emu, org, tok, "", ""), tok, errEndOfInput.Error()},
		{"the token in the username", firstRunAnswers(emu, org, tok, user, "", "", ""), tok, "nothing was saved: Username: this looks like a token"},
		{"a line too many: the token lands in the API URL", firstRunAnswers(emu, org, user, "", tok, "", ""), tok, "API URL: this looks like a token (not shown)"},
		{"the token in the CA bundle", firstRunAnswers(emu, org, user, "", "", tok, ""), tok, "nothing was saved"},
		{"the token in the organisation", firstRunAnswers(emu, tok, user, "", "", "", ""), tok, "nothing was saved: GitHub Organisation Name"},
		{"a prefix-less token in the API URL", firstRunAnswers(emu, org, user, "", giteaLike, "", ""), giteaLike, "the API URL (not shown: it looks like a token)"},
		{"the check failed and saving was declined", firstRunAnswers(emu, org, user, tok, "", "", "", "n"), tok, "nothing was saved: the check failed"},
		{"the input ends at Save anyway?", firstRunAnswers(emu, org, user, tok, "", "", ""), tok, errEndOfInput.Error()},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "cfg")
			var out bytes.Buffer
			err := runPiped(t, Options{ConfigDir: dir, Who: "t"}, c.answers, &out)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to say %q; output:\n%s", err, c.want, out.String())
			}
			if showsToken(out.String(), c.secret) || showsToken(err.Error(), c.secret) {
				t.Fatalf("the token is shown: err %v; output:\n%s", err, out.String())
			}
			if config.Exists(dir) {
				t.Fatal("a store was created")
			}
		})
	}
}

// In the menu, an edit that saves nothing returns to the menu, and the end of input then ends
// the prompts with an error. A token piped into the organisation is refused (with the token
// kept, a check would otherwise have named that organisation); an empty answer keeps the token.
func TestAccessiblePipedMenuEdit(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	tok := kit.RandomCanary(t)
	t.Run("not saved, then the end of input", func(t *testing.T) {
		t.Parallel()
		s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
		before := load(t, s)
		var out bytes.Buffer
		err := runPiped(t, Options{Store: s, ConfigDir: s.Dir(), Who: "t"}, []string{"1", "1", "", tok, "", "", "", "", ""}, &out)
		if !errors.Is(err, errEndOfInput) {
			t.Fatalf("err = %v, want the end of input; output:\n%s", err, out.String())
		}
		notSaved := strings.Index(out.String(), "Not saved: GitHub Organisation Name: this looks like a token (not shown)")
		if notSaved < 0 || !strings.Contains(out.String()[notSaved:], "What next?") {
			t.Fatalf("no \"Not saved\" followed by the menu:\n%s", out.String())
		}
		if showsToken(out.String(), tok) || strings.Contains(out.String(), "Checking") {
			t.Fatalf("the token is shown, or a check ran:\n%s", out.String())
		}
		if after := load(t, s); after.Revision != before.Revision {
			t.Fatalf("the store changed: %+v", after.Credentials["github"])
		}
	})
	t.Run("Enter keeps the token", func(t *testing.T) {
		t.Parallel()
		s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
		var out bytes.Buffer
		err := runPiped(t, Options{Store: s, ConfigDir: s.Dir(), Who: "t"}, []string{"1", "1", "", "", "", "", "", "", "", "n", "6"}, &out)
		if err != nil {
			t.Fatalf("err = %v; output:\n%s", err, out.String())
		}
		for _, want := range []string{"Personal Access Token [Enter keeps " + providers.TokenHint(fake.GitHubTokenFull) + "]", "All checks passed.", "Saved GitHub."} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
		if showsToken(out.String(), fake.GitHubTokenFull) {
			t.Fatalf("the output shows the token:\n%s", out.String())
		}
		if c := load(t, s).Credentials["github"]; c.Token != fake.GitHubTokenFull || c.LastCheck == nil || !c.LastCheck.OK {
			t.Fatalf("stored %+v", c)
		}
	})
}

// ptyOutput collects what a pseudo-terminal's program side wrote, as a terminal would show it.
type ptyOutput struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced at each read
	done    chan struct{} // closed once the terminal is closed (EIO) and everything was read
}

func readPTY(master *os.File) *ptyOutput {
	p := &ptyOutput{changed: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		b := make([]byte, 4096)
		for {
			n, err := master.Read(b)
			p.mu.Lock()
			p.buf.Write(b[:n])
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return p
}

func (p *ptyOutput) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}

// waitFor waits until want was shown n times.
func (p *ptyOutput) waitFor(t *testing.T, want string, n int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		ok, ch := strings.Count(p.buf.String(), want) >= n, p.changed
		p.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-p.done:
			t.Fatalf("the terminal closed before %q showed:\n%s", want, p.String())
		case <-deadline:
			t.Fatalf("%q never showed:\n%s", want, p.String())
		}
	}
}

// openPTY opens a pseudo-terminal, or skips the test.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { _ = master.Close(); _ = tty.Close() })
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	return master, tty
}

// `gitopscfg --accessible < answers` in a terminal: the prompts write to a pseudo-terminal while
// the answers come from a pipe. The piped token is saved, and the terminal never shows it, nor a
// misplaced one; an edit that saves nothing ends with an error (exit status 2).
func TestAccessiblePipedAnswersOnATerminal(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	tok := kit.RandomCanary(t)
	for _, c := range []struct {
		name    string
		answers []string
		saved   bool
	}{
		{"saved", firstRunAnswers(emu, fake.GitHubOrg, fake.GitHubUser, tok, "", "", "", "y", "6"), true},
		{"the token in the API URL", firstRunAnswers(emu, fake.GitHubOrg, fake.GitHubUser, "", tok, "", ""), false},
		{"the token in the username", firstRunAnswers(emu, fake.GitHubOrg, tok, fake.GitHubUser, "", "", ""), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			master, tty := openPTY(t)
			screen := readPTY(master)
			dir := filepath.Join(t.TempDir(), "cfg")
			err := runPiped(t, Options{ConfigDir: dir, Who: "t"}, c.answers, tty)
			_ = tty.Close() // the program's end: the terminal shows everything written, then closes
			<-screen.done
			shown := screen.String()
			if c.saved != (err == nil) {
				t.Fatalf("err = %v; terminal:\n%s", err, shown)
			}
			if !strings.Contains(shown, "Personal Access Token") {
				t.Fatalf("no token prompt on the terminal:\n%s", shown)
			}
			if showsToken(shown, tok) || (err != nil && showsToken(err.Error(), tok)) {
				t.Fatalf("the token is shown: err %v; terminal:\n%s", err, shown)
			}
			if !c.saved {
				if !strings.Contains(shown, "Not saved: ") || !strings.Contains(err.Error(), "nothing was saved") || config.Exists(dir) {
					t.Fatalf("err = %v, store created %v; terminal:\n%s", err, config.Exists(dir), shown)
				}
				return
			}
			if got := openStore(t, dir).Credentials["github"]; got == nil || got.Token != tok {
				t.Fatalf("stored %+v", got)
			}
		})
	}
}

// On a terminal the token stays masked: the terminal's echo is off while it is typed, so it is
// never shown, and it is saved.
func TestAccessibleTokenTypedOnATerminalStaysMasked(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	tok := kit.RandomCanary(t)
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	master, tty := openPTY(t)
	screen := readPTY(master)
	done := make(chan error, 1)
	go func() {
		done <- runAccessible(context.Background(), Options{Store: s, ConfigDir: s.Dir(), Who: "t"}, accessibleIO{in: tty, out: tty})
	}()
	typed := func(s string) {
		t.Helper()
		if _, err := io.WriteString(master, s); err != nil {
			t.Fatal(err)
		}
	}
	screen.waitFor(t, "What next?", 1)
	typed("1\n1\n\n\n\n") // edit GitHub, keep host, organisation and username
	screen.waitFor(t, "Personal Access Token [Enter keeps", 1)
	// The prompt shows just before the terminal's echo goes off: type only once it is off.
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if st.Lflag&unix.ECHO == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the terminal's echo stayed on at the token prompt:\n%s", screen.String())
		}
	}
	typed(tok + "\n\n\n\n\n") // the token, then no API URL, no CA bundle, no proxy; Enter keeps HTTPS
	screen.waitFor(t, "The check failed. Save anyway?", 1)
	typed("y\n")
	screen.waitFor(t, "What next?", 2)
	typed("6\n")
	if err := <-done; err != nil {
		t.Fatalf("err = %v; terminal:\n%s", err, screen.String())
	}
	if st, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS); err != nil || st.Lflag&unix.ECHO == 0 {
		t.Fatalf("the terminal's echo was not restored (%v)", err)
	}
	_ = tty.Close()
	<-screen.done
	if showsToken(screen.String(), tok) {
		t.Fatalf("the terminal shows the token:\n%s", screen.String())
	}
	if !strings.Contains(screen.String(), "Saved GitHub.") {
		t.Fatalf("not saved:\n%s", screen.String())
	}
	if c := load(t, s).Credentials["github"]; c.Token != tok {
		t.Fatalf("stored token %q", providers.TokenHint(c.Token))
	}
}

package ui

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
)

// The plain prompts end with ErrEndOfInput when the input runs out, wherever that happens, with
// bounded output; answers piped in one write reach one question each.
func TestAccessibleEndOfInput(t *testing.T) {
	t.Parallel()
	withStore := filepath.Join(t.TempDir(), "cfg")
	if _, err := config.Init(withStore, ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, dir, in string
		want          error
		shows         string
	}{
		{"menu, no input", withStore, "", errEndOfInput, "What next?"},
		{"menu, quit", withStore, "6\n", nil, "What next?"},
		{"menu, quit without a newline", withStore, "6", nil, "What next?"},
		{"menu, invalid answer", withStore, "x\n", errEndOfInput, "must be a number"},
		{"menu, edit then nothing", withStore, "1\n", errEndOfInput, "Which provider?"},
		{"wizard, no input", filepath.Join(t.TempDir(), "new"), "", errEndOfInput, "Step 1 of 3"},
		{"wizard, two answers in one write", filepath.Join(t.TempDir(), "new"), "1\n2\n", errEndOfInput, "your GitLab server"},
		{"wizard, passphrase from a pipe", filepath.Join(t.TempDir(), "new"), "2\n", nil, "Step 1 of 3"},
		{"an over-long line", withStore, strings.Repeat("1", maxAnswerBytes+10) + "\n", errLineTooLong, "What next?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := runAccessible(context.Background(), Options{ConfigDir: c.dir, Who: "t"}, accessibleIO{in: strings.NewReader(c.in), out: &out})
			switch {
			case c.name == "wizard, passphrase from a pipe":
				if err == nil || !strings.Contains(err.Error(), "only on a terminal") || config.Exists(c.dir) {
					t.Fatalf("err = %v (store created: %v)", err, config.Exists(c.dir))
				}
			case !errors.Is(err, c.want) && !(c.want == nil && err == nil):
				t.Fatalf("err = %v, want %v; output %q", err, c.want, kit.Tail(out.String(), 500))
			}
			if !strings.Contains(out.String(), c.shows) {
				t.Errorf("output lacks %q: %q", c.shows, kit.Tail(out.String(), 500))
			}
			if out.Len() > 64<<10 {
				t.Errorf("%d bytes of output", out.Len())
			}
		})
	}
}

// A cancelled context (SIGINT, SIGTERM) ends the prompts even while one waits for input.
func TestAccessibleInterrupted(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cfg")
	if _, err := config.Init(dir, ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	block := make(chan struct{})
	defer close(block)
	out := &notifyBuffer{seen: make(chan struct{}), want: "What next?"}
	done := make(chan error, 1)
	go func() {
		done <- runAccessible(ctx, Options{ConfigDir: dir, Who: "t"}, accessibleIO{in: blockingReader(block), out: out})
	}()
	<-out.seen
	cancel()
	if err := <-done; !errors.Is(err, errInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
}

type blockingReader chan struct{}

func (b blockingReader) Read([]byte) (int, error) { <-b; return 0, errors.New("closed") }

type notifyBuffer struct {
	bytes.Buffer
	want string
	seen chan struct{}
	once bool
}

func (n *notifyBuffer) Write(p []byte) (int, error) {
	w, err := n.Buffer.Write(p)
	if !n.once && strings.Contains(n.String(), n.want) {
		n.once = true
		close(n.seen)
	}
	return w, err
}

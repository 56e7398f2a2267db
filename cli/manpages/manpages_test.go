package manpages

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"gitopscfg/cli"
)

// manPageNames lists the page every available command gets: gitopscfg-devtron-set.1, ….
func manPageNames(root *cobra.Command) []string {
	var out []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		out = append(out, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
				walk(sub)
			}
		}
	}
	walk(root)
	slices.Sort(out)
	return out
}

// pagesIn lists the files of dir, sorted.
func pagesIn(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

// TestManPages: every verb gets a man page (the completion command's included), named as man
// expects, with its synopsis, its examples and the version, and without cobra's footer.
func TestManPages(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "man")
	if err := WriteManPages(dir, "v1.2.3-test"); err != nil {
		t.Fatal(err)
	}
	want := manPageNames(cli.ManTree("v1.2.3-test"))
	for _, verb := range []string{"gitopscfg.1", "gitopscfg-init.1", "gitopscfg-status.1", "gitopscfg-check.1", "gitopscfg-set.1",
		"gitopscfg-activate.1", "gitopscfg-remove.1", "gitopscfg-rotate.1", "gitopscfg-push.1", "gitopscfg-export.1",
		"gitopscfg-devtron.1", "gitopscfg-devtron-set.1", "gitopscfg-devtron-remove.1", "gitopscfg-serve.1", "gitopscfg-version.1",
		"gitopscfg-completion.1", "gitopscfg-completion-bash.1", "gitopscfg-completion-zsh.1", "gitopscfg-completion-fish.1",
		"gitopscfg-completion-powershell.1"} {
		if !slices.Contains(want, verb) {
			t.Errorf("the command tree has no %s", verb)
		}
	}
	if got := pagesIn(t, dir); !slices.Equal(got, want) {
		t.Fatalf("pages %v\nwant %v", got, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "gitopscfg-check.1"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, w := range []string{`.TH "GITOPSCFG-CHECK" "1"`, `"gitopscfg v1.2.3-test" "gitopscfg manual"`, ".SH SYNOPSIS", ".SH EXAMPLE",
		"$ gitopscfg check --all --deep", ".SH SEE ALSO"} {
		if !strings.Contains(page, w) {
			t.Errorf("gitopscfg-check.1 lacks %q:\n%s", w, page)
		}
	}
	if strings.Contains(page, "Auto generated") {
		t.Errorf("gitopscfg-check.1 has cobra's footer")
	}
}

// TestManGeneratorRuns: `make man`'s generator (genman.go, outside the build) compiles and writes
// the pages.
func TestManGeneratorRuns(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a program")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	dir := filepath.Join(t.TempDir(), "man")
	cmd := exec.Command(goTool, "run", "genman.go", "-version", "v9.9.9", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run genman.go: %v\n%s", err, out)
	}
	if got, want := pagesIn(t, dir), manPageNames(cli.ManTree("v9.9.9")); !slices.Equal(got, want) {
		t.Fatalf("genman wrote %v\nwant %v", got, want)
	}
}

package fake

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gitopscfg/providers"
)

// Helpers for the existing-repository round trip: a repository that holds a commit, a
// protected-branch rule enforced by a pre-receive hook (as the providers' own hooks refuse a
// push: "remote: …" lines and "pre-receive hook declined"), and the branches a repository holds.

// ProtectRule is a protected-branch rule of one emulated repository.
type ProtectRule struct {
	// Pattern is a shell glob over branch names ("main", "*").
	Pattern string
	// Push refuses pushes to matching branches; Delete refuses their deletion.
	Push, Delete bool
	// Message is what the server says on refusing a push (the provider's own words, e.g. Gitea's
	// "Gitea: Not allowed to push to protected branch %s"), DeleteMessage on refusing a deletion
	// ("": Message); %s is the branch.
	Message, DeleteMessage string
}

// gitDir finds the bare repository of provider id named name (in any organisation), relative to
// the root: each emulator keeps its repositories under a directory named after its id.
func (e *Emulators) gitDir(id providers.ID, name string) (string, error) {
	want := strings.ToLower(name) + ".git"
	var found string
	base := filepath.Join(e.root, string(id))
	_ = filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if strings.ToLower(d.Name()) == want {
			found = path
			return filepath.SkipAll
		}
		return nil
	})
	if found == "" {
		return "", fmt.Errorf("the %s emulator has no Git repository %s", id, name)
	}
	return filepath.Rel(e.root, found)
}

// Seed gives provider id's (empty) repository name one commit on GitDefaultBranch, with a README,
// as a repository someone created and initialised by hand.
func (e *Emulators) Seed(id providers.ID, name string) error {
	rel, err := e.gitDir(id, name)
	if err != nil {
		return err
	}
	return e.git.initialCommit(filepath.Join(e.root, rel))
}

// Protect installs rule in provider id's repository name (replacing any rule it had).
func (e *Emulators) Protect(id providers.ID, name string, rule ProtectRule) error {
	rel, err := e.gitDir(id, name)
	if err != nil {
		return err
	}
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	clean := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "'", ""), "\n", `\n`) }
	del := rule.DeleteMessage
	if del == "" {
		del = rule.Message
	}
	script := "#!/bin/sh\n" +
		"z=0000000000000000000000000000000000000000\n" +
		"while read old new ref; do\n" +
		"  b=${ref#refs/heads/}\n" +
		"  case \"$b\" in " + rule.Pattern + ")\n" +
		"    if [ \"$new\" = \"$z\" ]; then d=" + flag(rule.Delete) + "; m='" + clean(del) + "'; else d=" + flag(rule.Push) +
		"; m='" + clean(rule.Message) + "'; fi\n" +
		"    if [ \"$d\" = 1 ]; then printf \"$m\\n\" \"$b\" >&2; exit 1; fi;;\n" +
		"  esac\n" +
		"done\n"
	hooks := filepath.Join(e.root, rel, "hooks")
	if err := os.MkdirAll(hooks, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(hooks, "pre-receive"), []byte(script), 0o700)
}

// Branches lists the branches of provider id's repository name (sorted, as git sorts them).
func (e *Emulators) Branches(id providers.ID, name string) ([]string, error) {
	rel, err := e.gitDir(id, name)
	if err != nil {
		return nil, err
	}
	out, err := e.git.run(nil, filepath.Join(e.root, rel), "for-each-ref", "--format=%(refname:short)", "refs/heads/")
	if err != nil {
		return nil, err
	}
	return strings.Fields(out), nil
}

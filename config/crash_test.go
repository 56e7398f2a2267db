package config

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	crashDirEnv    = "GITOPSCFG_TEST_WRITER_DIR"
	crashChecksEnv = "GITOPSCFG_TEST_WRITER_CHECKS"
)

// TestHelperWriter is not a test: run by TestCrashSafety as a child process, it saves forever
// until it is killed. Each save writes Org "rev-<n>", n being the revision it creates; with
// GITOPSCFG_TEST_WRITER_CHECKS set, each is followed by the record of a check (a check-only save).
func TestHelperWriter(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashSafety")
	}
	s, err := Open(dir, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		os.Exit(3)
	}
	checks := os.Getenv(crashChecksEnv) != ""
	fmt.Println("ready")
	for {
		d, err := s.Update(context.Background(), "writer (local)", "set", AnyRevision, func(d *Data) error {
			d.Credentials["github"] = &Credential{Provider: "github", Settings: Settings{Host: "https://github.com/", Org: fmt.Sprintf("rev-%d", d.Revision+1), Token: canary}}
			d.Active = "github"
			return nil
		})
		if err == nil && checks {
			_, err = s.RecordChecks(context.Background(), "writer (local)", Checked{Credential: "github",
				Tested: d.Credentials["github"].Settings, Record: &CheckRecord{At: time.Now().UTC(), OK: true}})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			os.Exit(4)
		}
	}
}

func TestCrashSafety(t *testing.T) { crashSafety(t, false) }

// TestCrashSafetyWithChecks: check-only saves, which keep the backup, are as crash-safe; the
// backup stays the store as it was before the last change of settings.
func TestCrashSafetyWithChecks(t *testing.T) { crashSafety(t, true) }

func crashSafety(t *testing.T, checks bool) {
	if testing.Short() {
		t.Skip("kills writer processes; slow")
	}
	s, dir := newStore(t)
	var last int64
	window := 20 // ms
	kills, deadline := 0, time.Now().Add(90*time.Second)
	for (last < 200 || kills < 30) && time.Now().Before(deadline) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		if checks {
			cmd.Env = append(cmd.Env, crashChecksEnv+"=1")
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the writer has opened the store (process start-up takes longer than the
		// kill window, much longer under -race), then kill it at a random moment of its saves.
		if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("writer did not start: %v\n%s", err, stderr.String())
		}
		// The window widens when kills land before any save (a loaded machine, -race), so that
		// kills keep falling both between and inside saves.
		time.Sleep(time.Duration(rand.IntN(window+1)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("writer exited on its own: %v\n%s", err, stderr.String())
		}
		kills++

		o, err := Open(dir, nil)
		if err != nil {
			t.Fatalf("after kill %d: Open: %v", kills, err)
		}
		d, err := o.Load()
		if err != nil {
			t.Fatalf("after kill %d: Load: %v", kills, err)
		}
		if d.Revision < last {
			t.Fatalf("after kill %d: revision went back from %d to %d", kills, last, d.Revision)
		}
		// changed is the revision of the last change of settings: the current one, or with
		// check-only saves the one before when the last save recorded a check.
		changed := d.Revision
		if p := d.Credentials["github"]; checks && p != nil && p.LastCheck != nil {
			changed = d.Revision - 1
		}
		if d.Revision > 0 {
			if p := d.Credentials["github"]; p == nil || p.Org != fmt.Sprintf("rev-%d", changed) || p.Token != canary || p.Revision != changed {
				t.Fatalf("after kill %d: revision %d holds %+v", kills, d.Revision, p)
			}
		}
		if changed > 1 {
			b, err := o.loadFile(filepath.Join(dir, BackupFile))
			if err != nil {
				t.Fatalf("after kill %d: backup: %v", kills, err)
			}
			// The backup is the save before the last change of settings, or the current one when
			// the kill fell between making the backup and renaming the new file into place.
			if b.Revision != changed-1 && b.Revision != d.Revision {
				t.Fatalf("after kill %d: backup at revision %d, store at %d (settings changed at %d)", kills, b.Revision, d.Revision, changed)
			}
		}
		if d.Revision == last && window < 200 {
			window += 5
		}
		last = d.Revision
	}
	t.Logf("%d kills, %d saves", kills, last)
	if last < 200 || kills < 30 {
		t.Fatalf("only %d saves in %d kills before the deadline", last, kills)
	}
	// Leftover temp files are cleaned by the next save and never hold plaintext.
	_ = s
	assertNoCanary(t, dir)
	setProvider(t, s, "gitlab", Credential{Settings: Settings{Org: "x"}})
	if tmps, _ := filepath.Glob(filepath.Join(dir, "."+StoreFile+".tmp-*")); len(tmps) != 0 {
		t.Errorf("temp files left after a save: %v", tmps)
	}
}

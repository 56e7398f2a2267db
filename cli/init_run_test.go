package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/config/configtest"
)

// TestInitRunInProcess drives init's run function with fake streams: a key-file store is created
// without asking for a passphrase, a second init changes nothing (exit 2), --passphrase creates a
// store that only that passphrase opens, and a refused passphrase creates nothing.
func TestInitRunInProcess(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cfg")
	streams, out, errb := testStreams("")
	opts := &initOptions{IO: streams, ConfigDir: dir, CreateStore: config.Init,
		NewPassphrase: func() (string, error) { t.Error("asked for a passphrase without --passphrase"); return "", nil }}
	if err := initRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	want := "Created " + filepath.Join(dir, config.StoreFile) + ", protected by the key file " + filepath.Join(dir, config.IdentityFile) +
		".\nKeep a backup of the key file: without it the store cannot be read.\n"
	if out.String() != want || errb.Len() != 0 {
		t.Fatalf("stdout %q, stderr %q; want %q", out, errb, want)
	}
	s, err := config.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := loadData(t, s); d.Revision != 0 || len(d.Credentials) != 0 {
		t.Fatalf("a new store holds %+v", d)
	}
	out.Reset()
	if err := initRun(context.Background(), opts); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "already exists") || out.Len() != 0 {
		t.Fatalf("init twice: exit %d, %v, stdout %q", exitCode(err), err, out)
	}

	const pass = "correct horse battery"
	dir = filepath.Join(t.TempDir(), "cfg")
	streams, out, _ = testStreams("")
	opts = &initOptions{IO: streams, ConfigDir: dir, WithPassphrase: true,
		NewPassphrase: func() (string, error) { return pass, nil },
		CreateStore: func(dir, p string) (*config.Store, error) {
			if p != pass {
				t.Errorf("store created with passphrase %q, want %q", p, pass)
			}
			return configtest.InitPassphrase(t, dir, p), nil
		}}
	if err := initRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "protected by the passphrase-protected key file "+filepath.Join(dir, config.IdentityFile)) {
		t.Fatalf("init --passphrase: %q", out)
	}
	if _, err := config.Open(dir, func() (string, error) { return pass, nil }); err != nil {
		t.Fatalf("the passphrase does not open the store: %v", err)
	}

	dir = filepath.Join(t.TempDir(), "cfg")
	refused := usageErr("the two passphrases differ; nothing was created")
	opts = &initOptions{IO: streams, ConfigDir: dir, WithPassphrase: true,
		NewPassphrase: func() (string, error) { return "", refused },
		CreateStore: func(string, string) (*config.Store, error) {
			t.Error("created a store after a refused passphrase")
			return nil, nil
		}}
	if err := initRun(context.Background(), opts); !errors.Is(err, refused) || exitCode(err) != exitUsageStore {
		t.Fatalf("refused passphrase: exit %d, %v", exitCode(err), err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the config dir exists after a refused passphrase: %v", err)
	}
}

// TestInitCmdPassesItsOptions checks init's constructor: --passphrase and the resolved config
// directory reach the run function with the factory's streams; arguments are refused unrun.
func TestInitCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	f, out, _ := testFactory("")
	f.ConfigDir = "/srv/gitopscfg"
	var got *initOptions
	if err := execute(newInitCmd(f, func(_ context.Context, o *initOptions) error { got = o; return nil }), "--passphrase"); err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.WithPassphrase || got.ConfigDir != "/srv/gitopscfg" || got.IO.Out != out || got.NewPassphrase == nil || got.CreateStore == nil {
		t.Fatalf("options %+v", got)
	}
	got = nil
	if err := execute(newInitCmd(f, func(_ context.Context, o *initOptions) error { got = o; return nil })); err != nil || got == nil || got.WithPassphrase {
		t.Fatalf("init without flags: %v, %+v", err, got)
	}
	for _, args := range [][]string{{"extra"}, {"--passphrase=maybe"}, {"--bogus"}} {
		if err := execute(newInitCmd(f, mustNotRun[*initOptions](t, args...)), args...); exitCode(err) != exitUsageStore {
			t.Errorf("%v: exit %d, %v", args, exitCode(err), err)
		}
	}
}

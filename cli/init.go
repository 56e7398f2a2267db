package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"gitopscfg/config"
)

// initOptions is what init needs: the streams, where and how to create the store, and the flag.
type initOptions struct {
	IO Streams
	// ConfigDir is the resolved config directory the store is created in.
	ConfigDir string
	// NewPassphrase gets the new passphrase (f.newPassphrase: the environment, else asked twice);
	// called only with --passphrase.
	NewPassphrase func() (string, error)
	// CreateStore creates the store (config.Init).
	CreateStore func(dir, passphrase string) (*config.Store, error)
	// WithPassphrase is --passphrase.
	WithPassphrase bool
}

// newInitCmd builds init; runF runs it (nil: initRun), so tests can swap it.
func newInitCmd(f *factory, runF func(context.Context, *initOptions) error) *cobra.Command {
	if runF == nil {
		runF = initRun
	}
	opts := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [--passphrase]",
		Short: "Create an empty encrypted store (key file by default, or passphrase-protected)",
		Example: `  # A store protected by a key file: keep a backup of the key file
  $ gitopscfg init

  # A store protected by a passphrase, asked twice on the terminal
  $ gitopscfg init --passphrase

  # A store in another directory (every verb takes --config-dir)
  $ gitopscfg init --config-dir /etc/gitopscfg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.IO, opts.ConfigDir, opts.NewPassphrase, opts.CreateStore = f.Streams, f.ConfigDir, f.newPassphrase, config.Init
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.WithPassphrase, "passphrase", false, "protect the key with a passphrase (GITOPSCFG_PASSPHRASE, else asked twice)")
	return cmd
}

// initRun creates an empty store in opts.ConfigDir, protected by a key file or a passphrase.
func initRun(_ context.Context, opts *initOptions) error {
	pass := ""
	if opts.WithPassphrase {
		var err error
		if pass, err = opts.NewPassphrase(); err != nil {
			return err
		}
	}
	s, err := opts.CreateStore(opts.ConfigDir, pass)
	if err != nil {
		return err
	}
	for _, w := range s.Warnings() {
		fmt.Fprintln(opts.IO.Err, "warning:", w)
	}
	mode := "key file " + filepath.Join(s.Dir(), config.IdentityFile)
	if opts.WithPassphrase {
		mode = "passphrase-protected key file " + filepath.Join(s.Dir(), config.IdentityFile)
	}
	fmt.Fprintf(opts.IO.Out, "Created %s, protected by the %s.\nKeep a backup of the key file: without it the store cannot be read.\n", s.Path(), mode)
	return nil
}

// newPassphrase gets a new passphrase from the environment or asks for it twice.
func (f *factory) newPassphrase() (string, error) {
	pass := f.Getenv("GITOPSCFG_PASSPHRASE")
	if pass == "" {
		if f.Passphrase == nil {
			return "", usageErr("set GITOPSCFG_PASSPHRASE: there is no terminal to ask for a passphrase on")
		}
		var err error
		if pass, err = f.Passphrase("New passphrase: "); err != nil {
			return "", err
		}
		again, err := f.Passphrase("The same passphrase again: ")
		if err != nil {
			return "", err
		}
		if again != pass {
			return "", usageErr("the two passphrases differ; nothing was created")
		}
	}
	if utf8.RuneCountInString(pass) < config.MinPassphraseLen {
		return "", usageErr("the passphrase is too short: use at least %d characters (a few unrelated words work well)", config.MinPassphraseLen)
	}
	return pass, nil
}

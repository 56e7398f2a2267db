package cli

import (
	"fmt"
	"path/filepath"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"gitopscfg/config"
)

func newInitCmd(f *factory) *cobra.Command {
	var withPassphrase bool
	cmd := &cobra.Command{
		Use:   "init [--passphrase]",
		Short: "Create an empty encrypted store (key file by default, or passphrase-protected)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pass := ""
			if withPassphrase {
				var err error
				if pass, err = f.newPassphrase(); err != nil {
					return err
				}
			}
			s, err := config.Init(f.ConfigDir, pass)
			if err != nil {
				return err
			}
			for _, w := range s.Warnings() {
				fmt.Fprintln(f.Err, "warning:", w)
			}
			mode := "key file " + filepath.Join(s.Dir(), config.IdentityFile)
			if withPassphrase {
				mode = "passphrase-protected key file " + filepath.Join(s.Dir(), config.IdentityFile)
			}
			fmt.Fprintf(f.Out, "Created %s, protected by the %s.\nKeep a backup of the key file: without it the store cannot be read.\n", s.Path(), mode)
			return nil
		},
	}
	cmd.Flags().BoolVar(&withPassphrase, "passphrase", false, "protect the key with a passphrase (GITOPSCFG_PASSPHRASE, else asked twice)")
	return cmd
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

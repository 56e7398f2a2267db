package platforms

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gitopscfg/providers"
)

// The generic provider (any Git server): Argo CD and Flux take any Git server, over HTTPS or SSH;
// Devtron's open-source API has no such provider (its enterprise edition's "Other GitOps" is not
// in the open-source API). Argo CD's Secret names the credential's one repository.
func init() {
	registerTarget(providers.GitServer, target{
		orgPath: func(_ context.Context, _ *providers.Env, c providers.Credentials, _ string) (string, error) {
			return "", errors.New("the generic provider names one repository: export it with --kind repository")
		},
	})
}

// ErrNoSSH is matched by the error for an SSH credential pushed to Devtron.
var ErrNoSSH = errors.New("no SSH mode in Devtron's open-source GitOps configuration")

// DevtronRefusal says why Devtron's open-source API cannot take c before anything is sent, or nil.
func DevtronRefusal(c providers.Credentials) error {
	switch {
	case c.Provider == providers.GitServer:
		return fmt.Errorf("%w: its open-source API takes none for any Git server (the \"Other GitOps\" provider of Devtron's "+
			"enterprise edition is not in the open-source API); export the credentials for Argo CD or Flux instead (`gitopscfg "+
			"export argocd %s`)", ErrUnsupported, c.CredentialName())
	case providers.UsesSSH(c):
		return fmt.Errorf("%w: %s goes to Git over SSH, and Devtron takes a username and a token over HTTPS only: keep a "+
			"credential with a token for Devtron, or export this one for Argo CD or Flux (`gitopscfg export argocd %s`)",
			ErrNoSSH, c.CredentialName(), c.CredentialName())
	}
	return nil
}

// sshTarget is the ssh:// form of the URL (prefix or repository) path under c's SSH address;
// the generic provider's own URL when it is an ssh:// one.
func sshTarget(c providers.Credentials, path string, prefix bool) (string, error) {
	u, err := providers.SSHRepoURL(c, path)
	if err != nil {
		return "", err
	}
	if prefix {
		return strings.TrimSuffix(u, ".git") + "/", nil
	}
	return u, nil
}

// knownHosts is c's trusted host key line, for the exports ("" none: the export then refuses).
func knownHosts(c providers.Credentials) (string, error) {
	if _, _, err := providers.TrustedHostKey(c); err != nil {
		return "", errors.New("no SSH host key is trusted for " + c.CredentialName() + " yet: run `gitopscfg check " + c.CredentialName() +
			"` (or set it with --trust-host-key) before exporting")
	}
	return strings.TrimSpace(c.SSHHostKey) + "\n", nil
}

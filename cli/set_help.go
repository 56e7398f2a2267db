package cli

// setLong is set's help text.
var setLong = `Add or update a credential. The token is read from standard input (--token-stdin), never from the
command line. Fields not given keep their stored values; a new credential needs --org, --username and
the token (--host defaults to the provider's public service). The credentials are checked against the
provider's API first and saved only if the check passes; --no-check saves without checking. --deep
adds the round trip (create a throw-away repository, clone, push, verify, delete) before saving, and
saves only if it passes too; --timeout then defaults to 60s. With --repo OWNER/REPO (an existing
repository; a GitLab subgroup path included) the round trip creates and deletes no repository: it
reads that one, pushes one commit to a throw-away branch, reads it back and deletes the branch, and
the live check reports the rights only creating repositories needs as not needed; --repo "" clears it.

CREDENTIAL names the credential: lower-case letters, digits and '-', at most 40 characters. A
provider's id is the name of the credential named after that provider, so ` + "`set github`" + ` needs no
--provider; any other new name does, and one provider may have several credentials (two GitHub
organisations with their own tokens). PROVIDER is one of ` + providerIDList() + `.

A GitHub App (--app-id, --app-key FILE, optionally --installation-id) is a credential of kind
github-app: its secret is its private key, read from the file, and its check mints an installation
token instead of reading a user.

An Azure DevOps service principal (--tenant-id, --client-id, optionally --authority-url) is a
credential of kind service-principal: its secret is a client secret on standard input
(--token-stdin), or a certificate: --sp-cert FILE, a PEM file holding the certificate registered on
the app registration and its unencrypted RSA private key, with which the check signs Microsoft
Entra ID's client assertion. (--client-cert and --client-key are another thing: a TLS client
certificate for servers that ask for one.)`

// setExample is set's examples.
const setExample = `  # Add GitHub and make it the active provider; the token comes from a variable, on standard input
  $ printf '%s' "$GITHUB_TOKEN" | gitopscfg set github --org acme --username octocat --token-stdin --activate

  # A self-hosted GitLab behind a private CA
  $ printf '%s' "$GITLAB_TOKEN" | gitopscfg set gitlab --host https://gitlab.example.com/ --org acme/gitops --username jdoe --token-stdin --ca-bundle /etc/ssl/corp-ca.pem

  # Bitbucket Cloud: an Atlassian API token and the account's e-mail address
  $ printf '%s' "$BITBUCKET_API_TOKEN" | gitopscfg set bitbucket --org acme --project-key GITOPS --username jdoe@example.com --token-stdin

  # Forgejo on Codeberg (the gitea provider)
  $ printf '%s' "$FORGEJO_TOKEN" | gitopscfg set forgejo --host https://codeberg.org/ --org acme --username jdoe --token-stdin

  # Change one field and keep the others, the token included
  $ gitopscfg set github --org acme-platform

  # A new token, saved only if the round trip passes too
  $ printf '%s' "$GITHUB_TOKEN" | gitopscfg set github --token-stdin --deep

  # Behind a corporate proxy that wants credentials (the password never on the command line)
  $ GITOPSCFG_PROXY_PASSWORD="$PROXY_PW" gitopscfg set github --proxy http://proxy.corp:3128 --proxy-username jdoe

  # A server that demands a client certificate
  $ gitopscfg set gitlab --client-cert /etc/ssl/gitops.crt --client-key /etc/ssl/gitops.key

  # The same, renewed on disk by cert-manager or Vault agent: the files are read where they are at each use
  $ gitopscfg set gitlab --client-cert /etc/gitops/tls/tls.crt --client-key /etc/gitops/tls/tls.key --client-cert-in-place

  # Repositories are created by hand: verify with a throw-away branch in an existing one
  $ printf '%s' "$GITLAB_TOKEN" | gitopscfg set gitlab --org acme --repo acme/platform/gitops-apps --token-stdin --deep

  # A second GitHub credential, for another organisation
  $ printf '%s' "$INFRA_TOKEN" | gitopscfg set acme-infra --provider github --org acme-infra --username octocat --token-stdin

  # A GitHub App: its ID and private key; its installation is found from the organisation
  $ gitopscfg set acme-app --provider github --org acme --app-id 123456 --app-key ./acme-gitops.pem`

package platforms

import "gitopscfg/providers"

func init() {
	register(Spec{Kind: KindDevtron, Name: "Devtron",
		Open: func(env *providers.Env, in Instance) (Platform, error) { return NewDevtron(env, in) },
		Settings: []Setting{
			{Flag: "url", Usage: "Devtron's URL (the address of its dashboard, e.g. https://devtron.example.com)",
				Ref: func(in *Instance) *string { return &in.URL }, Required: true, URL: true, Meta: "URL"},
			{Flag: "ca-bundle", Usage: "PEM file of a private CA that signed Devtron's certificate",
				Ref: func(in *Instance) *string { return &in.CABundle }, Path: "the CA bundle path", PathExample: "/etc/ssl/certs/corp-ca.pem"},
		},
		Secret:     &Secret{Noun: "Devtron API token", Usage: "read the Devtron API token from standard input"},
		SetDoc:     devtronSetDoc,
		Where:      func(in Instance) string { return in.URL },
		OneActive:  true,
		TokensOnly: true,
		NetFlags:   true,
		PushDoc:    devtronPushDoc,
		PushExits:  [2]string{"Devtron saved it", "Devtron refused it or its validation failed"},
	})
}

// devtronPushDoc is push's help about Devtron.
const devtronPushDoc = `Send a credential's stored configuration to a stored Devtron instance (the only one, those named
with --instance, or every one with --all-instances; several stored and none named is exit 2): it is
looked up there, then
created or updated by its id, normalised first (GitLab group path to its numeric
id, Bitbucket project key upper-case, GitHub's host as Devtron expects), with the CA bundle as
Devtron's TLS data (TLS data Devtron holds is never erased). Devtron then validates it (it creates,
clones, pushes to and deletes a repository, which can take minutes; Ctrl-C stops waiting).

Devtron has one active provider, the one its applications use, and saves every new configuration
as the active one. A push never changes Devtron's active provider silently: when it would, a
terminal is asked first; --activate does it without asking (and makes the provider the active one
here too). Without either, a configuration Devtron already holds is updated and stays inactive, and
one it does not hold is not created (exit 2).

Devtron keeps one configuration per provider: pushing a second GitHub credential to an instance that
holds the first replaces it there. A terminal is asked first; without one the push is refused (exit 2)
unless --replace is given.`

// devtronSetDoc is the help of `gitopscfg devtron set` and `gitopscfg devtron`.
var devtronSetDoc = Doc{
	Use:   "set [INSTANCE] --url URL --token-stdin [--ca-bundle FILE] [--proxy URL [--proxy-username U] [--no-proxy LIST]] [--client-cert FILE --client-key FILE [--client-cert-in-place]] [--no-check]",
	Short: "Store a Devtron instance (its API token is encrypted like the Git tokens)",
	Long: `Store a Devtron instance that ` + "`gitopscfg push devtron`" + ` sends configurations to, under the name
INSTANCE (default "default"; lower-case letters, digits and '-', at most 40 characters): a staging and
a production Devtron are two instances. The API token (Devtron: Global Configurations > Authorization >
API tokens; its user must be a super-admin) is read from standard input, never from the command line.
The instance is checked first (reachable, token valid, super-admin) and saved only if the check
passes; --no-check saves without checking.`,
	Example: `  # The token comes from a variable, on standard input
  $ printf '%s' "$DEVTRON_TOKEN" | gitopscfg devtron set --url https://devtron.example.com --token-stdin

  # A second instance, named staging
  $ printf '%s' "$STAGING_TOKEN" | gitopscfg devtron set staging --url https://devtron.staging.example.com --token-stdin

  # A Devtron whose certificate a private CA signed
  $ gitopscfg devtron set --ca-bundle /etc/ssl/corp-ca.pem`,
	Group: "Store or remove the Devtron instances credentials are pushed to",
	GroupExample: `  $ printf '%s' "$DEVTRON_TOKEN" | gitopscfg devtron set --url https://devtron.example.com --token-stdin
  $ printf '%s' "$STAGING_TOKEN" | gitopscfg devtron set staging --url https://devtron.staging.example.com --token-stdin
  $ gitopscfg devtron remove staging`,
}

package platforms

import (
	"fmt"
	"strings"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// An Azure DevOps service principal on the platforms: Argo CD's repository Secrets take it as
// azureServicePrincipalClientId, azureServicePrincipalClientSecret, azureServicePrincipalTenantId
// and, outside Microsoft's public cloud, azureActiveDirectoryEndpoint (argo-cd,
// docs/operator-manual/declarative-setup.md), and mint their own Entra tokens. Flux takes no
// client secret: its GitRepository's spec.provider azure signs in with the source-controller's
// workload identity.

// argoCDServicePrincipal is the part of an Argo CD Secret's stringData that gives c's principal.
func argoCDServicePrincipal(c providers.Credentials) Object {
	o := Object{
		{"azureServicePrincipalClientId", c.ClientID},
		{"azureServicePrincipalClientSecret", c.Token},
		{"azureServicePrincipalTenantId", c.TenantID},
	}
	if a := strings.TrimSpace(c.AuthorityURL); a != "" && strings.TrimRight(a, "/") != strings.TrimRight(providers.DefaultAuthorityURL, "/") {
		o = append(o, Field{"azureActiveDirectoryEndpoint", a})
	}
	return o
}

// argoCDAuth is the part of an Argo CD Secret's stringData that authenticates c: a username and
// a token, or a service principal.
func argoCDAuth(c providers.Credentials) Object {
	if c.Kind == config.CredentialServicePrincipal {
		return argoCDServicePrincipal(c)
	}
	return Object{{"username", providers.GitUsername(c)}, {"password", c.Token}}
}

// fluxWorkloadIdentity is why Flux gets no Secret for a service principal, and what to set up.
func fluxWorkloadIdentity(c providers.Credentials) error {
	return fmt.Errorf("Flux takes no client secret for Azure DevOps: it signs in with a workload identity, so there is no "+
		"Secret to export. Set it up instead: (1) on the app registration %s (tenant %s), or a user-assigned managed identity, "+
		"add a federated credential for the Kubernetes service account flux-system/source-controller (issuer: the cluster's "+
		"OIDC issuer URL); (2) annotate that service account with azure.workload.identity/client-id: %s and label the "+
		"source-controller pods azure.workload.identity/use: \"true\"; (3) give the GitRepository spec.provider: azure and no "+
		"secretRef. The identity must be a user of the Azure DevOps organisation (%s) with Code read access",
		c.ClientID, c.TenantID, c.ClientID, strings.TrimRight(c.Host, "/"))
}

// argoCDNoCertificate is why Argo CD gets no Secret for a service principal that signs in with a
// client certificate: its repository Secrets name a principal by azureServicePrincipalClientId,
// azureServicePrincipalClientSecret, azureServicePrincipalTenantId and
// azureActiveDirectoryEndpoint, a client secret and no certificate (argo-cd's repository
// credential fields), or else take useAzureWorkloadIdentity.
func argoCDNoCertificate(c providers.Credentials) error {
	return fmt.Errorf("nothing to export for %s: Argo CD has no field for a service principal's client certificate (its "+
		"repository Secrets take azureServicePrincipalClientId, azureServicePrincipalClientSecret and "+
		"azureServicePrincipalTenantId, and azureActiveDirectoryEndpoint: a client secret only). Either add a client secret to "+
		"the app registration %s (Certificates & secrets > Client secrets), store it as a credential of its own (gitopscfg set "+
		"NAME --provider azure --host %s --org %s --tenant-id %s --client-id %s --token-stdin) and export that one; or give "+
		"Argo CD a workload identity: federate the app registration with the argocd-repo-server service account and set "+
		"useAzureWorkloadIdentity: \"true\" on the repository Secret, without a secret",
		c.CredentialName(), c.ClientID, strings.TrimRight(c.Host, "/"), c.Org, c.TenantID, c.ClientID)
}

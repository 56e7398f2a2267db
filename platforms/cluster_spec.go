package platforms

import (
	"cmp"
	"fmt"
	"strings"

	"gitopscfg/providers"
)

// withCluster makes s (Argo CD or Flux, which read their Git credentials from Secrets) a kind with
// instances: a kubeconfig, its context and the namespace, delivered to by server-side apply.
func withCluster(s Spec) Spec {
	kind, ns := string(s.Kind), DefaultNamespace(s.Kind)
	s.Settings = []Setting{
		{Flag: "kubeconfig", Usage: "the kubeconfig whose cluster and user the Secrets are applied with (kept as a path: the file stays yours)",
			Ref: func(in *Instance) *string { return &in.Kubeconfig }, Required: true, Meta: "FILE",
			Path: "the kubeconfig path", PathExample: "/home/me/.kube/config"},
		{Flag: "context", Usage: "the kubeconfig's context (default: its current context)",
			Ref: func(in *Instance) *string { return &in.Context }, Meta: "CTX"},
		{Flag: "namespace", Usage: "the namespace " + s.Name + " runs in (default " + ns + ")",
			Ref: func(in *Instance) *string { return &in.Namespace }, Default: ns, Meta: "NS"},
	}
	s.Where = func(in Instance) string {
		return fmt.Sprintf("%s (context %s, namespace %s)", in.Kubeconfig, cmp.Or(in.Context, "current"), cmp.Or(in.Namespace, ns))
	}
	s.Open = func(env *providers.Env, in Instance) (Platform, error) { return NewCluster(env, in) }
	s.Prunes = true
	s.SetDoc = Doc{
		Use:   "set [INSTANCE] --kubeconfig FILE [--context CTX] [--namespace NS] [--no-check]",
		Short: "Store a cluster " + s.Name + " runs in (its kubeconfig is kept as a path)",
		Long: `Store a cluster that ` + "`gitopscfg push " + kind + "`" + ` applies ` + s.Name + `'s Secrets to, under the name INSTANCE
(default "default"; lower-case letters, digits and '-', at most 40 characters): a kubeconfig (an
absolute path: the file and its credentials stay yours, read at each push), one of its contexts
(default: its current one) and the namespace ` + s.Name + ` runs in (default ` + ns + `). The user needs a token or a
client certificate (exec plugins are not run) and may get, create, patch, list and delete Secrets
there` + cmOnly(s.Kind, " (and get, create and patch ConfigMaps, for the CA certificates)") + `. The cluster is checked first (it answers, the credentials
authenticate, the namespace exists, the user may do all that) and saved only if the check passes;
--no-check saves without checking.`,
		Example: `  $ gitopscfg ` + kind + ` set --kubeconfig /home/me/.kube/config
  $ gitopscfg ` + kind + ` set staging --kubeconfig /home/me/.kube/config --context staging --namespace ` + ns,
		Group: "Store or remove the clusters " + s.Name + "'s Secrets are pushed to",
		GroupExample: `  $ gitopscfg ` + kind + ` set --kubeconfig /home/me/.kube/config
  $ gitopscfg ` + kind + ` remove staging`,
	}
	s.PushDoc = `Apply a credential to a stored ` + s.Name + ` cluster as ` + "`gitopscfg export " + kind + "`" + ` renders it (the Secret` +
		cmOnly(s.Kind, ", and the Git host's entry in argocd-tls-certs-cm for a private CA") + `), with
server-side apply as field manager gitopscfg, its values in data, then read it back; a cluster that
holds it already is left alone. Fields another field manager changed there make the push refuse
and name it; --force takes them back (and pushes past the freshness gate). --prune also deletes the
Secrets gitopscfg applied there (its label and its field manager) for credentials no longer stored.`
	s.PushExits = [2]string{s.Name + "'s cluster holds it, read back", "the cluster refused it (RBAC, another field manager's change, no such namespace)"}
	return s
}

func cmOnly(kind Kind, s string) string {
	if kind == KindArgoCD {
		return s
	}
	return ""
}

// clusterTarget says where a push to the cluster went, for messages.
func (k *Cluster) clusterTarget() string {
	return strings.TrimRight(k.Server(), "/") + " (namespace " + k.ns + ")"
}

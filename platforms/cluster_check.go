package platforms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gitopscfg/platforms/kube"
	"gitopscfg/providers"
)

// The checks of a cluster instance, in the order they run.
const (
	CheckClusterReachable = "cluster:reachable"
	CheckClusterAuth      = "cluster:auth"
	CheckClusterNamespace = "cluster:namespace"
	CheckClusterAccess    = "cluster:access"
)

// access is one permission a delivery needs; optional ones only warn (prune's delete).
type access struct {
	verb, resource string
	optional       bool
}

// needs are the permissions a delivery into a namespace of kind needs: get, create and patch
// Secrets (server-side apply creates with a patch, which RBAC checks as create), list them for
// the drift and the orphans, delete them for prune; Argo CD's ConfigMaps for its CA and known hosts.
func needs(kind Kind) []access {
	out := []access{{"get", "secrets", false}, {"create", "secrets", false}, {"patch", "secrets", false},
		{"list", "secrets", false}, {"delete", "secrets", true}}
	if kind == KindArgoCD {
		out = append(out, access{"get", "configmaps", false}, access{"create", "configmaps", false}, access{"patch", "configmaps", false})
	}
	return out
}

// Check is the instance's own check: the API server answers and its certificate is the
// kubeconfig CA's, the credentials authenticate (it names the user), the namespace exists, and the
// user may do what a delivery needs there (SelfSubjectAccessReview; a refusal names the verb and
// the resource).
func (k *Cluster) Check(ctx context.Context) (r providers.Result) {
	start := time.Now()
	r = providers.Result{Host: k.Server()}
	defer func() {
		r.DurationMS = time.Since(start).Milliseconds()
		r.Finish()
	}()
	user, err := k.client.Whoami(ctx)
	var ae *kube.APIError
	switch {
	case errors.As(err, &ae) && ae.Status == 0:
		r.Add(CheckClusterReachable, providers.Fail, err.Error())
		return r
	case errors.As(err, &ae) && ae.Reason == kube.ReasonUnauthorized:
		r.Add(CheckClusterReachable, providers.Pass, "the API server answers at "+k.Server())
		r.Add(CheckClusterAuth, providers.Fail, ae.Msg)
		return r
	case err != nil:
		r.Add(CheckClusterReachable, providers.Fail, err.Error())
		return r
	}
	r.Add(CheckClusterReachable, providers.Pass, "the API server answers at "+k.Server())
	r.Add(CheckClusterAuth, providers.Pass, "authenticated as "+user)
	r.User = user
	k.checkNamespace(ctx, &r)
	k.checkAccess(ctx, &r)
	return r
}

// checkNamespace says whether the namespace exists. A user who may not read namespaces (a
// service account bound to a Role in it) cannot tell: a warning, not a failure.
func (k *Cluster) checkNamespace(ctx context.Context, r *providers.Result) {
	ok, err := k.client.Namespace(ctx, k.ns)
	switch {
	case err == nil && ok:
		r.Add(CheckClusterNamespace, providers.Pass, "the namespace "+k.ns+" exists")
	case err == nil:
		r.Add(CheckClusterNamespace, providers.Fail, fmt.Sprintf("the namespace %s does not exist in the cluster: %s reads its Secrets from the namespace it runs in; create it, or set --namespace", k.ns, k.spec.Name))
	case errors.Is(err, kube.ErrForbidden):
		r.Add(CheckClusterNamespace, providers.Warn, fmt.Sprintf("cannot tell whether the namespace %s exists: the user may not get namespaces (a push says so if it does not)", k.ns))
	default:
		r.Add(CheckClusterNamespace, providers.Fail, err.Error())
	}
}

// checkAccess asks, for each permission a delivery needs, whether the user has it.
func (k *Cluster) checkAccess(ctx context.Context, r *providers.Result) {
	var missing, optional []string
	for _, a := range needs(k.spec.Kind) {
		got, err := k.client.CanI(ctx, k.ns, a.verb, a.resource)
		if err != nil {
			r.Add(CheckClusterAccess, providers.Fail, "cannot ask the API server what the user may do: "+err.Error())
			return
		}
		switch {
		case got.Allowed:
		case a.optional:
			optional = append(optional, a.verb+" "+a.resource)
		default:
			missing = append(missing, a.verb+" "+a.resource)
		}
	}
	if len(missing) > 0 {
		r.Add(CheckClusterAccess, providers.Fail, fmt.Sprintf("the user may not %s in the namespace %s: grant it with a Role and a RoleBinding there", strings.Join(missing, ", "), k.ns))
		return
	}
	msg := "the user may get, create, patch and list Secrets in " + k.ns
	if k.spec.Kind == KindArgoCD {
		msg += ", and get, create and patch its ConfigMaps"
	}
	r.Add(CheckClusterAccess, providers.Pass, msg)
	if len(optional) > 0 {
		r.Add(CheckClusterAccess, providers.Warn, fmt.Sprintf("the user may not %s in %s: push --prune cannot remove orphaned Secrets", strings.Join(optional, ", "), k.ns))
	}
}

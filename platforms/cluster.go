package platforms

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"

	"gitopscfg/platforms/kube"
	"gitopscfg/providers"
)

// FieldManager is the field manager gitopscfg applies as: the API server records which fields it
// set, so that another manager's change shows as a conflict (drift) and prune touches only its own.
const FieldManager = "gitopscfg"

// The labels every object gitopscfg delivers to a cluster carries (LabelManagedBy also in the
// exports); a Secret also names its credential, so that one whose credential is gone is found.
const (
	LabelManagedBy  = "app.kubernetes.io/managed-by"
	LabelCredential = "gitopscfg/credential"
)

// DefaultNamespace is the namespace a platform reads its Secrets from by default.
func DefaultNamespace(kind Kind) string {
	if kind == KindFlux {
		return "flux-system"
	}
	return "argocd"
}

// Cluster is a client of one cluster instance of Argo CD or Flux: it applies what the platform's
// export renders, with server-side apply as FieldManager, into the instance's namespace.
type Cluster struct {
	spec   Spec
	name   string
	ns     string
	client *kube.Client
	env    *providers.Env
}

// NewCluster returns a client of the cluster instance in (of kind Argo CD or Flux: its kubeconfig,
// context and namespace), refusing a kubeconfig it cannot use (unreadable, no such context,
// insecure, an exec plugin) before any request.
func NewCluster(env *providers.Env, in Instance) (*Cluster, error) {
	spec, ok := specs[in.Kind]
	if !ok || spec.Export == nil {
		return nil, fmt.Errorf("platform %q is not delivered to clusters", in.Kind)
	}
	if in.Kubeconfig == "" {
		return nil, fmt.Errorf("no kubeconfig is stored for the %s instance %s: run `gitopscfg %s set %s --kubeconfig FILE`", spec.Name, in.Name, in.Kind, in.Name)
	}
	cfg, err := kube.LoadConfig(in.Kubeconfig, in.Context)
	if err != nil {
		return nil, err
	}
	ua := "gitopscfg"
	if env != nil && env.Clients != nil {
		ua = env.Clients.UserAgent()
	}
	client, err := kube.New(cfg, ua)
	if err != nil {
		return nil, err
	}
	ns := cmp.Or(in.Namespace, DefaultNamespace(in.Kind))
	if err := checkNames(ns, "x"); err != nil {
		return nil, err
	}
	return &Cluster{spec: spec, name: in.Name, ns: ns, client: client, env: env}, nil
}

// Namespace is the namespace the instance delivers into.
func (k *Cluster) Namespace() string { return k.ns }

// Server is the API server's URL, for messages.
func (k *Cluster) Server() string { return k.client.Config().Server }

// Requests is how many requests the client has sent so far.
func (k *Cluster) Requests() int { return k.client.Requests() }

// render is what the platform's export prints for c, as the objects to apply: Secrets with their
// values in data (a Secret applied through stringData never reports conflicts), each labelled
// with its credential. The token (and its base64) is masked in every message from here on.
func (k *Cluster) render(ctx context.Context, c providers.Credentials) ([]kube.Object, error) {
	k.client.Mask(c.Token, base64.StdEncoding.EncodeToString([]byte(c.Token)))
	objs, err := k.spec.Export(ctx, k.env, c, ExportOptions{Namespace: k.ns})
	if err != nil {
		return nil, err
	}
	out := make([]kube.Object, 0, len(objs))
	for _, o := range objs {
		ko, err := toKube(o)
		if err != nil {
			return nil, err
		}
		if ko.Kind == "Secret" {
			// A ConfigMap (Argo CD's argocd-tls-certs-cm) is shared: only its keys are gitopscfg's.
			ko.Metadata.Labels[LabelManagedBy] = FieldManager
			ko.Metadata.Labels[LabelCredential] = c.CredentialName()
		}
		out = append(out, ko)
	}
	return out, nil
}

// toKube converts an exported manifest to the object to apply (stringData becomes data).
func toKube(o Object) (kube.Object, error) {
	str := func(path string) string { s, _ := o.Get(path).(string); return s }
	ko := kube.Object{APIVersion: str("apiVersion"), Kind: str("kind"), Type: str("type"),
		Metadata: kube.Meta{Name: str("metadata.name"), Namespace: str("metadata.namespace"), Labels: map[string]string{}},
		Data:     map[string]string{}}
	if labels, ok := o.Get("metadata.labels").(Object); ok {
		for _, f := range labels {
			ko.Metadata.Labels[f.Key], _ = f.Value.(string)
		}
	}
	data, _ := o.Get("data").(Object)
	if ko.Kind == "Secret" {
		data, _ = o.Get("stringData").(Object)
	}
	for _, f := range data {
		v, _ := f.Value.(string)
		if ko.Kind == "Secret" {
			v = base64.StdEncoding.EncodeToString([]byte(v))
		}
		ko.Data[f.Key] = v
	}
	if ko.Kind != "Secret" && ko.Kind != "ConfigMap" {
		return kube.Object{}, fmt.Errorf("the export rendered a %s, which is not delivered to clusters", ko.Kind)
	}
	return ko, nil
}

// difference is one field of a delivered object that does not hold what gitopscfg would apply,
// and the other field managers that own it ("" none: the store changed since the push).
type difference struct {
	field  string // "password", "label:app.kubernetes.io/managed-by"
	path   []string
	owners []string
}

// differences compares what the cluster holds (got) with what would be applied (want): each key
// of data and each label gitopscfg sets, never their values.
func differences(want, got kube.Object) []difference {
	var out []difference
	for _, key := range slices.Sorted(maps.Keys(want.Data)) {
		if v, ok := got.Data[key]; !ok || v != want.Data[key] {
			out = append(out, difference{field: key, path: []string{"data", key}, owners: others(got.Owners("data", key))})
		}
	}
	for _, key := range slices.Sorted(maps.Keys(want.Metadata.Labels)) {
		if v, ok := got.Metadata.Labels[key]; !ok || v != want.Metadata.Labels[key] {
			out = append(out, difference{field: "label:" + key, path: []string{"metadata", "labels", key},
				owners: others(got.Owners("metadata", "labels", key))})
		}
	}
	return out
}

// others are the managers other than gitopscfg.
func others(managers []string) []string {
	return slices.DeleteFunc(managers, func(m string) bool { return m == FieldManager })
}

// objectName names an object for messages: "Secret argocd/gitopscfg-github-repo-creds".
func objectName(o kube.Object) string {
	return o.Kind + " " + o.Metadata.Namespace + "/" + o.Metadata.Name
}

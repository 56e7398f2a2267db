package platforms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gitopscfg/platforms/kube"
	"gitopscfg/providers"
)

// Orphan is a Secret gitopscfg applied to a cluster for a credential that is no longer stored (or
// that now renders under another name).
type Orphan struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Credential is the credential it was applied for (its label).
	Credential string `json:"credential"`
}

// clusterState is what one comparison read of the cluster: gitopscfg's Secrets (one list) and
// the ConfigMaps and unlabelled Secrets read one by one.
type clusterState struct {
	secrets map[string]kube.Object
	read    map[string]*readObject // kind/name → one GET each
}

type readObject struct {
	obj   kube.Object
	found bool
	err   error
}

// Compare says, for each stored credential, whether the cluster holds what a push would apply
// (in_sync), holds other values (differs: the fields, never their values, and the field managers
// that changed them) or does not hold it (absent); and lists the orphans. It reads gitopscfg's
// Secrets in one request, and each ConfigMap once.
func (k *Cluster) Compare(ctx context.Context, stored []providers.Credentials) (Drift, error) {
	st, err := k.readState(ctx)
	if err != nil {
		return Drift{}, err
	}
	out := Drift{Credentials: map[string]ProviderDrift{}}
	rendered := map[string][]kube.Object{}
	for _, c := range stored {
		objs, err := k.render(ctx, c)
		if err != nil {
			out.Credentials[c.CredentialName()] = ProviderDrift{Provider: c.Provider, State: DriftUnknown, Reason: k.client.Redact(err.Error())}
			continue
		}
		rendered[c.CredentialName()] = objs
		pd := k.compareOne(ctx, objs, st)
		pd.Provider = c.Provider
		out.Credentials[c.CredentialName()] = pd
	}
	for _, o := range orphans(st.secrets, stored, rendered) {
		// The credential, as status names what an instance holds for one no longer stored; a
		// stored credential's Secret under an old name by the Secret's.
		name := o.Credential
		if _, ok := rendered[name]; ok {
			name = o.Kind + " " + o.Namespace + "/" + o.Name
		}
		if !slices.Contains(out.Orphaned, name) {
			out.Orphaned = append(out.Orphaned, name)
		}
	}
	return out, nil
}

func (k *Cluster) readState(ctx context.Context) (*clusterState, error) {
	list, err := k.client.List(ctx, k.ns, "Secret", LabelManagedBy+"="+FieldManager)
	if err != nil {
		return nil, err
	}
	st := &clusterState{secrets: map[string]kube.Object{}, read: map[string]*readObject{}}
	for _, o := range list {
		st.secrets[o.Metadata.Name] = o
	}
	return st, nil
}

// get is the object kind/name as the cluster holds it: from the list, else read once.
func (k *Cluster) get(ctx context.Context, st *clusterState, want kube.Object) *readObject {
	if o, ok := st.secrets[want.Metadata.Name]; ok && want.Kind == "Secret" {
		return &readObject{obj: o, found: true}
	}
	key := want.Kind + "/" + want.Metadata.Name
	if r := st.read[key]; r != nil {
		return r
	}
	r := &readObject{}
	r.obj, r.err = k.client.Get(ctx, want.Metadata.Namespace, want.Kind, want.Metadata.Name)
	r.found = r.err == nil
	if errors.Is(r.err, kube.ErrNotFound) {
		r.err = nil
	}
	st.read[key] = r
	return r
}

// compareOne compares one credential's objects with the cluster's.
func (k *Cluster) compareOne(ctx context.Context, objs []kube.Object, st *clusterState) ProviderDrift {
	pd := ProviderDrift{State: InSync}
	var owners []string
	for _, want := range objs {
		r := k.get(ctx, st, want)
		switch {
		case r.err != nil:
			return ProviderDrift{State: DriftUnknown, Reason: "read " + objectName(want) + ": " + r.err.Error()}
		case !r.found && want.Kind == "Secret":
			return ProviderDrift{State: Absent}
		case !r.found:
			pd.Fields = append(pd.Fields, want.Metadata.Name)
			continue
		}
		for _, d := range differences(want, r.obj) {
			field := d.field
			if want.Kind != "Secret" {
				field = want.Metadata.Name + ":" + field
			}
			pd.Fields = append(pd.Fields, field)
			for _, o := range d.owners {
				if !slices.Contains(owners, o) {
					owners = append(owners, o)
				}
			}
		}
	}
	if len(pd.Fields) > 0 {
		pd.State, pd.Manager = Differs, strings.Join(owners, ", ")
		if pd.Manager == "" {
			pd.Reason = "the cluster does not hold what is stored (the store changed since the last push, or the fields were removed there)"
		} else {
			pd.Reason = fmt.Sprintf("changed in the cluster by %s", pd.Manager)
		}
	}
	return pd
}

// orphans are gitopscfg's Secrets (its label and its field manager) that no stored credential
// renders: their credential is gone, or renders under another name now. The Secrets of a
// credential that could not be rendered are never orphans.
func orphans(secrets map[string]kube.Object, stored []providers.Credentials, rendered map[string][]kube.Object) []Orphan {
	storedNames := map[string]bool{}
	for _, c := range stored {
		storedNames[c.CredentialName()] = true
	}
	var out []Orphan
	for _, name := range sortedKeys(secrets) {
		o := secrets[name]
		cred := o.Metadata.Labels[LabelCredential]
		if !o.ManagedBy(FieldManager) || cred == "" {
			continue
		}
		objs, ok := rendered[cred]
		if storedNames[cred] && (!ok || slices.ContainsFunc(objs, func(w kube.Object) bool { return w.Kind == "Secret" && w.Metadata.Name == name })) {
			continue
		}
		out = append(out, Orphan{Kind: "Secret", Namespace: o.Metadata.Namespace, Name: name, Credential: cred})
	}
	return out
}

func sortedKeys(m map[string]kube.Object) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// prune deletes the orphans of a push of the credential current (which renders as objs): Secrets
// carrying gitopscfg's label and field manager whose credential is not in keep, or is current
// under another name now. Each is deleted only if it did not change since it was listed. It
// returns the ones deleted; the error says why the rest were not.
func (k *Cluster) prune(ctx context.Context, keep []string, current string, objs []kube.Object) ([]Orphan, error) {
	st, err := k.readState(ctx)
	if err != nil {
		return nil, err
	}
	var stored []providers.Credentials
	for _, name := range keep {
		stored = append(stored, providers.Credentials{Name: name})
	}
	var done []Orphan
	for _, o := range orphans(st.secrets, stored, map[string][]kube.Object{current: objs}) {
		if err := k.client.Delete(ctx, st.secrets[o.Name]); err != nil && !errors.Is(err, kube.ErrNotFound) {
			return done, fmt.Errorf("delete the orphaned Secret %s/%s: %w", o.Namespace, o.Name, err)
		}
		done = append(done, o)
	}
	return done, nil
}

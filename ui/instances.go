package ui

import (
	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/usecase"
)

// The picker shows every stored platform instance of every kind that has instances (Devtron's,
// and the clusters Argo CD and Flux read their Secrets from), each by its kind and name. While
// only Devtron instances are stored, they are named as they always were: by their names alone
// under "Devtron".

// instKey names one stored platform instance.
type instKey struct {
	kind platforms.Kind
	name string
}

// spec is the instance's kind of platform.
func (k instKey) spec() platforms.Spec {
	s, _ := platforms.Lookup(string(k.kind))
	return s
}

// instancesIn are the platform instances d stores: kind by kind in the registry's order, then by
// name.
func instancesIn(d *config.Data) []instKey {
	if d == nil {
		return nil
	}
	var out []instKey
	for _, in := range usecase.StoredInstances(d) {
		out = append(out, instKey{in.Kind, in.Name})
	}
	return out
}

// instances are the stored platform instances (instancesIn).
func (p *picker) instances() []instKey { return instancesIn(p.data) }

// instance is the stored instance k (zero when none is stored by that name).
func (p *picker) instance(k instKey) platforms.Instance {
	if p.data == nil {
		return platforms.Instance{}
	}
	if in := platforms.InstanceOf(k.kind, k.name, p.data.Platforms[string(k.kind)][k.name]); in != nil {
		return *in
	}
	return platforms.Instance{}
}

// where is where the stored instance k answers, for the screen ("" when it is not stored).
func (p *picker) where(k instKey) string {
	in := p.instance(k)
	if in.Kind == "" {
		return ""
	}
	return k.spec().Where(in)
}

// oneKindIn reports whether every instance d stores is of one kind (the kind's name then heads
// the lists, and each instance is named by its name alone).
func oneKindIn(d *config.Data) bool {
	insts := instancesIn(d)
	for _, k := range insts {
		if k.kind != insts[0].kind {
			return false
		}
	}
	return true
}

// listNameIn is how a list of the instances d stores names k: its name while every instance is
// of one kind ("staging"), else its platform and name ("Argo CD prod"; the platform alone for the
// only instance of its kind named default).
func listNameIn(d *config.Data, k instKey) string {
	if oneKindIn(d) {
		return k.name
	}
	return kindNamedIn(d, k)
}

// kindNamedIn is the platform's name, and the instance's unless it is the only one of its kind
// that d stores and named default.
func kindNamedIn(d *config.Data, k instKey) string {
	if len(d.InstanceNames(string(k.kind))) == 1 && k.name == config.DefaultInstance {
		return k.spec().Name
	}
	return k.spec().Name + " " + k.name
}

// namedIn is how prose names the instance k: "Devtron" while it is the only one d stores, else
// "Devtron staging" (or "Argo CD" for the only Argo CD instance, named default, beside others).
func namedIn(d *config.Data, k instKey) string {
	switch {
	case len(instancesIn(d)) == 1:
		return k.spec().Name
	case oneKindIn(d):
		return k.spec().Name + " " + k.name
	}
	return kindNamedIn(d, k)
}

func (p *picker) oneKind() bool             { return oneKindIn(p.data) }
func (p *picker) listName(k instKey) string { return listNameIn(p.data, k) }
func (p *picker) named(k instKey) string    { return namedIn(p.data, k) }

// at starts a notice about the instance k: "" while it is the only one, else "Devtron staging: ".
func (p *picker) at(k instKey) string {
	if len(p.instances()) > 1 {
		return p.named(k) + ": "
	}
	return ""
}

package platforms

import (
	"fmt"
	"net/url"
	"strings"
)

// argoCDKnownHosts is the argocd-ssh-known-hosts-cm ConfigMap holding the trusted host key lines.
// Applied as it is, it replaces Argo CD's own list: merge it into yours when you trust others.
func argoCDKnownHosts(ns, lines string) Object {
	return Object{
		{"apiVersion", "v1"},
		{"kind", "ConfigMap"},
		{"metadata", Object{
			{"name", knownHostsConfigMap},
			{"namespace", ns},
			{"labels", Object{
				{"app.kubernetes.io/name", knownHostsConfigMap},
				{"app.kubernetes.io/part-of", "argocd"},
			}},
		}},
		{"data", Object{{"ssh_known_hosts", lines}}},
	}
}

// knownHostsConfigMap is the ConfigMap Argo CD reads the SSH known hosts from.
const knownHostsConfigMap = "argocd-ssh-known-hosts-cm"

// argoCDTLSCerts is the argocd-tls-certs-cm ConfigMap in namespace ns holding the CA bundle ca
// for host's name.
func argoCDTLSCerts(host, ns, ca string) Object {
	u, _ := url.Parse(host)
	return Object{
		{"apiVersion", "v1"},
		{"kind", "ConfigMap"},
		{"metadata", Object{
			{"name", "argocd-tls-certs-cm"},
			{"namespace", ns},
			{"labels", Object{
				{"app.kubernetes.io/name", "argocd-tls-certs-cm"},
				{"app.kubernetes.io/part-of", "argocd"},
			}},
		}},
		{"data", Object{{u.Hostname(), ca}}},
	}
}

// tlsCertsConfigMap is the ConfigMap Argo CD reads the Git hosts' CA certificates from.
const tlsCertsConfigMap = "argocd-tls-certs-cm"

// MergeExports joins the manifests exported for several credentials (names[i] made sets[i]) into
// one stream. The argocd-tls-certs-cm ConfigMaps of several credentials become one holding every
// host's certificates, where the first stood, since applying several would leave only the last;
// two credentials with different certificates for one host are an error naming both.
func MergeExports(names []string, sets [][]Object) ([]Object, error) {
	var out []Object
	type merged struct {
		at   int // index in out
		data Object
		from map[string]string // host → the credential whose certificates it holds
	}
	byNS := map[string]*merged{}
	for i, objs := range sets {
		for _, o := range objs {
			if o.Get("kind") != "ConfigMap" || o.Get("metadata.name") != tlsCertsConfigMap {
				out = append(out, o)
				continue
			}
			ns, _ := o.Get("metadata.namespace").(string)
			data, _ := o.Get("data").(Object)
			m := byNS[ns]
			if m == nil {
				byNS[ns] = &merged{at: len(out), from: map[string]string{}}
				m = byNS[ns]
				out = append(out, nil)
			}
		fields:
			for _, f := range data {
				for _, have := range m.data {
					if have.Key != f.Key {
						continue
					}
					if have.Value != f.Value {
						return nil, fmt.Errorf("%s and %s trust different CA bundles for the Git host %s, and Argo CD's %s holds one per host: store the same bundle for both", m.from[f.Key], names[i], f.Key, tlsCertsConfigMap)
					}
					continue fields
				}
				m.data = append(m.data, f)
				m.from[f.Key] = names[i]
			}
			out[m.at] = withField(o, "data", m.data)
		}
	}
	return mergeKnownHosts(out), nil
}

// mergeKnownHosts joins the argocd-ssh-known-hosts-cm ConfigMaps of one namespace into the first,
// holding every line once: applying several would leave only the last.
func mergeKnownHosts(objs []Object) []Object {
	var out []Object
	first := map[string]int{}
	for _, o := range objs {
		if o.Get("kind") != "ConfigMap" || o.Get("metadata.name") != knownHostsConfigMap {
			out = append(out, o)
			continue
		}
		ns, _ := o.Get("metadata.namespace").(string)
		lines, _ := o.Get("data.ssh_known_hosts").(string)
		at, seen := first[ns]
		if !seen {
			first[ns] = len(out)
			out = append(out, o)
			continue
		}
		have, _ := out[at].Get("data.ssh_known_hosts").(string)
		for l := range strings.SplitSeq(strings.TrimSpace(lines), "\n") {
			if !strings.Contains("\n"+have, "\n"+l+"\n") {
				have += l + "\n"
			}
		}
		out[at] = withField(out[at], "data", Object{{"ssh_known_hosts", have}})
	}
	return out
}

// withField is a copy of o whose field key holds v.
func withField(o Object, key string, v any) Object {
	c := make(Object, len(o))
	for i, f := range o {
		if f.Key == key {
			f.Value = v
		}
		c[i] = f
	}
	return c
}

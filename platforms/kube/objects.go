package kube

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Object is a Secret or a ConfigMap as it travels. Data holds the wire values: base64 for a
// Secret (see SecretValue), plain text for a ConfigMap.
type Object struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   Meta              `json:"metadata"`
	Type       string            `json:"type,omitempty"`
	Data       map[string]string `json:"data,omitempty"`
}

// Meta is an object's metadata.
type Meta struct {
	Name            string            `json:"name"`
	Namespace       string            `json:"namespace,omitempty"`
	Labels          map[string]string `json:"labels,omitempty"`
	UID             string            `json:"uid,omitempty"`
	ResourceVersion string            `json:"resourceVersion,omitempty"`
	ManagedFields   []ManagedFields   `json:"managedFields,omitempty"`
}

// ManagedFields is one field manager's entry: which fields it set, how and when.
type ManagedFields struct {
	Manager   string         `json:"manager"`
	Operation string         `json:"operation"`
	Time      string         `json:"time,omitempty"`
	FieldsV1  map[string]any `json:"fieldsV1,omitempty"`
}

// SecretValue is the decoded value of a Secret's data key.
func (o Object) SecretValue(key string) (string, bool) {
	v, ok := o.Data[key]
	if !ok {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// Owners are the field managers that own the field at path (e.g. "data", "password"), in the
// object's order.
func (o Object) Owners(path ...string) []string {
	var out []string
	for _, m := range o.Metadata.ManagedFields {
		node := m.FieldsV1
		for _, p := range path {
			next, ok := node["f:"+p].(map[string]any)
			if !ok {
				node = nil
				break
			}
			node = next
		}
		if node != nil && !slices.Contains(out, m.Manager) {
			out = append(out, m.Manager)
		}
	}
	return out
}

// ManagedBy reports whether manager owns any field of the object.
func (o Object) ManagedBy(manager string) bool {
	return slices.ContainsFunc(o.Metadata.ManagedFields, func(m ManagedFields) bool { return m.Manager == manager })
}

// resource is the plural the API names kind's objects by.
func resource(kind string) (string, error) {
	switch kind {
	case "Secret":
		return "secrets", nil
	case "ConfigMap":
		return "configmaps", nil
	}
	return "", fmt.Errorf("objects of kind %q are not handled", kind)
}

func objectPath(ns, kind, name string) (string, error) {
	res, err := resource(kind)
	if err != nil {
		return "", err
	}
	p := "/api/v1/namespaces/" + url.PathEscape(ns) + "/" + res
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p, nil
}

// Get reads the object kind/name in ns (an *APIError with ReasonNotFound when it does not exist).
func (c *Client) Get(ctx context.Context, ns, kind, name string) (Object, error) {
	path, err := objectPath(ns, kind, name)
	if err != nil {
		return Object{}, err
	}
	var o Object
	err = c.do(ctx, http.MethodGet, path, "", nil, &o)
	return o, err
}

// Apply server-side applies o as the field manager manager and returns the object as stored.
// Without force, fields another manager owns with other values make an *APIError with
// ReasonConflict whose Conflicts name them; with force they are taken.
func (c *Client) Apply(ctx context.Context, o Object, manager string, force bool) (Object, error) {
	path, err := objectPath(o.Metadata.Namespace, o.Kind, o.Metadata.Name)
	if err != nil {
		return Object{}, err
	}
	q := url.Values{"fieldManager": {manager}, "force": {fmt.Sprint(force)}}
	var out Object
	// JSON is YAML: the apply-patch content type reads it.
	err = c.do(ctx, http.MethodPatch, path+"?"+q.Encode(), "application/apply-patch+yaml", o, &out)
	return out, err
}

// List reads the objects of kind in ns that carry the labels of selector ("key=value,…").
func (c *Client) List(ctx context.Context, ns, kind, selector string) ([]Object, error) {
	path, err := objectPath(ns, kind, "")
	if err != nil {
		return nil, err
	}
	if selector != "" {
		path += "?" + url.Values{"labelSelector": {selector}}.Encode()
	}
	var out struct {
		Items []Object `json:"items"`
	}
	if err := c.do(ctx, http.MethodGet, path, "", nil, &out); err != nil {
		return nil, err
	}
	kind = strings.TrimSpace(kind)
	for i := range out.Items {
		// A list's items carry no kind of their own.
		out.Items[i].Kind, out.Items[i].APIVersion = kind, "v1"
	}
	return out.Items, nil
}

// Delete deletes o, only if it is still the object read (its uid and resourceVersion): one
// changed since is left alone (an *APIError with ReasonConflict).
func (c *Client) Delete(ctx context.Context, o Object) error {
	path, err := objectPath(o.Metadata.Namespace, o.Kind, o.Metadata.Name)
	if err != nil {
		return err
	}
	body := map[string]any{"apiVersion": "v1", "kind": "DeleteOptions",
		"preconditions": map[string]any{"uid": o.Metadata.UID, "resourceVersion": o.Metadata.ResourceVersion}}
	return c.do(ctx, http.MethodDelete, path, "application/json", body, nil)
}

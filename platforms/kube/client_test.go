package kube

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gitopscfg/platforms/kube/kubetest"
)

func TestMain(m *testing.M) { kubetest.Main(m) }

func adminClient(t *testing.T) (*Client, *kubetest.Server, string) {
	t.Helper()
	srv := kubetest.Shared(t)
	cfg, err := LoadConfig(srv.Kubeconfig(t, kubetest.KubeconfigOptions{}), "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, "gitopscfg-test")
	if err != nil {
		t.Fatal(err)
	}
	return c, srv, srv.Namespace(t, "kube")
}

func secret(ns, name, value string) Object {
	return Object{APIVersion: "v1", Kind: "Secret", Type: "Opaque",
		Metadata: Meta{Name: name, Namespace: ns, Labels: map[string]string{"app": "x"}},
		Data:     map[string]string{"password": value}}
}

// An apply over another manager's field is a Conflict that names the manager and the field; the
// Status message is kept; force takes the field.
func TestKubeApplyConflictNamesManager(t *testing.T) {
	c, srv, ns := adminClient(t)
	if _, err := c.Apply(t.Context(), secret(ns, "s", "YQ=="), "gitopscfg", false); err != nil {
		t.Fatal(err)
	}
	srv.Apply(t, "kubectl-edit", true, map[string]any{"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "s", "namespace": ns}, "data": map[string]any{"password": "Yg=="}})
	_, err := c.Apply(t.Context(), secret(ns, "s", "YQ=="), "gitopscfg", false)
	var ae *APIError
	if !errors.As(err, &ae) || !errors.Is(err, ErrConflict) || ae.Status != http.StatusConflict ||
		!slices.Equal(ae.Conflicts, []Conflict{{Manager: "kubectl-edit", Field: ".data.password"}}) ||
		!strings.Contains(ae.Msg, `conflict with "kubectl-edit"`) {
		t.Fatalf("apply over another manager's field: %#v", err)
	}
	got, err := c.Apply(t.Context(), secret(ns, "s", "YQ=="), "gitopscfg", true)
	if err != nil || got.Data["password"] != "YQ==" || !slices.Equal(got.Owners("data", "password"), []string{"gitopscfg"}) {
		t.Fatalf("forced apply: %v %+v", err, got.Metadata.ManagedFields)
	}
}

// Delete removes only the object as it was read: one changed since stays.
func TestKubeDeleteOnlyWhatWasRead(t *testing.T) {
	c, srv, ns := adminClient(t)
	if _, err := c.Apply(t.Context(), secret(ns, "s", "YQ=="), "gitopscfg", false); err != nil {
		t.Fatal(err)
	}
	read, err := c.Get(t.Context(), ns, "Secret", "s")
	if err != nil {
		t.Fatal(err)
	}
	srv.Apply(t, "other", true, map[string]any{"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "s", "namespace": ns}, "data": map[string]any{"other": "Yg=="}})
	if err := c.Delete(t.Context(), read); !errors.Is(err, ErrConflict) {
		t.Fatalf("delete of a changed object: %v", err)
	}
	list, err := c.List(t.Context(), ns, "Secret", "app=x")
	if err != nil || len(list) != 1 || list[0].Kind != "Secret" {
		t.Fatalf("list: %v %+v", err, list)
	}
	if err := c.Delete(t.Context(), list[0]); err != nil {
		t.Fatalf("delete as read: %v", err)
	}
	if _, err := c.Get(t.Context(), ns, "Secret", "s"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
}

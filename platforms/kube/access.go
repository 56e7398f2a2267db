package kube

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Whoami is the user the API server authenticates the client as (SelfSubjectReview).
func (c *Client) Whoami(ctx context.Context) (string, error) {
	var out struct {
		Status struct {
			UserInfo struct {
				Username string `json:"username"`
			} `json:"userInfo"`
		} `json:"status"`
	}
	body := map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
	if err := c.do(ctx, http.MethodPost, "/apis/authentication.k8s.io/v1/selfsubjectreviews", "", body, &out); err != nil {
		return "", err
	}
	return out.Status.UserInfo.Username, nil
}

// Namespace reports whether the namespace ns exists (an *APIError when the server could not say:
// a get on namespaces the user may not do is a Forbidden).
func (c *Client) Namespace(ctx context.Context, ns string) (bool, error) {
	err := c.do(ctx, http.MethodGet, "/api/v1/namespaces/"+url.PathEscape(ns), "", nil, nil)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// Access is the answer to "may the user verb resource in namespace".
type Access struct {
	Verb, Resource, Namespace string
	Allowed                   bool
	// Reason is the authorizer's explanation, when it gave one.
	Reason string
}

func (a Access) String() string {
	return fmt.Sprintf("%s %s in namespace %s", a.Verb, a.Resource, a.Namespace)
}

// CanI asks the API server whether the user may verb resource (of the core group) in ns
// (SelfSubjectAccessReview).
func (c *Client) CanI(ctx context.Context, ns, verb, resource string) (Access, error) {
	body := map[string]any{
		"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
		"spec": map[string]any{"resourceAttributes": map[string]any{
			"namespace": ns, "verb": verb, "resource": resource,
		}},
	}
	var out struct {
		Status struct {
			Allowed bool   `json:"allowed"`
			Denied  bool   `json:"denied"`
			Reason  string `json:"reason"`
		} `json:"status"`
	}
	a := Access{Verb: verb, Resource: resource, Namespace: ns}
	if err := c.do(ctx, http.MethodPost, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "", body, &out); err != nil {
		return a, err
	}
	a.Allowed, a.Reason = out.Status.Allowed && !out.Status.Denied, clip(c.Redact(out.Status.Reason))
	return a, nil
}

func isNotFound(err error) bool {
	e, ok := err.(*APIError)
	return ok && e.Reason == ReasonNotFound
}

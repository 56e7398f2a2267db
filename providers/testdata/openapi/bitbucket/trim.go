// Command trim keeps, of Atlassian's Bitbucket Cloud REST API description (OpenAPI 3.0,
// https://dac-static.atlassian.com/cloud/bitbucket/swagger.v3.json, which the public repository
// coderabbitai/bitbucket vendors as src/cloud/openapi/swagger.v3.json), the operations gitopscfg
// sends and the components they refer to, without examples, and writes them to
// swagger.v3.trimmed.json beside this file:
//
//	go run ./providers/testdata/openapi/bitbucket/trim.go swagger.v3.json
//
// The product's requests and the Bitbucket emulator's answers are validated against the result
// (providers/openapi_bitbucket_test.go). Three things are corrected, each marked in the output
// with x-gitopscfg-correction; the first two are shown by Atlassian's own examples in the same
// description, the third by Bitbucket's answers:
//   - An SSH key's expires_on is null for a key that never expires: the examples of
//     /users/{selected_user}/ssh-keys answer "expires_on": null, but the schema
//     (ssh_account_key) types it as a date-time string only; it is made nullable.
//   - An object's "type" is set by Bitbucket, not by the client: the schema every resource
//     extends (object) requires it, so a request body without it would be refused, yet the
//     description's own example of POST /users/{selected_user}/ssh-keys sends {"key": "…"} alone;
//     it is made readOnly (still required in answers, not in requests).
//   - An error's detail is an object when a token lacks a scope: Bitbucket answers 403
//     {"type": "error", "error": {"message": "Your credentials lack one or more required privilege
//     scopes.", "detail": {"required": ["account"], "granted": ["team"]}}} (quoted in
//     github.com/backstage/backstage issue 22383), but the schema (error) types detail as a
//     string; it may be either.
//
// Everything else is as Atlassian wrote it.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// ops are the operations gitopscfg sends to Bitbucket Cloud: path → methods.
var ops = map[string][]string{
	"/user":                            {"get"},
	"/user/workspaces":                 {"get"},
	"/workspaces/{workspace}":          {"get"},
	"/workspaces/{workspace}/projects": {"get"},
	"/workspaces/{workspace}/projects/{project_key}": {"get"},
	"/repositories/{workspace}":                      {"get"},
	"/repositories/{workspace}/{repo_slug}":          {"get", "post", "delete"},
	"/users/{selected_user}/ssh-keys":                {"post"},
	"/users/{selected_user}/ssh-keys/{key_id}":       {"delete"},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run trim.go swagger.v3.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	check(err)
	var doc map[string]any
	check(json.Unmarshal(raw, &doc))
	paths := doc["paths"].(map[string]any)
	keptPaths := map[string]any{}
	for p, methods := range ops {
		item, ok := paths[p].(map[string]any)
		if !ok {
			check(fmt.Errorf("no path %s in the description", p))
		}
		kept := map[string]any{}
		for _, m := range methods {
			if item[m] == nil {
				check(fmt.Errorf("no %s %s in the description", m, p))
			}
			kept[m] = item[m]
		}
		if params, ok := item["parameters"]; ok {
			kept["parameters"] = params
		}
		keptPaths[p] = kept
	}
	comps := doc["components"].(map[string]any)
	keptComps := map[string]map[string]any{"securitySchemes": comps["securitySchemes"].(map[string]any)}
	collect(keptPaths, comps, keptComps)
	check(correct(keptComps["schemas"]))
	out := map[string]any{
		"openapi": doc["openapi"], "info": doc["info"], "servers": doc["servers"],
		"paths": keptPaths, "components": keptComps,
	}
	b, err := json.MarshalIndent(out, "", " ")
	check(err)
	_, self, _, _ := runtime.Caller(0)
	dst := filepath.Join(filepath.Dir(self), "swagger.v3.trimmed.json")
	check(os.WriteFile(dst, append(b, '\n'), 0o644))
	fmt.Printf("wrote %s (%d bytes)\n", dst, len(b)+1)
}

// collect drops examples from v and adds every component v refers to, transitively.
func collect(v any, comps map[string]any, kept map[string]map[string]any) {
	switch t := v.(type) {
	case map[string]any:
		delete(t, "examples")
		delete(t, "example")
		if ref, ok := t["$ref"].(string); ok {
			parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
			kind, name := parts[0], parts[1]
			if kept[kind] == nil {
				kept[kind] = map[string]any{}
			}
			if _, done := kept[kind][name]; !done {
				c := comps[kind].(map[string]any)[name]
				kept[kind][name] = c
				collect(c, comps, kept)
			}
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			collect(t[k], comps, kept)
		}
	case []any:
		for _, e := range t {
			collect(e, comps, kept)
		}
	}
}

// correct applies the corrections the package comment lists.
func correct(schemas map[string]any) error {
	expires, err := property(schemas, "ssh_account_key", "expires_on")
	if err != nil {
		return err
	}
	expires["nullable"] = true
	expires["x-gitopscfg-correction"] = "Bitbucket answers \"expires_on\": null for a key without expiry " +
		"(the examples of /users/{selected_user}/ssh-keys in this description)"
	typ, err := property(schemas, "object", "type")
	if err != nil {
		return err
	}
	typ["readOnly"] = true
	typ["x-gitopscfg-correction"] = "Bitbucket sets an object's type; the description's own example of " +
		"POST /users/{selected_user}/ssh-keys sends {\"key\": …} without it"
	errSchema, _ := schemas["error"].(map[string]any)
	inner, _ := errSchema["properties"].(map[string]any)["error"].(map[string]any)
	detail, ok := inner["properties"].(map[string]any)["detail"].(map[string]any)
	if !ok {
		return fmt.Errorf("no error.detail in schema error")
	}
	delete(detail, "type")
	detail["anyOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "object"}}
	detail["x-gitopscfg-correction"] = "a scope refusal's detail is {\"required\": […], \"granted\": […]} " +
		"(Bitbucket's 403 quoted in backstage/backstage issue 22383)"
	return nil
}

// property finds the schema of a property of a kept schema, directly or in one of its allOf parts.
func property(schemas map[string]any, schema, name string) (map[string]any, error) {
	s, _ := schemas[schema].(map[string]any)
	parts := []any{s}
	if all, ok := s["allOf"].([]any); ok {
		parts = append(parts, all...)
	}
	for _, p := range parts {
		props, _ := p.(map[string]any)["properties"].(map[string]any)
		if prop, ok := props[name].(map[string]any); ok {
			return prop, nil
		}
	}
	return nil, fmt.Errorf("no property %s in schema %s", name, schema)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "trim:", err)
		os.Exit(1)
	}
}

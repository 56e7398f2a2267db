//go:build ignore

// trim keeps, of GitHub's OpenAPI description (npm @octokit/openapi,
// generated/api.github.com.json), the operations gitopscfg sends and the components they refer
// to, without examples, and writes them to api.github.com.trimmed.json beside it:
//
//	npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz
//	go run providers/testdata/openapi/github/trim.go package/generated/api.github.com.json
//
// The operations are listed in ops below; the faithful-emulator test (providers,
// TestGitHubTrafficMatchesOpenAPI) validates the requests and answers of each against them.
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

// ops are the operations gitopscfg sends to GitHub: path → methods.
var ops = map[string][]string{
	"/user":                                {"get"},
	"/orgs/{org}":                          {"get"},
	"/user/memberships/orgs/{org}":         {"get"},
	"/orgs/{org}/repos":                    {"post"},
	"/repos/{owner}/{repo}":                {"get", "delete"},
	"/app":                                 {"get"},
	"/orgs/{org}/installation":             {"get"},
	"/app/installations/{installation_id}": {"get"},
	"/app/installations/{installation_id}/access_tokens": {"post"},
	"/installation/repositories":                         {"get"},
	"/installation/token":                                {"delete"},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run trim.go api.github.com.json")
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
	keptComps := map[string]map[string]any{}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			delete(t, "examples")
			delete(t, "example")
			if ref, ok := t["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
				kind, name := parts[0], parts[1]
				if keptComps[kind] == nil {
					keptComps[kind] = map[string]any{}
				}
				if _, done := keptComps[kind][name]; !done {
					c := comps[kind].(map[string]any)[name]
					keptComps[kind][name] = c
					walk(c)
				}
			}
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(t[k])
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(keptPaths)
	out := map[string]any{
		"openapi": doc["openapi"], "info": doc["info"], "servers": doc["servers"],
		"paths": keptPaths, "components": keptComps,
	}
	b, err := json.MarshalIndent(out, "", " ")
	check(err)
	_, self, _, _ := runtime.Caller(0)
	dst := filepath.Join(filepath.Dir(self), "api.github.com.trimmed.json")
	check(os.WriteFile(dst, append(b, '\n'), 0o644))
	fmt.Printf("wrote %s (%d bytes)\n", dst, len(b)+1)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "trim:", err)
		os.Exit(1)
	}
}

// Command trim keeps, of a provider's official API description, the operations gitopscfg sends
// and the components (or Swagger 2 definitions) they refer to, without examples, applies the
// corrections and supplements its provider's file lists (each marked in the output with
// x-gitopscfg-correction or x-gitopscfg-supplement and citing its evidence), and writes the
// result into the provider's folder beside this one:
//
//	go run ./providers/testdata/openapi/trim github package/generated/api.github.com.json
//	go run ./providers/testdata/openapi/trim bitbucket swagger.v3.json
//	go run ./providers/testdata/openapi/trim gitlab openapi_v2.yaml
//
// Where each description comes from is said in github.go, bitbucket.go and gitlab.go. Trimming
// a trimmed file gives it back unchanged. The providers' faithful-emulator tests
// (providers/openapi_*_test.go) validate the product's requests and the emulators' answers
// against the results. (Azure DevOps' description is many files: azure/trim.go.)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// description is how one provider's description is trimmed.
type description struct {
	// out is the trimmed file's path under providers/testdata/openapi.
	out string
	// ops are the operations gitopscfg sends: path → methods.
	ops map[string][]string
	// swagger2: the description is Swagger 2.0 (definitions, #/definitions/NAME), read as YAML;
	// otherwise OpenAPI 3 (components, #/components/KIND/NAME), JSON.
	swagger2 bool
	// top are the document's top-level keys kept as they are.
	top []string
	// pathParams keeps a path's own parameters beside its operations.
	pathParams bool
	// keepComps are component kinds kept whole (securitySchemes).
	keepComps []string
	// fix applies the provider's corrections and supplements to the kept paths and components
	// (by kind; Swagger 2's definitions are the kind "definitions"); nil: none.
	fix func(paths map[string]any, comps map[string]map[string]any) error
}

var descriptions = map[string]description{}

func main() {
	d, ok := descriptions[arg(1)]
	if len(os.Args) != 3 || !ok {
		fmt.Fprintln(os.Stderr, "usage: go run ./providers/testdata/openapi/trim github|bitbucket|gitlab DESCRIPTION")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[2])
	check(err)
	var doc map[string]any
	if d.swagger2 {
		check(yaml.Unmarshal(raw, &doc))
	} else {
		check(json.Unmarshal(raw, &doc))
	}
	paths := keepOps(doc["paths"].(map[string]any), d.ops, d.pathParams)
	all, prefix := doc["components"], "#/components/"
	if d.swagger2 {
		all, prefix = map[string]any{"definitions": doc["definitions"]}, "#/"
	}
	comps := map[string]map[string]any{}
	for _, kind := range d.keepComps {
		comps[kind] = all.(map[string]any)[kind].(map[string]any)
	}
	collect(paths, prefix, all.(map[string]any), comps)
	if d.fix != nil {
		check(d.fix(paths, comps))
	}
	out := map[string]any{"paths": paths}
	for _, k := range d.top {
		out[k] = doc[k]
	}
	if d.swagger2 {
		out["definitions"] = comps["definitions"]
	} else {
		out["components"] = comps
	}
	b, err := json.MarshalIndent(out, "", " ")
	check(err)
	_, self, _, _ := runtime.Caller(0)
	dst := filepath.Join(filepath.Dir(self), "..", d.out)
	check(os.WriteFile(dst, append(b, '\n'), 0o644))
	fmt.Printf("wrote %s (%d bytes)\n", dst, len(b)+1)
}

func arg(i int) string {
	if i < len(os.Args) {
		return os.Args[i]
	}
	return ""
}

// keepOps is paths with only the operations ops lists (and, with params, each path's own
// parameters); an operation missing from the description is an error.
func keepOps(paths map[string]any, ops map[string][]string, params bool) map[string]any {
	kept := map[string]any{}
	for p, methods := range ops {
		item, ok := paths[p].(map[string]any)
		if !ok {
			check(fmt.Errorf("no path %s in the description", p))
		}
		k := map[string]any{}
		for _, m := range methods {
			if item[m] == nil {
				check(fmt.Errorf("no %s %s in the description", m, p))
			}
			k[m] = item[m]
		}
		if p, ok := item["parameters"]; ok && params {
			k["parameters"] = p
		}
		kept[p] = k
	}
	return kept
}

// collect drops examples from v and adds every component v refers to (prefix KIND/NAME),
// transitively, to kept.
func collect(v any, prefix string, all map[string]any, kept map[string]map[string]any) {
	switch t := v.(type) {
	case map[string]any:
		delete(t, "examples")
		delete(t, "example")
		if ref, ok := t["$ref"].(string); ok && strings.HasPrefix(ref, prefix) {
			keep(strings.TrimPrefix(ref, prefix), prefix, all, kept)
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			collect(t[k], prefix, all, kept)
		}
	case []any:
		for _, e := range t {
			collect(e, prefix, all, kept)
		}
	}
}

// keep adds the component ref names (KIND/NAME) to kept, with what it refers to; a kind not
// collected (Swagger 2's #/parameters/…) is left where it is.
func keep(ref, prefix string, all map[string]any, kept map[string]map[string]any) {
	kind, name, _ := strings.Cut(ref, "/")
	comps, collected := all[kind].(map[string]any)
	if _, done := kept[kind][name]; !collected || done {
		return
	}
	c, ok := comps[name]
	if !ok {
		check(fmt.Errorf("no %s %s in the description", kind, name))
	}
	if kept[kind] == nil {
		kept[kind] = map[string]any{}
	}
	kept[kind][name] = c
	collect(c, prefix, all, kept)
}

// property finds the schema of a property of a kept schema, directly or in one of its allOf
// parts.
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

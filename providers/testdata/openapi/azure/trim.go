// Command trim keeps, of Microsoft's Azure DevOps REST API descriptions (Swagger 2.0, from
// github.com/MicrosoftDocs/vsts-rest-api-specs), the operations gitopscfg sends and the
// definitions and parameters they reference, and writes them beside this file:
//
//	go run ./providers/testdata/openapi/azure/trim.go /path/to/vsts-rest-api-specs
//
// The product's requests and the Azure DevOps emulator's answers are validated against the
// result (providers/openapi_azure_test.go). The examples (x-ms-examples, files of their own) are
// dropped, and one thing is corrected: the descriptions give a list's answer as a bare array, but
// Azure DevOps sends it in its collection wrapper {"count":N,"value":[…]} (as Microsoft's own
// examples beside the descriptions show, e.g. httpExamples/repositories/GET__git_repositories.json),
// so an array answer is described wrapped. Everything else is as Microsoft wrote it.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// keep lists, per description (area/version), the operations kept: path and method.
var keep = map[string][][2]string{
	"core/7.1": {
		{"/{organization}/_apis/projects/{projectId}", "get"},
	},
	"git/7.1": {
		{"/{organization}/{project}/_apis/git/repositories", "get"},
		{"/{organization}/{project}/_apis/git/repositories", "post"},
		{"/{organization}/{project}/_apis/git/repositories/{repositoryId}", "get"},
		{"/{organization}/{project}/_apis/git/repositories/{repositoryId}", "delete"},
	},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run trim.go /path/to/vsts-rest-api-specs")
		os.Exit(2)
	}
	_, self, _, _ := runtime.Caller(0)
	out := filepath.Dir(self)
	areas := make([]string, 0, len(keep))
	for a := range keep {
		areas = append(areas, a)
	}
	sort.Strings(areas)
	for _, area := range areas {
		name := strings.Split(area, "/")[0]
		src := filepath.Join(os.Args[1], "specification", area, name+".json")
		if err := trim(src, filepath.Join(out, strings.ReplaceAll(area, "/", "-")+".json"), keep[area]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func trim(src, dst string, ops [][2]string) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")), &doc); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	paths := doc["paths"].(map[string]any)
	kept := map[string]any{}
	for _, op := range ops {
		item, ok := paths[op[0]].(map[string]any)
		if !ok || item[op[1]] == nil {
			return fmt.Errorf("%s: no %s %s", src, op[1], op[0])
		}
		o := item[op[1]].(map[string]any)
		delete(o, "x-ms-examples")
		wrapArrays(o)
		k, _ := kept[op[0]].(map[string]any)
		if k == nil {
			k = map[string]any{}
			kept[op[0]] = k
		}
		k[op[1]] = o
	}
	defs, params := map[string]any{}, map[string]any{}
	collect(kept, doc, defs, params)
	for k := range doc {
		switch k {
		case "swagger", "info", "host", "basePath", "schemes", "securityDefinitions", "security", "consumes", "produces":
		default:
			delete(doc, k)
		}
	}
	doc["paths"], doc["definitions"], doc["parameters"] = kept, defs, params
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d operations, %d definitions\n", dst, len(ops), len(defs))
	return os.WriteFile(dst, append(b, '\n'), 0o644)
}

// collect adds every definition and parameter v references, transitively.
func collect(v any, doc map[string]any, defs, params map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			if name, ok := strings.CutPrefix(ref, "#/definitions/"); ok && defs[name] == nil {
				d := doc["definitions"].(map[string]any)[name]
				defs[name] = d
				collect(d, doc, defs, params)
			}
			if name, ok := strings.CutPrefix(ref, "#/parameters/"); ok && params[name] == nil {
				p := doc["parameters"].(map[string]any)[name]
				params[name] = p
				collect(p, doc, defs, params)
			}
		}
		for _, e := range x {
			collect(e, doc, defs, params)
		}
	case []any:
		for _, e := range x {
			collect(e, doc, defs, params)
		}
	}
}

// wrapArrays describes an operation's array answers in Azure DevOps' collection wrapper.
func wrapArrays(op map[string]any) {
	responses, _ := op["responses"].(map[string]any)
	for _, r := range responses {
		resp, _ := r.(map[string]any)
		schema, _ := resp["schema"].(map[string]any)
		if schema["type"] != "array" {
			continue
		}
		resp["schema"] = map[string]any{
			"type":                   "object",
			"x-gitopscfg-correction": "Azure DevOps wraps a list in {count, value}; the description gives the bare array",
			"properties":             map[string]any{"count": map[string]any{"type": "integer", "format": "int32"}, "value": schema},
		}
	}
}

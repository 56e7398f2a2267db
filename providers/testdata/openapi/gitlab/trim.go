// Command trim keeps, of GitLab's REST API description (Swagger 2.0, doc/api/openapi/openapi_v2.yaml
// in gitlab-org/gitlab, mirrored at github.com/gitlabhq/gitlabhq), the operations gitopscfg sends
// and the definitions they refer to, without examples, and writes them to openapi_v2.trimmed.json
// beside this file:
//
//	go run ./providers/testdata/openapi/gitlab/trim.go openapi_v2.yaml
//
// The product's requests and the GitLab emulator's answers are validated against the result
// (providers/openapi_gitlab_test.go). Two things are changed, each marked in the output:
//
//   - Correction (x-gitopscfg-correction): a key's expires_at and last_used_at are null when the
//     key never expires or was never used, but the description types them as date-time strings
//     only; they are made nullable (x-nullable). GitLab's entity exposes the Key model's
//     attributes as they are (lib/api/entities/ssh_key.rb: expose :expires_at; DeployKey and
//     DeployKeysProject extend it), a key added without expires_at has none, and GitLab's own
//     examples answer "expires_at": null (doc/api/deploy_keys.md, "List project deploy keys for
//     user"); last_used_at is only set once the key is used (Keys::LastUsedService).
//   - Supplement (x-gitopscfg-supplement): GitLab's description leaves out the Users API
//     (lib/api/users.rb), so it has no POST /user/keys nor DELETE /user/keys/{key_id}, which the
//     product sends for a credential without a project. They are added as doc/api/user_keys.md
//     documents them (title and key required; 201 with the key, 400, 204, 404), the key answered
//     as lib/api/entities/ssh_key.rb exposes it (API_Entities_SSHKey), with the correction above.
//
// Everything else is as GitLab generated it.
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

// ops are the operations of GitLab's description gitopscfg sends: path → methods.
var ops = map[string][]string{
	"/api/v4/projects/{id}/deploy_keys":          {"post"},
	"/api/v4/projects/{id}/deploy_keys/{key_id}": {"delete"},
}

// nullable lists, per definition, the properties GitLab answers null (see the package comment).
var nullable = map[string][]string{
	"API_Entities_DeployKeysProject": {"expires_at", "last_used_at"},
	"API_Entities_SSHKey":            {"expires_at", "last_used_at"},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run trim.go openapi_v2.yaml")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	check(err)
	var doc map[string]any
	check(yaml.Unmarshal(raw, &doc))
	paths := doc["paths"].(map[string]any)
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
		kept[p] = k
	}
	defs := map[string]any{}
	collect(kept, doc["definitions"].(map[string]any), defs)
	supplement(kept, defs)
	check(correct(defs))
	out := map[string]any{"paths": kept, "definitions": defs}
	for _, k := range []string{"swagger", "info", "host", "produces", "securityDefinitions"} {
		out[k] = doc[k]
	}
	b, err := json.MarshalIndent(out, "", " ")
	check(err)
	_, self, _, _ := runtime.Caller(0)
	dst := filepath.Join(filepath.Dir(self), "openapi_v2.trimmed.json")
	check(os.WriteFile(dst, append(b, '\n'), 0o644))
	fmt.Printf("wrote %s (%d bytes)\n", dst, len(b)+1)
}

// collect drops examples from v and adds every definition v refers to, transitively.
func collect(v any, all, kept map[string]any) {
	switch t := v.(type) {
	case map[string]any:
		delete(t, "examples")
		delete(t, "example")
		if name, ok := strings.CutPrefix(fmt.Sprint(t["$ref"]), "#/definitions/"); ok && kept[name] == nil {
			d, ok := all[name]
			if !ok {
				check(fmt.Errorf("no definition %s in the description", name))
			}
			kept[name] = d
			collect(d, all, kept)
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			collect(t[k], all, kept)
		}
	case []any:
		for _, e := range t {
			collect(e, all, kept)
		}
	}
}

// correct makes the properties listed in nullable nullable.
func correct(defs map[string]any) error {
	for def, props := range nullable {
		d, ok := defs[def].(map[string]any)
		if !ok {
			return fmt.Errorf("no definition %s kept", def)
		}
		for _, name := range props {
			p, ok := d["properties"].(map[string]any)[name].(map[string]any)
			if !ok {
				return fmt.Errorf("no property %s in %s", name, def)
			}
			p["x-nullable"] = true
			p["x-gitopscfg-correction"] = "GitLab answers null for a key without expiry or never used " +
				"(lib/api/entities/ssh_key.rb exposes the Key model's value; doc/api/deploy_keys.md shows \"expires_at\": null)"
		}
	}
	return nil
}

// supplement adds the user-key operations GitLab's description lacks (see the package comment).
func supplement(paths, defs map[string]any) {
	const why = "GitLab's description leaves out the Users API (lib/api/users.rb); as doc/api/user_keys.md documents it"
	str := func(format string) map[string]any {
		s := map[string]any{"type": "string"}
		if format != "" {
			s["format"] = format
		}
		return s
	}
	integer := map[string]any{"type": "integer", "format": "int32"}
	defs["API_Entities_SSHKey"] = map[string]any{
		"type": "object", "description": "API_Entities_SSHKey model", "x-gitopscfg-supplement": "lib/api/entities/ssh_key.rb",
		"properties": map[string]any{"id": integer, "title": str(""), "created_at": str("date-time"),
			"expires_at": str("date-time"), "last_used_at": str("date-time"), "key": str(""), "usage_type": str("")},
	}
	usage := str("")
	usage["enum"] = []any{"auth", "signing", "auth_and_signing"}
	defs["postApiV4UserKeys"] = map[string]any{
		"type": "object", "description": "Add an SSH key", "x-gitopscfg-supplement": why, "required": []any{"title", "key"},
		"properties": map[string]any{"title": str(""), "key": str(""), "expires_at": str("date-time"), "usage_type": usage},
	}
	paths["/api/v4/user/keys"] = map[string]any{"post": map[string]any{
		"operationId": "postApiV4UserKeys", "x-gitopscfg-supplement": why,
		"consumes": []any{"application/json"}, "produces": []any{"application/json"},
		"parameters": []any{map[string]any{"name": "postApiV4UserKeys", "in": "body", "required": true,
			"schema": map[string]any{"$ref": "#/definitions/postApiV4UserKeys"}}},
		"responses": map[string]any{
			"201": map[string]any{"description": "Add an SSH key", "schema": map[string]any{"$ref": "#/definitions/API_Entities_SSHKey"}},
			"400": map[string]any{"description": "Bad request"}, "401": map[string]any{"description": "Unauthorized"},
		},
	}}
	paths["/api/v4/user/keys/{key_id}"] = map[string]any{"delete": map[string]any{
		"operationId": "deleteApiV4UserKeysKeyId", "x-gitopscfg-supplement": why, "produces": []any{"application/json"},
		"parameters": []any{map[string]any{"in": "path", "name": "key_id", "type": "integer", "format": "int32", "required": true}},
		"responses": map[string]any{
			"204": map[string]any{"description": "Delete an SSH key"}, "401": map[string]any{"description": "Unauthorized"},
			"404": map[string]any{"description": "Not found"},
		},
	}}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "trim:", err)
		os.Exit(1)
	}
}

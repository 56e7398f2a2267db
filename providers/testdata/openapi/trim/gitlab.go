package main

import "fmt"

// GitLab's description: of GitLab's REST API description (Swagger 2.0, doc/api/openapi/openapi_v2.yaml
// in gitlab-org/gitlab, mirrored at github.com/gitlabhq/gitlabhq), trim keeps the operations gitopscfg
// sends and the definitions they refer to, without examples, in gitlab/openapi_v2.trimmed.json:
//
//	go run ./providers/testdata/openapi/trim gitlab openapi_v2.yaml
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
func init() {
	descriptions["gitlab"] = description{out: "gitlab/openapi_v2.trimmed.json", ops: gitlabOps, swagger2: true,
		top: []string{"swagger", "info", "host", "produces", "securityDefinitions"}, fix: gitlabFix}
}

// gitlabOps are the operations of GitLab's description gitopscfg sends: path → methods.
var gitlabOps = map[string][]string{
	"/api/v4/projects/{id}/deploy_keys":          {"post"},
	"/api/v4/projects/{id}/deploy_keys/{key_id}": {"delete"},
}

// gitlabNullable lists, per definition, the properties GitLab answers null (see the comment of init).
var gitlabNullable = map[string][]string{
	"API_Entities_DeployKeysProject": {"expires_at", "last_used_at"},
	"API_Entities_SSHKey":            {"expires_at", "last_used_at"},
}

// gitlabFix adds the user-key operations, then makes the listed properties nullable.
func gitlabFix(paths map[string]any, comps map[string]map[string]any) error {
	if comps["definitions"] == nil {
		comps["definitions"] = map[string]any{}
	}
	gitlabSupplement(paths, comps["definitions"])
	return gitlabCorrect(comps["definitions"])
}

// gitlabCorrect makes the properties listed in gitlabNullable nullable.
func gitlabCorrect(defs map[string]any) error {
	for def, props := range gitlabNullable {
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

// gitlabSupplement adds the user-key operations GitLab's description lacks (see the comment of init).
func gitlabSupplement(paths, defs map[string]any) {
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

package main

import "fmt"

// Bitbucket Cloud's description: of Atlassian's Bitbucket Cloud REST API description (OpenAPI 3.0,
// https://dac-static.atlassian.com/cloud/bitbucket/swagger.v3.json, which the public repository
// coderabbitai/bitbucket vendors as src/cloud/openapi/swagger.v3.json), trim keeps the
// operations gitopscfg sends and the components they refer to, without examples, in
// bitbucket/swagger.v3.trimmed.json:
//
//	go run ./providers/testdata/openapi/trim bitbucket swagger.v3.json
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
func init() {
	descriptions["bitbucket"] = description{out: "bitbucket/swagger.v3.trimmed.json", ops: bitbucketOps,
		top: []string{"openapi", "info", "servers"}, pathParams: true, keepComps: []string{"securitySchemes"}, fix: bitbucketFix}
}

// bitbucketOps are the operations gitopscfg sends to Bitbucket Cloud: path → methods.
var bitbucketOps = map[string][]string{
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

// bitbucketFix applies the corrections the comment of init lists.
func bitbucketFix(_ map[string]any, comps map[string]map[string]any) error {
	schemas := comps["schemas"]
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

package providers

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// gitLabKeys registers keys through GitLab's REST API (see ARCHITECTURE.md, Git over SSH):
//   - POST /projects/:id/deploy_keys {title, key, can_push: true} → 201 (the Maintainer role on the
//     project and the token's api scope); DELETE /projects/:id/deploy_keys/:key_id → 204.
//   - POST /user/keys {title, key} → 201 (the api scope); DELETE /user/keys/:key_id → 204.
//
// GitLab keeps every public key once, deploy keys and users' keys alike: a key already registered
// elsewhere is refused with 400 {"message":{"…fingerprint_sha256":["has already been taken"]}}.
var gitLabKeys = &keyRegistrar{
	add: func(ctx context.Context, s *session, repo, title, pub string) (keyAdded, error) {
		gl, err := newGitLabClient(s)
		if err != nil {
			return keyAdded{}, err
		}
		if repo != "" {
			k, resp, err := gl.DeployKeys.AddDeployKey(repo, &gitlab.AddDeployKeyOptions{
				Title: gitlab.Ptr(title), Key: gitlab.Ptr(pub), CanPush: gitlab.Ptr(true)}, gitlab.WithContext(ctx))
			if err != nil {
				return keyAdded{}, gitLabKeyError("adding the key", resp, err, repo)
			}
			if !k.CanPush {
				return keyAdded{}, fmt.Errorf("adding the key: %s holds this key already as a read-only deploy key: delete it there "+
					"(Settings > Repository > Deploy keys) and register it again, or enable write access on it", repo)
			}
			return numericKey(k.ID, nil)
		}
		k, resp, err := gl.Users.AddSSHKey(&gitlab.AddSSHKeyOptions{Title: gitlab.Ptr(title), Key: gitlab.Ptr(pub)}, gitlab.WithContext(ctx))
		if err != nil {
			return keyAdded{}, gitLabKeyError("adding the key", resp, err, "")
		}
		return numericKey(k.ID, nil)
	},
	remove: func(ctx context.Context, s *session, repo, idText string) error {
		id, err := keyNumber(idText)
		if err != nil {
			return err
		}
		gl, err := newGitLabClient(s)
		if err != nil {
			return err
		}
		var resp *gitlab.Response
		if repo != "" {
			resp, err = gl.DeployKeys.DeleteDeployKey(repo, id, gitlab.WithContext(ctx))
		} else {
			resp, err = gl.Users.DeleteSSHKey(id, gitlab.WithContext(ctx))
		}
		if err != nil && gitLabStatus(resp) != http.StatusNotFound {
			return gitLabKeyError("deleting the key", resp, err, repo)
		}
		return nil
	},
}

// gitLabKeyError says why GitLab refused a key request: the scope the token lacks, the role
// its user lacks, or a key registered elsewhere already.
func gitLabKeyError(op string, resp *gitlab.Response, err error, repo string) error {
	status := gitLabStatus(resp)
	if status == 0 {
		return fmt.Errorf("%s: %v", op, err)
	}
	b := gitLabError(err)
	msg := gitLabMessageText(b)
	switch {
	case status == http.StatusForbidden && b.Error == "insufficient_scope":
		return fmt.Errorf("%s: the token lacks the %s scope, which GitLab needs to manage SSH keys through its API (HTTP 403 insufficient_scope): "+
			"add it to the token, or paste the public key by hand", op, cmpOr(b.Scope, "api"))
	case status == http.StatusBadRequest && strings.Contains(msg, "has already been taken"):
		return fmt.Errorf("%s: GitLab holds this public key already, as a key of a user or a deploy key of another project (%q): "+
			"a key can be registered once on a GitLab server; delete it there, or generate a new key (--ssh-key-generate)", op, firstLine(msg))
	case status == http.StatusBadRequest:
		return fmt.Errorf("%s: GitLab refused the key (HTTP 400 %q)", op, firstLine(msg))
	}
	need := "a deploy key needs the Maintainer role on " + repo + " and the token's api scope"
	if repo == "" {
		need = "a key of the user needs the token's api scope"
	}
	return keyRefusal(op, status, msg, need)
}

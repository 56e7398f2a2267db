package providers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// bbDeployKeysReadOnly says why a Bitbucket credential's key goes to its user even when it names a
// repository: Bitbucket Cloud's deploy keys (POST /repositories/{workspace}/{repo_slug}/deploy-keys)
// give read-only access, and a GitOps platform pushes.
const bbDeployKeysReadOnly = "Bitbucket Cloud's deploy keys are read-only and a GitOps platform pushes, so the key " +
	"went to the account instead, which may push wherever that account may"

// bitbucketKeys registers keys through Bitbucket Cloud's API (see ARCHITECTURE.md, Git over SSH):
// GET /user for the account's UUID, then POST /users/{uuid}/ssh-keys {key, label} → 201 (an API
// token's read:ssh-key:bitbucket and write:ssh-key:bitbucket scopes; account:write in the legacy
// scope names Bitbucket reports), and DELETE /users/{uuid}/ssh-keys/{key_id} → 204
// (delete:ssh-key:bitbucket). Keys always go to the account: deploy keys are read-only.
var bitbucketKeys = &keyRegistrar{
	add: func(ctx context.Context, s *session, repo, _ /*title*/, pub string) (keyAdded, error) {
		b, user, err := bbKeyUser(ctx, s, "adding the key")
		if err != nil {
			return keyAdded{}, err
		}
		label := "gitopscfg " + s.Creds.CredentialName()
		a := bbAnswer{answer: b.send(ctx, http.MethodPost, "/users/"+url.PathEscape(user)+"/ssh-keys",
			map[string]string{"key": pub, "label": label}, b.authorize, bbBodyLimit)}
		var k struct {
			UUID string `json:"uuid"`
		}
		if a.err != nil {
			return keyAdded{}, fmt.Errorf("adding the key: %v", a.err)
		}
		if a.status != http.StatusCreated || !a.decode(&k) || k.UUID == "" {
			return keyAdded{}, bbKeyError("adding the key", a, "write:ssh-key:bitbucket (with read:ssh-key:bitbucket)")
		}
		added := keyAdded{id: k.UUID, user: true}
		if repo != "" {
			added.why = bbDeployKeysReadOnly
		}
		return added, nil
	},
	remove: func(ctx context.Context, s *session, _ /*repo*/, id string) error {
		b, user, err := bbKeyUser(ctx, s, "deleting the key")
		if err != nil {
			return err
		}
		a := bbAnswer{answer: b.send(ctx, http.MethodDelete, "/users/"+url.PathEscape(user)+"/ssh-keys/"+url.PathEscape(id),
			nil, b.authorize, bbBodyLimit)}
		switch {
		case a.err != nil:
			return fmt.Errorf("deleting the key: %v", a.err)
		case a.status == http.StatusNoContent || a.status == http.StatusNotFound:
			return nil
		}
		return bbKeyError("deleting the key", a, "delete:ssh-key:bitbucket")
	},
}

// bbKeyUser reads the UUID of the account the credential authenticates as (GET /user): the
// selected_user of its SSH keys. A workspace or repository access token has no account.
func bbKeyUser(ctx context.Context, s *session, op string) (*bbSession, string, error) {
	b := &bbSession{session: s, kind: bbKindOf(s.Creds)}
	if b.kind == bbAccessToken {
		return nil, "", fmt.Errorf("%s: an access token belongs to a workspace or repository, not to an account, and Bitbucket "+
			"keeps SSH keys with accounts only (its deploy keys are read-only): use an API token with write:ssh-key:bitbucket, "+
			"or paste the public key under Personal settings > SSH keys of the account that pushes", op)
	}
	a := b.get(ctx, "/user")
	var u struct {
		UUID string `json:"uuid"`
	}
	if a.err != nil {
		return nil, "", fmt.Errorf("%s: reading the token's account: %v", op, a.err)
	}
	if a.status != http.StatusOK || !a.decode(&u) || u.UUID == "" {
		return nil, "", bbKeyError(op+": reading the token's account", a, "read:user:bitbucket")
	}
	return b, u.UUID, nil
}

// bbKeyError says why Bitbucket refused a key request: the scope the token lacks (as Bitbucket
// names it), or a key registered already. Bitbucket registers a public key once and keeps a
// deleted one for up to 30 days; it refuses the same key again with 400 and one of the messages
// Atlassian's knowledge base quotes ("Why am I not able to add an SSH key in Bitbucket Cloud"):
// "Someone has already registered that SSH key." or "SSH keys must be unique and deleted keys may
// take up to 30 days to be removed. Please use a unique SSH key." (earlier: "Someone has already
// added that SSH key.").
func bbKeyError(op string, a bbAnswer, need string) error {
	msg := a.message()
	text := strings.ToLower(msg + string(a.body))
	switch {
	case a.lacksScope():
		required := strings.Join(a.errorBody().Error.Detail.Required, ", ")
		return fmt.Errorf("%s: the token lacks the scope Bitbucket asks for (%s; HTTP 403): the API token needs %s; "+
			"make a token with it (%s), or paste the public key by hand under Personal settings > SSH keys", op, cmpOr(required, need), need,
			"https://id.atlassian.com/manage-profile/security/api-tokens")
	case a.status == http.StatusBadRequest && strings.Contains(text, "deleted keys"):
		return fmt.Errorf("%s: Bitbucket holds this public key already: it keeps a deleted key for up to 30 days (%q); "+
			"generate a new key (--ssh-key-generate), or register this one again after that", op, firstLine(msg))
	case a.status == http.StatusBadRequest && (strings.Contains(text, "already") || strings.Contains(text, "unique")):
		return fmt.Errorf("%s: Bitbucket holds this public key already, on another account or as a repository's access key (%q): "+
			"a key can be registered once; delete it there, or generate a new key (--ssh-key-generate)", op, firstLine(msg))
	}
	return keyRefusal(op, a.status, msg, "the token needs "+need)
}

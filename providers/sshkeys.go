package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-github/v84/github"
)

// keyRegistrar is a provider's registration of a public SSH key through its API: as a deploy key
// of one repository (with write access), or as a key of the token's user. GitHub, GitLab, Gitea
// and Bitbucket (user keys only) have one; Azure DevOps' keys are pasted by hand.
type keyRegistrar struct {
	// add registers pub titled title on repo (OWNER/REPO) as a deploy key with write access, or,
	// with repo "", as a key of the token's user; it returns the key's id.
	add func(ctx context.Context, s *session, repo, title, pub string) (keyAdded, error)
	// remove deletes the key id of repo (or of the user, with repo "").
	remove func(ctx context.Context, s *session, repo, id string) error
}

// keyAdded is a key a registrar added: its id, and where it went when not where it was asked
// (Bitbucket's deploy keys are read-only, so its keys go to the user even with a repository).
type keyAdded struct {
	id string
	// user: the key went to the token's user although a repository was named; why says why.
	user bool
	why  string
}

// numericKey is the id of a key an API numbers.
func numericKey(id int64, err error) (keyAdded, error) {
	return keyAdded{id: strconv.FormatInt(id, 10)}, err
}

// keyNumber reads a numeric key id back from a stored reference.
func keyNumber(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the stored key id %q is not a number", id)
	}
	return n, nil
}

// CanRegisterKeys reports whether p registers SSH keys through its API.
func (p Provider) CanRegisterKeys() bool { return p.sshKeys != nil }

// RegisterSSHKey registers the public half of c's SSH key through the provider's API: a deploy key
// of c.Repo with write access when c names a repository, else a key of the token's user. It
// returns the reference the store keeps (SSHKeyRef: "deploy:OWNER/REPO:ID" or "user:ID") for
// UnregisterSSHKey, and a sentence of what it did.
func RegisterSSHKey(ctx context.Context, env *Env, c Credentials) (ref, said string, err error) {
	s, reg, err := keySession(env, c)
	if err != nil {
		return "", "", err
	}
	pub, err := SSHPublicKey(c)
	if err != nil {
		return "", "", err
	}
	repo := strings.Trim(strings.TrimSpace(c.Repo), "/")
	k, err := reg.add(ctx, s, repo, "gitopscfg "+c.CredentialName(), pub)
	if err != nil {
		return "", "", errors.New(c.Redact(err.Error()))
	}
	if repo != "" && !k.user {
		return "deploy:" + repo + ":" + k.id,
			fmt.Sprintf("added the public key to %s as a deploy key with write access (id %s)", repo, k.id), nil
	}
	said = fmt.Sprintf("added the public key to the token's user (id %s)", k.id)
	if k.why != "" {
		said += ": " + k.why
	}
	return "user:" + k.id, said, nil
}

// UnregisterSSHKey deletes the key c.SSHKeyRef names through the provider's API.
func UnregisterSSHKey(ctx context.Context, env *Env, c Credentials) (said string, err error) {
	s, reg, err := keySession(env, c)
	if err != nil {
		return "", err
	}
	kind, rest, _ := strings.Cut(c.SSHKeyRef, ":")
	repo, idText := "", rest
	if kind == "deploy" {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			return "", fmt.Errorf("the stored key reference %q is not one gitopscfg made", c.SSHKeyRef)
		}
		repo, idText = rest[:i], rest[i+1:]
	}
	if idText == "" || strings.ContainsAny(idText, "/?#% ") || (kind != "deploy" && kind != "user") {
		return "", fmt.Errorf("the stored key reference %q is not one gitopscfg made", c.SSHKeyRef)
	}
	if err := reg.remove(ctx, s, repo, idText); err != nil {
		return "", errors.New(c.Redact(err.Error()))
	}
	if repo != "" {
		return fmt.Sprintf("deleted the deploy key %s of %s", idText, repo), nil
	}
	return fmt.Sprintf("deleted the key %s of the token's user", idText), nil
}

func keySession(env *Env, c Credentials) (*session, *keyRegistrar, error) {
	p, err := Lookup(string(c.Provider))
	if err != nil {
		return nil, nil, err
	}
	if p.sshKeys == nil {
		return nil, nil, fmt.Errorf("%s's keys cannot be registered through its API here: paste the public key on the server", p.Name)
	}
	var r Result
	s, ok := newSession(env, p, c, &r)
	if !ok {
		return nil, nil, errors.New("the API address is unusable: " + firstCheckMessage(r))
	}
	return s, p.sshKeys, nil
}

func firstCheckMessage(r Result) string {
	if len(r.Checks) > 0 {
		return r.Checks[0].Message
	}
	return "unknown"
}

// keyRefusal says why the API refused a key request, in words.
func keyRefusal(op string, status int, msg, need string) error {
	if msg != "" {
		msg = fmt.Sprintf(" (%q)", firstLine(msg))
	}
	switch status {
	case http.StatusUnauthorized:
		return fmt.Errorf("%s: the token was refused (HTTP 401)%s", op, msg)
	case http.StatusForbidden, http.StatusNotFound:
		return fmt.Errorf("%s: HTTP %d%s: %s", op, status, msg, need)
	case http.StatusUnprocessableEntity:
		return fmt.Errorf("%s: HTTP 422%s: the key may be registered already (a key can be on one account or repository only)", op, msg)
	}
	return fmt.Errorf("%s: HTTP %d%s", op, status, msg)
}

// gitHubKeys registers keys through GitHub's REST API: POST /repos/{owner}/{repo}/keys (deploy
// keys; admin rights on the repository) and POST /user/keys (needs admin:public_key).
var gitHubKeys = &keyRegistrar{
	add: func(ctx context.Context, s *session, repo, title, pub string) (keyAdded, error) {
		gh, err := newGitHubClient(s)
		if err != nil {
			return keyAdded{}, err
		}
		k := &github.Key{Title: github.Ptr(title), Key: github.Ptr(pub)}
		var got *github.Key
		var resp *github.Response
		if repo != "" {
			owner, name, _ := strings.Cut(repo, "/")
			k.ReadOnly = github.Ptr(false)
			got, resp, err = gh.Repositories.CreateKey(ctx, owner, name, k)
		} else {
			got, resp, err = gh.Users.CreateKey(ctx, k)
		}
		if err != nil {
			return keyAdded{}, gitHubKeyError("adding the key", resp, err, repo)
		}
		return numericKey(got.GetID(), nil)
	},
	remove: func(ctx context.Context, s *session, repo, idText string) error {
		id, err := keyNumber(idText)
		if err != nil {
			return err
		}
		gh, err := newGitHubClient(s)
		if err != nil {
			return err
		}
		var resp *github.Response
		if repo != "" {
			owner, name, _ := strings.Cut(repo, "/")
			resp, err = gh.Repositories.DeleteKey(ctx, owner, name, id)
		} else {
			resp, err = gh.Users.DeleteKey(ctx, id)
		}
		if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
			return gitHubKeyError("deleting the key", resp, err, repo)
		}
		return nil
	},
}

func gitHubKeyError(op string, resp *github.Response, err error, repo string) error {
	if resp == nil {
		return fmt.Errorf("%s: %v", op, err)
	}
	var er *github.ErrorResponse
	msg := ""
	if errors.As(err, &er) {
		msg = er.Message
	}
	need := "a deploy key needs admin rights on " + repo + " and the token's repo scope"
	if repo == "" {
		need = "a key of the user needs the token's admin:public_key scope"
	}
	return keyRefusal(op, resp.StatusCode, msg, need)
}

// giteaKeys registers keys through Gitea's API: POST /repos/{owner}/{repo}/keys (deploy keys;
// write:repository and admin rights on the repository) and POST /user/keys (write:user).
var giteaKeys = &keyRegistrar{
	add: func(ctx context.Context, s *session, repo, title, pub string) (keyAdded, error) {
		path, body := "/user/keys", map[string]any{"title": title, "key": pub}
		need := "a key of the user needs the token's write:user scope"
		if repo != "" {
			path, body["read_only"] = "/repos/"+escapeRepo(repo)+"/keys", false
			need = "a deploy key needs write:repository and admin rights on " + repo
		}
		a := giteaDo(ctx, s, http.MethodPost, path, body)
		var k struct {
			ID int64 `json:"id"`
		}
		if a.err != nil {
			return keyAdded{}, fmt.Errorf("adding the key: %v", a.err)
		}
		if a.status != http.StatusCreated || !a.decode(&k) {
			return keyAdded{}, keyRefusal("adding the key", a.status, a.message(), need)
		}
		return numericKey(k.ID, nil)
	},
	remove: func(ctx context.Context, s *session, repo, idText string) error {
		id, err := keyNumber(idText)
		if err != nil {
			return err
		}
		path := "/user/keys/" + strconv.FormatInt(id, 10)
		if repo != "" {
			path = "/repos/" + escapeRepo(repo) + "/keys/" + strconv.FormatInt(id, 10)
		}
		a := giteaDo(ctx, s, http.MethodDelete, path, nil)
		switch {
		case a.err != nil:
			return fmt.Errorf("deleting the key: %v", a.err)
		case a.status == http.StatusNoContent || a.status == http.StatusNotFound:
			return nil
		}
		return keyRefusal("deleting the key", a.status, a.message(), "the token needs the rights that added it")
	},
}

func escapeRepo(repo string) string {
	owner, name, _ := strings.Cut(repo, "/")
	return url.PathEscape(owner) + "/" + url.PathEscape(name)
}

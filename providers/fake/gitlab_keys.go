package fake

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// gitLabKeys emulates GitLab's SSH keys: deploy keys of projects (POST/DELETE
// /projects/:id/deploy_keys[/:key_id]) and keys of the token's user (POST/DELETE
// /user/keys[/:key_id]). GitLab keeps each public key once (its fingerprint_sha256 is unique over
// users' and deploy keys): the same key again answers 400 {"message":{"fingerprint_sha256":["has
// already been taken"]}} (deploy keys: "deploy_key.fingerprint_sha256"), except the same deploy key
// on the same project, which answers 201 with the key already there. Both need the api scope; a
// deploy key the Maintainer role on the project (403 "403 Forbidden" below it).
type gitLabKeys struct {
	mu   sync.Mutex
	next int64
	keys map[int64]gitLabKeyRec
}

type gitLabKeyRec struct {
	owner   string // "user:<username>" or "repo:<project path>"
	key     string // "<type> <base64>"
	title   string
	canPush bool
	created time.Time
}

// serveKeys answers the key endpoints; it reports false for any other path.
func (g *gitLab) serveKeys(w http.ResponseWriter, r *http.Request, seg []string, sc gitLabScenario) bool {
	var owner string
	var rest []string
	switch {
	case len(seg) >= 2 && seg[0] == "user" && seg[1] == "keys" && r.Method != http.MethodGet:
		owner, rest = "user:"+sc.user, seg[2:]
	case len(seg) >= 3 && seg[0] == "projects" && seg[2] == "deploy_keys" && r.Method != http.MethodGet:
		g.mu.Lock()
		key, p := g.find(seg[1])
		g.mu.Unlock()
		if !g.allowed(w, sc, "api") {
			return true
		}
		if p == nil || sc.access == 0 {
			g.message(w, http.StatusNotFound, "404 Project Not Found")
			return true
		}
		if sc.access < 40 {
			g.message(w, http.StatusForbidden, "403 Forbidden")
			return true
		}
		owner, rest = "repo:"+key, seg[3:]
	default:
		return false
	}
	if !g.allowed(w, sc, "api") {
		return true
	}
	switch {
	case len(rest) == 0 && r.Method == http.MethodPost:
		g.keys.add(w, r, owner, g.now().UTC())
	case len(rest) == 1 && r.Method == http.MethodDelete:
		id, _ := strconv.ParseInt(rest[0], 10, 64)
		if !g.keys.remove(id, owner) {
			msg := "404 Key Not Found"
			if strings.HasPrefix(owner, "repo:") {
				msg = "404 Deploy key Not Found"
			}
			g.message(w, http.StatusNotFound, msg)
			return true
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		g.message(w, http.StatusNotFound, "404 Not Found")
	}
	return true
}

func (k *gitLabKeys) add(w http.ResponseWriter, r *http.Request, owner string, now time.Time) {
	var in struct {
		Title   string `json:"title"`
		Key     string `json:"key"`
		CanPush *bool  `json:"can_push"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 64*1024))
	if err := json.Unmarshal(raw, &in); err != nil || in.Title == "" || in.Key == "" {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "title is missing, key is missing"})
		return
	}
	f := strings.Fields(in.Key)
	blob, err := base64.StdEncoding.DecodeString(func() string {
		if len(f) < 2 {
			return "!"
		}
		return f[1]
	}())
	if err != nil {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"message": map[string]any{
			"key": []string{"type is forbidden. Must be DSA, ECDSA, ED25519, ECDSA_SK, or ED25519_SK"}}})
		return
	}
	key := f[0] + " " + f[1]
	deploy := strings.HasPrefix(owner, "repo:")
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys, k.next = map[int64]gitLabKeyRec{}, 1
	}
	for id, rec := range k.keys {
		if rec.key != key {
			continue
		}
		if deploy && rec.owner == owner {
			WriteJSON(w, http.StatusCreated, rec.json(id, blob))
			return
		}
		field := "fingerprint_sha256"
		if deploy {
			field = "deploy_key.fingerprint_sha256"
		}
		WriteJSON(w, http.StatusBadRequest, map[string]any{"message": map[string]any{field: []string{"has already been taken"}}})
		return
	}
	id := k.next
	k.next++
	rec := gitLabKeyRec{owner: owner, key: key, title: in.Title, canPush: deploy && in.CanPush != nil && *in.CanPush, created: now}
	k.keys[id] = rec
	WriteJSON(w, http.StatusCreated, rec.json(id, blob))
}

func (k *gitLabKeys) remove(id int64, owner string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if rec, ok := k.keys[id]; ok && rec.owner == owner {
		delete(k.keys, id)
		return true
	}
	return false
}

func (k *gitLabKeys) list() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, r := range k.keys {
		out = append(out, r.owner+" "+r.key)
	}
	sort.Strings(out)
	return out
}

// json is the key as GitLab answers it: Entities::SSHKey for a user's key, Entities::DeployKeysProject
// (the deploy key with can_push) for a deploy key (lib/api/users.rb, lib/api/deploy_keys.rb). A key
// added without expires_at never expires and has not been used yet: both are null, as GitLab's own
// examples show ("expires_at": null, doc/api/deploy_keys.md); providers/openapi_gitlab_test.go
// validates the answer against GitLab's description.
func (rec gitLabKeyRec) json(id int64, blob []byte) map[string]any {
	sum := sha256.Sum256(blob)
	md := md5.Sum(blob)
	var colons []string
	for _, b := range md {
		colons = append(colons, fmt.Sprintf("%02x", b))
	}
	out := map[string]any{"id": id, "title": rec.title, "key": rec.key, "created_at": rec.created.Format("2006-01-02T15:04:05.000Z"),
		"expires_at": nil, "last_used_at": nil, "fingerprint": strings.Join(colons, ":"),
		"fingerprint_sha256": "SHA256:" + strings.TrimRight(base64.StdEncoding.EncodeToString(sum[:]), "=")}
	if strings.HasPrefix(rec.owner, "repo:") {
		out["can_push"], out["usage_type"] = rec.canPush, "auth"
	} else {
		out["usage_type"] = "auth_and_signing"
	}
	return out
}

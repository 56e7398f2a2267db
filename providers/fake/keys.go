package fake

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"gitopscfg/providers"
)

// sshKeys emulates the public-key endpoints GitHub and Gitea share (GitHub REST "deploy keys" and
// "Git SSH keys", Gitea's /repos/{owner}/{repo}/keys and /user/keys): POST {"title","key"
// [,"read_only"]} → 201 with the key's "id", "key", "title", "read_only" (deploy keys), "created_at";
// the same key twice → 422; DELETE …/{id} → 204, an unknown id → 404.
type sshKeys struct {
	mu   sync.Mutex
	next int64
	keys map[int64]sshKeyRec
}

type sshKeyRec struct {
	owner string // "user:<login>" or "repo:<owner/name>"
	key   string
}

// Keys lists the keys registered now, as "<owner> <type> <base64>" lines (for tests).
func (k *sshKeys) list() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, r := range k.keys {
		out = append(out, r.owner+" "+r.key)
	}
	return out
}

// serve answers a key request of path ("/user/keys[/{id}]" or "/repos/{o}/{r}/keys[/{id}]") for
// owner (the user, or the repository when repoOK); it reports whether path was a key request.
// fail writes the API's error.
func (k *sshKeys) serve(w http.ResponseWriter, r *http.Request, path, user string, repoOK func(full string) bool,
	fail func(w http.ResponseWriter, status int, msg string)) bool {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	var owner string
	var rest []string
	switch {
	case len(seg) >= 2 && seg[0] == "user" && seg[1] == "keys":
		owner, rest = "user:"+strings.ToLower(user), seg[2:]
	case len(seg) >= 4 && seg[0] == "repos" && seg[3] == "keys":
		full := seg[1] + "/" + seg[2]
		if !repoOK(full) {
			fail(w, http.StatusNotFound, "Not Found")
			return true
		}
		owner, rest = "repo:"+strings.ToLower(full), seg[4:]
	default:
		return false
	}
	switch {
	case len(rest) == 0 && r.Method == http.MethodPost:
		k.add(w, r, owner, fail)
	case len(rest) == 1 && r.Method == http.MethodDelete:
		id, err := strconv.ParseInt(rest[0], 10, 64)
		k.mu.Lock()
		rec, ok := k.keys[id]
		if ok && err == nil && rec.owner == owner {
			delete(k.keys, id)
		}
		k.mu.Unlock()
		if !ok || err != nil || rec.owner != owner {
			fail(w, http.StatusNotFound, "Not Found")
			return true
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		fail(w, http.StatusNotFound, "Not Found")
	}
	return true
}

func (k *sshKeys) add(w http.ResponseWriter, r *http.Request, owner string, fail func(http.ResponseWriter, int, string)) {
	var in struct {
		Title    string `json:"title"`
		Key      string `json:"key"`
		ReadOnly *bool  `json:"read_only"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 64*1024))
	f := strings.Fields(func() string { _ = json.Unmarshal(raw, &in); return in.Key }())
	if len(f) < 2 || !strings.HasPrefix(f[0], "ssh-") && !strings.HasPrefix(f[0], "ecdsa-") {
		fail(w, http.StatusUnprocessableEntity, "key is invalid. You must supply a key in OpenSSH public key format")
		return
	}
	key := f[0] + " " + f[1]
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys, k.next = map[int64]sshKeyRec{}, 1
	}
	for _, rec := range k.keys {
		if rec.key == key {
			fail(w, http.StatusUnprocessableEntity, "key is already in use")
			return
		}
	}
	id := k.next
	k.next++
	k.keys[id] = sshKeyRec{owner: owner, key: key}
	out := map[string]any{"id": id, "key": key, "title": in.Title, "created_at": time.Now().UTC().Format(time.RFC3339)}
	if strings.HasPrefix(owner, "repo:") {
		out["read_only"] = in.ReadOnly != nil && *in.ReadOnly
	}
	WriteJSON(w, http.StatusCreated, out)
}

// SSHKeys lists the public SSH keys registered through emulator id's API now, one
// "<user:login|repo:owner/name> <type> <base64>" line each (none for an emulator without keys).
func (e *Emulators) SSHKeys(id providers.ID) []string {
	switch h := e.handlers[id].(type) {
	case *gitHub:
		return h.keys.list()
	case *giteaEmulator:
		return h.keys.list()
	case *gitLab:
		return h.keys.list()
	case *bitbucketEmulator:
		return h.keys.list()
	}
	return nil
}

package fake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// SSH-key scopes of API tokens; the legacy names Bitbucket reports are account (read) and
// account:write (add, delete) instead.
const (
	bbReadSSHKey   = "read:ssh-key:bitbucket"
	bbWriteSSHKey  = "write:ssh-key:bitbucket"
	bbDeleteSSHKey = "delete:ssh-key:bitbucket"
)

func init() {
	bbLegacy[bbReadSSHKey], bbLegacy[bbWriteSSHKey], bbLegacy[bbDeleteSSHKey] = "account", "account:write", "account:write"
}

// bbKeys emulates the SSH keys of Bitbucket Cloud accounts: POST /2.0/users/{selected_user}/ssh-keys
// {key, label} → 201 ssh_account_key (uuid, key, comment, label, created_on, expires_on null,
// fingerprint, owner, links; last_used only once used, which no key here is); the caller may
// manage only its own account's keys (403 otherwise; 404 for an unknown user); DELETE
// …/ssh-keys/{key_id} → 204, 404 unknown. selected_user is the account's UUID (with braces) or
// its account id.
//
// A public key is registered once on Bitbucket, and a deleted one is kept for up to 30 days: the
// same key again answers 400 with the two messages Atlassian's knowledge base quotes ("Why am I not
// able to add an SSH key in Bitbucket Cloud", support.atlassian.com/bitbucket-cloud/kb/): a key held
// now, bbKeyHeld; a key deleted within 30 days, bbKeyDeleted. (Before, the API said "Someone has
// already added that SSH key.", which scripts against /2.0/users/{user}/ssh-keys matched.)
type bbKeys struct {
	mu      sync.Mutex
	keys    map[string]bbKeyRec  // by key UUID
	deleted map[string]time.Time // "<type> <base64>" → when it was deleted
}

// Bitbucket's refusals of a key registered already (see bbKeys).
const (
	bbKeyHeld    = "Someone has already registered that SSH key."
	bbKeyDeleted = "SSH keys must be unique and deleted keys may take up to 30 days to be removed. Please use a unique SSH key."
)

// bbKeyRetention is how long Bitbucket keeps a deleted key from being registered again.
const bbKeyRetention = 30 * 24 * time.Hour

type bbKeyRec struct {
	owner   *bbAccount
	key     string // "<type> <base64>"
	comment string
	label   string
	created time.Time
}

// serveKeys answers /2.0/users/{selected_user}/ssh-keys[/{key_id}]; false for any other path.
func (e *bitbucketEmulator) serveKeys(w http.ResponseWriter, r *http.Request, cred *bbCredential, segs []string) bool {
	if len(segs) < 3 || segs[0] != "users" || segs[2] != "ssh-keys" || len(segs) > 4 {
		return false
	}
	need := map[string]string{http.MethodPost: bbWriteSSHKey, http.MethodDelete: bbDeleteSSHKey}[r.Method]
	if need == "" || (r.Method == http.MethodPost) != (len(segs) == 3) {
		bbError(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
		return true
	}
	if r.Method == http.MethodPost && !e.require(w, cred, bbReadSSHKey) || !e.require(w, cred, need) {
		return true
	}
	u := cred.user
	switch sel := segs[1]; {
	case sel != u.UUID && sel != u.AccountID && !e.knownAccount(sel):
		bbError(w, http.StatusNotFound, "User "+sel+" not found", nil)
		return true
	case sel != u.UUID && sel != u.AccountID:
		bbError(w, http.StatusForbidden, "You may not manage the SSH keys of another account.", nil)
		return true
	}
	if r.Method == http.MethodPost {
		e.keys.add(w, r, u)
		return true
	}
	e.keys.mu.Lock()
	rec, ok := e.keys.keys[segs[3]]
	if ok && rec.owner == u {
		delete(e.keys.keys, segs[3])
		if e.keys.deleted == nil {
			e.keys.deleted = map[string]time.Time{}
		}
		e.keys.deleted[rec.key] = time.Now()
	}
	e.keys.mu.Unlock()
	if !ok || rec.owner != u {
		bbError(w, http.StatusNotFound, "SSH key not found", nil)
		return true
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

func (e *bitbucketEmulator) knownAccount(sel string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.credentials {
		if c.user != nil && (c.user.UUID == sel || c.user.AccountID != "" && c.user.AccountID == sel) {
			return true
		}
	}
	return false
}

func (k *bbKeys) add(w http.ResponseWriter, r *http.Request, owner *bbAccount) {
	var in struct {
		Key   string `json:"key"`
		Label string `json:"label"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 64*1024))
	_ = json.Unmarshal(raw, &in)
	f := strings.Fields(in.Key)
	var blob []byte
	if len(f) >= 2 {
		blob, _ = base64.StdEncoding.DecodeString(f[1])
	}
	if len(blob) == 0 || !strings.HasPrefix(f[0], "ssh-") && !strings.HasPrefix(f[0], "ecdsa-") {
		bbError(w, http.StatusBadRequest, "Bad request", map[string]any{"key": []string{"Invalid SSH key."}})
		return
	}
	key := f[0] + " " + f[1]
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = map[string]bbKeyRec{}
	}
	for _, rec := range k.keys {
		if rec.key == key {
			bbError(w, http.StatusBadRequest, bbKeyHeld, nil)
			return
		}
	}
	if at, ok := k.deleted[key]; ok && time.Since(at) < bbKeyRetention {
		bbError(w, http.StatusBadRequest, bbKeyDeleted, nil)
		return
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := fmt.Sprintf("{%x-%x-%x-%x-%x}", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	rec := bbKeyRec{owner: owner, key: key, comment: strings.Join(f[2:], " "), label: in.Label, created: time.Now().UTC()}
	k.keys[id] = rec
	sum := sha256.Sum256(blob)
	WriteJSON(w, http.StatusCreated, map[string]any{
		"type": "ssh_key", "uuid": id, "key": key, "comment": rec.comment, "label": rec.label,
		"created_on": rec.created.Format("2006-01-02T15:04:05.000000+00:00"), "expires_on": nil,
		"fingerprint": base64.RawStdEncoding.EncodeToString(sum[:]),
		"links":       map[string]any{"self": bbLink("https://api.bitbucket.org/2.0/users/" + url.PathEscape(owner.UUID) + "/ssh-keys/" + url.PathEscape(id))},
		"owner": map[string]any{"type": "user", "uuid": owner.UUID, "account_id": owner.AccountID, "nickname": owner.Nickname,
			"display_name": owner.DisplayName},
	})
}

func (k *bbKeys) list() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, r := range k.keys {
		out = append(out, "user:"+r.owner.Nickname+" "+r.key)
	}
	sort.Strings(out)
	return out
}

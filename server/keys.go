package server

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	gossh "golang.org/x/crypto/ssh"
)

// loadOrCreateHostKey returns the PEM host key at path, generating an ed25519 key (0600) on first
// start.
func loadOrCreateHostKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if _, perr := gossh.ParsePrivateKey(b); perr != nil {
			return nil, fmt.Errorf("the host key %s is not a valid private key: %v", path, perr)
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cannot read the host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "gitopscfg host key")
	if err != nil {
		return nil, err
	}
	b = pem.EncodeToMemory(block)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the host key's directory: %w", err)
	}
	// O_EXCL: two servers starting at once never overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot write the host key: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot write the host key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return b, f.Close()
}

// authorizedKey is one line of the authorized_keys file.
type authorizedKey struct {
	key     gossh.PublicKey
	comment string
}

// authorizedKeys reads an authorized_keys file and re-reads it whenever it changes (size, mtime,
// inode), so keys can be added or revoked without restarting the server.
type authorizedKeys struct {
	path string
	// warn reports the file's problems each time it is (re)read.
	warn func(string)

	mu    sync.Mutex
	stamp string
	keys  []authorizedKey
}

func newAuthorizedKeys(path string, warn func(string)) (*authorizedKeys, error) {
	a := &authorizedKeys{path: path, warn: warn}
	if _, err := a.current(); err != nil {
		return nil, err
	}
	return a, nil
}

// current returns the keys, reloading the file if it changed since the last read.
func (a *authorizedKeys) current() ([]authorizedKey, error) {
	fi, err := os.Stat(a.path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the authorized keys file: %w", err)
	}
	stamp := fmt.Sprintf("%d/%d/%v", fi.Size(), fi.ModTime().UnixNano(), fileID(fi))
	a.mu.Lock()
	defer a.mu.Unlock()
	if stamp == a.stamp {
		return a.keys, nil
	}
	b, err := os.ReadFile(a.path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the authorized keys file: %w", err)
	}
	keys, problems := parseAuthorizedKeys(b)
	for _, p := range problems {
		a.warn(a.path + ": " + p)
	}
	a.stamp, a.keys = stamp, keys
	return keys, nil
}

// parseAuthorizedKeys reads the keys of an authorized_keys file. A line that is not a key, or that
// carries options (from=, command=, expiry-time=, restrict, …), is left out and named in problems:
// options are not enforced here, and honouring a key without them would grant more than the line
// says.
func parseAuthorizedKeys(b []byte) (keys []authorizedKey, problems []string) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, comment, options, _, err := gossh.ParseAuthorizedKey([]byte(line))
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("line %d is not a public key (%v); it is ignored", n, err))
		case len(options) > 0:
			problems = append(problems, fmt.Sprintf("line %d (%s) has options (%s), which this server does not enforce; "+
				"the key is refused: remove the options to allow it without restrictions", n, comment, strings.Join(options, ",")))
		default:
			keys = append(keys, authorizedKey{key: k, comment: comment})
		}
	}
	return keys, problems
}

// lookup returns the entry matching key.
func (a *authorizedKeys) lookup(key gossh.PublicKey) (authorizedKey, bool) {
	keys, _ := a.current()
	want := key.Marshal()
	for _, k := range keys {
		if bytes.Equal(k.key.Marshal(), want) {
			return k, true
		}
	}
	return authorizedKey{}, false
}

// Who names a key holder for the audit trail: its SHA-256 fingerprint (what `ssh-keygen -lf`
// prints) and the comment from authorized_keys.
func Who(key gossh.PublicKey, comment string) string {
	w := "ssh:" + gossh.FingerprintSHA256(key)
	if comment != "" {
		w += " (" + comment + ")"
	}
	return w
}

package server

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/config/safe"
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

// authorizedKey is one line of the authorized_keys file, with the options this server enforces:
// from= (the client addresses allowed) and expiry-time= (when the key stops working).
type authorizedKey struct {
	key     gossh.PublicKey
	comment string
	from    []string  // OpenSSH pattern-list: IPs with * and ?, CIDRs, ! to exclude; nil: any
	expires time.Time // zero: never
}

// allows reports whether the key may log in from ip at now.
func (k authorizedKey) allows(ip string, now time.Time) bool {
	if !k.expires.IsZero() && !now.Before(k.expires) {
		return false
	}
	if k.from == nil {
		return true
	}
	parsed := net.ParseIP(ip)
	allowed := false
	for _, p := range k.from {
		negated := strings.HasPrefix(p, "!")
		if matchAddress(strings.TrimPrefix(p, "!"), ip, parsed) {
			if negated {
				return false
			}
			allowed = true
		}
	}
	return allowed
}

// matchAddress matches one from= pattern against the client's address, as OpenSSH does with
// UseDNS off (its default): CIDRs and address patterns with * and ?, never host names.
func matchAddress(pattern, ip string, parsed net.IP) bool {
	if strings.Contains(pattern, "/") {
		_, n, err := net.ParseCIDR(pattern)
		return err == nil && parsed != nil && n.Contains(parsed)
	}
	ok, err := path.Match(pattern, ip)
	return err == nil && ok
}

// parseKeyOptions applies the options of an authorized_keys line to k; it fails on an option this
// server cannot enforce (command=, restrict, no-pty, …), since honouring the key without it would
// grant more than the line says.
func parseKeyOptions(k *authorizedKey, options []string) error {
	for _, o := range options {
		name, value, _ := strings.Cut(o, "=")
		value = strings.Trim(value, `"`)
		switch strings.ToLower(name) {
		case "from":
			k.from = append(k.from, strings.Split(value, ",")...)
		case "expiry-time":
			t, err := parseExpiryTime(value)
			if err != nil {
				return err
			}
			k.expires = t
		default:
			return fmt.Errorf("option %s is not enforced by this server", name)
		}
	}
	return nil
}

// parseExpiryTime reads OpenSSH's YYYYMMDD[HHMM[SS]] (local time; a trailing Z means UTC).
func parseExpiryTime(v string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(v, "Z") {
		v, loc = strings.TrimSuffix(v, "Z"), time.UTC
	}
	for _, layout := range []string{"20060102", "200601021504", "20060102150405"} {
		if len(v) == len(layout) {
			if t, err := time.ParseInLocation(layout, v, loc); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("expiry-time %q is not YYYYMMDD[HHMM[SS]]", v)
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

// maxKeyLine bounds one line of authorized_keys: the longest public key OpenSSH makes (RSA
// 16384 bits) takes under 3 KB, so a longer line is no key; it is skipped, and reading goes on.
const maxKeyLine = 16 << 10

// maxCommentRunes bounds a key's comment as shown in the audit trail and logs.
const maxCommentRunes = 100

// parseAuthorizedKeys reads the keys of an authorized_keys file. A line that is not a key, that is
// over maxKeyLine, or that carries an option other than from= and expiry-time= (command=,
// restrict, no-pty, …), is left out and named in problems, and the lines after it are read as
// usual: such options are not enforced here, and honouring the key without them would grant more
// than the line says. Comments are kept made safe for display (safe.Text).
func parseAuthorizedKeys(b []byte) (keys []authorizedKey, problems []string) {
	for n, raw := range bytes.Split(b, []byte("\n")) {
		n++
		if len(raw) > maxKeyLine {
			problems = append(problems, fmt.Sprintf("line %d is %d bytes long, over the %d-byte limit of a key line: it is not a public key and is ignored; the lines after it are read", n, len(raw), maxKeyLine))
			continue
		}
		line := strings.TrimSpace(string(raw))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, comment, options, _, err := gossh.ParseAuthorizedKey([]byte(line))
		comment = displayComment(comment)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("line %d is not a public key (%s); it is ignored", n, safe.Text(err.Error())))
		default:
			entry := authorizedKey{key: k, comment: comment}
			if err := parseKeyOptions(&entry, options); err != nil {
				problems = append(problems, fmt.Sprintf("line %d (%s): %v; the key is refused (this server enforces only from= "+
					"and expiry-time=): remove the option to allow it without that restriction", n, comment, safe.Text(err.Error())))
				continue
			}
			keys = append(keys, entry)
		}
	}
	return keys, problems
}

// lookup returns the entry matching key.
func (a *authorizedKeys) lookup(key gossh.PublicKey) (authorizedKey, bool) {
	return a.lookupFor(key, func(authorizedKey) bool { return true })
}

// allowed returns the entry matching key that allows a login from ip now.
func (a *authorizedKeys) allowed(key gossh.PublicKey, ip string, now time.Time) (authorizedKey, bool) {
	return a.lookupFor(key, func(k authorizedKey) bool { return k.allows(ip, now) })
}

func (a *authorizedKeys) lookupFor(key gossh.PublicKey, ok func(authorizedKey) bool) (authorizedKey, bool) {
	keys, _ := a.current()
	want := key.Marshal()
	for _, k := range keys {
		if bytes.Equal(k.key.Marshal(), want) && ok(k) {
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

// displayComment makes an authorized_keys comment safe to show (audit trail, status, other
// admins' screens, logs): safe.Text, and at most maxCommentRunes characters.
func displayComment(c string) string {
	if r := []rune(c); len(r) > maxCommentRunes {
		c = string(r[:maxCommentRunes]) + "…"
	}
	return safe.Text(c)
}

package providers

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gitopscfg/config"
)

// CheckRead is the id of CanRead's check.
const CheckRead = "read"

// maxAdvertisement bounds how much of a ref advertisement CanRead reads: enough to count the refs
// of any GitOps repository, never a whole monorepo's.
const maxAdvertisement = 1 << 20

// CanRead asks the Git server whether c may read the repository at repoURL, as a Git client's
// first request of a clone or fetch does: GET <repo>/info/refs?service=git-upload-pack (Git's
// smart-HTTP discovery) with c's token as the password of HTTP Basic authentication (GitUsername).
// It goes through the shared client for c's CA bundle, which follows no redirect off the host,
// and only to c's own Git or API host over https (http to loopback): a URL elsewhere is refused
// before any request, so the token never leaves for another server. The check passes when the
// server advertises the repository's refs; its message is sealed (no token, no control
// characters).
func CanRead(ctx context.Context, env *Env, c Credentials, repoURL string) Check {
	start := time.Now()
	var revoke func(context.Context) string
	if isGitHubApp(c) { // a GitHub App reads as its installation: its private key goes to no Git request
		inst, rv, why := asInstallation(ctx, env, c)
		if why != "" {
			d := time.Since(start).Milliseconds()
			return Check{ID: CheckRead, Status: Fail, Message: why, DurationMS: &d}.Sealed(c)
		}
		c, revoke = inst, rv
	}
	status, msg := canRead(ctx, env, c, repoURL)
	if revoke != nil {
		if why := revoke(ctx); why != "" {
			msg += " (" + why + ")"
		}
	}
	d := time.Since(start).Milliseconds()
	return Check{ID: CheckRead, Status: status, Message: msg, DurationMS: &d}.Sealed(c)
}

func canRead(ctx context.Context, env *Env, c Credentials, repoURL string) (Status, string) {
	p, err := Lookup(string(c.Provider))
	if err != nil {
		return Fail, err.Error()
	}
	u, err := readTarget(p, c, repoURL)
	if err != nil {
		return Fail, err.Error()
	}
	repo := u.String()
	u.Path = strings.TrimRight(u.Path, "/") + "/info/refs"
	u.RawPath = ""
	u.RawQuery = "service=git-upload-pack"
	resp, body, err := askRefs(ctx, env, c, u)
	if err != nil {
		return Fail, err.Error()
	}
	return readVerdict(p, c, resp, body, u.Host, repo)
}

// readTarget parses repoURL as the repository CanRead asks about, without its userinfo, and
// refuses it unless it is a safe URL on c's Git host or API host.
func readTarget(p Provider, c Credentials, repoURL string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(repoURL))
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q is not a repository URL (https://host/path, without a query or fragment)", repoURL)
	}
	u.User = nil
	if err := RequireSafeURL(u.String()); err != nil {
		return nil, err
	}
	hosts := credentialHosts(p, c)
	if !hosts[strings.ToLower(u.Host)] {
		return nil, fmt.Errorf("refusing to send %s's token to %s: it is neither its Git host nor its API host", c.CredentialName(), u.Host)
	}
	return u, nil
}

// askRefs sends Git's ref discovery request (u) with c's token, within env's timeout, and returns
// the answer with at most maxAdvertisement bytes of its body.
func askRefs(ctx context.Context, env *Env, c Credentials, u *url.URL) (*http.Response, []byte, error) {
	hc, err := env.Clients.ForTransport(TransportOf(c.Settings))
	if err != nil {
		return nil, nil, err
	}
	timeout := env.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	if c.Kind == config.CredentialServicePrincipal {
		bearer, err := entraBearer(ctx, env, c)
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+bearer) // Azure Repos takes a principal's Entra token as Bearer
	} else {
		req.SetBasicAuth(GitUsername(c), c.Token)
	}
	req.Header.Set("Accept", "*/*")
	req.Header.Set("Pragma", "no-cache")
	resp, err := hc.Do(req)
	if err != nil {
		if net := DescribeNetworkError(err, u.Host); net != "" {
			return nil, nil, errors.New("cannot reach the Git server: " + net)
		}
		return nil, nil, errors.New("cannot reach the Git server: " + err.Error())
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAdvertisement))
	return resp, body, nil
}

// readVerdict judges the Git server's answer (resp, body) to the ref discovery of repo on host:
// the check passes on a well-formed ref advertisement and says what it lists.
func readVerdict(p Provider, c Credentials, resp *http.Response, body []byte, host, repo string) (Status, string) {
	user := GitUsername(c)
	hint := p.gitAccessHint("clone", p.TokenURL(c.Host))
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
		ct := resp.Header.Get("Content-Type")
		if !strings.HasPrefix(ct, "application/x-git-upload-pack-advertisement") {
			return Fail, fmt.Sprintf("%s answered 200 without Git's smart-HTTP advertisement (Content-Type %q): it is no Git repository URL, or a sign-in page answered", host, ct)
		}
		refs, head, ok := advertisedRefs(body)
		if !ok {
			return Fail, fmt.Sprintf("%s answered with a malformed ref advertisement for %s", host, repo)
		}
		switch {
		case refs == 0:
			return Pass, fmt.Sprintf("%s may read %s as %q: the repository is empty", c.CredentialName(), repo, user)
		case head != "":
			return Pass, fmt.Sprintf("%s may read %s as %q: Git lists %s, HEAD → %s", c.CredentialName(), repo, user, countRefs(refs), head)
		}
		return Pass, fmt.Sprintf("%s may read %s as %q: Git lists %s", c.CredentialName(), repo, user, countRefs(refs))
	case code >= 300 && code < 400:
		where := resp.Header.Get("Location")
		if l, err := url.Parse(where); err == nil && l.Host != "" {
			where = l.Host
		}
		return Fail, fmt.Sprintf("%s redirected the request (%d) to %s, which is not followed: the token goes to the credential's own host only; give the repository's URL on %s", host, code, where, host)
	case code == http.StatusUnauthorized:
		return Fail, fmt.Sprintf("the Git server did not accept the token as %q (401)%s: %s", user, gitDetail(body), hint)
	case code == http.StatusForbidden:
		return Fail, fmt.Sprintf("the Git server refused to let %s read %s (403)%s: %s", c.CredentialName(), repo, gitDetail(body), hint)
	case code == http.StatusNotFound:
		return Fail, fmt.Sprintf("the Git server answered 404 for %s%s: the repository does not exist, or the token may not see it (%s)", repo, gitDetail(body), hint)
	default:
		return Fail, fmt.Sprintf("the Git server answered %s to %s%s", resp.Status, repo, gitDetail(body))
	}
}

// credentialHosts are the hosts (host[:port], lower case) c's token may be sent to: its Git
// host's and its API's.
func credentialHosts(p Provider, c Credentials) map[string]bool {
	hosts := map[string]bool{}
	if h, err := url.Parse(strings.TrimSpace(c.Host)); err == nil && h.Host != "" {
		hosts[strings.ToLower(h.Host)] = true
	}
	if base, err := p.APIBase(c.Host, c.APIURL); err == nil {
		if a, err := url.Parse(base); err == nil && a.Host != "" {
			hosts[strings.ToLower(a.Host)] = true
		}
	}
	return hosts
}

// gitDetail is the first line of a refusal's body, as Git shows it ("remote: Repository not
// found."), in parentheses; "" for none or for anything but short text.
func gitDetail(body []byte) string {
	line := firstLine(string(body))
	if line == "" || len(line) > 200 || strings.HasPrefix(line, "<") || strings.HasPrefix(line, "{") {
		return ""
	}
	return " (" + line + ")"
}

// advertisedRefs reads a smart-HTTP ref advertisement (pkt-lines: "# service=git-upload-pack", a
// flush, then one line per ref, the first with the capabilities after a NUL): how many refs it
// lists (an empty repository lists none, only "capabilities^{}"), the branch HEAD points at
// ("" when not said), and whether it was well-formed as far as read.
func advertisedRefs(b []byte) (refs int, head string, ok bool) {
	r := bufio.NewReader(bytes.NewReader(b))
	first := true
	for {
		var size [4]byte
		if _, err := io.ReadFull(r, size[:]); err != nil {
			return refs, head, !first && err == io.EOF
		}
		n, err := strconv.ParseUint(string(size[:]), 16, 16)
		if err != nil {
			return 0, "", false
		}
		if n == 0 {
			continue // flush
		}
		if n < 4 {
			return 0, "", false
		}
		line := make([]byte, n-4)
		if _, err := io.ReadFull(r, line); err != nil {
			// Cut off by maxAdvertisement: what was read counts.
			return refs, head, !first
		}
		text := strings.TrimSuffix(string(line), "\n")
		if first {
			if text != "# service=git-upload-pack" {
				return 0, "", false
			}
			first = false
			continue
		}
		ref, caps, _ := strings.Cut(text, "\x00")
		for _, cp := range strings.Fields(caps) {
			if target, found := strings.CutPrefix(cp, "symref=HEAD:"); found {
				head = strings.TrimPrefix(target, "refs/heads/")
			}
		}
		if _, name, _ := strings.Cut(ref, " "); name != "capabilities^{}" {
			refs++
		}
	}
}

func countRefs(n int) string {
	if n == 1 {
		return "1 ref"
	}
	return strconv.Itoa(n) + " refs"
}

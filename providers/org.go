package providers

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Org is the organisation (group, project, workspace) credentials name, as the provider knows it:
// its id and its full path. Where the provider names it one way only, both are the stored value.
type Org struct {
	ID   string
	Path string
}

// ResolveOrg looks up the organisation c names, by id or by path, through the provider's API
// (GitLab: a group's numeric id and its full path); for a provider whose organisation has one
// name, it is the stored value, without a request. Platforms that need the other name (Devtron
// wants a GitLab group's id, Argo CD its path) ask here.
func ResolveOrg(ctx context.Context, env *Env, c Credentials) (Org, error) {
	p, err := Lookup(string(c.Provider))
	if err != nil {
		return Org{}, err
	}
	if p.resolveOrg == nil {
		org := strings.TrimSpace(c.Org)
		return Org{ID: org, Path: org}, nil
	}
	if env.orgs == nil {
		return p.resolveOrg(ctx, env, c)
	}
	return env.orgs.resolve(ctx, env, c, p.resolveOrg)
}

// orgMemo remembers the organisations one use case looked up, so that an export of every
// credential, or a comparison with every platform instance, asks the provider once per
// credential (Argo CD's prefix and its Secret both need a GitLab group's path). It lives as long
// as the use case's Env (WithOrgMemo), so a group renamed later is looked up again.
type orgMemo struct {
	mu sync.Mutex
	m  map[string]Org
}

// WithOrgMemo is a copy of env whose ResolveOrg remembers each answer (errors are not kept).
func (e *Env) WithOrgMemo() *Env {
	c := *e
	c.orgs = &orgMemo{m: map[string]Org{}}
	return &c
}

func (m *orgMemo) resolve(ctx context.Context, env *Env, c Credentials, look func(context.Context, *Env, Credentials) (Org, error)) (Org, error) {
	// The same organisation through the same API with the same secret: the answer cannot differ.
	sum := sha256.Sum256([]byte(strings.Join([]string{string(c.Provider), c.Host, c.APIURL, c.Org, c.Token}, "\x00")))
	key := string(sum[:])
	m.mu.Lock()
	org, ok := m.m[key]
	m.mu.Unlock()
	if ok {
		return org, nil
	}
	org, err := look(ctx, env, c)
	if err == nil {
		m.mu.Lock()
		m.m[key] = org
		m.mu.Unlock()
	}
	return org, err
}

// resolveGitLabGroup asks GitLab (GET /groups/:id, with the stored token over the shared
// transport) for the group the org field names, by numeric id or full path.
func resolveGitLabGroup(ctx context.Context, env *Env, c Credentials) (Org, error) {
	org := strings.Trim(strings.TrimSpace(c.Org), "/")
	if org == "" {
		return Org{}, fmt.Errorf("no GitLab group is stored")
	}
	base, err := APIBase(GitLab, c.Host, c.APIURL)
	if err != nil {
		return Org{}, err
	}
	if err := RequireSafeURL(base); err != nil {
		return Org{}, err
	}
	hc, err := env.Clients.ForTransport(TransportOf(c.Settings))
	if err != nil {
		return Org{}, err
	}
	u, _ := url.Parse(base)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/groups/"+url.PathEscape(org)+"?with_projects=false", nil)
	if err != nil {
		return Org{}, fmt.Errorf("cannot ask GitLab for group %q: %s", org, c.Redact(err.Error()))
	}
	req.Header.Set("PRIVATE-TOKEN", c.Token)
	resp, err := hc.Do(req)
	if err != nil {
		msg := DescribeNetworkError(err, u.Host)
		if msg == "" {
			msg = "cannot reach " + u.Host
		}
		return Org{}, fmt.Errorf("cannot look up GitLab group %q: %s", org, c.Redact(msg))
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return Org{}, fmt.Errorf("GitLab has no group %q the token can see (HTTP 404): check the group ID or path", org)
	case http.StatusUnauthorized, http.StatusForbidden:
		return Org{}, fmt.Errorf("GitLab refused to show group %q (HTTP %d): the token needs the api or read_api scope; run `gitopscfg check gitlab`", org, resp.StatusCode)
	default:
		return Org{}, fmt.Errorf("GitLab answered HTTP %d when asked for group %q: try again later", resp.StatusCode, org)
	}
	var g struct {
		ID       int    `json:"id"`
		FullPath string `json:"full_path"`
	}
	if err := json.Unmarshal(b, &g); err != nil || g.ID == 0 {
		return Org{}, fmt.Errorf("GitLab's answer for group %q has no numeric id", org)
	}
	if n, err := strconv.Atoi(org); err == nil && n != g.ID {
		return Org{}, fmt.Errorf("GitLab answered group %d for id %s", g.ID, org)
	}
	return Org{ID: strconv.Itoa(g.ID), Path: g.FullPath}, nil
}

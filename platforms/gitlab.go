package platforms

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gitopscfg/providers"
)

func init() {
	registerTarget(providers.GitLab, target{
		devtron:    "GITLAB",
		devtronOrg: func(c *Config) *string { return &c.GitLabGroupID },
		// Devtron's Create Repo stage cannot use a group path: it needs the numeric id.
		devtronFill: func(ctx context.Context, env *providers.Env, c providers.Credentials, cfg *Config) ([]string, error) {
			cfg.Host = hostSlash(c)
			g, err := lookupGitLabGroup(ctx, env, c)
			if err != nil {
				return nil, err
			}
			cfg.GitLabGroupID = fmt.Sprint(g.ID)
			return nil, nil
		},
		// Argo CD matches by the group's full path: a numeric id is looked up.
		orgPath: func(ctx context.Context, env *providers.Env, c providers.Credentials, org string) (string, error) {
			if _, err := strconv.Atoi(org); err == nil {
				g, err := lookupGitLabGroup(ctx, env, c)
				if err != nil {
					return "", err
				}
				org = g.FullPath
			}
			return "/" + escapePath(org) + "/", nil
		},
	})
}

// GitLabGroup is a GitLab group's numeric id and full path.
type GitLabGroup struct {
	ID       int    `json:"id"`
	FullPath string `json:"full_path"`
}

// lookupGitLabGroup asks the GitLab API (GET /groups/:id, with the stored token over the shared
// transport) for the group the org field names, by numeric id or full path: Devtron needs the id,
// Argo CD and Flux the path.
func lookupGitLabGroup(ctx context.Context, env *providers.Env, c providers.Credentials) (GitLabGroup, error) {
	org := strings.Trim(strings.TrimSpace(c.Org), "/")
	if org == "" {
		return GitLabGroup{}, fmt.Errorf("no GitLab group is stored")
	}
	base, err := providers.APIBase(providers.GitLab, c.Host, c.APIURL)
	if err != nil {
		return GitLabGroup{}, err
	}
	if err := providers.RequireSafeURL(base); err != nil {
		return GitLabGroup{}, err
	}
	hc, err := env.Clients.For(c.CABundle)
	if err != nil {
		return GitLabGroup{}, err
	}
	u, _ := url.Parse(base)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/groups/"+url.PathEscape(org)+"?with_projects=false", nil)
	if err != nil {
		return GitLabGroup{}, fmt.Errorf("cannot ask GitLab for group %q: %s", org, c.Redact(err.Error()))
	}
	req.Header.Set("PRIVATE-TOKEN", c.Token)
	resp, err := hc.Do(req)
	if err != nil {
		msg := providers.DescribeNetworkError(err, u.Host)
		if msg == "" {
			msg = "cannot reach " + u.Host
		}
		return GitLabGroup{}, fmt.Errorf("cannot look up GitLab group %q (Devtron needs its numeric id): %s", org, c.Redact(msg))
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, bodyLimit))
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return GitLabGroup{}, fmt.Errorf("GitLab has no group %q the token can see (HTTP 404): check the group ID or path", org)
	case http.StatusUnauthorized, http.StatusForbidden:
		return GitLabGroup{}, fmt.Errorf("GitLab refused to show group %q (HTTP %d): the token needs the api or read_api scope; run `gitopscfg check gitlab`", org, resp.StatusCode)
	default:
		return GitLabGroup{}, fmt.Errorf("GitLab answered HTTP %d when asked for group %q: try again later", resp.StatusCode, org)
	}
	var g GitLabGroup
	if err := json.Unmarshal(b, &g); err != nil || g.ID == 0 {
		return GitLabGroup{}, fmt.Errorf("GitLab's answer for group %q has no numeric id", org)
	}
	if n, err := strconv.Atoi(org); err == nil && n != g.ID {
		return GitLabGroup{}, fmt.Errorf("GitLab answered group %d for id %s", g.ID, org)
	}
	return g, nil
}

package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"gitopscfg/assets"
)

// GitLab is gitlab.com and self-managed GitLab.
const GitLab ID = "gitlab"

func init() {
	register(Provider{
		ID: GitLab, Name: "GitLab", DefaultHost: "https://gitlab.com/", OrgNoun: "group", resolveOrg: resolveGitLabGroup,
		tokenPath: "/-/user_settings/personal_access_tokens",
		TokenNoun: "personal access token",
		Fields: append(append(withAdvanced(
			hostField("Git Host", "https://gitlab.com/", "https://gitlab.com/", assets.FieldHelp("gitlab", "host")),
			orgField("GitLab Group ID", "81234567 or acme/gitops", assets.FieldHelp("gitlab", "org"), gitLabGroupName),
			usernameField(assets.FieldHelp("gitlab", "username"), "jdoe"),
			tokenField("Personal Access Token", assets.FieldHelp("gitlab", "token")),
		), urlPrefixField("https://gitlab.com/acme/gitops/", assets.FieldHelp("gitlab", "url_prefix")), repoField("acme/platform/gitops-apps", true, assets.FieldHelp("gitlab", "repo"))), sshFields...),
		Scopes: []Scope{
			{Name: "api", Why: "needed to create, read and delete projects in the group"},
			{Name: "write_repository", Why: "needed to push to the GitOps repositories over HTTPS"},
		},
		TokenPrefixes: []string{"glpat-"},
		Rotation:      &Rotation{Current: gitLabCurrentToken, Rotate: rotateGitLabToken, MaxLifetime: gitLabMaxTokenLifetime},
		apiBase:       func(_ *url.URL, base string) string { return base + "/api/v4" },
		check:         checkGitLab,
		repos:         newGitLabRepos,
		gitAccess:     gitLabGitAccess,
		sshKeys:       gitLabKeys,
	})
}

// Lengths are checked apart from these patterns: a counted repetition compiles into a large
// program, paid for at every start of the binary.
var (
	gitLabPathRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$`)
	gitLabIDRe   = regexp.MustCompile(`^[1-9][0-9]*$`)
)

// gitLabGroupName is the rule of the group field: a numeric ID or a full path.
func gitLabGroupName(s string) (string, error) {
	s = strings.Trim(s, "/")
	if len(s) <= 19 && gitLabIDRe.MatchString(s) {
		return s, nil
	}
	if strings.HasPrefix(s, "0") && strings.Trim(s, "0123456789") == "" {
		return "", fmt.Errorf("%q is not a GitLab group ID: numeric IDs do not start with 0", s)
	}
	if !gitLabPathRe.MatchString(s) || strings.Contains(s, "..") || strings.HasSuffix(s, ".git") || strings.HasSuffix(s, ".atom") {
		return "", fmt.Errorf("%q is not a GitLab group: enter its numeric ID (e.g. 81234567) or its full path as in its URL (e.g. acme/gitops); path parts use letters, digits, _, - and dots", s)
	}
	return s, nil
}

// gitLabGitAccess names the likely cause of a refused Git request and where to fix it.
func gitLabGitAccess(write bool, tokenURL string) string {
	if write {
		return "the token needs write_repository (or api), its user at least the Developer role on the project, and the default branch must let that role push (Settings > Repository > Protected branches). Fix the token at " + tokenURL
	}
	return "the token needs read_repository, write_repository or api. Fix it at " + tokenURL
}

// The live check of GitLab credentials, in two round trips: GET /personal_access_tokens/self
// (scopes, state, expiry), GET /user (username, id) and GET /groups/:id (the group and its
// project_creation_level) at once; then GET /groups/:id/members/all/:user_id (the caller's
// access level, inherited memberships included), which needs the user id. A re-test that knows
// the user id from the last check (WithKnownUserID) sends the membership look-up in the first
// wave too: one round trip. The answer of /user (or the token's user_id) confirms the id; when
// it differs (the token now belongs to someone else), the look-up is sent again with the new id.

// gitLabAccessNames names GitLab's access levels (docs.gitlab.com, "Group and project members API").
var gitLabAccessNames = map[gitlab.AccessLevelValue]string{
	0: "No access", 5: "Minimal Access", 10: "Guest", 15: "Planner", 20: "Reporter", 30: "Developer", 40: "Maintainer",
	50: "Owner", 60: "Admin",
}

// gitLabNoLimit disables client-go's client-side rate limiter, which would otherwise be configured
// (racily, from concurrent requests) from the first response's RateLimit-Limit header.
type gitLabNoLimit struct{}

func (gitLabNoLimit) Wait(context.Context) error { return nil }

// newGitLabClient returns a client-go client on the shared HTTP client, with retries off: one
// check must answer within its deadline, and a 500 is reported, not retried with back-off.
func newGitLabClient(s *session) (*gitlab.Client, error) {
	return gitlab.NewClient(s.Creds.Token,
		gitlab.WithURLWarningLogger(slog.New(slog.DiscardHandler)),
		gitlab.WithBaseURL(s.APIBase),
		gitlab.WithHTTPClient(s.HTTP),
		gitlab.WithoutRetries(),
		gitlab.WithCustomRetryMax(0),
		gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }),
		gitlab.WithCustomLimiter(gitLabNoLimit{}),
	)
}

type gitLabReply[T any] struct {
	val  T
	resp *gitlab.Response
	err  error
}

func (r gitLabReply[T]) status() int {
	if r.resp == nil || r.resp.Response == nil {
		return 0
	}
	return r.resp.StatusCode
}

// gitLabErrorBody is GitLab's error JSON: {"message":…} or OAuth's {"error":…,"error_description":…}.
type gitLabErrorBody struct {
	Message          any    `json:"message"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Scope            string `json:"scope"`
}

func gitLabError(err error) gitLabErrorBody {
	var b gitLabErrorBody
	var er *gitlab.ErrorResponse
	if errors.As(err, &er) && len(er.Body) > 0 {
		_ = json.Unmarshal(er.Body, &b)
	}
	return b
}

// gitLabGroupID turns the org field into what the API takes: a numeric ID or a full path.
func gitLabGroupID(org string) any {
	if n, err := strconv.ParseInt(org, 10, 64); err == nil && n > 0 {
		return n
	}
	return strings.Trim(org, "/")
}

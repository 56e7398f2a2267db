package providers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// GitLab rotation: POST /personal_access_tokens/self/rotate (GitLab 16.10 and later; the token
// needs the api or self_rotate scope) issues a new token with the same name and scopes and
// revokes the calling one at once. GitLab treats a second rotation with the revoked token as
// reuse and revokes the new one too, so a rotation is never retried.

// gitLabMaxTokenLifetime is the longest lifetime GitLab allows a personal access token by default.
const gitLabMaxTokenLifetime = 365 * 24 * time.Hour

// TokenInfo describes a personal access token as GitLab shows it (never the secret).
type TokenInfo struct {
	// Kind names a token that is not a personal one ("group access token of group 81234567");
	// Page is then where such tokens are made (both "": a personal access token).
	Kind, Page string
	Name       string
	Scopes     []string
	CreatedAt  *time.Time
	// ExpiresAt is 00:00 UTC on the expiry date; nil when the token does not expire.
	ExpiresAt *time.Time
}

// Lifetime is the token's lifetime from creation to expiry (0 when either is unknown).
func (t TokenInfo) Lifetime() time.Duration {
	if t.CreatedAt == nil || t.ExpiresAt == nil {
		return 0
	}
	return t.ExpiresAt.Sub(*t.CreatedAt)
}

// RotateError is a failed rotation. Revoked says whether the old token may be dead all the same:
// false when GitLab refused (nothing changed), true when the answer was lost after the request
// went out (GitLab may have rotated, and then the new token is gone with the answer).
type RotateError struct {
	Status       int
	Msg          string
	MaybeRevoked bool
}

func (e *RotateError) Error() string { return e.Msg }

// gitLabSession builds a session for c (the same URL and TLS rules as a check).
func gitLabSession(env *Env, c Credentials) (*session, *gitlab.Client, error) {
	p := MustLookup(GitLab)
	var r Result
	s, ok := newSession(env, p, c, &r)
	if !ok {
		return nil, nil, &RotateError{Msg: r.Checks[0].Message}
	}
	gl, err := newGitLabClient(s)
	if err != nil {
		return nil, nil, &RotateError{Msg: fmt.Sprintf("the GitLab API URL %s is not usable: %v", s.APIBase, err)}
	}
	return s, gl, nil
}

func gitLabTokenInfo(t *gitlab.PersonalAccessToken) TokenInfo {
	info := TokenInfo{Name: t.Name, Scopes: t.Scopes, CreatedAt: t.CreatedAt}
	if t.ExpiresAt != nil {
		e := time.Time(*t.ExpiresAt).UTC()
		info.ExpiresAt = &e
	}
	return info
}

// gitLabCurrentToken reads the stored token's own description: GET /personal_access_tokens/self.
func gitLabCurrentToken(ctx context.Context, env *Env, c Credentials) (TokenInfo, error) {
	s, gl, err := gitLabSession(env, c)
	if err != nil {
		return TokenInfo{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, rotateTimeout(env))
	defer cancel()
	var user *gitlab.User
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Whose token it is (a group or project access token's bot); a token that may not read
		// its user is described as a personal one.
		user, _, _ = gl.Users.CurrentUser(gitlab.WithContext(ctx))
	}()
	t, resp, err := gl.PersonalAccessTokens.GetSinglePersonalAccessToken(gitlab.WithContext(ctx))
	<-done
	if err != nil {
		return TokenInfo{}, gitLabRotateError(s, s.TokenURL(), "GET /personal_access_tokens/self", resp, err, false)
	}
	info := gitLabTokenInfo(t)
	page := s.TokenURL()
	if bot := gitLabBotOf(user); bot != nil {
		page = bot.page(ctx, gl, gitLabHost(s), nil)
		info.Kind, info.Page = bot.Noun(), page
	}
	if t.Revoked || !t.Active {
		return TokenInfo{}, &RotateError{Msg: fmt.Sprintf("the stored token %q is no longer active (revoked or expired), so it cannot be "+
			"rotated: create a new one at %s and run `gitopscfg rotate %s --token-stdin`", t.Name, page, c.CredentialName())}
	}
	return info, nil
}

// rotateGitLabToken rotates c's token: GitLab returns a new token expiring at 00:00 UTC on
// expires (the date is sent; zero: GitLab's default of one week) and revokes c's at once. The
// request runs to its end even when ctx is cancelled (only env's deadline bounds it): an answer
// dropped halfway would leave the admin with a revoked token and no new one.
func rotateGitLabToken(ctx context.Context, env *Env, c Credentials, current TokenInfo, expires time.Time) (string, TokenInfo, error) {
	s, gl, err := gitLabSession(env, c)
	if err != nil {
		return "", TokenInfo{}, err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rotateTimeout(env))
	defer cancel()
	page := current.Page // a group's or project's page, read by Current before the token is revoked
	if page == "" {
		page = s.TokenURL()
	}
	opt := &gitlab.RotatePersonalAccessTokenOptions{}
	if !expires.IsZero() {
		d := gitlab.ISOTime(expires.UTC().Truncate(24 * time.Hour))
		opt.ExpiresAt = &d
	}
	t, resp, err := gl.PersonalAccessTokens.RotatePersonalAccessTokenSelf(opt, gitlab.WithContext(ctx))
	if err != nil {
		return "", TokenInfo{}, gitLabRotateError(s, page, "POST /personal_access_tokens/self/rotate", resp, err, true)
	}
	if t == nil || strings.TrimSpace(t.Token) == "" {
		return "", TokenInfo{}, &RotateError{Status: resp.StatusCode, MaybeRevoked: true, Msg: fmt.Sprintf(
			"%s answered the rotation without a new token: GitLab may have revoked the old one all the same; see %s", s.APIHost, page)}
	}
	return strings.TrimSpace(t.Token), gitLabTokenInfo(t), nil
}

// gitLabRotateError explains a failed token request; page is where the token is made and revoked;
// sent says whether the request could have changed something (a rotation), so that a lost answer
// is reported as a possible revocation.
func gitLabRotateError(s *session, page, what string, resp *gitlab.Response, err error, sent bool) error {
	status := 0
	if resp != nil && resp.Response != nil {
		status = resp.StatusCode
	}
	create := fmt.Sprintf("create a new token at %s with the scopes %s and run `gitopscfg rotate %s --token-stdin`",
		page, strings.Join(s.Provider.ScopeNames(), ", "), s.Creds.CredentialName())
	b := gitLabError(err)
	detail := b.ErrorDescription
	if m, ok := b.Message.(string); ok && m != "" {
		detail = m
	}
	msg := ""
	switch {
	case status == 0:
		if net := DescribeNetworkError(err, s.APIHost); net != "" {
			msg = net
		} else {
			msg = fmt.Sprintf("%s did not answer %s: %v", s.APIHost, what, err)
		}
		if sent {
			return &RotateError{MaybeRevoked: true, Msg: s.Creds.Redact(msg + fmt.Sprintf(": GitLab may have rotated the token all the "+
				"same, and then the old one is revoked and the new one was lost with the answer. Look at %s: if the old token "+
				"is still listed as active, nothing changed and you can run `gitopscfg rotate %s` again; if it is revoked, %s",
				page, s.Creds.CredentialName(), create))}
		}
	case status == http.StatusUnauthorized:
		msg = fmt.Sprintf("%s refused the stored token (HTTP 401 %s): it is expired, revoked or unknown, and such a token cannot be rotated; %s",
			s.APIHost, detail, create)
	case status == http.StatusForbidden:
		msg = fmt.Sprintf("%s does not let this token rotate itself (HTTP 403 %s): that needs the api or self_rotate scope; %s",
			s.APIHost, detail, create)
	case status == http.StatusMethodNotAllowed:
		// GitLab's self-rotation took personal access tokens only at first, and answers 405 to others.
		msg = fmt.Sprintf("%s does not let this token rotate itself (HTTP 405 %s): this GitLab rotates personal access tokens "+
			"only, and a group or project access token must be rotated on its group's or project's Settings > Access tokens "+
			"page (%s; newer GitLab versions let them rotate themselves); nothing changed. Store the new token with "+
			"`gitopscfg rotate %s --token-stdin`", s.APIHost, detail, page, s.Creds.CredentialName())
	case status == http.StatusNotFound:
		msg = fmt.Sprintf("%s cannot rotate this token (HTTP %d %s): self-rotation needs GitLab 16.10 or later and a personal "+
			"access token; %s", s.APIHost, status, detail, create)
	case status == http.StatusBadRequest:
		msg = fmt.Sprintf("%s refused the rotation (HTTP 400 %s); nothing changed. If the expiry date is beyond what the instance "+
			"allows, give a shorter one with --expires-in", s.APIHost, detail)
	case status >= 500 && sent:
		return &RotateError{Status: status, MaybeRevoked: true, Msg: s.Creds.Redact(fmt.Sprintf("%s answered %s with HTTP %d %s: a "+
			"server-side error. GitLab may or may not have rotated the token: look at %s; if the old token is revoked, %s",
			s.APIHost, what, status, detail, page, create))}
	default:
		msg = gitLabUnexpected(s, what, status, err)
	}
	return &RotateError{Status: status, Msg: s.Creds.Redact(msg)}
}

// rotateTimeout bounds one token request.
func rotateTimeout(env *Env) time.Duration {
	if env.Timeout > 0 {
		return env.Timeout
	}
	return DefaultTimeout
}

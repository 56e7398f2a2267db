package providers

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// pathFinder is implemented by a repository API that reads any repository by its full path
// (OWNER/REPO, a GitLab group path included); the others are asked by name in the configured
// organisation (Find).
type pathFinder interface {
	FindPath(ctx context.Context, full string) (Repo, bool, error)
}

// existingBlocked says why the existing-repository round trip cannot start after the live check
// r, or "" when it can: only an unreachable host or a refused token stops it (the organisation's
// rights to create repositories are not needed here).
func existingBlocked(r Result) string {
	if c, ok := r.Find(CheckNetwork); ok && c.Status == Fail {
		return "skipped: the host could not be reached (see network)"
	}
	if auth, ok := r.Find(CheckAuth); !ok || auth.Status == Fail || auth.Status == Skip {
		return "skipped: authentication must pass first (see auth)"
	}
	return ""
}

// runExisting is RunDeep's existing-repository mode: a throw-away branch in c.Repo instead of a
// throw-away repository (see RunExisting).
func (d *deepRun) runExisting(ctx context.Context, env *Env) {
	stored := d.creds
	redact := func(s string) string { return stored.Redact(d.creds.Redact(s)) } // a GitHub App's minted token too
	if why := existingBlocked(*d.result); why != "" {
		SkipExisting(d.result, d.progress, redact, why)
		return
	}
	if why := d.useAppToken(ctx, env); why != "" {
		SkipExisting(d.result, d.progress, redact, why)
		return
	}
	if why := d.prepare(ctx, env); why != "" {
		SkipExisting(d.result, d.progress, redact, why)
		return
	}
	t := ExistingRepo{FullName: d.creds.Repo, Auth: d.gitAuth(), Transport: d.git, Redact: redact, BranchName: d.names, APIRead: d.readExisting}
	if RunExisting(ctx, t, d.result, d.progress) {
		d.confirmScopesExisting()
	}
}

// readExisting reads c.Repo through the API: it must exist, and its clone URL must be on the
// credential's own hosts.
func (d *deepRun) readExisting(ctx context.Context) (APIFound, error) {
	full := d.creds.Repo
	var repo Repo
	var found bool
	var err error
	if pf, ok := d.api.(pathFinder); ok {
		repo, found, err = pf.FindPath(ctx, full)
	} else {
		owner, name, _ := strings.Cut(full, "/")
		if !strings.EqualFold(owner, strings.TrimSpace(d.creds.Org)) {
			return APIFound{}, fmt.Errorf("%s is not in %s %s: with %s, the repository must be in the credential's own %s",
				full, d.s.Provider.OrgNoun, d.creds.Org, d.s.Provider.Name, d.s.Provider.OrgNoun)
		}
		repo, found, err = d.api.Find(ctx, name)
	}
	if err != nil {
		return APIFound{}, errors.New(d.describe(err, "reading "+full+" failed"))
	}
	if !found {
		return APIFound{}, fmt.Errorf("the API answers that %s does not exist, or that %s may not see it: check the repository's "+
			"name (OWNER/REPO), and that the token's account is a member of it (%s)", full, d.creds.CredentialName(), d.s.TokenURL())
	}
	u, err := d.cloneURL(repo.CloneURL)
	if err == nil && d.ssh != nil {
		// Over SSH: the repository's ssh:// URL on the credential's SSH address.
		u, err = SSHRepoURL(d.creds, cmpOr(repo.FullName, full))
	}
	if err != nil {
		return APIFound{}, err
	}
	d.gitURL = u
	said := fmt.Sprintf("the API returns %s", cmpOr(repo.FullName, full))
	if repo.Visibility != "" {
		said = fmt.Sprintf("the API returns %s (%s)", cmpOr(repo.FullName, full), repo.Visibility)
	}
	return APIFound{URL: u, DefaultBranch: repo.DefaultBranch, Said: said}, nil
}

// confirmScopesExisting turns the warnings of the scopes this mode needs into passes once the
// round trip has pushed to and deleted a branch of the repository: that proves them.
func (d *deepRun) confirmScopesExisting() {
	d.confirmScopesBy(func(sc Scope, live string) (string, bool) {
		switch {
		case sc.Advisory || sc.CreateOnly:
			return "", false
		case sc.Partly != "":
			return "the part this mode needs, " + sc.Partly + ", is confirmed by the round trip, which pushed to " +
				"and deleted a branch of " + d.creds.Repo + "; the rest is " + NotNeeded + " (the live check alone could not tell: " + live + ")", true
		}
		return "confirmed by the round trip, which pushed to and deleted a branch of " + d.creds.Repo +
			" (the live check alone could not tell: " + live + ")", true
	})
}

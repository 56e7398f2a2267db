package providers

import (
	"context"
	"errors"
	"fmt"
)

// Round-trip (deep) check ids, in the order the stages run.
const (
	CheckDeepCreate = "deep:create"
	CheckDeepClone  = "deep:clone"
	CheckDeepPush   = "deep:push"
	CheckDeepVerify = "deep:verify"
	CheckDeepDelete = "deep:delete"
)

// DeepStages lists the round-trip check ids in order.
var DeepStages = []string{CheckDeepCreate, CheckDeepClone, CheckDeepPush, CheckDeepVerify, CheckDeepDelete}

// RepoPrefix starts the name of every throw-away repository: gitopscfg-check-<6 random [a-z0-9]>.
const RepoPrefix = "gitopscfg-check-"

// Repo is a throw-away repository created by the round-trip check.
type Repo struct {
	// ID is the provider's own identifier where its API needs one (GitLab project id, Azure repo GUID);
	// otherwise the name.
	ID string
	// Name is the repository name, FullName its path for messages (e.g. acme/gitopscfg-check-x1y2z3).
	Name     string
	FullName string
	// CloneURL is the HTTPS clone URL exactly as the provider's API returned it.
	CloneURL string
	// WebURL is the repository's page, for the left-over message.
	WebURL string
	// DefaultBranch is the branch the API reports as the repository's default, if any; the round
	// trip pushes to it when the repository is empty ("main" when unknown).
	DefaultBranch string
	// Visibility is what the API shows of the new repository's visibility ("private", "public",
	// "internal"), "" when it shows none. Azure DevOps repositories have none of their own: they
	// take their project's.
	Visibility string
}

// repoAPI is one provider's repository lifecycle, as the round trip drives it. Every error is an
// *APIError (or a transport error, which the runner reports as a network failure).
type repoAPI interface {
	// Create creates a private repository named name in the configured organisation / group /
	// project / workspace (Bitbucket: the project key's project, else the workspace's oldest).
	// It returns an error matching ErrNameTaken when a repository of that name exists already.
	Create(ctx context.Context, name string) (Repo, error)
	// Exists reports whether the API returns the repository now.
	Exists(ctx context.Context, r Repo) (bool, error)
	// Find looks a repository up by name in the configured organisation, for when a Create ended
	// without a readable answer (a timeout, a reset, a 5xx, an unreadable 2xx): the server may
	// have created it all the same, and then it must be deleted.
	Find(ctx context.Context, name string) (Repo, bool, error)
	// Delete deletes the repository.
	Delete(ctx context.Context, r Repo) error
	// GitUsername is the username for Git over HTTPS with this credential (the token is the password).
	GitUsername() string
	// DeletePermission names what a credential needs to delete repositories, for the message about
	// a left-over repository (e.g. "the delete_repo scope and admin rights on the repository").
	DeletePermission() string
}

// createdReporter is implemented by a repository API whose repositories have no visibility of
// their own (Azure DevOps: their project's): it says what the round trip reports for the created
// repository r, which the API returned after (e.g. "at once") with note appended.
type createdReporter interface {
	reportCreated(r Repo, after, note string) (Status, string)
}

// extraCloneHost is implemented by a repository API whose clone URLs may name one host besides the
// Git host and the API host (Azure DevOps: the organisation's legacy host); "" when there is none.
// Only that one host is trusted with the token.
type extraCloneHost interface {
	cloneHost() string
}

// ErrNameTaken is matched by a Create error when the name exists already; the runner picks another.
var ErrNameTaken = errors.New("a repository of that name exists already")

// APIError is a failed repository API call, with a message for the admin that says what is missing,
// why, and where to fix it. It never holds the token.
type APIError struct {
	Status int
	Msg    string
	// Taken marks a name collision (matches ErrNameTaken).
	Taken bool
	// Scheduled, on a Delete error, means the provider accepted the deletion but only marked the
	// repository for deletion (e.g. GitLab's delayed deletion) and could not remove it now; Msg
	// says when it will be removed. The runner reports it as a warning, not as a left-over.
	Scheduled bool
}

func (e *APIError) Error() string {
	if e.Status == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Msg, e.Status)
}

// Is makes errors.Is(err, ErrNameTaken) true for name collisions.
func (e *APIError) Is(target error) bool { return target == ErrNameTaken && e.Taken }

// repoAPIFor returns the repository lifecycle of the session's provider.
func repoAPIFor(s *session) repoAPI { return s.Provider.repos(s) }

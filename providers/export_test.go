package providers

import "errors"

// Test-only access to the providers' repository lifecycles (the repoAPI behind
// the round trip), so tests in providers_test can drive them against the emulators directly.

// RepoAPI is a provider's repository lifecycle.
type RepoAPI = repoAPI

// NewRepoAPI returns the repository lifecycle for c, or the failing check that stopped it
// (an unsafe URL, an unreadable CA bundle).
func NewRepoAPI(env *Env, c Credentials) (RepoAPI, *Result) {
	p, err := Lookup(string(c.Provider))
	if err != nil {
		return nil, &Result{Checks: []Check{{ID: CheckAuth, Status: Fail, Message: err.Error()}}}
	}
	r := &Result{}
	s, ok := newSession(env, p, c, r)
	if !ok {
		return nil, r
	}
	return repoAPIFor(s), nil
}

// CloneURLFor is the round trip's check of a clone URL the API returned for c: the cleaned URL,
// or why the token may not be sent there.
func CloneURLFor(c Credentials, raw string) (string, error) {
	d := &deepRun{creds: c, result: &Result{}}
	var env Env
	env.Clients = newClients("test")
	if why := d.prepare(&env); why != "" {
		return "", errors.New(why)
	}
	return d.cloneURL(raw)
}

// NewClients is newClients, for tests that build an Env by hand.
var NewClients = newClients

// RandomRepoName is the round trip's repository name generator.
var RandomRepoName = randomRepoName

// GitHubAccepted is gitHubAccepted.
var GitHubAccepted = gitHubAccepted

// PushRefusal is what the existing-repository round trip says of a refused push (op "push" or
// "delete") of branch to full, given go-git's error text and the remote's sideband text.
func PushRefusal(full, branch, errText, said, op string) string {
	e := &existingRun{t: ExistingRepo{URL: "https://git.example.com/" + full + ".git", FullName: full}, branch: branch}
	return e.pushError(errors.New(errText), said, op)
}

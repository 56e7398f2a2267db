package providers

import (
	"fmt"
	"strings"
)

// NotNeeded ends what the live check says of a right the credential lacks but its mode does not
// need: with a repository named (config.Settings.Repo), the GitOps repositories are created by a
// person, and the round trip only pushes a throw-away branch to the one named.
const NotNeeded = "not needed, GitOps repositories are created by hand here"

// AddUnneeded records a check about a right only the creation or deletion of repositories needs;
// lack says in a few words what the credential cannot do ("cannot create repositories in acme").
// For a credential with a repository it becomes a pass that says the right is not needed.
func (s *session) AddUnneeded(id string, st Status, msg, lack string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.result.Checks = append(s.result.Checks, Check{ID: id, Status: st, Message: s.Creds.Redact(msg), Unneeded: s.Creds.Redact(lack)})
}

// forMode adapts the live check's result r to c's mode. With a repository named, every right says
// whether this mode needs it: a scope only creating or deleting repositories needs (CreateOnly),
// or an organisation's refusal to let the account create or delete them (AddUnneeded), is no
// longer a failure or a warning but a pass that says it is not needed. Without one, r is left as
// the creating round trip needs it.
func forMode(p Provider, c Credentials, r *Result) {
	for i := range r.Checks {
		ch := &r.Checks[i]
		lack := ch.Unneeded
		ch.Unneeded = ""
		if strings.TrimSpace(c.Repo) == "" {
			continue
		}
		bad := ch.Status == Fail || ch.Status == Warn
		if name, ok := strings.CutPrefix(ch.ID, "scope:"); ok {
			forModeScope(p, name, ch, bad)
			continue
		}
		if lack != "" && bad {
			ch.Status = Pass
			ch.Message = lack + ": " + NotNeeded
		}
	}
}

// forModeScope says whether the existing-repository mode needs the scope ch checks.
func forModeScope(p Provider, name string, ch *Check, bad bool) {
	for _, sc := range p.Scopes {
		switch {
		case sc.Name != name:
		case sc.CreateOnly && bad:
			ch.Status = Pass
			ch.Message = fmt.Sprintf("not granted: %s (it is %s; the live check said: %s)", NotNeeded, sc.Why, ch.Message)
		case sc.CreateOnly:
			ch.Message += "; not needed in this mode: GitOps repositories are created by hand here"
		case sc.Partly != "":
			ch.Message += "; in this mode only its part " + sc.Partly + " is needed: GitOps repositories are created by hand here"
		case !sc.Advisory:
			ch.Message += "; needed in this mode"
		}
	}
}

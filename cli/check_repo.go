package cli

import (
	"fmt"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// checkRepo checks --repo against the provider of the one credential checked, normalises it, and
// says when the result will not be remembered (its repository is not the stored one).
func (opts *checkOptions) checkRepo(d *config.Data, names []string) error {
	if opts.Repo == nil || len(names) != 1 {
		return nil
	}
	sp := d.Credentials[names[0]]
	if *opts.Repo != "" {
		f, ok := providers.MustLookup(providers.ID(sp.Provider)).Field(providers.FieldRepo)
		if ok && f.Check != nil {
			v, err := f.Check(*opts.Repo)
			if err != nil {
				return usageErr("--repo: %v", err)
			}
			opts.Repo = &v
		}
	}
	if *opts.Repo != sp.Repo {
		fmt.Fprintf(opts.IO.Err, "note: %s's round trip uses %s for this run only; its result is not remembered (set --repo keeps a repository)\n",
			names[0], repoText(*opts.Repo))
	}
	return nil
}

// repoText names a round trip's repository for a message.
func repoText(repo string) string {
	if repo == "" {
		return "a throw-away repository"
	}
	return "the existing repository " + repo
}

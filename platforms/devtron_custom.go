package platforms

import (
	"fmt"
	"strconv"
	"strings"

	"gitopscfg/providers"
)

// Devtron's allowCustomRepository, as its source (devtron-labs/devtron) has it: on a GitOps
// configuration it makes GitOpsValidateDryRun answer validationSkipped without creating, pushing
// to or deleting its dry-run repository (nor trying the token at all), on save and on
// POST /validate alike; every Devtron application and Helm app then names its own repository
// ("Allow changing git repository for application"), which must lie in the configuration's
// organisation / group / workspace / project and serve no other application, and an application
// without one fails to deploy. A PUT sets it to what the body says.

// customRepository decides cfg.AllowCustomRepository: a credential with an existing repository
// (config.Settings.Repo) is pushed with it, since its token may not create the repositories
// Devtron's dry run and its applications would otherwise create; any other keeps what Devtron
// holds (a PUT without it would turn it off). It says before the push what that means.
func (p *pushRun) customRepository(cfg *Config, existing Config, found bool) {
	repo := strings.TrimSpace(p.c.Repo)
	if repo == "" {
		cfg.AllowCustomRepository = found && existing.AllowCustomRepository
		return
	}
	cfg.AllowCustomRepository = true
	p.res.CustomRepository = true
	p.emit("custom-repository", fmt.Sprintf("%s names an existing repository (%s), so it goes to Devtron with allowCustomRepository: "+
		"Devtron then skips its own check (it creates no test repository and does not even try the token) and answers "+
		"validationSkipped, and each Devtron application names its own repository, which must be in %s %s; "+
		"an application without one fails to deploy", p.c.CredentialName(), repo, orgNoun(p.c), p.c.Org))
	if w := outsideOrg(p.c.Org, repo); w != "" {
		p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("%s is not in %s %s: Devtron accepts an application's repository only "+
			"there (\"The repository must belong to …\"), so applications cannot name it", repo, orgNoun(p.c), p.c.Org))
	}
}

// outsideOrg reports (non-empty) when repo does not lie in org; a group given by its numeric id
// cannot be told and passes.
func outsideOrg(org, repo string) string {
	org = strings.Trim(strings.TrimSpace(org), "/")
	if _, err := strconv.Atoi(org); err == nil || org == "" {
		return ""
	}
	if strings.HasPrefix(strings.ToLower(repo), strings.ToLower(org)+"/") {
		return ""
	}
	return "outside"
}

// skippedMessage is what a push says of Devtron's validationSkipped answer.
func skippedMessage(cfg Config) string {
	if cfg.AllowCustomRepository {
		return "Devtron answered validationSkipped: true: with allowCustomRepository it saved the configuration without any check " +
			"of its own (no test repository, not even the token tried): gitopscfg's round trip is the only check it has had"
	}
	return "Devtron answered validationSkipped: true: it saved the configuration without checking it (custom repositories are " +
		"allowed there, or its Argo CD module is not installed): gitopscfg's own check is the only one it has had"
}

// orgNoun is what c's org field holds, in words ("organisation", "group", …).
func orgNoun(c providers.Credentials) string {
	if p, err := providers.Lookup(string(c.Provider)); err == nil {
		return p.OrgNoun
	}
	return "organisation"
}

// CustomRepositoryNote says what a push of c to Devtron means when c names an existing
// repository (allowCustomRepository), for the question asked before it; "" when c names none.
func CustomRepositoryNote(c providers.Credentials) string {
	repo := strings.TrimSpace(c.Repo)
	if repo == "" {
		return ""
	}
	return fmt.Sprintf("It names an existing repository (%s), so it goes with allowCustomRepository: Devtron does not check it "+
		"(it answers validationSkipped), and each Devtron application names its own repository in %s %s.", repo, orgNoun(c), c.Org)
}

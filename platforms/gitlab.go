package platforms

import (
	"context"
	"fmt"
	"strconv"

	"gitopscfg/providers"
)

func init() {
	registerTarget(providers.GitLab, target{
		devtron:    "GITLAB",
		devtronOrg: func(c *Config) *string { return &c.GitLabGroupID },
		// Devtron's Create Repo stage cannot use a group path: it needs the numeric id.
		devtronFill: func(ctx context.Context, env *providers.Env, c providers.Credentials, cfg *Config) ([]string, error) {
			cfg.Host = hostSlash(c)
			g, err := providers.ResolveOrg(ctx, env, c)
			if err != nil {
				return nil, fmt.Errorf("Devtron needs the GitLab group's numeric id: %w", err)
			}
			cfg.GitLabGroupID = g.ID
			return nil, nil
		},
		// Argo CD matches by the group's full path: a numeric id is looked up.
		orgPath: func(ctx context.Context, env *providers.Env, c providers.Credentials, org string) (string, error) {
			if _, err := strconv.Atoi(org); err == nil {
				g, err := providers.ResolveOrg(ctx, env, c)
				if err != nil {
					return "", err
				}
				org = g.Path
			}
			return "/" + escapePath(org) + "/", nil
		},
	})
}

package platforms

import (
	"context"
	"fmt"
	"strings"

	"gitopscfg/providers"
)

func init() {
	registerTarget(providers.Bitbucket, target{
		devtron:    "BITBUCKET_CLOUD",
		devtronOrg: func(c *Config) *string { return &c.BitBucketWorkspaceID },
		devtronFill: func(_ context.Context, _ *providers.Env, c providers.Credentials, cfg *Config) ([]string, error) {
			// Devtron's Bitbucket client always works against Bitbucket Cloud.
			cfg.Host = "https://bitbucket.org/"
			cfg.BitBucketWorkspaceID = strings.TrimSpace(c.Org)
			cfg.BitBucketProjectKey = strings.ToUpper(strings.TrimSpace(c.ProjectKey))
			if gu := providers.GitUsername(c); gu != cfg.Username {
				// Devtron's Bitbucket client uses one username for the REST API and for Git.
				return []string{fmt.Sprintf("Devtron uses the username %q for Bitbucket's API and for Git alike, but Git over HTTPS takes %q with this token: Devtron's clone and push stages may fail", cfg.Username, gu)}, nil
			}
			return nil, nil
		},
	})
}

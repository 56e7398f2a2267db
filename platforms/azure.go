package platforms

import (
	"context"
	"net/url"
	"strings"

	"gitopscfg/providers"
)

func init() {
	registerTarget(providers.Azure, target{
		devtron:    "AZURE_DEVOPS",
		devtronOrg: func(c *Config) *string { return &c.AzureProjectName },
		devtronFill: func(_ context.Context, _ *providers.Env, c providers.Credentials, cfg *Config) ([]string, error) {
			cfg.Host = strings.TrimRight(strings.TrimSpace(c.Host), "/")
			cfg.AzureProjectName = strings.TrimSpace(c.Org)
			return nil, nil
		},
		// <organisation URL>/<project>/_git/<repository>
		orgPath: func(_ context.Context, _ *providers.Env, _ providers.Credentials, org string) (string, error) {
			return "/" + url.PathEscape(org) + "/_git/", nil
		},
	})
}

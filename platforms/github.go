package platforms

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"gitopscfg/providers"
)

func init() {
	registerTarget(providers.GitHub, target{
		devtron:    "GITHUB",
		devtronOrg: func(c *Config) *string { return &c.GitHubOrgID },
		devtronFill: func(_ context.Context, _ *providers.Env, c providers.Credentials, cfg *Config) ([]string, error) {
			cfg.GitHubOrgID = strings.TrimSpace(c.Org)
			host := strings.TrimSpace(c.Host)
			u, err := url.Parse(host)
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("the GitHub host %q is not an absolute URL", host)
			}
			switch h := strings.ToLower(u.Hostname()); h {
			case "github.com", "www.github.com", "api.github.com":
				// Devtron uses the public API only when the host's name is exactly github.com.
				cfg.Host = "https://github.com/"
				return nil, nil
			}
			// Anything else is GitHub Enterprise Server, whose API Devtron derives as host + /api/v3.
			cfg.Host = hostSlash(c)
			if c.APIURL != "" && strings.TrimRight(c.APIURL, "/") != strings.TrimRight(host, "/")+"/api/v3" {
				return []string{fmt.Sprintf("Devtron derives GitHub Enterprise's API address from the host (%sapi/v3), not from the stored API URL %s", cfg.Host, c.APIURL)}, nil
			}
			return nil, nil
		},
	})
}

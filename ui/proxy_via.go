package ui

import (
	"net/url"

	"gitopscfg/config/safe"
	"gitopscfg/providers"
)

// proxyHost is the host:port of the proxy r's requests went through (never its credentials: the
// result holds none), "" when they went directly. The live check names it, as status does.
func proxyHost(r providers.Result) string {
	if r.Proxy == nil {
		return ""
	}
	host := *r.Proxy
	if u, err := url.Parse(host); err == nil && u.Host != "" {
		host = u.Host
	}
	return safe.Text(host)
}

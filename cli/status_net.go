package cli

import (
	"cmp"
	"fmt"
	"io"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// How each credential's requests reach its server, in status: the proxy they go through (the
// credential's own or the environment's, never its credentials) and the client certificate's expiry.

// apiTarget is the URL a credential's live check asks first: its API base, else its host.
func apiTarget(c providers.Credentials) string {
	if p, err := providers.Lookup(string(c.Provider)); err == nil {
		if base, err := p.APIBase(cmp.Or(c.Host, p.DefaultHost), c.APIURL); err == nil {
			return base
		}
	}
	return c.Host
}

// netJSON is status --json's proxy and client certificate expiry of c.
func netJSON(c providers.Credentials) (*string, *time.Time) {
	var px *string
	if p := providers.ProxyOf(providers.TransportOf(c.Settings), apiTarget(c)); p != "" {
		px = &p
	}
	if !c.Net().HasClientCert() {
		return px, nil
	}
	leaf, err := providers.ClientLeaf(c.Net())
	if err != nil {
		return px, nil
	}
	exp := leaf.NotAfter.UTC()
	return px, &exp
}

// writeNetText adds, under status's table, one line per credential that goes through a proxy or
// sends a client certificate.
func writeNetText(w io.Writer, d *config.Data, now time.Time) {
	first := true
	for _, row := range statusRows(d) {
		if row.c == nil {
			continue
		}
		c := providers.Credentials{Provider: providers.ID(row.c.Provider), Name: row.name, Settings: row.c.Settings}
		line := joinNonEmpty(netSummary(providers.TransportOf(c.Settings), apiTarget(c)), certLine(c.Net(), now))
		if line == "" {
			continue
		}
		if first {
			fmt.Fprintln(w)
			first = false
		}
		fmt.Fprintf(w, "%s: %s\n", credentialLabel(row.name, row.c.Provider), line)
	}
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// clientCertExpiry is when the client certificate r's check read expires (nil: none).
func clientCertExpiry(r providers.Result) *time.Time {
	if c, ok := r.Find(providers.CheckClientCert); ok {
		return c.ExpiresAt
	}
	return nil
}

// instanceNet says how a platform instance at url is reached, as writeNetText says it of a
// credential: the proxy its requests go through and its client certificate's expiry ("": neither).
func instanceNet(n config.Net, caBundle, url string, now time.Time) string {
	line := ""
	if url != "" {
		line = netSummary(providers.Transport{CABundle: caBundle, Net: n}, url)
	}
	return joinNonEmpty(line, certLine(n, now))
}

// certLine says when n's client certificate expires ("": none); one kept in place is read from
// its file now, and the line names the file, or says why it cannot be read.
func certLine(n config.Net, now time.Time) string {
	if !n.HasClientCert() {
		return ""
	}
	leaf, err := providers.ClientLeaf(n)
	switch {
	case err != nil && n.InPlace():
		return err.Error()
	case err != nil:
		return ""
	}
	_, msg := providers.ClientCertExpiry(n, leaf, now)
	if n.InPlace() {
		msg += " (read in place from " + n.ClientCertPath + ")"
	}
	return msg
}

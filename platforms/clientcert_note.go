package platforms

import "gitopscfg/providers"

// inPlaceCertNote says that an exported Secret holds a copy of a client certificate kept in
// place (config.Settings' ClientCertPath), which a renewal on disk does not change ("": none).
func inPlaceCertNote(c providers.Credentials) string {
	if !c.Net().InPlace() {
		return ""
	}
	return "the client certificate and key in this Secret are a copy of " + c.ClientCertPath + " and " + c.ClientKeyPath +
		" as they are now: a renewal on disk does not reach it; export again after each renewal"
}

// ArgoCDNote is what the admin must know beside the Secret Argo CD gets for c ("": nothing).
func ArgoCDNote(c providers.Credentials) string { return inPlaceCertNote(c) }

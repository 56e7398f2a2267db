package providers

import (
	"context"
	"net/http"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// go-git's HTTP transport is one per process (client.InstallProtocol). The one installed here
// sends each request through the round tripper its context carries (withGitTransport): the
// credential's own transport, with its CA bundle, proxy (a CONNECT tunnel) and client
// certificate; requests without one go through http.DefaultTransport, as go-git's own would.
// Callers give go-git no CABundle, ProxyOptions or ClientCert of its own: the transport in the
// context carries them (go-git then refuses with an error, since it cannot clone this one).

type gitTransportKey struct{}

var installGitTransport = sync.OnceFunc(func() {
	hc := &http.Client{Transport: ctxTransport{}}
	// Without a transport cache, go-git refuses options it would apply to a clone of the transport
	// with an error, rather than assuming an *http.Transport.
	client.InstallProtocol("https", githttp.NewClientWithOptions(hc, &githttp.ClientOptions{}))
	client.InstallProtocol("http", githttp.NewClientWithOptions(hc, &githttp.ClientOptions{}))
})

// withGitTransport makes go-git's requests under ctx go through rt.
func withGitTransport(ctx context.Context, rt http.RoundTripper) context.Context {
	installGitTransport()
	return context.WithValue(ctx, gitTransportKey{}, rt)
}

type ctxTransport struct{}

func (ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if rt, ok := req.Context().Value(gitTransportKey{}).(http.RoundTripper); ok {
		return rt.RoundTrip(req)
	}
	return http.DefaultTransport.RoundTrip(req)
}

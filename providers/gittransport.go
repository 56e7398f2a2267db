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

type gitTransportKey struct{}

var installGitTransport = sync.OnceFunc(func() {
	hc := &http.Client{Transport: ctxTransport{}}
	client.InstallProtocol("https", githttp.NewClient(hc))
	client.InstallProtocol("http", githttp.NewClient(hc))
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

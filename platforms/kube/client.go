package kube

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"gitopscfg/config/safe"
)

// Client talks to one API server as one kubeconfig user.
type Client struct {
	cfg      *Config
	http     *http.Client
	ua       string
	secrets  []string // masked in every message that may echo an answer
	requests atomic.Int64
}

// bodyLimit bounds what is read of an answer (a list of Secrets included).
const bodyLimit = 8 << 20

// New returns a client of cfg's API server that trusts only cfg's CA (the system's when it names
// none), sends its token or client certificate, and never follows a redirect.
func New(cfg *Config, userAgent string) (*Client, error) {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.TLSServerName}
	if cfg.CAData != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(cfg.CAData) {
			return nil, fmt.Errorf("the cluster %s in %s: its certificate authority holds no PEM certificate", cfg.Cluster, cfg.Path)
		}
		tlsConf.RootCAs = pool
	}
	if cfg.ClientCert != nil {
		tlsConf.Certificates = []tls.Certificate{*cfg.ClientCert}
	}
	proxy := http.ProxyFromEnvironment
	if cfg.ProxyURL != "" {
		u, err := url.Parse(cfg.ProxyURL)
		if err != nil {
			return nil, fmt.Errorf("the cluster %s in %s: proxy-url does not parse", cfg.Cluster, cfg.Path)
		}
		proxy = http.ProxyURL(u)
	}
	tr := &http.Transport{
		Proxy:               proxy,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 10 * time.Second,
		TLSClientConfig:     tlsConf,
		MaxIdleConnsPerHost: 4,
	}
	c := &Client{cfg: cfg, ua: userAgent, http: &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	if cfg.Token != "" {
		c.secrets = append(c.secrets, cfg.Token)
	}
	return c, nil
}

// Config is the kubeconfig context the client acts with.
func (c *Client) Config() *Config { return c.cfg }

// Requests is how many requests the client has sent.
func (c *Client) Requests() int { return int(c.requests.Load()) }

// Mask adds secrets (e.g. a Git token and its base64) that messages must never show.
func (c *Client) Mask(secrets ...string) {
	for _, s := range secrets {
		if s != "" {
			c.secrets = append(c.secrets, s)
		}
	}
}

// Redact masks the client's secrets in s.
func (c *Client) Redact(s string) string {
	for _, sec := range c.secrets {
		s = safe.Redact(s, sec)
	}
	return s
}

// do sends one request to path (which starts with /api or /apis) and decodes a 2xx answer into
// out (when not nil). Any other answer is an *APIError.
func (c *Client) do(ctx context.Context, method, path, contentType string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.Server+path, rd)
	if err != nil {
		return &APIError{Msg: "cannot build the request: " + c.Redact(err.Error())}
	}
	if c.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	}
	if body != nil {
		req.Header.Set("Content-Type", cmpOr(contentType, "application/json"))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.ua)
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, bodyLimit))
	if err != nil {
		return &APIError{Msg: fmt.Sprintf("the API server %s cut its answer short: %s", c.host(), c.Redact(err.Error())), Err: err}
	}
	if resp.StatusCode/100 != 2 {
		return c.statusError(resp, raw)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &APIError{Status: resp.StatusCode, Msg: fmt.Sprintf("the API server %s answered %s %s with something that is not the expected JSON", c.host(), method, pathOnly(path))}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func pathOnly(p string) string {
	p, _, _ = strings.Cut(p, "?")
	return p
}

func (c *Client) host() string {
	if u, err := url.Parse(c.cfg.Server); err == nil {
		return u.Host
	}
	return c.cfg.Server
}

// transportError names what went wrong before an answer: a certificate the kubeconfig's CA did
// not sign, a name it is not valid for, a refused connection.
func (c *Client) transportError(err error) error {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknown) || (errors.As(err, &verify) && !errors.As(err, &hostname)):
		return &APIError{Err: err, Reason: ReasonWrongCA, Msg: fmt.Sprintf("the API server %s presented a certificate that the CA of cluster %s in %s did not sign: the kubeconfig's certificate-authority is not this cluster's", c.host(), c.cfg.Cluster, c.cfg.Path)}
	case errors.As(err, &hostname):
		return &APIError{Err: err, Reason: ReasonWrongCA, Msg: fmt.Sprintf("the API server's certificate is not valid for %s: %s", c.host(), c.Redact(hostname.Error()))}
	case errors.Is(err, context.Canceled):
		return &APIError{Err: err, Msg: "cancelled"}
	case errors.Is(err, context.DeadlineExceeded):
		return &APIError{Err: err, Msg: fmt.Sprintf("the API server %s did not answer in time", c.host())}
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return &APIError{Err: err, Msg: fmt.Sprintf("cannot reach the API server %s: %s", c.host(), c.Redact(op.Err.Error()))}
	}
	return &APIError{Err: err, Msg: fmt.Sprintf("cannot reach the API server %s: %s", c.host(), c.Redact(err.Error()))}
}

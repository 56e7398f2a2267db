package providers

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// MaxAnswerBytes bounds every answer body read from a provider's API, counted after
// decompression: an API answer needs kilobytes, and a hostile or broken server must not be able
// to fill the memory (a 100 MB JSON answer, or a gzip bomb that inflates to gigabytes).
const MaxAnswerBytes = 2 << 20

// AnswerTooLargeError is the read error of an answer body that exceeds the limit.
type AnswerTooLargeError struct {
	Host   string
	Method string
	Path   string
	Limit  int64
}

func (e *AnswerTooLargeError) Error() string {
	return fmt.Sprintf("the answer of %s to %s %s is larger than %s, far more than an API answer needs: it was not read to the end; "+
		"check that the API URL points at the provider's API and not at something else (a proxy, a download)",
		e.Host, e.Method, e.Path, byteSize(e.Limit))
}

// limitTransport hands out answer bodies that fail once they exceed limit bytes. It sits above
// http.Transport, so when the Transport asked for gzip and inflates the answer itself, the limit
// counts inflated bytes; an answer gzipped although nobody asked for it is inflated here, under
// the same limit. Every client library (go-github, client-go, go-bitbucket, plain net/http) reads
// through it.
type limitTransport struct {
	next  http.RoundTripper
	limit int64
}

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.Body == nil || resp.Body == http.NoBody {
		return resp, err
	}
	tooLarge := &AnswerTooLargeError{Host: req.URL.Host, Method: req.Method, Path: req.URL.Path, Limit: t.limit}
	if resp.ContentLength > t.limit {
		_ = resp.Body.Close()
		noteTooLarge(req.Context(), tooLarge)
		return nil, tooLarge
	}
	body := &limitedBody{raw: resp.Body, r: resp.Body, left: t.limit, tooLarge: tooLarge, ctx: req.Context()}
	if enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); !resp.Uncompressed && req.Method != http.MethodHead && (enc == "gzip" || enc == "x-gzip") {
		body.r = nil // inflated lazily, on the first Read
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	resp.Body = body
	return resp, nil
}

// limitedBody reads at most left bytes of r, then fails with tooLarge.
type limitedBody struct {
	raw      io.ReadCloser
	r        io.Reader // nil: inflate raw on the first Read
	left     int64
	tooLarge *AnswerTooLargeError
	ctx      context.Context
	failed   error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.failed != nil {
		return 0, b.failed
	}
	if b.r == nil {
		zr, err := gzip.NewReader(b.raw)
		if err != nil {
			b.failed = fmt.Errorf("the answer of %s is marked gzip but is not: %w", b.tooLarge.Host, err)
			return 0, b.failed
		}
		b.r = zr
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		b.left = 0
		b.failed = b.tooLarge
		noteTooLarge(b.ctx, b.tooLarge)
		return n, b.failed
	}
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.raw.Close() }

// answerWatch remembers the first answer of a check that was too large, whatever the client
// library made of the read error, so the check can say so precisely.
type answerWatch struct {
	mu    sync.Mutex
	first *AnswerTooLargeError
}

type answerWatchKey struct{}

// watchAnswers returns ctx carrying a new watch, or ctx itself when it carries one already.
func watchAnswers(ctx context.Context) (context.Context, *answerWatch) {
	if w, ok := ctx.Value(answerWatchKey{}).(*answerWatch); ok {
		return ctx, w
	}
	w := &answerWatch{}
	return context.WithValue(ctx, answerWatchKey{}, w), w
}

func noteTooLarge(ctx context.Context, e *AnswerTooLargeError) {
	if w, ok := ctx.Value(answerWatchKey{}).(*answerWatch); ok {
		w.mu.Lock()
		if w.first == nil {
			w.first = e
		}
		w.mu.Unlock()
	}
}

// tooLarge returns the first too-large answer seen, or nil.
func (w *answerWatch) tooLarge() *AnswerTooLargeError {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.first
}

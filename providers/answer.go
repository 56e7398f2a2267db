package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
)

// answer is one HTTP answer of a provider's REST API, its body read up to a limit, or the error
// that prevented it (status 0). The checks and repository APIs that speak plain net/http share it
// and send; the library-based ones (go-github, client-go, go-bitbucket) keep their libraries' own
// reply types.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// json reports whether the answer declares a JSON body.
func (a answer) json() bool {
	mt, _, _ := mime.ParseMediaType(a.header.Get("Content-Type"))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// decode decodes a JSON body into v and reports whether it could.
func (a answer) decode(v any) bool { return a.json() && json.Unmarshal(a.body, v) == nil }

// send sends one request to the session's API (path is appended to APIBase) with the credential
// authorize sets, asking for JSON; body, when not nil, is sent as JSON. At most limit bytes of
// the answer are read.
func (s *session) send(ctx context.Context, method, path string, body any, authorize func(*http.Request), limit int64) answer {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return answer{err: err}
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.APIBase+path, rd)
	if err != nil {
		return answer{err: err}
	}
	authorize(req)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	status, header, raw, err := s.exchange(req, limit)
	return answer{status: status, header: header, body: raw, err: err}
}

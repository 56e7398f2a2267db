package fake

import (
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func (e *Emulators) wrap(log *requestLog, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r)
		if e.opts.Latency > 0 {
			select {
			case <-time.After(e.opts.Latency):
			case <-r.Context().Done():
				return
			}
		}
		tok := RequestToken(r)
		write := r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
		switch {
		case strings.Contains(tok, MarkSlow):
			select {
			case <-time.After(SlowDelay):
			case <-r.Context().Done():
				return
			}
		case strings.Contains(tok, MarkReset):
			resetConnection(w)
			return
		case strings.Contains(tok, MarkServerError):
			WriteJSON(w, http.StatusInternalServerError, map[string]any{"message": "Internal Server Error"})
			return
		case strings.Contains(tok, MarkMalformed):
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"login":"octocat","id":1,`))
			return
		case strings.Contains(tok, MarkEchoWrite):
			if write {
				echoToken(w, tok)
				return
			}
			r = withoutMarker(r, tok, MarkEchoWrite)
		case strings.Contains(tok, MarkEcho):
			echoToken(w, tok)
			return
		case strings.Contains(tok, MarkRedirect):
			w.Header().Set("Location", e.elsewhereURL+r.URL.RequestURI())
			WriteJSON(w, http.StatusTemporaryRedirect, map[string]any{"message": "Moved"})
			return
		case strings.Contains(tok, MarkStrayClone):
			r = withoutMarker(r, tok, MarkStrayClone)
			if write {
				rw := &rewriter{ResponseWriter: w, from: r.Host, to: strings.TrimPrefix(e.elsewhereURL, "http://")}
				h.ServeHTTP(rw, r)
				rw.flush()
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// echoToken answers 400 with tok echoed back in the body and in headers (MarkEcho).
func echoToken(w http.ResponseWriter, tok string) {
	msg := "Bad request: the credential " + tok + " was not accepted"
	w.Header().Set("WWW-Authenticate", `Basic realm="`+msg+`"`)
	w.Header().Set("X-TFS-ServiceError", url.PathEscape(msg))
	WriteJSON(w, http.StatusBadRequest, map[string]any{
		"message": msg, "error_description": msg, "type": "error",
		"error": map[string]any{"message": msg, "detail": msg},
	})
}

// withoutMarker returns r with mark removed from its credential, so the emulator serves it as
// the token's scenario.
func withoutMarker(r *http.Request, tok, mark string) *http.Request {
	clean := strings.Replace(tok, mark, "", 1)
	r = r.Clone(r.Context())
	if r.Header.Get("PRIVATE-TOKEN") != "" {
		r.Header.Set("PRIVATE-TOKEN", clean)
		return r
	}
	if user, _, ok := r.BasicAuth(); ok {
		r.SetBasicAuth(user, clean)
		return r
	}
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), tok, clean, 1))
	return r
}

// rewriter buffers an answer and replaces one host by another in its body (MarkStrayClone).
type rewriter struct {
	http.ResponseWriter
	from, to string
	status   int
	body     []byte
}

func (rw *rewriter) WriteHeader(status int) { rw.status = status }

func (rw *rewriter) Write(p []byte) (int, error) {
	rw.body = append(rw.body, p...)
	return len(p), nil
}

func (rw *rewriter) flush() {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	body := strings.ReplaceAll(string(rw.body), rw.from, rw.to)
	rw.Header().Del("Content-Length")
	rw.ResponseWriter.WriteHeader(rw.status)
	_, _ = rw.ResponseWriter.Write([]byte(body))
}

// resetConnection closes the client's connection with a TCP reset and no response.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// RequestToken extracts the secret of a request, whatever its scheme: "Bearer X", "token X",
// Basic auth's password, or GitLab's PRIVATE-TOKEN header.
func RequestToken(r *http.Request) string {
	if t := r.Header.Get("PRIVATE-TOKEN"); t != "" {
		return t
	}
	auth := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(auth, " ")
	switch strings.ToLower(scheme) {
	case "bearer", "token":
		return strings.TrimSpace(rest)
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return ""
		}
		_, pass, _ := strings.Cut(string(raw), ":")
		return pass
	}
	return ""
}

// RequestUser is the Basic-auth username of a request ("" for other schemes).
func RequestUser(r *http.Request) string {
	u, _, _ := r.BasicAuth()
	return u
}

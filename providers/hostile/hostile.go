// Package hostile is a test server that answers every provider's API the way a hostile or broken
// server would: answers too large to hold (a 100 MB JSON answer, a gzip bomb), terminal escape
// sequences in the login, display name and error messages, and the presented credential
// reflected back (raw, percent-encoded, as the base64 of the Basic header). Tests point a
// provider's API URL at it; it is never part of the program.
package hostile

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Mode is how the server misbehaves.
type Mode string

// The modes.
const (
	// Huge answers every request with a 200 JSON answer of HugeBytes, streamed without a length.
	Huge Mode = "huge"
	// HugeWithLength is Huge with a Content-Length header.
	HugeWithLength Mode = "huge-with-length"
	// GzipBomb answers every request with a gzip-encoded JSON answer that inflates to BombBytes,
	// whether or not the client asked for gzip.
	GzipBomb Mode = "gzip-bomb"
	// Escapes puts Evil in the login, the display name and every error message.
	Escapes Mode = "escapes"
	// ReflectRaw, ReflectPercent and ReflectBasic put the presented token, raw, percent-encoded
	// (every byte) or as the base64 of the whole Basic credentials, in the login, the display
	// name, the error messages and an X-Echo header.
	ReflectRaw     Mode = "reflect-raw"
	ReflectPercent Mode = "reflect-percent"
	ReflectBasic   Mode = "reflect-basic"
)

// Sizes of the large answers.
const (
	HugeBytes = 100 << 20
	BombBytes = 1 << 30
)

// Evil is what Escapes puts in every string: OSC (window title), CSI (clear screen, colour), a
// C1 CSI, BEL, DEL, a right-to-left override and a zero-width space.
const Evil = "evil\x1b]0;PWNED\a\x1b[2J\x1b[31mred\u009b1m\x7f\u202eLIVE\u200b!"

// Server is a running hostile server.
type Server struct {
	*httptest.Server
	mode Mode
}

// Start starts a plain-http server on a loopback address in mode.
func Start(mode Mode) *Server {
	s := &Server{mode: mode}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// NewUnstarted returns the server without starting it, so a test can give it a TLS certificate.
func NewUnstarted(mode Mode) *Server {
	s := &Server{mode: mode}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch s.mode {
	case Huge, HugeWithLength:
		huge(w, s.mode == HugeWithLength)
	case GzipBomb:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", fmt.Sprint(len(bomb())))
		_, _ = w.Write(bomb())
	default:
		s.answer(w, r)
	}
}

func huge(w http.ResponseWriter, withLength bool) {
	const head, tail = `{"login":"`, `"}`
	w.Header().Set("Content-Type", "application/json")
	if withLength {
		w.Header().Set("Content-Length", fmt.Sprint(HugeBytes))
	}
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	if _, err := w.Write([]byte(head)); err != nil {
		return
	}
	for left := HugeBytes - len(head) - len(tail); left > 0; left -= len(chunk) {
		if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
			return
		}
	}
	_, _ = w.Write([]byte(tail))
}

var (
	bombOnce sync.Once
	bombBody []byte
)

// bomb is a gzip stream of about 1 MB that inflates to BombBytes of JSON: gzip members
// concatenated (a valid gzip stream), one for the head, BombBytes/1 MiB members of 1 MiB of
// 'a' each (compressed once), one for the tail.
func bomb() []byte {
	bombOnce.Do(func() {
		member := func(p []byte) []byte {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			_, _ = zw.Write(p)
			_ = zw.Close()
			return b.Bytes()
		}
		mib := member(bytes.Repeat([]byte("a"), 1<<20))
		var out bytes.Buffer
		out.Write(member([]byte(`{"login":"`)))
		for range BombBytes >> 20 {
			out.Write(mib)
		}
		out.Write(member([]byte(`"}`)))
		bombBody = out.Bytes()
	})
	return bombBody
}

// Presented returns the token and the whole Basic credentials ("user:token") of r, if any.
func Presented(r *http.Request) (token, basic string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		h = r.Header.Get("Private-Token")
		return h, ""
	}
	scheme, rest, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return "", ""
		}
		_, tok, _ := strings.Cut(string(raw), ":")
		return tok, string(raw)
	default:
		return rest, ""
	}
}

// reflected is the string the server puts where a name or a message goes.
func (s *Server) reflected(r *http.Request) string {
	tok, basic := Presented(r)
	if basic == "" {
		basic = "x-token:" + tok
	}
	switch s.mode {
	case Escapes:
		return Evil
	case ReflectRaw:
		return tok
	case ReflectPercent:
		var b strings.Builder
		for i := 0; i < len(tok); i++ {
			fmt.Fprintf(&b, "%%%02X", tok[i])
		}
		return b.String() + " " + url.QueryEscape(tok)
	case ReflectBasic:
		return base64.StdEncoding.EncodeToString([]byte(basic))
	}
	return ""
}

// answer serves the user endpoint of every provider with the reflected string as login and
// display name, and every other path with an error naming it, in every provider's error shape.
func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	x := s.reflected(r)
	w.Header().Set("Content-Type", "application/json")
	if s.mode != Escapes { // a header with control characters makes net/http refuse the whole answer
		w.Header().Set("X-Echo", x)
	}
	p := r.URL.Path
	if strings.HasSuffix(p, "/user") || strings.HasSuffix(p, "/_apis/connectionData") {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"login": x, "id": 1, "username": x, "name": x, "display_name": x, "nickname": x,
			"uuid": "{00000000-0000-0000-0000-000000000001}", "account_id": "1", "state": "active",
			"authenticatedUser": map[string]any{
				"id": "00000000-0000-0000-0000-000000000001", "providerDisplayName": x,
				"properties": map[string]any{"Account": map[string]any{"$type": "System.String", "$value": x}},
			},
		})
		return
	}
	msg := "denied for " + x
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"message": msg, "error_description": msg, "documentation_url": "https://docs.example/" + x,
		"$id": "1", "typeKey": "UnauthorizedRequestException", "errorCode": 0,
		"type": "error", "error": map[string]any{"message": msg, "detail": msg},
	})
}

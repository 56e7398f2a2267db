package kube

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Reasons of an APIError: the Status object's reason, or one of this package's for failures
// before an answer.
const (
	ReasonUnauthorized = "Unauthorized"
	ReasonForbidden    = "Forbidden"
	ReasonNotFound     = "NotFound"
	ReasonConflict     = "Conflict"
	ReasonInvalid      = "Invalid"
	// ReasonWrongCA: the server's certificate does not chain to the kubeconfig's CA.
	ReasonWrongCA = "WrongCA"
)

// APIError is an answer of the API server that is not a success, or no answer at all. Msg is the
// Status object's message (redacted, cut short) or this package's account; it never holds a token.
type APIError struct {
	// Status is the HTTP status (0: no answer).
	Status int
	// Reason is the Status object's reason (Forbidden, NotFound, Conflict, …) or ReasonWrongCA.
	Reason string
	Msg    string
	// Conflicts, for an apply refused over fields another field manager owns, names them.
	Conflicts []Conflict
	// Kind and Name are the object the Status names (its details).
	Kind, Name string
	// Err is the transport error when no answer came.
	Err error
}

// Conflict is one field another manager owns that an apply would have changed.
type Conflict struct {
	Manager string `json:"manager"`
	Field   string `json:"field"`
}

func (e *APIError) Error() string {
	if e.Status == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Msg, e.Status)
}

func (e *APIError) Unwrap() error { return e.Err }

// Managers are the field managers the conflicts name, sorted, each once.
func (e *APIError) Managers() []string {
	var out []string
	for _, c := range e.Conflicts {
		if !slices.Contains(out, c.Manager) {
			out = append(out, c.Manager)
		}
	}
	slices.Sort(out)
	return out
}

// Is reports the reason: errors.Is(err, kube.ErrNotFound).
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Msg == "" && t.Reason != "" && t.Reason == e.Reason
}

// Sentinels for errors.Is.
var (
	ErrNotFound  = &APIError{Reason: ReasonNotFound}
	ErrForbidden = &APIError{Reason: ReasonForbidden}
	ErrConflict  = &APIError{Reason: ReasonConflict}
	ErrWrongCA   = &APIError{Reason: ReasonWrongCA}
)

// status is metav1.Status as it travels.
type status struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Reason  string `json:"reason"`
	Code    int    `json:"code"`
	Details struct {
		Name   string `json:"name"`
		Kind   string `json:"kind"`
		Causes []struct {
			Type    string `json:"reason"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"causes"`
	} `json:"details"`
}

var conflictWith = regexp.MustCompile(`^conflict with ("(?:[^"\\]|\\.)*")`)

// statusError reads the Status object of a failed answer.
func (c *Client) statusError(resp *http.Response, raw []byte) *APIError {
	e := &APIError{Status: resp.StatusCode}
	var st status
	if json.Unmarshal(raw, &st) == nil && st.Kind == "Status" {
		e.Reason, e.Kind, e.Name = st.Reason, st.Details.Kind, st.Details.Name
		e.Msg = clip(c.Redact(st.Message))
		for _, cause := range st.Details.Causes {
			if cause.Type != "FieldManagerConflict" {
				continue
			}
			m := conflictWith.FindStringSubmatch(cause.Message)
			if m == nil {
				continue
			}
			if name, err := strconv.Unquote(m[1]); err == nil {
				e.Conflicts = append(e.Conflicts, Conflict{Manager: name, Field: cause.Field})
			}
		}
	}
	if e.Reason == "" {
		e.Reason = reasonOf(resp.StatusCode)
	}
	if e.Msg == "" {
		e.Msg = fmt.Sprintf("the API server %s answered %s", c.host(), resp.Status)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		e.Msg = fmt.Sprintf("the API server %s refused the credentials of user %s in %s (expired or revoked token, or a client certificate it does not trust)", c.host(), c.cfg.User, c.cfg.Path)
	}
	return e
}

func reasonOf(code int) string {
	switch code {
	case http.StatusUnauthorized:
		return ReasonUnauthorized
	case http.StatusForbidden:
		return ReasonForbidden
	case http.StatusNotFound:
		return ReasonNotFound
	case http.StatusConflict:
		return ReasonConflict
	case http.StatusUnprocessableEntity:
		return ReasonInvalid
	}
	return ""
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

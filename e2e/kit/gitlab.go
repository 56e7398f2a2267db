package kit

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"gitopscfg/providers/fake"
)

// MembershipWatch wraps the GitLab emulator: it records the user ids of the membership look-ups
// (GET /groups/:id/members/all/:user_id) and, once armed, holds GET /user until a look-up has
// arrived (at most 5 s) and records whether one did, so a test tells whether a check sent the
// look-up in the same wave as /user without timing anything.
type MembershipWatch struct {
	next http.Handler

	mu      sync.Mutex
	ids     []string
	arrived chan struct{} // nil: not armed
	early   bool          // a look-up arrived while /user was held
}

// NewMembershipWatch wraps a GitLab emulator of its own; it is not armed.
func NewMembershipWatch() *MembershipWatch {
	return &MembershipWatch{next: fake.GitLabHandler()}
}

// Arm starts a new wave: the look-ups recorded so far are forgotten, and the next GET /user is
// held until a look-up arrives.
func (m *MembershipWatch) Arm() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ids, m.arrived, m.early = nil, make(chan struct{}), false
}

// Lookups are the user ids looked up since the last Arm, and whether one arrived while /user
// was held.
func (m *MembershipWatch) Lookups() (ids []string, early bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.ids...), m.early
}

func (m *MembershipWatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	m.mu.Lock()
	arrived := m.arrived
	if i := strings.Index(p, "/members/all/"); i >= 0 {
		m.ids = append(m.ids, p[i+len("/members/all/"):])
		if arrived != nil {
			select {
			case <-arrived:
			default:
				close(arrived)
			}
		}
	}
	m.mu.Unlock()
	if p == "/api/v4/user" && arrived != nil {
		select {
		case <-arrived:
			m.mu.Lock()
			m.early = true
			m.mu.Unlock()
		case <-time.After(5 * time.Second):
		}
	}
	m.next.ServeHTTP(w, r)
}

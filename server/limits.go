package server

import (
	"fmt"
	"net"
	"strings"
	"sync"

	"gitopscfg/config/safe"
)

// pendingConns counts connections that have not authenticated yet, in all and per client address.
type pendingConns struct {
	max, perIP int

	mu    sync.Mutex
	total int
	byIP  map[string]int
}

func newPendingConns(max, perIP int) *pendingConns {
	return &pendingConns{max: max, perIP: perIP, byIP: map[string]int{}}
}

// admit counts conn as unauthenticated, or reports false when a cap is reached.
func (p *pendingConns) admit(conn net.Conn, ip string) (*pendingConn, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.total >= p.max || p.byIP[ip] >= p.perIP {
		return nil, false
	}
	p.total++
	p.byIP[ip]++
	return &pendingConn{Conn: conn, release: func() { p.release(ip) }}, true
}

func (p *pendingConns) release(ip string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total--
	if p.byIP[ip]--; p.byIP[ip] <= 0 {
		delete(p.byIP, ip)
	}
}

// count is the number of unauthenticated connections now.
func (p *pendingConns) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// pendingConn is a connection counted as unauthenticated until it authenticates or closes.
type pendingConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *pendingConn) authenticated() { c.once.Do(c.release) }

func (c *pendingConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

type pendingKey struct{}

// sshFlags are the flags each command takes over SSH without a terminal; true marks a flag that
// takes a value (given as --flag=value or as the next argument).
var sshFlags = map[string]map[string]bool{
	"status": {"--json": false},
	"check": {"--all": false, "--json": false, "--deep": false, "--timeout": true, "--format": true,
		"--warn-expiry": true, "--fail-expiry": true, "--devtron": false},
}

// sshUsage is the contract of a session without a terminal (README, "Serving the UI over SSH").
const sshUsage = "without a terminal this server runs only `status [--json]` and " +
	"`check [PROVIDER|--all] [--json] [--format F] [--timeout D] [--deep]`; connect with `ssh -t` for the interactive UI"

// allowedCommand checks the command of a session without a terminal against sshFlags: anything
// else (another verb, --output, --config-dir, --demo …) is refused, since it would act on the
// server's files rather than report.
func allowedCommand(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", sshUsage)
	}
	flags, ok := sshFlags[args[0]]
	if !ok {
		return fmt.Errorf("%s", sshUsage)
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "-h" || a == "--help" {
			continue
		}
		if !strings.HasPrefix(a, "-") {
			continue // PROVIDER: the command checks it
		}
		name, _, hasValue := strings.Cut(a, "=")
		takesValue, known := flags[name]
		if !known {
			return fmt.Errorf("%s is not available over SSH; %s", displayArg(name), sshUsage)
		}
		if takesValue && !hasValue {
			i++ // the value
		}
	}
	return nil
}

// displayArg shows an argument the client sent without its control characters.
func displayArg(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return safe.Text(s)
}

package server

import (
	"net"
	"sync"
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

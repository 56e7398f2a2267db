package server

import (
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// authLimiter rate-limits failed authentication per client IP: each IP may fail burst times, then
// once per interval; beyond that its attempts are refused without looking at the key, and new
// connections from it are closed at once.
type authLimiter struct {
	interval time.Duration
	burst    int

	mu  sync.Mutex
	ips map[string]*rate.Limiter
}

func newAuthLimiter(interval time.Duration, burst int) *authLimiter {
	return &authLimiter{interval: interval, burst: burst, ips: map[string]*rate.Limiter{}}
}

func ipOf(addr net.Addr) string {
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

func (l *authLimiter) limiter(ip string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.ips[ip]
	if !ok {
		if len(l.ips) > 10000 { // bound memory under a scan: forget everyone
			l.ips = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Every(l.interval), l.burst)
		l.ips[ip] = lim
	}
	return lim
}

// blocked reports whether ip has used up its failures.
func (l *authLimiter) blocked(ip string) bool { return l.limiter(ip).Tokens() < 1 }

// fail records a failed attempt from ip.
func (l *authLimiter) fail(ip string) { l.limiter(ip).Allow() }

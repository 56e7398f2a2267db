// Package server serves the terminal UI over SSH: public-key authentication against an
// authorized_keys file, one fresh UI model per session sharing one store, the commands a policy
// allows for sessions without a terminal, session limits, idle timeouts and a graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"
)

// Options configure a server.
type Options struct {
	Listen             string
	HostKeyPath        string
	AuthorizedKeysPath string
	MaxSessions        int
	IdleTimeout        time.Duration
	// LoginGrace bounds the handshake and authentication of a connection (DefaultLoginGrace when
	// zero): a client that has not authenticated by then is disconnected.
	LoginGrace time.Duration
	// MaxUnauthenticated caps connections still in their handshake or authentication, in all
	// (DefaultMaxUnauthenticated) and per client address (DefaultMaxUnauthenticatedPerIP); those
	// beyond are closed at once, so silent clients cannot use up the server's file descriptors.
	MaxUnauthenticated      int
	MaxUnauthenticatedPerIP int
	Version                 string
	// NewModel builds a fresh UI model for one session; who names the key holder for the audit trail.
	NewModel func(who string) tea.Model
	// Policy decides the command of a session without a terminal (the SSH policy the cli declares on
	// its commands): a refusal is told to the client with exit status 2, and RunCommand runs the
	// rest. logged is what the log may show of args (the verb, flag names, a provider; never a
	// value). Required: without it New fails, so that no server runs commands nobody vetted.
	Policy func(args []string) (logged string, refused error)
	// RunCommand runs a command Policy allowed for a session without a terminal and returns the
	// exit status.
	RunCommand func(ctx context.Context, who string, args []string, out, errOut io.Writer) int
	// Drain waits for saves in progress to finish (called on shutdown after the sessions close).
	Drain  func()
	Logger *slog.Logger
}

// Server is a running SSH server.
type Server struct {
	opts     Options
	ssh      *ssh.Server
	keys     *authorizedKeys
	limits   *authLimiter
	pending  *pendingConns
	sessions atomic.Int64

	mu       sync.Mutex
	programs map[*tea.Program]ssh.Session
	stopping bool
	// ended holds why the server ended a session's UI (idle, shutdown), told after the UI closes.
	ended sync.Map
	// serving is set by Serve, and accepting closed once it waits for connections.
	serving    atomic.Bool
	accepting  chan struct{}
	acceptOnce sync.Once

	// uis holds each session's UI model and a channel closed once the model is closed after its
	// program ended (a round trip's clean-up included); Shutdown waits for them.
	uis map[ssh.Session]sessionUI
}

type sessionUI struct {
	model  tea.Model
	closed chan struct{}
}

// closer is a UI model that must be closed after its program ends (see ui.Model.Close).
type closer interface{ Close() }

// Limits on clients that have not authenticated yet (see Options).
const (
	// DefaultLoginGrace is shorter than OpenSSH's LoginGraceTime (120 s): a key login over a slow
	// link takes well under a second, and a server for a handful of admins has no use for a
	// longer wait.
	DefaultLoginGrace              = 30 * time.Second
	DefaultMaxUnauthenticated      = 64
	DefaultMaxUnauthenticatedPerIP = 8
)

// MaxPtyWidth and MaxPtyHeight bound the terminal size a session's UI is drawn for, whatever the
// client asks for (at start or when its window changes): the UI's memory grows with the number
// of cells, and no real terminal window is larger.
const (
	MaxPtyWidth  = 500
	MaxPtyHeight = 200
)

// New prepares a server: host key (generated on first start), authorized keys, handlers.
func New(opts Options) (*Server, error) {
	if opts.Policy == nil {
		return nil, errors.New("server: no policy for the commands of sessions without a terminal")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 32
	}
	if opts.LoginGrace <= 0 {
		opts.LoginGrace = DefaultLoginGrace
	}
	if opts.MaxUnauthenticated <= 0 {
		opts.MaxUnauthenticated = DefaultMaxUnauthenticated
	}
	if opts.MaxUnauthenticatedPerIP <= 0 {
		opts.MaxUnauthenticatedPerIP = DefaultMaxUnauthenticatedPerIP
	}
	hostKey, err := loadOrCreateHostKey(opts.HostKeyPath)
	if err != nil {
		return nil, err
	}
	keys, err := newAuthorizedKeys(opts.AuthorizedKeysPath, func(msg string) { opts.Logger.Warn(msg) })
	if err != nil {
		return nil, fmt.Errorf("%w: create it with the public keys allowed in, one per line (e.g. cp ~/.ssh/id_ed25519.pub %s)", err, opts.AuthorizedKeysPath)
	}
	s := &Server{opts: opts, keys: keys, limits: newAuthLimiter(10*time.Second, 10), programs: map[*tea.Program]ssh.Session{}, uis: map[ssh.Session]sessionUI{}, accepting: make(chan struct{}),
		pending: newPendingConns(opts.MaxUnauthenticated, opts.MaxUnauthenticatedPerIP)}
	srv, err := wish.NewServer(
		wish.WithAddress(opts.Listen),
		wish.WithVersion("gitopscfg_"+strings.ReplaceAll(opts.Version, " ", "_")),
		wish.WithHostKeyPEM(hostKey),
		wish.WithPublicKeyAuth(s.authorize),
		ssh.WrapConn(s.admit),
		func(srv *ssh.Server) error {
			srv.HandshakeTimeout = opts.LoginGrace
			srv.ServerConfigCallback = s.serverConfig
			return nil
		},
		wish.WithMiddleware(
			// The last middleware is the outermost: recover guards everything inside it.
			recover.MiddlewareWithLogger(slogAdapter{opts.Logger},
				s.afterUI,
				bm.MiddlewareWithProgramHandler(s.program),
				s.commands,
				s.limitSessions,
			),
		),
	)
	if err != nil {
		return nil, err
	}
	s.ssh = srv
	return s, nil
}

// authorize admits keys listed in authorized_keys; failures count against the client's IP.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	ip := ipOf(ctx.RemoteAddr())
	if s.limits.blocked(ip) {
		s.opts.Logger.Warn("authentication refused: too many failures", "ip", ip)
		return false
	}
	if _, ok := s.keys.allowed(key, ip, time.Now()); ok {
		return true
	}
	s.limits.fail(ip)
	why := "unknown key refused"
	if _, listed := s.keys.lookup(key); listed {
		why = "key refused by its from= or expiry-time= option"
	}
	s.opts.Logger.Info(why, "ip", ip, "fingerprint", gossh.FingerprintSHA256(key))
	return false
}

// admit closes connections from IPs that used up their authentication failures, and those
// beyond the caps on unauthenticated connections; the others count as unauthenticated until
// they authenticate or close.
func (s *Server) admit(ctx ssh.Context, conn net.Conn) net.Conn {
	ip := ipOf(conn.RemoteAddr())
	if s.limits.blocked(ip) {
		_ = conn.Close()
		return nil
	}
	pc, ok := s.pending.admit(conn, ip)
	if !ok {
		s.opts.Logger.Warn("connection refused: too many unauthenticated connections", "ip", ip,
			"limit", s.opts.MaxUnauthenticated, "per_ip", s.opts.MaxUnauthenticatedPerIP)
		_ = conn.Close()
		return nil
	}
	ctx.SetValue(pendingKey{}, pc)
	return pc
}

// serverConfig is each connection's SSH configuration: a successful authentication (never a
// mere query whether a key would do) takes the connection off the unauthenticated count.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		AuthLogCallback: func(_ gossh.ConnMetadata, _ string, err error) {
			if pc, ok := ctx.Value(pendingKey{}).(*pendingConn); ok && err == nil {
				pc.authenticated()
			}
		},
	}
}

// who names the session's key holder for the audit trail.
func (s *Server) who(sess ssh.Session) string {
	k := sess.PublicKey()
	if k == nil {
		return "ssh:unknown"
	}
	entry, _ := s.keys.lookup(k)
	return Who(k, entry.comment)
}

// limitSessions refuses sessions beyond MaxSessions (wraps everything else).
func (s *Server) limitSessions(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		n := s.sessions.Add(1)
		defer s.sessions.Add(-1)
		if n > int64(s.opts.MaxSessions) {
			wish.Fatalf(sess, "gitopscfg: too many sessions (at most %d); try again later\n", s.opts.MaxSessions)
			return
		}
		s.mu.Lock()
		stopping := s.stopping
		s.mu.Unlock()
		if stopping {
			wish.Fatalln(sess, "gitopscfg: the server is shutting down")
			return
		}
		next(sess)
	}
}

// commands serves sessions without a terminal: what Options.Policy allows runs, the rest is
// refused with exit status 2; either way the log records the key, the command and the exit status.
func (s *Server) commands(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, isPty := sess.Pty(); isPty {
			next(sess)
			return
		}
		args := sess.Command()
		logged, err := s.opts.Policy(args)
		if err != nil {
			wish.Errorln(sess, "gitopscfg: "+err.Error())
			s.logSession(sess, "session refused", logged, 2)
			_ = sess.Exit(2)
			return
		}
		s.track(sess, nil)
		code := s.opts.RunCommand(sess.Context(), s.who(sess), args, sess, sess.Stderr())
		s.untrack(sess)
		s.logSession(sess, "session", logged, code)
		_ = sess.Exit(code)
	}
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.serving.Store(true)
	err := s.ssh.Serve(&acceptSignal{Listener: ln, accepting: s.accepting, once: &s.acceptOnce})
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// acceptSignal tells when the SSH server first waits for a connection: by then it has registered
// the listener, so a Shutdown can no longer race its start.
type acceptSignal struct {
	net.Listener
	accepting chan struct{}
	once      *sync.Once
}

func (l *acceptSignal) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.accepting) })
	return l.Listener.Accept()
}

// Shutdown stops accepting connections, tells every session and closes it, lets a save in progress
// finish, then returns.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.stopping = true
	progs := make(map[*tea.Program]ssh.Session, len(s.programs))
	for p, sess := range s.programs {
		progs[p] = sess
	}
	var uis []chan struct{}
	for _, ui := range s.uis {
		uis = append(uis, ui.closed)
	}
	s.mu.Unlock()
	for p, sess := range progs {
		s.ended.Store(sess, "the server is shutting down; your session was closed")
		p.Quit()
	}
	// Let the sessions' UIs close and their commands finish: a round trip in flight deletes its
	// repository first.
	waitAll(ctx, uis)
	if s.opts.Drain != nil {
		s.opts.Drain()
	}
	if !s.serving.Load() {
		return s.ssh.Close()
	}
	select {
	case <-s.accepting:
	case <-ctx.Done():
		return s.close(uis)
	}
	err := s.ssh.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return s.close(uis)
	}
	return err
}

// closeGrace bounds the wait, after connections are cut, for the sessions' work to end: a
// cancelled round trip still deletes its repository, within its own clean-up deadline.
const closeGrace = 25 * time.Second

// close cuts every connection, which cancels the sessions' commands, and waits for them to
// finish their clean-up.
func (s *Server) close(uis []chan struct{}) error {
	err := s.ssh.Close()
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	waitAll(ctx, uis)
	return err
}

func waitAll(ctx context.Context, chans []chan struct{}) {
	for _, c := range chans {
		select {
		case <-c:
		case <-ctx.Done():
			return
		}
	}
}

// slogAdapter lets the recover middleware log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Printf(format string, args ...any) { a.l.Error(fmt.Sprintf(format, args...)) }

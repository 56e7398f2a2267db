// Package kubetest runs a real, throw-away Kubernetes API server for tests: etcd and kube-apiserver
// built by .ci/kube.sh (cached outside the tree by version) and started on free loopback ports
// with a CA made here, a token file with an administrator, RBAC and service-account tokens. No
// controller-manager runs: nothing is garbage-collected and a deleted namespace stays Terminating,
// so each test uses a namespace of its own. It is imported by tests only.
//
// The tests run when the binaries exist. When they do not, the tests skip, unless
// GITOPSCFG_KUBE is set (make test-kube): then they fail.
package kubetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Version is the Kubernetes release .ci/kube.sh builds.
const Version = "1.37.2"

// BinDir is where .ci/kube.sh caches the binaries (GITOPSCFG_KUBE_BIN overrides it).
func BinDir() string {
	if d := os.Getenv("GITOPSCFG_KUBE_BIN"); d != "" {
		return d
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "gitopscfg", "kube-"+Version)
}

func binariesPresent() bool {
	for _, b := range []string{"etcd", "kube-apiserver"} {
		if fi, err := os.Stat(filepath.Join(BinDir(), b)); err != nil || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// Require skips t when the binaries are missing, or fails it when GITOPSCFG_KUBE is set (make
// test-kube, which CI runs).
func Require(t testing.TB) {
	t.Helper()
	if binariesPresent() {
		return
	}
	msg := fmt.Sprintf("no kube-apiserver and etcd in %s: build them with `.ci/kube.sh bin` (about 10 minutes once), or run `make test-kube`", BinDir())
	if os.Getenv("GITOPSCFG_KUBE") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Server is one running API server and its etcd.
type Server struct {
	// URL is the API server's address (https://127.0.0.1:PORT).
	URL string
	// CAPEM is the cluster CA's certificate, which signed the serving certificate.
	CAPEM []byte
	// AdminToken authenticates as "admin" in system:masters.
	AdminToken string

	ca   *authority
	dir  string
	http *http.Client
	stop func()
}

var shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// Shared is the package's one server, started at the first call (about 5 s) and stopped by Main.
// Each test takes a namespace of its own (Namespace).
func Shared(t testing.TB) *Server {
	t.Helper()
	Require(t)
	shared.once.Do(func() { shared.srv, shared.err = start() })
	if shared.err != nil {
		t.Fatalf("start the API server: %v", shared.err)
	}
	return shared.srv
}

// Main runs a test package's tests and stops the shared server after them: call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared.srv != nil {
		shared.srv.stop()
	}
	os.Exit(code)
}

// start starts etcd and kube-apiserver in a temporary directory, trying fresh ports if one was
// taken in between.
func start() (*Server, error) {
	dir, err := os.MkdirTemp("", "gitopscfg-kube-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	if err := s.writeFiles(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		err = s.launch()
		if err == nil {
			return s, nil
		}
		if attempt == 3 {
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

// writeFiles makes the CA, the serving certificate, the service accounts' key and the token file.
func (s *Server) writeFiles() error {
	ca, err := newAuthority("gitopscfg-test-cluster-ca")
	if err != nil {
		return err
	}
	s.ca, s.CAPEM = ca, ca.pem
	certPEM, keyPEM, err := ca.issue("kube-apiserver", nil, true)
	if err != nil {
		return err
	}
	saKey, err := newKeyPEM()
	if err != nil {
		return err
	}
	s.AdminToken = randomHex(24)
	tokens := fmt.Sprintf("%s,admin,admin-uid,\"system:masters\"\n", s.AdminToken)
	for name, b := range map[string][]byte{
		"ca.pem": ca.pem, "apiserver.pem": certPEM, "apiserver-key.pem": keyPEM,
		"sa-key.pem": saKey, "tokens.csv": []byte(tokens),
	} {
		if err := os.WriteFile(filepath.Join(s.dir, name), b, 0o600); err != nil {
			return err
		}
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.pem)
	s.http = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
	return nil
}

// launch starts etcd, then the API server, and waits until the API server is ready.
func (s *Server) launch() error {
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	client, peer := "http://127.0.0.1:"+ports[0], "http://127.0.0.1:"+ports[1]
	data := filepath.Join(s.dir, "etcd-"+ports[0])
	etcd, etcdLog, err := s.run("etcd", "--name=default", "--data-dir="+data,
		"--listen-client-urls="+client, "--advertise-client-urls="+client,
		"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer,
		"--initial-cluster=default="+peer, "--unsafe-no-fsync", "--log-level=warn")
	if err != nil {
		return err
	}
	f := func(n string) string { return filepath.Join(s.dir, n) }
	api, apiLog, err := s.run("kube-apiserver", "--etcd-servers="+client,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+ports[2],
		"--tls-cert-file="+f("apiserver.pem"), "--tls-private-key-file="+f("apiserver-key.pem"),
		"--client-ca-file="+f("ca.pem"), "--token-auth-file="+f("tokens.csv"),
		"--authorization-mode=RBAC", "--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+f("sa-key.pem"), "--service-account-signing-key-file="+f("sa-key.pem"),
		"--service-cluster-ip-range=10.0.0.0/24", "--endpoint-reconciler-type=none",
		"--enable-priority-and-fairness=false", "--profiling=false", "--cert-dir="+f("certs"))
	if err != nil {
		stopCmd(etcd)
		return err
	}
	s.stop = func() {
		stopCmd(api)
		stopCmd(etcd)
		os.RemoveAll(s.dir)
	}
	s.URL = "https://127.0.0.1:" + ports[2]
	if err := s.waitReady(api, 2*time.Minute); err != nil {
		stopCmd(api)
		stopCmd(etcd)
		return fmt.Errorf("%w\n--- kube-apiserver:\n%s\n--- etcd:\n%s", err, tail(apiLog), tail(etcdLog))
	}
	return nil
}

// run starts the binary name with args, its output in a log file of the directory.
func (s *Server) run(name string, args ...string) (*proc, string, error) {
	logPath := filepath.Join(s.dir, name+".log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(filepath.Join(BinDir(), name), args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, "", fmt.Errorf("start %s: %w", name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(exited)
	}()
	return &proc{cmd: cmd, exited: exited}, logPath, nil
}

// proc is a process the server started; exited is closed when it has ended.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// stopCmd ends a process the server started, by its PID, and waits for it.
func stopCmd(p *proc) {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// waitReady polls /readyz until it answers 200, the process exits, or the time is up.
func (s *Server) waitReady(api *proc, within time.Duration) error {
	deadline := time.Now().Add(within)
	exited := api.exited
	last := "no answer"
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("kube-apiserver exited before it was ready")
		default:
		}
		code, body, err := s.do(context.Background(), s.AdminToken, http.MethodGet, "/readyz", "", nil)
		if err == nil && code == http.StatusOK {
			return nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("HTTP %d: %s", code, bytes.TrimSpace(body))
		}
		select {
		case <-exited:
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("kube-apiserver not ready within %s (last: %s)", within, last)
}

func freePorts(n int) ([]string, error) {
	var out []string
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	return out, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// Package corpnettest runs the real servers of a corporate network for tests: Debian's tinyproxy
// (a forward proxy, with or without Basic authentication) and nginx (a TLS front that demands
// client certificates), each started by the test on a free loopback port with its own
// configuration and log in a temporary directory, and stopped by its PID when the test ends.
// Without the package they skip, or fail when CI=1 (.ci/run installs them).
package corpnettest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// need finds a Debian package's program, skipping t (failing it when CI=1) when it is missing.
func need(t testing.TB, pkg string, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(filepath.Base(paths[0])); err == nil {
		return p
	}
	msg := fmt.Sprintf("%s is not installed (apt-get install %s): the real %s tests need it", pkg, pkg, pkg)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// freePort is a loopback port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs cmd, stops it when t ends, and waits until addr accepts connections.
func start(t testing.TB, cmd *exec.Cmd, addr, logPath string) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			return
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s exited before listening on %s: %v\n%s", cmd.Path, addr, err, log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s does not listen on %s:\n%s", cmd.Path, addr, log)
		}
	}
}

// Tinyproxy is one running tinyproxy.
type Tinyproxy struct {
	// Addr is host:port; URL is http://Addr.
	Addr, URL string
	log       string
}

// TinyproxyOptions configure a tinyproxy: Basic authentication (User and Password, when User is
// not empty) and more configuration lines (e.g. "ConnectPort 443").
type TinyproxyOptions struct {
	User, Password string
	Extra          []string
}

// StartTinyproxy starts a tinyproxy on a free loopback port, logging at the Connect level (one
// line per request line it reads) to a file of its own.
func StartTinyproxy(t testing.TB, o TinyproxyOptions) *Tinyproxy {
	t.Helper()
	bin := need(t, "tinyproxy", "/usr/bin/tinyproxy", "/usr/sbin/tinyproxy")
	dir := t.TempDir()
	port := freePort(t)
	p := &Tinyproxy{Addr: fmt.Sprintf("127.0.0.1:%d", port), log: filepath.Join(dir, "tinyproxy.log")}
	p.URL = "http://" + p.Addr
	conf := []string{fmt.Sprintf("Port %d", port), "Listen 127.0.0.1", "Timeout 60", "MaxClients 64",
		fmt.Sprintf("LogFile %q", p.log), "LogLevel Connect", fmt.Sprintf("PidFile %q", filepath.Join(dir, "tinyproxy.pid"))}
	if o.User != "" {
		conf = append(conf, "BasicAuth "+o.User+" "+o.Password)
	}
	conf = append(conf, o.Extra...)
	path := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(path, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start(t, exec.Command(bin, "-d", "-c", path), p.Addr, p.log)
	return p
}

// Log is what tinyproxy logged so far.
func (p *Tinyproxy) Log(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(p.log)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Requests are the request lines tinyproxy read ("CONNECT 127.0.0.1:3000 HTTP/1.1").
func (p *Tinyproxy) Requests(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(p.Log(t), "\n") {
		if _, req, ok := strings.Cut(line, "]: Request (file descriptor "); ok {
			if _, rl, ok := strings.Cut(req, "): "); ok {
				out = append(out, strings.TrimSpace(rl))
			}
		}
	}
	return out
}

// Nginx is one running nginx: a TLS front on a free loopback port demanding a client certificate
// (ssl_verify_client on) that a given CA signed, proxying to a plain http server.
type Nginx struct {
	// Addr is host:port; URL is https://Addr/.
	Addr, URL string
	dir       string
}

// NginxPort reserves the loopback port an nginx will listen on (a server behind it may need to
// name its address before it starts).
func NginxPort(t testing.TB) int { return freePort(t) }

// StartNginx starts nginx on port with the server certificate and key (PEM), demanding client
// certificates signed by clientCA (PEM), in front of upstream (http://host:port/). It runs as the
// current user, without a master process, with its prefix, configuration, pid and logs in a
// temporary directory (-p, -c, -e).
func StartNginx(t testing.TB, port int, serverCert, serverKey, clientCA, upstream string) *Nginx {
	t.Helper()
	bin := need(t, "nginx", "/usr/sbin/nginx")
	dir := t.TempDir()
	n := &Nginx{Addr: fmt.Sprintf("127.0.0.1:%d", port), dir: dir}
	n.URL = "https://" + n.Addr + "/"
	files := map[string]string{"server.crt": serverCert, "server.key": serverKey, "client-ca.pem": clientCA}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	up := strings.TrimSuffix(strings.TrimPrefix(upstream, "http://"), "/")
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 128; }
http {
  access_log %[1]s/access.log;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  client_max_body_size 0;
  server {
    listen %[2]s ssl;
    ssl_certificate %[1]s/server.crt;
    ssl_certificate_key %[1]s/server.key;
    ssl_client_certificate %[1]s/client-ca.pem;
    ssl_verify_client on;
    location / {
      proxy_pass http://%[3]s;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto https;
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`, dir, n.Addr, up)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	start(t, exec.Command(bin, "-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log")), n.Addr, filepath.Join(dir, "error.log"))
	return n
}

// Package redistest starts a real redis-server for tests.
//
// Start uses $REDIS_ADDR when it is set; otherwise it starts redis-server
// on a free loopback port with no persistence and stops it when the test
// ends. With no redis-server installed the test is skipped with a clear
// message — unless $OCTOSEND_REQUIRE_REDIS is set (as .ci/run does), in
// which case the test fails.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireEnv is the variable that turns a missing redis-server into a failure.
const RequireEnv = "OCTOSEND_REQUIRE_REDIS"

// Server is a redis-server run by a test.
type Server struct {
	Addr string // host:port on loopback

	mu   sync.Mutex
	cmd  *exec.Cmd
	port int
	bin  string
	ext  bool // from $REDIS_ADDR: cannot be killed or restarted
}

// Start returns a running Redis for t (see the package doc).
func Start(t testing.TB) *Server {
	t.Helper()
	if addr := os.Getenv("REDIS_ADDR"); addr != "" {
		return &Server{Addr: addr, ext: true}
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		for _, p := range []string{"/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"} {
			if _, e := os.Stat(p); e == nil {
				bin, err = p, nil
				break
			}
		}
	}
	if err != nil {
		msg := "redistest: redis-server is not installed and REDIS_ADDR is unset (apt-get install -y redis-server)"
		if os.Getenv(RequireEnv) != "" {
			t.Fatal(msg + "; " + RequireEnv + " is set, so this is a failure")
		}
		t.Skip(msg)
	}
	s := &Server{bin: bin, port: freePort(t)}
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Kill() })
	return s
}

// External reports whether the server came from $REDIS_ADDR (and so cannot
// be killed or restarted by the test).
func (s *Server) External() bool { return s.ext }

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redistest: start redis-server: %w", err)
	}
	ready := make(chan struct{})
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(out)
		once := false
		for sc.Scan() {
			line := sc.Text()
			if !once {
				log.WriteString(line + "\n")
			}
			if !once && strings.Contains(line, "Ready to accept connections") {
				once = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("redistest: redis-server did not start within 10s")
	}
	s.cmd = cmd
	return nil
}

// Kill stops the server at once (SIGKILL). It is a no-op for an external server.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again on the same port after Kill.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if s.ext {
		t.Fatal("redistest: cannot restart an external REDIS_ADDR server")
	}
	var err error
	for i := 0; i < 50; i++ { // the port may linger briefly after a kill
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(err)
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

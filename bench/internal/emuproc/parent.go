package emuproc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Proc is a running emulator child. Its methods are not safe for
// concurrent use; call them between runs.
type Proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	url   string
	ctl   *http.Client // control calls only, never the transport under test
}

// Start starts the emulator child: this same executable, with ChildEnv set.
// The program must call MaybeServe at the top of main (or TestMain).
func Start(ctx context.Context) (*Proc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("emuproc: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), ChildEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("emuproc: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("emuproc: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("emuproc: starting the child: %w", err)
	}
	p := &Proc{cmd: cmd, stdin: stdin, ctl: &http.Client{Timeout: 30 * time.Second}}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	p.url = strings.TrimSpace(line)
	if !strings.HasPrefix(p.url, "http://127.0.0.1:") {
		p.Close()
		if err == nil {
			err = errNoURL
		}
		return nil, fmt.Errorf("emuproc: reading the child's URL: %w", err)
	}
	return p, nil
}

// URL returns the emulator's base URL (http://127.0.0.1:port).
func (p *Proc) URL() string { return p.url }

// PID returns the child's process id.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// Setup replaces the child's emulator with a fresh one for s, and resets
// its counters.
func (p *Proc) Setup(ctx context.Context, s Setup) error {
	body, err := json.Marshal(&s)
	if err != nil {
		return fmt.Errorf("emuproc: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/_bench/setup", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("emuproc: %w", err)
	}
	resp, err := p.ctl.Do(req)
	if err != nil {
		return fmt.Errorf("emuproc: setup: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("emuproc: setup: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// Report returns what the child saw since the last Setup.
func (p *Proc) Report(ctx context.Context) (*Report, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/_bench/report", nil)
	if err != nil {
		return nil, fmt.Errorf("emuproc: %w", err)
	}
	resp, err := p.ctl.Do(req)
	if err != nil {
		return nil, fmt.Errorf("emuproc: report: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("emuproc: report: %s", resp.Status)
	}
	var rep Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return nil, fmt.Errorf("emuproc: report: %w", err)
	}
	return &rep, nil
}

// Close stops the child and waits for it.
func (p *Proc) Close() {
	_ = p.stdin.Close() // the child exits on EOF
	done := make(chan struct{})
	go func() {
		_ = p.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	p.ctl.CloseIdleConnections()
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octosend/octosend/emulator"
)

// TestCLIEmulatorLedger: the standalone emulator answers its ledger on
// GET /_emulator/ledger while it runs and writes it to --ledger on exit,
// both bounded by --ledger-cap.
func TestCLIEmulatorLedger(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ledger.jsonl")
	cmd, url, stdout, stderr := startEmulatorCLI(t, nil, "--addr", "127.0.0.1:0", "--api-key", testKey, "--ledger", file, "--ledger-cap", "2")
	do := func(method, path, body string) (*http.Response, string) {
		req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	for _, id := range []string{"m-1", "m-2", "m-2", "m-3"} {
		if resp, body := do("POST", "/api/v1/subaccounts/acme/messages", `{"destination":"+6591234567","text":"hi","clientMessageId":"`+id+`"}`); resp.StatusCode != 200 {
			t.Fatalf("send %s: %d %s", id, resp.StatusCode, body)
		}
	}
	resp, body := do("GET", emulator.LedgerPath, "")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if resp.StatusCode != 200 || len(lines) != 2 || resp.Header.Get("X-Emulator-Ledger-Truncated") != "true" {
		t.Errorf("GET ledger: %d, %d lines, headers %v; want 2 lines (the cap), truncated:\n%s", resp.StatusCode, len(lines), resp.Header, body)
	}
	if resp, _ := do("DELETE", emulator.LedgerPath, ""); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE ledger: %d, want 405", resp.StatusCode)
	}

	cmd.Process.Signal(os.Interrupt)
	io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("emulator after SIGINT: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var recs []emulator.LedgerRecord
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r emulator.LedgerRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("--ledger line %q: %v", l, err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 2 || recs[0].ClientMessageID != "m-1" || recs[1].ClientMessageID != "m-2" || recs[1].Copies != 2 || recs[0].Tenant != "acme" || recs[0].UMID == "" {
		t.Errorf("--ledger file: %+v, want m-1 and m-2 (2 copies) of acme, capped at 2", recs)
	}
	if !strings.Contains(stderr.String(), "2 of 3 entries written") {
		t.Errorf("no note that the cap left an entry out:\n%s", stderr.String())
	}
	checkNoKey(t, stderr.String()+string(data))
}

// startEmulatorCLI starts `octosend emulator args...` with PATH and env
// and returns it, the URL it printed on its first stdout line, the rest
// of its stdout and its stderr. The process is killed at the end of the
// test unless the test waited for it.
func startEmulatorCLI(t *testing.T, env []string, args ...string) (*exec.Cmd, string, io.Reader, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"emulator"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatalf("no URL on stdout; stderr %q", stderr.String())
	}
	return cmd, strings.TrimSpace(sc.Text()), stdout, stderr
}

package main

// Tests of the octosend binary itself: built once (TestMain), run as a
// child process against the emulator, killed and interrupted for real.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
)

// binary is the octosend executable built by TestMain.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		os.Exit(m.Run()) // a fuzzing worker runs fuzz targets only: no binary needed
	}
	dir, err := os.MkdirTemp("", "octosend-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "octosend")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building octosend:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testKey is the API key of the test emulators. Tests check it never shows
// up in any output.
const testKey = "sk-test-Zq8rT2vX9wP4mN7k"

// octosend runs the binary to completion with args and returns its
// output and exit code. The environment holds only PATH, HOME and env.
func octosend(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("octosend %q: %v", args, err)
	}
	checkNoKey(t, out.String()+errb.String())
	return out.String(), errb.String(), code
}

func checkNoKey(t *testing.T, output string) {
	t.Helper()
	if strings.Contains(output, testKey) {
		t.Errorf("the API key appears in the output:\n%s", output)
	}
}

// startOctosend starts the binary in the background.
func startOctosend(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	var out bytes.Buffer // one pipe for both streams; read it only after Wait
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &out
}

// writeInput writes n JSONL messages over the given sub-accounts (the
// sub-account of a line is in the line unless subs is nil); lines in bad
// have an invalid destination.
func writeInput(t *testing.T, dir string, n int, subs []string, bad ...int) string {
	t.Helper()
	path := filepath.Join(dir, "in.jsonl")
	var b strings.Builder
	for i := 1; i <= n; i++ {
		dest := fmt.Sprintf("+659%07d", i)
		for _, x := range bad {
			if x == i {
				dest = "12"
			}
		}
		sub := ""
		if subs != nil {
			sub = fmt.Sprintf(`,"subaccount":%q`, subs[i%len(subs)])
		}
		fmt.Fprintf(&b, `{"destination":%q,"text":"message %d"%s}`+"\n", dest, i, sub)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readRecords reads a results file and checks it holds exactly one
// well-formed record for each of the lines 1..n.
func readRecords(t *testing.T, path string, n int) map[int]record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkNoKey(t, string(data))
	recs := map[int]record{}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, l := range lines {
		var r record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%s:%d: %v: %q", path, i+1, err, l)
		}
		if _, dup := recs[r.Line]; dup {
			t.Fatalf("%s: two records for input line %d", path, r.Line)
		}
		recs[r.Line] = r
	}
	if len(lines) != n || len(recs) != n {
		t.Fatalf("%s: %d lines, %d distinct input lines; want exactly %d", path, len(lines), len(recs), n)
	}
	for i := 1; i <= n; i++ {
		if _, ok := recs[i]; !ok {
			t.Fatalf("%s: no record for input line %d", path, i)
		}
	}
	return recs
}

func emuEnv(srv *emulator.Server) []string {
	return []string{"OCTOSEND_API_KEY=" + testKey, "OCTOSEND_BASE_URL=" + srv.URL()}
}

func TestCLIBulkOneLinePerInput(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Seed: 7,
		Faults: emulator.Faults{P500: 0.02, P503: 0.02, PResetBefore: 0.01}})
	dir := t.TempDir()
	in := writeInput(t, dir, 400, []string{"tenant-a", "tenant-b", ""}, 17, 230)
	out := filepath.Join(dir, "results.jsonl")
	_, stderr, code := octosend(t, emuEnv(srv), "bulk", "--subaccount", "tenant-c", "--out", out, "--concurrency", "16", "--progress", "plain", in)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d (two invalid numbers):\n%s", code, exitFailed, stderr)
	}
	recs := readRecords(t, out, 400)
	for line, r := range recs {
		switch {
		case line == 17 || line == 230:
			if r.Status != statusFailed || r.Code != 1002 || r.HTTPStatus != 400 {
				t.Errorf("line %d: %+v, want failed with 400/1002", line, r)
			}
		case r.Status != statusAccepted:
			t.Errorf("line %d: %+v, want accepted", line, r)
		default:
			if n := srv.Ledger().Count(r.SubAccount, r.ClientMessageID); n < 1 {
				t.Errorf("line %d reported accepted, ledger count %d", line, n)
			}
		}
		if want := []string{"tenant-a", "tenant-b", "tenant-c"}[line%3]; r.SubAccount != want {
			t.Errorf("line %d: subaccount %q, want %q", line, r.SubAccount, want)
		}
	}
	if _, err := os.Stat(journalPath(out)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal left after a complete run: %v", err)
	}
	if !strings.Contains(stderr, "400 messages") || !strings.Contains(stderr, "398 accepted, 2 failed") {
		t.Errorf("summary missing or wrong:\n%s", stderr)
	}

	// The same run again over the same results file is refused.
	_, stderr, code = octosend(t, emuEnv(srv), "bulk", "--subaccount", "tenant-c", "--out", out, in)
	if code != exitUsage || !strings.Contains(stderr, "--resume") {
		t.Errorf("rerun over an existing results file: exit %d, stderr %q", code, stderr)
	}
	// --resume over a complete file sends nothing.
	before := srv.Stats().Requests
	_, stderr, code = octosend(t, emuEnv(srv), "bulk", "--subaccount", "tenant-c", "--out", out, "--resume", in)
	if code != exitFailed {
		t.Errorf("resume of a complete run: exit %d, want 1 (the file still has 2 failures): %s", code, stderr)
	}
	if after := srv.Stats().Requests; after != before {
		t.Errorf("resume of a complete run sent %d requests", after-before)
	}
	readRecords(t, out, 400)
}

func TestCLIBulkStdin(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	out := filepath.Join(t.TempDir(), "r.jsonl")
	cmd := exec.Command(binary, "bulk", "--subaccount", "acme", "--out", out, "-")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, emuEnv(srv)...)
	cmd.Stdin = strings.NewReader("\n" + `{"destination":"+6591234567","text":"a"}` + "\n" + `{"destination":"+6591234568","text":"b"}` + "\n")
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bulk from stdin: %v\n%s", err, output)
	}
	recs := map[int]record{}
	data, _ := os.ReadFile(out)
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r record
		json.Unmarshal([]byte(l), &r)
		recs[r.Line] = r
	}
	if len(recs) != 2 || recs[2].Status != statusAccepted || recs[3].Status != statusAccepted {
		t.Errorf("records %+v, want lines 2 and 3 accepted", recs)
	}
	if srv.Ledger().Unique() != 2 {
		t.Errorf("ledger has %d messages, want 2", srv.Ledger().Unique())
	}
}

func TestCLIBulkCSVAllAccepted(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("destination,text,clientMessageId\n+6591110001,\"hello, world\",c-1\n+6591110002,\"two\nlines\",c-2\n+6591110003,third,\n"), 0o644)
	out := filepath.Join(dir, "r.jsonl")
	_, stderr, code := octosend(t, emuEnv(srv), "bulk", in, "--subaccount", "acme", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	data, _ := os.ReadFile(out)
	if got := strings.Count(string(data), "\n"); got != 3 {
		t.Fatalf("%d result lines for 3 CSV records:\n%s", got, data)
	}
	if srv.Ledger().Count("acme", "c-1") != 1 || srv.Ledger().Count("acme", "c-2") != 1 || srv.Ledger().Unique() != 3 {
		t.Errorf("ledger: %+v", srv.Ledger().Entries())
	}
	if !strings.Contains(string(data), `"line":5`) { // the third record starts on line 5
		t.Errorf("results do not name the CSV line of the third record:\n%s", data)
	}
}

// waitLines waits until path has at least n lines.
func waitLines(t *testing.T, path string, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && bytes.Count(data, []byte("\n")) >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s did not reach %d lines within %v", path, n, within)
}

func TestCLIBulkResumeAfterKill(t *testing.T) {
	const n = 1500
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Latency: 4 * time.Millisecond})
	dir := t.TempDir()
	in := writeInput(t, dir, n, nil)
	out := filepath.Join(dir, "results.jsonl")
	args := []string{"bulk", "--subaccount", "acme", "--out", out, "--concurrency", "16", "--progress", "none", in}

	cmd, _ := startOctosend(t, emuEnv(srv), args...)
	waitLines(t, out, 300, 30*time.Second)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	firstRun := srv.Ledger().Unique()
	if firstRun >= n {
		t.Fatalf("the first run finished (%d accepted) before the kill; slow the emulator down", firstRun)
	}
	if _, err := os.Stat(journalPath(out)); err != nil {
		t.Fatalf("no journal after a kill: %v", err)
	}

	_, stderr, code := octosend(t, emuEnv(srv), append([]string{"bulk", "--resume"}, args[1:]...)...)
	if code != exitOK && code != exitFailed {
		t.Fatalf("resume: exit %d:\n%s", code, stderr)
	}
	recs := readRecords(t, out, n)
	l := srv.Ledger()
	if d := l.Duplicates(); d != 0 {
		t.Errorf("%d duplicates in the ledger: a message was sent twice", d)
	}
	interrupted := 0
	for line, r := range recs {
		count := l.Count("acme", r.ClientMessageID)
		switch {
		case count > 1:
			t.Errorf("line %d delivered %d times", line, count)
		case r.Status == statusAccepted && count != 1:
			t.Errorf("line %d reported accepted, ledger count %d", line, count)
		case r.Status == statusFailed:
			// Only a message in flight at the kill may fail here, and it
			// must say it may have been delivered.
			if r.Error != errInterrupted || !r.Ambiguous {
				t.Errorf("line %d: %+v, want accepted or interrupted", line, r)
			}
			interrupted++
		}
	}
	// In flight at the kill: one message per worker, plus the results
	// buffered for the writer (and the one it was writing).
	if limit := 16 + recordsPerWorker*16 + 1; interrupted > limit {
		t.Errorf("%d interrupted messages, more than the %d that can be in flight", interrupted, limit)
	}
	if l.Unique()+interrupted < n {
		t.Errorf("ledger has %d messages and %d are interrupted: %d of %d unaccounted for", l.Unique(), interrupted, n-l.Unique()-interrupted, n)
	}
	if _, err := os.Stat(journalPath(out)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal left after the resumed run completed: %v", err)
	}
	t.Logf("killed after %d accepted; %d interrupted in flight; resumed to %d", firstRun, interrupted, l.Unique())
}

func TestCLIBulkInterrupt(t *testing.T) {
	const n = 800
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Latency: 10 * time.Millisecond})
	dir := t.TempDir()
	in := writeInput(t, dir, n, nil)
	out := filepath.Join(dir, "results.jsonl")
	args := []string{"bulk", "--subaccount", "acme", "--out", out, "--concurrency", "4", "--progress", "plain", "--progress-interval", "50ms", in}
	cmd, output := startOctosend(t, emuEnv(srv), args...)
	waitLines(t, out, 40, 30*time.Second)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
		t.Fatalf("after SIGINT: %v, want exit %d\n%s", err, exitFailed, output)
	}
	checkNoKey(t, output.String())
	if !strings.Contains(output.String(), "progress: ") {
		t.Errorf("no plain progress lines on a non-terminal stderr:\n%s", output)
	}
	recs := readRecords(t, out, n)
	canceled := 0
	for line, r := range recs {
		count := srv.Ledger().Count("acme", r.ClientMessageID)
		switch {
		case r.Status == statusAccepted:
			if count != 1 {
				t.Errorf("line %d accepted, ledger count %d", line, count)
			}
		case r.Error == errCanceled:
			canceled++
			if !r.Ambiguous && count != 0 {
				t.Errorf("line %d canceled and not ambiguous, but delivered", line)
			}
		default:
			t.Errorf("line %d: %+v", line, r)
		}
	}
	if canceled < n/2 {
		t.Errorf("%d canceled of %d, want most of them (interrupted early)", canceled, n)
	}
	if _, err := os.Stat(journalPath(out)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal left after an interrupted run that wrote every line: %v", err)
	}

	// --resume sends the canceled ones: all accepted, each exactly once.
	_, stderr, code := octosend(t, emuEnv(srv), append([]string{"bulk", "--resume"}, args[1:]...)...)
	if code != exitOK {
		t.Fatalf("resume: exit %d\n%s", code, stderr)
	}
	recs = readRecords(t, out, n)
	for line, r := range recs {
		if r.Status != statusAccepted {
			t.Errorf("line %d after resume: %+v", line, r)
		}
		if c := srv.Ledger().Count("acme", r.ClientMessageID); c != 1 {
			t.Errorf("line %d: ledger count %d after resume, want 1", line, c)
		}
	}
}

func TestCLISend(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	stdout, stderr, code := octosend(t, emuEnv(srv), "send", "--to", "+6591234567", "--text", "hi", "--subaccount", "acme", "--client-message-id", "one")
	if code != exitOK || !strings.HasPrefix(stdout, "accepted umid=") || !strings.Contains(stdout, "clientMessageId=one") {
		t.Fatalf("send: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	if srv.Ledger().Count("acme", "one") != 1 {
		t.Errorf("ledger count %d, want 1", srv.Ledger().Count("acme", "one"))
	}
	stdout, _, code = octosend(t, emuEnv(srv), "send", "--json", "--to", "12", "--text", "hi", "--subaccount", "acme")
	var r record
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != exitFailed || r.Code != 1002 || r.Status != statusFailed {
		t.Errorf("send to a bad number: exit %d, %q (%v)", code, stdout, err)
	}
	_, stderr, code = octosend(t, []string{"OCTOSEND_BASE_URL=" + srv.URL()}, "send", "--to", "+6591234567", "--text", "hi", "--subaccount", "acme")
	if code != exitUsage || !strings.Contains(stderr, "no API key") {
		t.Errorf("send without a key: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = octosend(t, emuEnv(srv), "send", "--text", "hi")
	if code != exitUsage || !strings.Contains(stderr, "missing --to, --subaccount") {
		t.Errorf("send without --to: exit %d, stderr %q", code, stderr)
	}
}

func TestCLIWrongKeyNeverPrinted(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: "the-right-key"})
	dir := t.TempDir()
	in := writeInput(t, dir, 20, nil)
	out := filepath.Join(dir, "r.jsonl")
	// emuEnv passes testKey, which this emulator refuses with 401.
	_, stderr, code := octosend(t, emuEnv(srv), "bulk", "--subaccount", "acme", "--out", out, in)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1:\n%s", code, stderr)
	}
	for _, r := range readRecords(t, out, 20) {
		if r.Status != statusFailed {
			t.Errorf("record %+v, want failed", r)
		}
	}
}

func TestCLIPolicyCheckBinary(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(bad, []byte("semantics: at_least_once\n\nretry:\n  max_attempts: many\n"), 0o644)
	_, stderr, code := octosend(t, nil, "policy", "check", bad)
	if code != exitUsage || !strings.Contains(stderr, "p.yaml:4") {
		t.Errorf("policy check of a bad file: exit %d, stderr %q; want 2 and the line", code, stderr)
	}
	stdout, _, code := octosend(t, nil, "policy", "check", "../../examples/policy.yaml")
	if code != exitOK || !strings.Contains(stdout, "ok") {
		t.Errorf("policy check of the example: exit %d, %q", code, stdout)
	}
}

func TestCLIEmulatorCommand(t *testing.T) {
	cmd, url, stdout, stderr := startEmulatorCLI(t, nil, "--addr", "127.0.0.1:0", "--api-key", testKey, "--rate", "1000")
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q", url)
	}
	post := func(key string) int {
		req, _ := http.NewRequest("POST", url+"/api/v1/subaccounts/acme/messages",
			strings.NewReader(`{"destination":"+6591234567","text":"hi","clientMessageId":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(testKey); got != 200 {
		t.Errorf("send with the key: %d", got)
	}
	if got := post("wrong"); got != 401 {
		t.Errorf("send with a wrong key: %d, want 401", got)
	}
	cmd.Process.Signal(os.Interrupt)
	io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("emulator after SIGINT: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "1 messages accepted") {
		t.Errorf("no stats at exit:\n%s", stderr.String())
	}
	checkNoKey(t, stderr.String())
}

func TestCLIDemo(t *testing.T) {
	stdout, stderr, code := octosend(t, nil, "demo", "--messages", "2000", "--progress", "none", "--seed", "3")
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"accepted ", "retries ", "429s waited ", "breaker trips ", "duplicates ", "lost            0 ", "throughput ",
		"ambiguous sends resolved", "every verdict matches the emulator's receipts"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo report lacks %q:\n%s", want, stdout)
		}
	}
	t.Logf("demo report:\n%s", stdout)
}

func TestCLIDemoAtMostOnce(t *testing.T) {
	stdout, stderr, code := octosend(t, nil, "demo", "--messages", "1000", "--progress", "none", "--semantics", "at_most_once")
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "duplicates      0 ") {
		t.Errorf("at_most_once demo delivered duplicates:\n%s", stdout)
	}
}

func TestCLIBulkResumeRefusesOtherInput(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Latency: 20 * time.Millisecond})
	dir := t.TempDir()
	in := writeInput(t, dir, 200, nil)
	out := filepath.Join(dir, "r.jsonl")
	args := []string{"bulk", "--subaccount", "acme", "--out", out, "--concurrency", "2", "--progress", "none", in}
	cmd, _ := startOctosend(t, emuEnv(srv), args...)
	waitLines(t, out, 5, 30*time.Second)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	// The input changes under the results file: every line gets another
	// text, hence another derived clientMessageId.
	data, _ := os.ReadFile(in)
	os.WriteFile(in, bytes.ReplaceAll(data, []byte(`"message `), []byte(`"msg `)), 0o644)
	// A request the killed process had on the wire may still reach the
	// emulator (it answers after 20ms): count once the count is steady.
	before := srv.Stats().Requests
	for range 100 {
		time.Sleep(50 * time.Millisecond)
		n := srv.Stats().Requests
		if n == before {
			break
		}
		before = n
	}
	_, stderr, code := octosend(t, emuEnv(srv), append([]string{"bulk", "--resume"}, args[1:]...)...)
	if code != exitUsage || !strings.Contains(stderr, "different input") {
		t.Errorf("resume with another input: exit %d, stderr %q; want 2 and the reason", code, stderr)
	}
	if after := srv.Stats().Requests; after != before {
		t.Errorf("resume with another input sent %d requests", after-before)
	}
}

// TestCLIVersion: --version prints the module version and the VCS
// revision the binary was built from, as debug.ReadBuildInfo has them.
func TestCLIVersion(t *testing.T) {
	stdout, _, code := octosend(t, nil, "--version")
	if code != exitOK || !strings.HasPrefix(stdout, "octosend ") {
		t.Fatalf("--version: exit %d, %q", code, stdout)
	}
	info, err := exec.Command("go", "version", "-m", binary).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), "vcs.revision=") && !strings.Contains(stdout, "revision unknown") {
		t.Errorf("--version %q: the binary has no VCS revision, and it does not say so", stdout)
	}
	for _, l := range strings.Split(string(info), "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && f[0] == "mod" && !strings.Contains(stdout, f[2]) {
			t.Errorf("--version %q lacks the module version %q", stdout, f[2])
		}
		if len(f) >= 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision=") {
			rev := strings.TrimPrefix(f[1], "vcs.revision=")
			if !strings.Contains(stdout, rev[:12]) {
				t.Errorf("--version %q lacks the revision %s", stdout, rev)
			}
		}
	}
}

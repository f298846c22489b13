package main

// Tests of the binary on how bulk treats its input: what identifies it for
// --resume, and what a bad input leaves behind.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
)

// octosendAt runs the binary like octosend, in directory dir with stdin
// (nil: none).
func octosendAt(t *testing.T, dir string, stdin []byte, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("octosend %q: %v", args, err)
	}
	checkNoKey(t, out.String()+errb.String())
	return out.String(), errb.String(), code
}

// TestCLIBulkResumeByContent: --resume recognizes its input by what it
// reads, wherever it reads it from: the file moved and named by a relative
// path, a symlink to it, or the same bytes on stdin.
func TestCLIBulkResumeByContent(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	dir := t.TempDir()
	in := writeInput(t, dir, 30, nil, 7) // line 7 fails (400/1002): the run exits 1
	out := filepath.Join(dir, "r.jsonl")
	_, stderr, code := octosend(t, emuEnv(srv), "bulk", "--subaccount", "acme", "--out", out, "--progress", "none", in)
	if code != exitFailed {
		t.Fatalf("first run: exit %d, want 1:\n%s", code, stderr)
	}
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}

	sub := filepath.Join(dir, "moved")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(in, filepath.Join(sub, "messages.jsonl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(sub, "messages.jsonl"), filepath.Join(dir, "link.jsonl")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		input string
		stdin []byte
	}{
		{"moved, relative path", "moved/messages.jsonl", nil},
		{"symlink", "link.jsonl", nil},
		{"stdin", "-", data},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.Stats().Requests
			_, stderr, code := octosendAt(t, dir, tc.stdin, emuEnv(srv),
				"bulk", "--resume", "--subaccount", "acme", "--out", "r.jsonl", "--progress", "none", tc.input)
			if code != exitFailed || strings.Contains(stderr, "different input") {
				t.Errorf("resume from %s: exit %d, want 1 (the results still hold one failure):\n%s", tc.input, code, stderr)
			}
			if after := srv.Stats().Requests; after != before {
				t.Errorf("resume of a complete run sent %d requests", after-before)
			}
			readRecords(t, out, 30)
		})
	}
}

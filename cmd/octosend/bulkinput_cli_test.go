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

// TestCLIBulkBadInputLeavesNothing: an input that cannot be read (a
// directory, on the command line or as stdin; a file that fails with EIO)
// exits 2 before any output is created, so the next run is not blocked by
// an empty results file or a journal.
func TestCLIBulkBadInputLeavesNothing(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	dir := t.TempDir()
	inDir := filepath.Join(dir, "indir")
	if err := os.Mkdir(inDir, 0o755); err != nil {
		t.Fatal(err)
	}
	dirFile, err := os.Open(inDir)
	if err != nil {
		t.Fatal(err)
	}
	defer dirFile.Close()
	cases := []struct {
		name  string
		args  []string
		stdin *os.File
		want  string // in stderr
	}{
		{"directory", []string{inDir}, nil, "is a directory"},
		{"directory, --resume", []string{"--resume", inDir}, nil, "is a directory"},
		{"directory on stdin", []string{"-"}, dirFile, "is a directory"},
		{"directory on stdin, --resume", []string{"--resume", "-"}, dirFile, "is a directory"},
	}
	if _, err := os.Stat("/proc/self/mem"); err == nil {
		// Read at offset 0, a process's own memory file fails with EIO.
		cases = append(cases, struct {
			name  string
			args  []string
			stdin *os.File
			want  string
		}{"unreadable file", []string{"/proc/self/mem"}, nil, "input/output error"})
	}
	out := filepath.Join(dir, "r.jsonl")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			args := append([]string{"bulk", "--subaccount", "acme", "--out", out, "--progress", "none"}, tc.args...)
			cmd := exec.CommandContext(ctx, binary, args...)
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, emuEnv(srv)...)
			if tc.stdin != nil {
				cmd.Stdin = tc.stdin
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %v, stderr %q; want exit 2 and %q", err, stderr.String(), tc.want)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() != "indir" {
					t.Errorf("%s left behind", e.Name())
					os.Remove(filepath.Join(dir, e.Name()))
				}
			}
		})
	}
	// Nothing blocks the next run.
	in := writeInput(t, t.TempDir(), 3, nil)
	if _, stderr, code := octosend(t, emuEnv(srv), "bulk", "--subaccount", "acme", "--out", out, "--progress", "none", in); code != exitOK {
		t.Errorf("a good run after the bad ones: exit %d:\n%s", code, stderr)
	}
	if srv.Stats().Requests != 3 {
		t.Errorf("%d requests, want 3 (the bad runs sent nothing)", srv.Stats().Requests)
	}
}

// TestCLIBulkInputRefusedUpFront: inputs that cannot be sent as a whole
// (a JSON array, whatever its name; a CSV record over 1 MiB; no
// sub-account anywhere) exit 2 with one error line naming the problem,
// before anything is sent or written.
func TestCLIBulkInputRefusedUpFront(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noSub := `{"destination":"+6591234567","text":"a"}` + "\n" + `{"destination":"+6591234568","text":"b"}` + "\n"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"JSON array named .json", []string{"--subaccount", "acme", write("array.json", `[{"destination":"+6591234567","text":"a"}]`)}, "a JSON array"},
		{"JSON array named .jsonl", []string{"--subaccount", "acme", write("array.jsonl", "[\n"+`{"destination":"+6591234567","text":"a"}`+"\n]\n")}, "a JSON array"},
		{"CSV record over 1 MiB", []string{"--subaccount", "acme", write("long.csv", "destination,text\n+6591234567,a\n+6591234568,"+strings.Repeat("x", maxLineBytes+1)+"\n")}, "line 3: longer than"},
		{"no subaccount anywhere", []string{write("nosub.jsonl", noSub)}, "line 1 names no subaccount and --subaccount is not given"},
		{"no subaccount, CSV", []string{write("nosub.csv", "destination,text\n\n+6591234567,a\n")}, "line 3 names no subaccount"},
	}
	out := filepath.Join(dir, "r.jsonl")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"bulk", "--out", out, "--progress", "none"}, tc.args...)
			_, stderr, code := octosend(t, emuEnv(srv), args...)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != exitUsage || len(lines) != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and one line with %q", code, stderr, tc.want)
			}
			for _, p := range []string{out, journalPath(out)} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s left behind", p)
					os.Remove(p)
				}
			}
		})
	}
	if n := srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent for inputs refused up front", n)
	}
	// A sub-account on the line, or --subaccount, is enough.
	mixed := write("mixed.jsonl", `{"destination":"+6591234567","text":"a","subaccount":"acme"}`+"\n"+`{"destination":"+6591234568","text":"b"}`+"\n")
	if _, stderr, code := octosend(t, emuEnv(srv), "bulk", "--out", out, "--progress", "none", mixed); code != exitFailed || !strings.Contains(stderr, "1 accepted, 1 failed") {
		t.Errorf("first line with a subaccount: exit %d, want 1 (line 2 fails alone):\n%s", code, stderr)
	}
}

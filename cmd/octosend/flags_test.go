package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/octosend/octosend/emulator"
)

// testCLI returns a cli writing to buffers, with env as its environment.
func testCLI(env map[string]string) (*cli, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &cli{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return env[k] },
		notify: func() (<-chan os.Signal, func()) { return make(chan os.Signal), func() {} },
	}, &out, &errb
}

func TestParseFlagsInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		wantPos []string
		wantOut string
		wantN   int
	}{
		{[]string{"in.jsonl", "--out", "r.jsonl", "-n", "3"}, []string{"in.jsonl"}, "r.jsonl", 3},
		{[]string{"--out=r", "a", "b", "-n=2"}, []string{"a", "b"}, "r", 2},
		{[]string{"--", "-n", "x"}, []string{"-n", "x"}, "", 0},
		{[]string{"a", "--", "--out"}, []string{"a", "--out"}, "", 0},
		{nil, nil, "", 0},
	}
	for _, tt := range tests {
		c, _, _ := testCLI(nil)
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		out := fs.String("out", "", "")
		n := fs.Int("n", 0, "")
		pos, err := c.parseFlags(fs, "usage", tt.args)
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if strings.Join(pos, "|") != strings.Join(tt.wantPos, "|") || *out != tt.wantOut || *n != tt.wantN {
			t.Errorf("%q: pos %q out %q n %d, want %q %q %d", tt.args, pos, *out, *n, tt.wantPos, tt.wantOut, tt.wantN)
		}
	}
}

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		args       []string
		want       int
		wantStdout string
		wantStderr string
	}{
		{nil, exitUsage, "", "Usage:"},
		{[]string{"help"}, exitOK, "Exit codes:", ""},
		{[]string{"--help"}, exitOK, "Exit codes:", ""},
		{[]string{"help", "bulk"}, exitOK, "--resume", ""},
		{[]string{"help", "nope"}, exitUsage, "", `unknown command "nope"`},
		{[]string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{[]string{"bulk", "-h"}, exitOK, "Usage: octosend bulk", ""},
		{[]string{"bulk"}, exitUsage, "", "want exactly one INPUT"},
		{[]string{"bulk", "--bogus", "x"}, exitUsage, "", "flag provided but not defined: -bogus"},
		{[]string{"bulk", "--format", "xml", "x"}, exitUsage, "", `unknown --format "xml"`},
		{[]string{"bulk", "--resend-interrupted", "x"}, exitUsage, "", "needs --resume"},
		{[]string{"bulk", "--region", "mars", "x"}, exitUsage, "", `unknown --region "mars"`},
		{[]string{"bulk", "--concurrency", "0", "x"}, exitUsage, "", "--concurrency 0: want 1..10000"},
		{[]string{"bulk", "--progress", "fancy", "x"}, exitUsage, "", `unknown --progress "fancy"`},
		{[]string{"demo", "--semantics", "exactly_once"}, exitUsage, "", "want at_least_once or at_most_once"},
		{[]string{"demo", "--messages", "0"}, exitUsage, "", "--messages 0"},
		{[]string{"send", "--to", "1"}, exitUsage, "", "missing --text, --subaccount"},
		{[]string{"bulk", "--base-url", "http://10.0.0.1:80", "x"}, exitUsage, "", "only for loopback"},
		{[]string{"emulator", "--addr", "0.0.0.0:8088"}, exitUsage, "", "not a loopback address"},
		{[]string{"emulator", "--addr", ":8088"}, exitUsage, "", "not a loopback address"},
		{[]string{"emulator", "--fault-mix", "500=2"}, exitUsage, "", "want a probability"},
		{[]string{"emulator", "extra"}, exitUsage, "", `unexpected argument "extra"`},
		{[]string{"bulk", "--grace", "-1s", "x"}, exitUsage, "", "--grace -1s: want 0 or more"},
		{[]string{"bulk", "--fsync-interval", "-1s", "x"}, exitUsage, "", "--fsync-interval -1s: want 0 or more"},
		{[]string{"bulk", "--progress-interval", "0s", "x"}, exitUsage, "", "--progress-interval 0s: want more than 0"},
		{[]string{"emulator", "--latency", "-1s"}, exitUsage, "", "--latency -1s: want 0 or more"},
		{[]string{"emulator", "--rate", "-5"}, exitUsage, "", "want 0 or more"},
		{[]string{"emulator", "--ledger-cap", "0"}, exitUsage, "", "--ledger-cap 0: want 1 or more"},
		{[]string{"emulator", "--ledger", "/nonexistent-dir/l.jsonl"}, exitUsage, "", "--ledger: open /nonexistent-dir/l.jsonl"},
		{[]string{"help", "help"}, exitOK, "Usage: octosend help [COMMAND]", ""},
		{[]string{"--version"}, exitOK, "octosend ", ""},
		{[]string{"version"}, exitOK, "octosend ", ""},
		{[]string{"help", "version"}, exitOK, "Usage: octosend version", ""},
	}
	for _, tt := range tests {
		c, out, errb := testCLI(nil)
		got := c.run(context.Background(), tt.args)
		if got != tt.want {
			t.Errorf("%q: exit %d, want %d (stderr %q)", tt.args, got, tt.want, errb.String())
		}
		if tt.wantStdout != "" && !strings.Contains(out.String(), tt.wantStdout) {
			t.Errorf("%q: stdout %q lacks %q", tt.args, out.String(), tt.wantStdout)
		}
		if tt.wantStderr != "" && !strings.Contains(errb.String(), tt.wantStderr) {
			t.Errorf("%q: stderr %q lacks %q", tt.args, errb.String(), tt.wantStderr)
		}
	}
}

func TestHelpDocumentsExitCodes(t *testing.T) {
	for _, want := range []string{"0  success", "1  at least one message failed", "2  usage, config or input error"} {
		if !strings.Contains(mainUsage, want) {
			t.Errorf("octosend help lacks %q", want)
		}
	}
}

func TestParseFaultMix(t *testing.T) {
	tests := []struct {
		in      string
		want    emulator.Faults
		wantErr string
	}{
		{in: "", want: emulator.Faults{}},
		{in: "none", want: emulator.Faults{}},
		{in: "demo", want: demoFaults()},
		{in: "500=0.01, 503=0.02,reset-before=0.003,reset-after-body=0.004,accepted-then-500=0.005,429=0.006,latency=0.1",
			want: emulator.Faults{P500: 0.01, P503: 0.02, PResetBefore: 0.003, PResetAfter: 0.004, PAcceptedThen500: 0.005, P429: 0.006, PLatency: 0.1}},
		{in: "GARBAGE=0.1,truncated=0.2,accepted-then-reset=0.3", want: emulator.Faults{PGarbage: 0.1, PTruncated: 0.2, PAcceptedThenReset: 0.3}},
		{in: "500", wantErr: "want KIND=PROBABILITY"},
		{in: "502=0.1", wantErr: `unknown fault kind "502"`},
		{in: "none=0.1", wantErr: `unknown fault kind "none"`},
		{in: "500=x", wantErr: "want a probability"},
		{in: "500=-0.1", wantErr: "want a probability"},
		{in: "500=NaN", wantErr: "want a probability"},
		{in: "500=0.1,500=0.2", wantErr: "given twice"},
	}
	for _, tt := range tests {
		got, err := parseFaultMix(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseFaultMix(f *testing.F) {
	f.Add("500=0.01,503=0.01")
	f.Add("demo")
	f.Add("latency=1,=,,")
	f.Fuzz(func(t *testing.T, s string) {
		fm, err := parseFaultMix(s)
		if err != nil {
			return
		}
		for _, p := range []float64{fm.P500, fm.P503, fm.P429, fm.PResetBefore, fm.PResetAfter, fm.PAcceptedThen500,
			fm.PAcceptedThenReset, fm.PGarbage, fm.PTruncated, fm.PLatency} {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("%q parsed to probability %v", s, p)
			}
		}
	})
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8088": true, "127.0.0.1:0": true, "[::1]:80": true, "localhost:1": true, "127.1.2.3:9": true,
		"0.0.0.0:8088": false, ":8088": false, "[::]:1": false, "10.1.2.3:80": false, "example.com:80": false, "nope": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

func TestCheckBaseURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://sms.8x8.com": true, "http://127.0.0.1:8088": true, "http://localhost:1": true, "http://[::1]:2": true,
		"http://sms.8x8.com": false, "http://192.168.1.1": false, "ftp://127.0.0.1": false, "127.0.0.1:80": false, "": false,
	} {
		if err := checkBaseURL(u); (err == nil) != ok {
			t.Errorf("checkBaseURL(%q) = %v, want ok=%v", u, err, ok)
		}
	}
}

// TestUsageErrorIsShort: a usage error prints the error and one line on
// how to get help, not the whole help, which would push the error off
// screen.
func TestUsageErrorIsShort(t *testing.T) {
	for _, tt := range []struct {
		args []string
		hint string
	}{
		{[]string{"send", "--to", "1"}, "octosend help send"},
		{[]string{"bulk", "--bogus", "x"}, "octosend help bulk"},
		{[]string{"bulk"}, "octosend help bulk"},
		{[]string{"policy", "check"}, "octosend help policy"},
		{[]string{"policy", "frob"}, "octosend help policy"},
		{[]string{"emulator", "--addr", "0.0.0.0:1"}, "octosend help emulator"},
		{[]string{"demo", "--messages", "0"}, "octosend help demo"},
		{[]string{"frobnicate"}, "octosend help"},
		{[]string{"help", "nope"}, "octosend help"},
	} {
		c, out, errb := testCLI(nil)
		if code := c.run(context.Background(), tt.args); code != exitUsage {
			t.Errorf("%q: exit %d, want 2", tt.args, code)
		}
		lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "octosend") || !strings.Contains(lines[1], "'"+tt.hint+"'") || out.Len() != 0 {
			t.Errorf("%q: stderr\n%s\nwant the error and one line naming %q", tt.args, errb, tt.hint)
		}
	}
}

// TestSendInvalidInputExits2: a send the client refuses before any
// request (an invalid sub-account id) is an input error: exit 2, not 1.
func TestSendInvalidInputExits2(t *testing.T) {
	env := map[string]string{"OCTOSEND_API_KEY": "k", "OCTOSEND_BASE_URL": "http://127.0.0.1:1"}
	for _, args := range [][]string{
		{"send", "--subaccount", "a", "--to", "+6591234567", "--text", "hi"},
		{"send", "--json", "--subaccount", "a", "--to", "+6591234567", "--text", "hi"},
	} {
		c, _, errb := testCLI(env)
		if code := c.run(context.Background(), args); code != exitUsage {
			t.Errorf("%q: exit %d, want 2 (refused before any request)\n%s", args, code, errb)
		}
	}
}

func TestVersionString(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/octosend/octosend", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionString(bi), "octosend v1.4.0 (revision 0123456789ab+dirty, 2026-01-02T03:04:05Z, go1.26.0)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	bi = &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}
	if got, want := versionString(bi), "octosend (devel) (revision unknown: built without VCS information, go1.26.0)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := versionString(nil); !strings.Contains(got, "unknown version") {
		t.Errorf("no build info: %q", got)
	}
}

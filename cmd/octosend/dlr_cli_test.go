package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
)

// hookSecret is the webhook's Authorization in these tests; like the API
// key it must never be printed.
const hookSecret = "Bearer hook-Xy7Qp2Lm9Vt4"

// freeLoopbackAddr returns a loopback address with a port that was free a
// moment ago (the emulator must know the webhook's address before the CLI
// that listens on it starts).
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// dlrLine is a results line with its receipts.
type dlrLine struct {
	record
	DLR *dlrResult `json:"dlr"`
}

func readDLRLines(t *testing.T, path string) map[int]dlrLine {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), hookSecret) {
		t.Errorf("the webhook secret is in the results")
	}
	out := map[int]dlrLine{}
	for i, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var r dlrLine
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		if i := strings.Index(l, `"dlr":`); r.DLR != nil && (i < strings.Index(l, `"ambiguous":`) || !strings.HasSuffix(l, "}}")) {
			t.Errorf("line %d: the dlr field is not last: %s", r.Line, l)
		}
		out[r.Line] = r
	}
	return out
}

// expectedDLR is expectedVerdict with the umids sorted.
func expectedDLR(recs []emulator.DLRRecord) (verdict string, umids []string, codes []int) {
	verdict, umids, codes = expectedVerdict(recs)
	slices.Sort(umids)
	return verdict, umids, codes
}

// TestCLIBulkDLRListen: a bulk run against the emulator with
// accepted-then-500s (duplicates), resets after the body (ambiguous sends
// the settle time resolves), undelivered outcomes and late repeats, with
// --dlr-listen receiving the emulator's receipts: every line's "dlr" field
// and the summary's counts match the emulator's ledger and planned
// receipts exactly, the wait ends as soon as every send is resolved, and
// the webhook secret is never printed.
func TestCLIBulkDLRListen(t *testing.T) {
	addr := freeLoopbackAddr(t)
	script := make([]emulator.Fault, 120)
	for i := 2; i < len(script); i += 6 {
		script[i].Kind = emulator.FaultAcceptedThen500
	}
	for i := 5; i < len(script); i += 12 {
		script[i].Kind = emulator.FaultResetAfterBody
	}
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Seed: 11, Script: script, DLR: emulator.DLR{
		URL: "http://" + addr + "/8x8", Authorization: hookSecret, Delay: 20 * time.Millisecond,
		Undelivered: 0.3, ErrorCodes: []int{1, 46}, Repeat: 0.3,
	}})
	dir := t.TempDir()
	const n = 100
	in := writeInput(t, dir, n, []string{"acme", "globex"})
	out := filepath.Join(dir, "r.jsonl")
	env := append(emuEnv(srv), "OCTOSEND_DLR_AUTH="+hookSecret)
	start := time.Now()
	stdout, stderr, code := octosend(t, env, "bulk", "--out", out, "--progress", "none", "--concurrency", "8",
		"--dlr-listen", addr, "--dlr-wait", "40s", "--dlr-settle", "300ms", in)
	elapsed := time.Since(start)
	if code != exitOK {
		t.Fatalf("bulk: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, hookSecret) || strings.Contains(stdout+stderr, "hook-Xy7") {
		t.Errorf("the webhook secret was printed:\n%s", stderr)
	}
	if elapsed > 30*time.Second {
		t.Errorf("bulk took %s: the wait did not end when every send was resolved", elapsed)
	}
	readRecords(t, out, n) // still one well-formed line per input line
	lines := readDLRLines(t, out)

	byID := map[string][]emulator.DLRRecord{}
	for _, r := range srv.DLRRecords() {
		byID[r.ClientMessageID] = append(byID[r.ClientMessageID], r)
	}
	var want dlrCounts
	for ln := 1; ln <= n; ln++ {
		r := lines[ln]
		if r.DLR == nil {
			t.Errorf("line %d (%s, ambiguous %v): no dlr field", ln, r.Status, r.Ambiguous)
			continue
		}
		verdict, umids, codes := expectedDLR(byID[r.ClientMessageID])
		if c := srv.Ledger().Count(r.SubAccount, r.ClientMessageID); c != len(umids) || r.DLR.Copies != c {
			t.Errorf("line %d: %d copies in the results, %d in the ledger, %d planned", ln, r.DLR.Copies, c, len(umids))
		}
		got := slices.Clone(r.DLR.UMIDs)
		slices.Sort(got)
		if r.DLR.Verdict != verdict || !slices.Equal(got, umids) {
			t.Errorf("line %d: %s %v, the emulator says %s %v", ln, r.DLR.Verdict, got, verdict, umids)
		}
		switch verdict {
		case "failed":
			if !slices.Contains(codes, r.DLR.ErrorCode) || r.DLR.State != "undelivered" || r.DLR.Reason == "" {
				t.Errorf("line %d: failed with %d %q %q, the emulator planned codes %v", ln, r.DLR.ErrorCode, r.DLR.State, r.DLR.Reason, codes)
			}
		case "delivered", "duplicate":
			if r.DLR.State != "delivered" || r.DLR.ErrorCode != 0 {
				t.Errorf("line %d: %s with state %q code %d", ln, verdict, r.DLR.State, r.DLR.ErrorCode)
			}
		}
		a := annotated{record: r.record, DLR: &dlrResult{Verdict: verdict}}
		want.count(&a)
	}
	if want.Duplicates == 0 || want.Undeliverable == 0 || want.Ambiguous < want.Duplicates+2 {
		t.Fatalf("the fault run did not produce duplicates, undelivered and ambiguous sends: %+v", want)
	}
	m := regexp.MustCompile(`receipts \([^)]*waited\): (\d+) of (\d+) ambiguous sends resolved, (\d+) duplicates confirmed; (\d+) delivered, (\d+) undeliverable, (\d+) still pending`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no receipt summary:\n%s", stderr)
	}
	got := strings.Join(m[1:], " ")
	if exp := fmt.Sprint(want.Resolved, want.Ambiguous, want.Duplicates, want.Delivered, want.Undeliverable, want.Pending); got != exp {
		t.Errorf("summary says %s; the ledger says %s\n%s", got, exp, stderr)
	}
	t.Logf("%s; %+v", elapsed, want)
}

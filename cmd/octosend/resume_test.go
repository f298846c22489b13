package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func recLine(t *testing.T, r record) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func TestResultsWriterOneLinePerRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := newResultsWriter(f, time.Hour)
	recs := []record{
		{Line: 1, ClientMessageID: "a", SubAccount: "s", Status: statusAccepted, UMID: "u1", Attempts: 1, HTTPStatus: 200},
		{Line: 2, ClientMessageID: "b\n\"quoted\"", SubAccount: "s", Status: statusFailed, Code: 1002, HTTPStatus: 400, Attempts: 1, Error: "bad\nnumber"},
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
		// Each record reaches the file before Write returns (no user-space
		// buffer a crash could lose).
		data, _ := os.ReadFile(path)
		if got := bytes.Count(data, []byte("\n")); got != i+1 {
			t.Fatalf("after %d writes the file has %d lines", i+1, got)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, l := range lines {
		var got record
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if got != recs[i] {
			t.Errorf("line %d: got %+v, want %+v", i+1, got, recs[i])
		}
	}
	want := `{"line":1,"clientMessageId":"a","subaccount":"s","status":"accepted","umid":"u1","httpStatus":200,"attempts":1,"ambiguous":false}`
	if lines[0] != want {
		t.Errorf("record format:\n got %s\nwant %s", lines[0], want)
	}
}

// syncCounter counts Syncs, to test the fsync policy.
type syncCounter struct {
	discard
	syncs int
}

func (s *syncCounter) Sync() error { s.syncs++; return nil }

func TestResultsWriterSyncPolicy(t *testing.T) {
	now := time.Unix(0, 0)
	for _, tt := range []struct {
		every     time.Duration
		step      time.Duration
		writes    int
		wantSyncs int
		wantClose bool // Close has records left to sync
	}{
		{every: 0, step: 0, writes: 5, wantSyncs: 5},                                                  // after every record
		{every: time.Second, step: 300 * time.Millisecond, writes: 10, wantSyncs: 2, wantClose: true}, // at 1.2s and 2.4s
		{every: time.Hour, step: time.Second, writes: 10, wantSyncs: 0, wantClose: true},
	} {
		sc := &syncCounter{}
		w := newResultsWriter(sc, tt.every)
		t0 := now
		w.now = func() time.Time { return t0 }
		w.lastSync = t0
		for range tt.writes {
			t0 = t0.Add(tt.step)
			if err := w.Write(&record{Line: 1, Status: statusAccepted}); err != nil {
				t.Fatal(err)
			}
		}
		if sc.syncs != tt.wantSyncs {
			t.Errorf("every %v, step %v, %d writes: %d syncs, want %d", tt.every, tt.step, tt.writes, sc.syncs, tt.wantSyncs)
		}
		before := sc.syncs
		w.Close()
		if closeSynced := sc.syncs == before+1; closeSynced != tt.wantClose {
			t.Errorf("every %v: Close synced %v, want %v", tt.every, closeSynced, tt.wantClose)
		}
	}
}

func TestPrepareResume(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "results.jsonl")
	content := recLine(t, record{Line: 1, ClientMessageID: "a", Status: statusAccepted, Attempts: 1}) +
		recLine(t, record{Line: 3, ClientMessageID: "c", Status: statusFailed, Error: "bad number", Attempts: 1}) +
		recLine(t, record{Line: 4, ClientMessageID: "d", Status: statusFailed, Error: errCanceled}) +
		recLine(t, record{Line: 5, ClientMessageID: "e", Status: statusFailed, Error: errCanceled, Ambiguous: true, Attempts: 1}) +
		`{"line":6,"clientMessageId":"f","stat` // torn by a crash
	if err := os.WriteFile(out, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	// Lines 1, 5, 6, 7 were started; 6 and 7 never got a record.
	if err := os.WriteFile(journalPath(out), []byte("1\n5\n6\n7\n8"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := prepareResume(out)
	if err != nil {
		t.Fatal(err)
	}
	var done []int
	for l := range st.Done {
		done = append(done, l)
	}
	sort.Ints(done)
	if got, want := done, []int{1, 3, 5}; !equalInts(got, want) {
		t.Errorf("done lines = %v, want %v", got, want)
	}
	if st.Done[1] != idHash("a") {
		t.Errorf("done[1] is not the hash of the record's id")
	}
	var interrupted []int
	for l := range st.Interrupted {
		interrupted = append(interrupted, l)
	}
	sort.Ints(interrupted)
	if want := []int{6, 7}; !equalInts(interrupted, want) { // 8 was torn: never started
		t.Errorf("interrupted = %v, want %v", interrupted, want)
	}
	if st.Resend != 1 || !st.Torn || st.PrevFailed != 2 {
		t.Errorf("resend %d torn %v prevFailed %d, want 1 true 2", st.Resend, st.Torn, st.PrevFailed)
	}
	// The files were rewritten: results keep the final records only, the
	// journal the interrupted lines only.
	data, _ := os.ReadFile(out)
	wantData := recLine(t, record{Line: 1, ClientMessageID: "a", Status: statusAccepted, Attempts: 1}) +
		recLine(t, record{Line: 3, ClientMessageID: "c", Status: statusFailed, Error: "bad number", Attempts: 1}) +
		recLine(t, record{Line: 5, ClientMessageID: "e", Status: statusFailed, Error: errCanceled, Ambiguous: true, Attempts: 1})
	if string(data) != wantData {
		t.Errorf("results after resume:\n%s\nwant\n%s", data, wantData)
	}
	jdata, _ := os.ReadFile(journalPath(out))
	if lines := strings.Fields(string(jdata)); len(lines) != 2 {
		t.Errorf("journal after resume = %q, want lines 6 and 7", jdata)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(matches) != 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}
}

func TestPrepareResumeErrors(t *testing.T) {
	good := `{"line":1,"clientMessageId":"a","subaccount":"s","status":"accepted","attempts":1,"ambiguous":false}` + "\n"
	tests := []struct {
		name, results, journal string
		want                   string
	}{
		{"garbage in the middle", good + "garbage\n" + strings.Replace(good, `"line":1`, `"line":2`, 1), "", "results.jsonl:2: not a bulk result record"},
		{"two records for a line", good + good, "", "second record for input line 1"},
		{"unknown status", strings.Replace(good, "accepted", "queued", 1) + good, "", "results.jsonl:1: not a bulk result record"},
		{"bad journal", good, "1\nx\n", "corrupt entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "results.jsonl")
			os.WriteFile(out, []byte(tt.results), 0o644)
			if tt.journal != "" {
				os.WriteFile(journalPath(out), []byte(tt.journal), 0o644)
			}
			_, err := prepareResume(out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			// A failed resume leaves the results file as it was.
			if data, _ := os.ReadFile(out); string(data) != tt.results {
				t.Errorf("results file changed by a failed resume")
			}
		})
	}
	var re *resultsError
	out := filepath.Join(t.TempDir(), "results.jsonl")
	os.WriteFile(out, []byte("x\n"+good), 0o644)
	if _, err := prepareResume(out); !errors.As(err, &re) || re.Line != 1 {
		t.Errorf("err = %v, want a *resultsError for line 1", err)
	}
}

func TestPrepareResumeWithoutFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results.jsonl")
	st, err := prepareResume(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Done)+len(st.Interrupted)+st.Resend != 0 || st.Torn {
		t.Errorf("fresh resume state = %+v", st)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzScanResults: any file content either fails cleanly or yields records
// with distinct positive lines, and never panics.
func FuzzScanResults(f *testing.F) {
	f.Add([]byte(`{"line":1,"clientMessageId":"a","status":"accepted"}` + "\n" + `{"line":2,"sta`))
	f.Add([]byte("\n\n"))
	f.Add([]byte(`{"line":-1,"status":"failed"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		seen := map[int]bool{}
		var torn bool
		err := scanResults(bytes.NewReader(data), "fuzz", func(raw []byte, r *record) {
			if r.Line <= 0 || seen[r.Line] {
				t.Fatalf("bad or repeated line %d", r.Line)
			}
			seen[r.Line] = true
			if !bytes.HasSuffix(raw, []byte("\n")) {
				t.Fatalf("record without its newline: %q", raw)
			}
		}, &torn)
		if err == nil && len(data) > 0 && data[len(data)-1] != '\n' && !torn {
			t.Fatalf("data without a final newline not reported torn")
		}
	})
}

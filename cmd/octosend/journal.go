package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// The journal is a sidecar of the results file (<out>.journal) holding the
// line number of every message whose send has started, written before the
// first byte of its request leaves the process. After a crash, a line in
// the journal without a record in the results file was in flight: it may
// have reached the API, so --resume records it as interrupted (ambiguous)
// instead of sending it twice. A clean end of a run removes the journal.

// journalPath is the journal of the results file out.
func journalPath(out string) string { return out + ".journal" }

// journal appends started lines. Safe for concurrent use: each start is one
// write(2) on an O_APPEND file.
type journal struct {
	f *os.File
}

func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return &journal{f: f}, nil
}

// start records that line's send is about to begin. The caller must not
// send when it fails: the outcome could not be told apart after a crash.
func (j *journal) start(line int) error {
	var b [24]byte
	buf := append(strconv.AppendInt(b[:0], int64(line), 10), '\n')
	if _, err := j.f.Write(buf); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// Close closes the journal file.
func (j *journal) Close() error { return j.f.Close() }

// readJournal returns the lines a journal says were started. A missing
// journal is empty; a torn last line (a crash during its write, so before
// the send began) is ignored.
func readJournal(path string) (map[int]bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[int]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	started := map[int]bool{}
	br := bufio.NewReader(f)
	for n := 1; ; n++ {
		raw, err := br.ReadSlice('\n')
		if errors.Is(err, io.EOF) {
			return started, nil // a last line without '\n' is torn
		}
		if err != nil {
			return nil, fmt.Errorf("journal: %s: line %d: %w", path, n, err)
		}
		line, perr := strconv.Atoi(string(bytes.TrimSpace(raw)))
		if perr != nil || line <= 0 {
			return nil, fmt.Errorf("journal: %s: line %d: corrupt entry %q", path, n, bytes.TrimSpace(raw))
		}
		started[line] = true
	}
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// resumeState is what an earlier run of bulk left behind.
type resumeState struct {
	// Done maps each input line that has a final record to a hash of its
	// clientMessageId (idHash). Bulk skips those lines.
	Done map[int]uint64
	// Interrupted holds the lines whose send had started when the earlier
	// process died, with no record: their outcome is unknown.
	Interrupted map[int]bool
	// Resend counts canceled (never sent) records dropped from the results
	// file so that their messages are sent now.
	Resend int
	// PrevFailed counts the kept records that are failures, so the exit
	// status of a resumed run covers the whole file.
	PrevFailed int
	// Torn reports that the results file ended in a partial line (a crash
	// during its write), which was cut off.
	Torn bool
}

// resultsError is a results file that cannot be resumed from.
type resultsError struct {
	Path string
	Line int
	Msg  string
}

func (e *resultsError) Error() string {
	return "results: " + e.Path + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// prepareResume reads the results file out and its journal, and rewrites
// both so that a run can append to them: the results file keeps every
// final record (a torn last line and canceled records are dropped), the
// journal keeps only the lines that were in flight at a crash. The rewrite
// goes through a temporary file and a rename, so a crash during it leaves
// the old file or the new one, never a mix.
func prepareResume(out string) (*resumeState, error) {
	st := &resumeState{Done: map[int]uint64{}, Interrupted: map[int]bool{}}
	seen := map[int]bool{} // every line with a record, kept or dropped
	f, err := os.Open(out)
	if errors.Is(err, fs.ErrNotExist) {
		f = nil // nothing was written yet: a fresh run
	} else if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	err = replaceFile(out, func(w io.Writer) error {
		if f == nil {
			return nil
		}
		var werr error
		err := scanResults(f, out, func(raw []byte, r *record) {
			seen[r.Line] = true
			if r.resendable() {
				st.Resend++
				return
			}
			st.Done[r.Line] = idHash(r.ClientMessageID)
			if r.Status == statusFailed {
				st.PrevFailed++
			}
			if werr == nil {
				_, werr = w.Write(raw)
			}
		}, &st.Torn)
		if err != nil {
			return err
		}
		return werr
	})
	if f != nil {
		f.Close()
	}
	if err != nil {
		return nil, err
	}
	started, err := readJournal(journalPath(out))
	if err != nil {
		return nil, err
	}
	var jbuf bytes.Buffer
	for line := range started {
		if !seen[line] {
			st.Interrupted[line] = true
			jbuf.WriteString(strconv.Itoa(line))
			jbuf.WriteByte('\n')
		}
	}
	if err := replaceFile(journalPath(out), func(w io.Writer) error {
		_, err := w.Write(jbuf.Bytes())
		return err
	}); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return st, nil
}

// scanResults calls fn for every complete record of a results file, in
// order, with its raw line (newline included). A last line that is
// incomplete or unreadable sets *torn and is skipped; an unreadable line
// anywhere else is an error. A second record for the same input line is an
// error too: the file was not written by one bulk run.
func scanResults(r io.Reader, name string, fn func(raw []byte, r *record), torn *bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	lines := map[int]bool{}
	var pendingErr error // a bad line, an error only if another line follows
	for n := 1; ; n++ {
		raw, err := br.ReadBytes('\n')
		if len(raw) == 0 && errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("results: %w", err)
		}
		if pendingErr != nil {
			return pendingErr
		}
		if errors.Is(err, io.EOF) { // no newline: the write of this line was cut short
			*torn = true
			break
		}
		var rec record
		if uerr := json.Unmarshal(raw, &rec); uerr != nil || rec.Line <= 0 ||
			(rec.Status != statusAccepted && rec.Status != statusFailed) {
			pendingErr = &resultsError{Path: name, Line: n, Msg: "not a bulk result record"}
			continue
		}
		if lines[rec.Line] {
			return &resultsError{Path: name, Line: n, Msg: "second record for input line " + strconv.Itoa(rec.Line)}
		}
		lines[rec.Line] = true
		fn(raw, &rec)
	}
	if pendingErr != nil {
		*torn = true // the last line was garbage: treat it as torn
	}
	return nil
}

// replaceFile atomically replaces path with what fill writes (to a
// temporary file in the same directory, fsynced, renamed over path, then
// the directory fsynced). When fill fails, path is left as it was.
func replaceFile(path string, fill func(w io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // a no-op after the rename
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := fill(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(name, 0o644); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename or create in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// idSeed keys idHash for the life of the process.
var idSeed = maphash.MakeSeed()

// idHash is a compact stand-in for a clientMessageId, so that resuming a
// run of millions of lines does not hold every id in memory.
func idHash(id string) uint64 { return maphash.String(idSeed, id) }

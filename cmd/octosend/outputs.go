package main

import (
	"fmt"
	"os"
)

// The outputs of a bulk run are the results file and its journal (and
// OUT.lock while it runs, see lockResults). A run creates them only after
// its input opened and read, and a run that fails before writing anything
// removes the empty ones it created: a bad input never leaves a results
// file or a journal that would block the next run.

// checkFresh refuses to start a run over the results of another one.
func checkFresh(out string) error {
	if fi, err := os.Stat(out); err == nil && fi.Size() > 0 {
		return fmt.Errorf("results file %s already exists: add --resume to continue that run, or remove it", out)
	}
	if _, err := os.Stat(journalPath(out)); err == nil {
		return fmt.Errorf("%s exists (a run that writes %s was interrupted): add --resume to continue it", journalPath(out), out)
	}
	return nil
}

// openInputFile opens the bulk input path, refusing a directory.
func openInputFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	if fi, err := f.Stat(); err != nil {
		f.Close()
		return nil, fmt.Errorf("input: %w", err)
	} else if fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("input: %s is a directory; want a JSONL or CSV file, or - for stdin", path)
	}
	return f, nil
}

// priorOutputs records which outputs of a results file existed, with
// content, before a run touched them.
type priorOutputs struct {
	out                string
	hadResults, hadJnl bool
}

// noteOutputs looks at the outputs of out before a run.
func noteOutputs(out string) priorOutputs {
	p := priorOutputs{out: out}
	if fi, err := os.Stat(out); err == nil && fi.Size() > 0 {
		p.hadResults = true
	}
	if _, err := os.Stat(journalPath(out)); err == nil {
		p.hadJnl = true
	}
	return p
}

// removeEmpty removes the results file and the journal when this run
// created them and they are still empty: nothing was recorded, and no
// send started. Outputs with content, or from an earlier run, stay.
func (p priorOutputs) removeEmpty() {
	if !p.hadResults {
		removeIfEmpty(p.out)
	}
	if !p.hadJnl {
		removeIfEmpty(journalPath(p.out))
	}
}

func removeIfEmpty(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		os.Remove(path)
	}
}

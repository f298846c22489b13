package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestRemoveEmptyOutputs(t *testing.T) {
	exists := func(p string) bool {
		_, err := os.Stat(p)
		return !errors.Is(err, fs.ErrNotExist)
	}
	t.Run("created and empty: removed", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "r.jsonl")
		p := noteOutputs(out)
		os.WriteFile(out, nil, 0o644)
		os.WriteFile(journalPath(out), nil, 0o644)
		p.removeEmpty()
		if exists(out) || exists(journalPath(out)) {
			t.Errorf("empty outputs of a failed run left behind")
		}
	})
	t.Run("created with content: kept", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "r.jsonl")
		p := noteOutputs(out)
		os.WriteFile(out, []byte("{}\n"), 0o644)
		os.WriteFile(journalPath(out), []byte("1\n"), 0o644) // a send started
		p.removeEmpty()
		if !exists(out) || !exists(journalPath(out)) {
			t.Errorf("outputs with content removed")
		}
	})
	t.Run("from an earlier run: kept", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "r.jsonl")
		os.WriteFile(journalPath(out), nil, 0o644)
		p := noteOutputs(out)
		os.WriteFile(out, nil, 0o644)
		p.removeEmpty()
		if exists(out) || !exists(journalPath(out)) {
			t.Errorf("want the new empty results removed and the earlier journal kept")
		}
	})
}

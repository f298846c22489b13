//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockResults takes an exclusive lock on OUT.lock, so that two bulk runs
// never write the same results file (two resumes at once would send the
// same messages twice). It fails at once when another process holds it.
// The returned function releases the lock and removes the file.
func lockResults(out string) (func(), error) {
	path := out + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another octosend bulk is writing %s (%s is locked)", out, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		os.Remove(path)
		f.Close() // releases the lock
	}, nil
}

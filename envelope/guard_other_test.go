//go:build !linux

package envelope

import "testing"

// guarded is the identity where the guard-page test helper (Linux) is not
// available.
func guarded(testing.TB) func([]byte) []byte {
	return func(b []byte) []byte { return b }
}

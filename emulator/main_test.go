package emulator

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines behind: every
// Server's listener, connections and latency waits must end with Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

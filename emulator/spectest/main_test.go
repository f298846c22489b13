package spectest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines behind (an
// emulator connection still lingering after its test, say).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Package emulatortest starts the 8x8 API emulator inside a test.
//
// It is apart from package emulator so that programs which embed the
// emulator (the octosend CLI's demo and emulator commands) do not link the
// testing package.
package emulatortest

import (
	"testing"

	"github.com/octosend/octosend/emulator"
)

// Start starts an emulator.Server for cfg on a free port of 127.0.0.1 and
// closes it when the test ends. It fails the test at once when cfg is
// invalid or no port can be had.
func Start(t testing.TB, cfg emulator.Config) *emulator.Server {
	t.Helper()
	s, err := emulator.Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

package emulator

import "testing"

// start is emulatortest.Start for this package's own tests (which cannot
// import emulatortest: it imports this package).
func start(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

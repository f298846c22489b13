package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

// stdDeps returns every package pkg links, the standard library included.
func stdDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", module+"/"+pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// TestProgramsLinkNoTesting keeps the testing package (and httptest, which
// registers test flags of its own) out of the CLI binary and of programs
// that import only the library: emulator.Start(testing.TB) moved to
// emulator/emulatortest for that.
func TestProgramsLinkNoTesting(t *testing.T) {
	for _, pkg := range []string{"cmd/octosend", "client", "emulator", "policy", "ratelimit", "breaker", "envelope"} {
		t.Run(pkg, func(t *testing.T) {
			for _, d := range stdDeps(t, pkg) {
				if d == "testing" || d == "net/http/httptest" || strings.HasPrefix(d, "testing/") {
					t.Errorf("%s links %s", pkg, d)
				}
			}
		})
	}
}

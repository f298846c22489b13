// Package archtest holds tests about the shape of the module itself: which
// package may import which (docs/design.md, "Packages and the direction of imports").
package archtest

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/octosend/octosend"

// deps returns the transitive imports of pkg (module-relative), as go list sees them.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", module+"/"+pkg).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v\n%s", pkg, err, stderr)
	}
	var list []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && l != module+"/"+pkg {
			list = append(list, l)
		}
	}
	return list
}

// exists reports whether the package has been written yet.
func exists(pkg string) bool {
	return exec.Command("go", "list", module+"/"+pkg).Run() == nil
}

func TestImportDirection(t *testing.T) {
	// forbidden[p] lists module packages p must not import, directly or not.
	forbidden := map[string][]string{
		"envelope":  {"client", "policy", "ratelimit", "breaker", "emulator"},
		"policy":    {"client", "ratelimit", "breaker", "emulator"},
		"ratelimit": {"client", "policy", "breaker", "envelope", "emulator"},
		"breaker":   {"client", "policy", "ratelimit", "envelope", "emulator"},
		"emulator":  {"client", "policy", "ratelimit", "breaker", "envelope"},
		"dlr":       {"client", "policy", "ratelimit", "breaker", "emulator"},
	}
	for pkg, bad := range forbidden {
		t.Run(pkg, func(t *testing.T) {
			if !exists(pkg) {
				t.Fatalf("package %s does not exist", pkg)
			}
			for _, d := range deps(t, pkg) {
				for _, b := range bad {
					if d == module+"/"+b || strings.HasPrefix(d, module+"/"+b+"/") {
						t.Errorf("%s imports %s; docs/design.md forbids it", pkg, d)
					}
				}
			}
		})
	}
}

func TestEnvelopeImportsOnlyStdlibAndUUID(t *testing.T) {
	for _, d := range deps(t, "envelope") {
		if d != "github.com/google/uuid" {
			t.Errorf("envelope imports %s; only the standard library and github.com/google/uuid are allowed", d)
		}
	}
}

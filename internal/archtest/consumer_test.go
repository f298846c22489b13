package archtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestConsumerModuleIsLean builds a module outside the repository that
// imports only client, as a user's program would, and checks what
// `go mod tidy` puts in its go.sum and what it links: no Redis (module
// fleet), no benchmark peers (module bench), no OpenTelemetry (module
// telemetry), no test frameworks.
func TestConsumerModuleIsLean(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/consumer\n\ngo 1.26\n\nrequire "+module+" v0.0.0\n\nreplace "+module+" => "+root+"\n")
	write("main.go", "package main\n\nimport \""+module+"/client\"\n\nfunc main() { _, _ = client.New(client.Config{}) }\n")
	goCmd := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	goCmd("mod", "tidy")
	sum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	for _, line := range strings.Split(string(sum), "\n") {
		if f := strings.Fields(line); len(f) == 3 && !slices.Contains(mods, f[0]) {
			mods = append(mods, f[0])
		}
	}

	// What client really uses, and what go-retryablehttp's own go.mod
	// brings along (go-hclog and its terminal-colour dependencies).
	allowed := []string{
		"github.com/google/uuid", "github.com/hashicorp/go-retryablehttp", "github.com/hashicorp/go-cleanhttp",
		"golang.org/x/time", "go.yaml.in/yaml/v3",
		"github.com/hashicorp/go-hclog", "github.com/fatih/color", "github.com/mattn/go-colorable",
		"github.com/mattn/go-isatty", "golang.org/x/sys",
		// Test-only requirements of the root module that tidy still records
		// (breaker's conformance oracle, the goroutine-leak checks). Moving
		// those tests into a module of their own would drop them.
		"github.com/sony/gobreaker/v2", "go.uber.org/goleak",
	}
	for _, m := range mods {
		if !slices.Contains(allowed, m) {
			t.Errorf("a program importing only client has %s in its go.sum", m)
		}
	}
	if len(mods) > len(allowed) {
		t.Errorf("go.sum lists %d modules, want at most %d: %v", len(mods), len(allowed), mods)
	}

	for _, p := range strings.Fields(goCmd("list", "-deps", ".")) {
		if strings.Contains(p, "redis") || strings.Contains(p, "opentelemetry") || p == "testing" ||
			strings.HasPrefix(p, module+"/bench") || strings.HasPrefix(p, module+"/telemetry") {
			t.Errorf("a program importing only client links %s", p)
		}
	}
}

package main

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/octosend/octosend/bench/internal/emuproc"
)

func TestMain(m *testing.M) {
	emuproc.MaybeServe() // the emulator child is this test binary, re-executed
	os.Exit(m.Run())
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-scenarios", "clean,nope"},
		{"-drivers", "octosend,curl"},
		{"-messages", "0"},
		{"-concurrency", "-1"},
		{"-bogus"},
	} {
		var stderr bytes.Buffer
		if code := run(args, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2 (stderr: %s)", args, code, stderr.String())
		}
	}
}

// TestWritesReport runs a tiny comparison end to end and checks both files.
func TestWritesReport(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	args := []string{"-scenarios", "clean", "-drivers", "octosend,nethttp", "-messages", "20", "-concurrency", "4", "-out", dir}
	if code := run(args, &stderr); code != 0 {
		t.Fatalf("run = %d; stderr:\n%s", code, stderr.String())
	}
	md, err := os.ReadFile(filepath.Join(dir, "RESULTS.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Scenario: clean", "| **`octosend`** | ", "| `nethttp` | ", "- Clean, `octosend`: goodput "} {
		if !strings.Contains(string(md), want) {
			t.Errorf("RESULTS.md lacks %q", want)
		}
	}
	svg, err := os.ReadFile(filepath.Join(dir, "results.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Errorf("results.svg is not XML: %v", err)
	}
	if !regexp.MustCompile(`(?m)^clean +octosend +\d+ msg/s .* undeliv +0 `).MatchString(stderr.String()) {
		t.Errorf("no progress line for octosend on stderr:\n%s", stderr.String())
	}
}

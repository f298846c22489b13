package harness

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMachineFiles(t *testing.T) {
	dir := t.TempDir()
	cpuinfo := filepath.Join(dir, "cpuinfo")
	if err := os.WriteFile(cpuinfo, []byte("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	loadavg := filepath.Join(dir, "loadavg")
	if err := os.WriteFile(loadavg, []byte("1.32 4.05 4.01 1/89 30518\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := cpuModel(cpuinfo); got != "AMD EPYC 7B13" {
		t.Errorf("cpuModel = %q, want %q", got, "AMD EPYC 7B13")
	}
	if got := loadAvg(loadavg); got != "1.32 4.05 4.01" {
		t.Errorf("loadAvg = %q, want %q", got, "1.32 4.05 4.01")
	}
	missing := filepath.Join(dir, "nope")
	if cpuModel(missing) != "" || loadAvg(missing) != "" {
		t.Error("a missing file should give an empty string")
	}
	if m := DescribeMachine(); m.CPUs < 1 || m.GoVersion == "" {
		t.Errorf("DescribeMachine = %+v", m)
	}
}

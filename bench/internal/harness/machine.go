package harness

import (
	"bufio"
	"os"
	"runtime"
	"strings"
)

// Machine describes where a benchmark ran.
type Machine struct {
	CPUs       int    // runtime.NumCPU (what nproc reports)
	GOMAXPROCS int    // runtime.GOMAXPROCS(0)
	CPUModel   string // "model name" of /proc/cpuinfo; "" when unknown
	GoVersion  string // runtime.Version
	OS, Arch   string
	// LoadAvg is /proc/loadavg's 1-, 5- and 15-minute load averages when
	// the run began: other work on a shared machine shows up here.
	LoadAvg string
}

// DescribeMachine returns the Machine this process runs on.
func DescribeMachine() Machine {
	return Machine{
		CPUs:       runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		CPUModel:   cpuModel("/proc/cpuinfo"),
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		LoadAvg:    loadAvg("/proc/loadavg"),
	}
}

// loadAvg returns the first three fields of a /proc/loadavg file.
func loadAvg(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// cpuModel returns the first "model name" in a /proc/cpuinfo file.
func cpuModel(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

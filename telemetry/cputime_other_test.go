//go:build !unix

package telemetry

import "time"

// cpuTime is not measured here: BenchmarkSend reports no cpu-ns/op.
func cpuTime() time.Duration { return 0 }

package envelope

import (
	"testing"

	"github.com/google/uuid"
)

var sinkT int64
var sinkU byte

func BenchmarkMicroTime(b *testing.B) {
	for b.Loop() {
		t, _ := parseTime("2026-08-01T02:14:07.42Z")
		sinkT = t.Unix()
	}
}

func BenchmarkMicroTimeOffset(b *testing.B) {
	for b.Loop() {
		t, _ := parseTime("2018-08-04T09:25:40.9235752+00:00")
		sinkT = t.Unix()
	}
}

func BenchmarkMicroUUID(b *testing.B) {
	for b.Loop() {
		u, _ := parseUUID("5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f")
		sinkU = u[3]
	}
}

func BenchmarkMicroUUIDRef(b *testing.B) {
	for b.Loop() {
		u, _ := uuid.Parse("5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f")
		sinkU = u[3]
	}
}

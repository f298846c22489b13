//go:build 386 || amd64 || arm || arm64 || loong64 || mips64le || mipsle || ppc64le || riscv64 || wasm

package envelope

import "unsafe"

// load64 returns the eight bytes at data[i:i+8] as a little-endian
// uint64. The caller guarantees i+8 <= len(data); the load is unchecked so
// that the string scanners stay small enough to inline.
func load64(data []byte, i int) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(data)), i))
}

//go:build !(386 || amd64 || arm || arm64 || loong64 || mips64le || mipsle || ppc64le || riscv64 || wasm)

package envelope

import "encoding/binary"

// load64 returns the eight bytes at data[i:i+8] as a little-endian uint64.
func load64(data []byte, i int) uint64 {
	return binary.LittleEndian.Uint64(data[i : i+8])
}

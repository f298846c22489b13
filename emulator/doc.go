// Package emulator is an 8x8 API look-alike on loopback with fault
// injection and a ledger of accepted messages.
package emulator

// Package emuproc runs the emulator in a child process for the side-by-side
// benchmark, so that the CPU time and allocations measured in the parent
// are the client's alone.
//
// The child is the parent's own executable started again with ChildEnv set
// (a main or TestMain calls MaybeServe first thing). It serves the
// emulator on a free port of 127.0.0.1 and prints its base URL on stdout.
// Besides the API routes it answers two control routes, used between runs
// and never while one is being measured:
//
//	POST /_bench/setup   Setup as JSON: a fresh emulator.Server and fresh counters
//	GET  /_bench/report  Report as JSON: the emulator's Stats, its ledger and
//	                     the requests seen per clientMessageId
//
// The per-message request count is taken in the child, in front of the
// emulator, by finding the clientMessageId in each request body, so the
// drivers under test carry no instrumentation at all.
package emuproc

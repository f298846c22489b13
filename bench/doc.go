// Package bench holds benchmarks of octosend's hot paths against their
// peers, in the same run so that the ratios mean something on a shared,
// noisy machine. It has no non-test code. This doc covers the wire-format
// benchmarks; the send benchmarks (send_test.go) and the end-to-end
// comparison (bench/cmd) document themselves.
//
// Decoding (decode_test.go): BenchmarkDecode/<payload>/<impl> decodes the
// API's response bodies (error envelope, escaped error envelope, single SMS,
// SMS batch of 100, single chat, chat batch of 100) with envelope.Decoder and
// with encoding/json, valyala/fastjson, goccy/go-json, buger/jsonparser and
// bytedance/sonic. Every implementation does the same work: it extracts the
// same fields, parses the UUIDs into uuid.UUID and the timestamps into
// time.Time, and its result is checked against envelope's before timing.
// BenchmarkEncode/<payload>/<impl> compares the request encoder with
// encoding/json.
//
// Run, then compare with benchstat:
//
//	go test -run='^$' -bench=BenchmarkDecode -benchtime=200ms -count=6 ./bench/ > /tmp/dec.txt
//	benchstat /tmp/dec.txt
//
// README.md records the latest numbers.
package bench

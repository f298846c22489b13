//go:build linux

package envelope

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"unsafe"
)

// guarded returns a function that copies a body to the very end of a
// readable region followed by an inaccessible page, so that any read past
// the body (such as an eight-byte load too near its end) faults and kills
// the test instead of passing unnoticed. A body too large for the region is
// returned as it is.
func guarded(tb testing.TB) func([]byte) []byte {
	tb.Helper()
	page := os.Getpagesize()
	const pages = 17 // 16 readable pages, then the guard
	mem, err := syscall.Mmap(-1, 0, pages*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		tb.Fatalf("mmap: %v", err)
	}
	tb.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[(pages-1)*page:], syscall.PROT_NONE); err != nil {
		tb.Fatalf("mprotect: %v", err)
	}
	readable := mem[:(pages-1)*page]
	return func(body []byte) []byte {
		if len(body) > len(readable) {
			return body
		}
		dst := readable[len(readable)-len(body):]
		copy(dst, body)
		return dst[:len(body):len(body)]
	}
}

// TestNoReadPastBody decodes every prefix of every testdata body, and of
// some bodies that end in the middle of a fast path, with the body ending
// right at a guard page.
func TestNoReadPastBody(t *testing.T) {
	place := guarded(t)
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	var bodies [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	bodies = append(bodies, batchBody(20, false), batchBody(20, true),
		[]byte(`{"umid":"0123456789abcdef`), []byte(`{"errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f"`),
		[]byte(`{"timestamp":"2018-08-04T09:25:40.9235752+00:00"`), []byte("{\"message\":\"\\ud83d\\ude00\xff"))
	var d Decoder
	var e Error
	var s SMSResponse
	var b BatchResponse
	var c ChatResponse
	var cb ChatBatchResponse
	var w Webhook
	n := 0
	for _, body := range bodies {
		for end := 0; end <= len(body); end++ {
			g := place(body[:end])
			// The results are not checked here (other tests do that); a
			// read past g faults.
			_ = d.DecodeError(g, &e)
			_ = d.DecodeSMS(g, &s)
			_ = d.DecodeBatch(g, &b)
			_ = d.DecodeChat(g, &c)
			_ = d.DecodeChatBatch(g, &cb)
			_ = d.DecodeWebhook(g, &w)
			n++
		}
	}
	for _, text := range []string{"", "a", "0123456789abcdef", "caf\xc3\xa9 \xff \u2028 \"q\" \\", "0123456"} {
		for end := 0; end <= len(text); end++ {
			g := place([]byte(text[:end]))
			_ = AppendString(nil, unsafe.String(unsafe.SliceData(g), len(g))) // no copy: the guard stays after it
		}
	}
	if n < 1000 {
		t.Fatalf("only %d prefixes decoded", n)
	}
}

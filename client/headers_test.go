package client

import (
	"bufio"
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/octosend/octosend/clock"
)

// floodServer accepts connections on loopback, reads each request's
// headers and answers with flood(w); it counts connections.
func floodServer(t *testing.T, flood func(w *bufio.Writer)) (url string, conns *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns = new(atomic.Int64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				w := bufio.NewWriterSize(c, 64<<10)
				flood(w)
				w.Flush()
			}()
		}
	}()
	return "http://" + ln.Addr().String(), conns
}

// TestHeaderFloodsBounded: 200,000 response headers, or 500,000 "102
// Processing" responses, cost the client well under 3 MiB (they used to
// cost 33-74 MiB of heap per attempt), end in an ambiguous error matching
// ErrResponseHeadersTooLarge, and are not retried.
func TestHeaderFloodsBounded(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flood func(w *bufio.Writer)
	}{
		{"200k-headers", func(w *bufio.Writer) {
			w.WriteString("HTTP/1.1 200 OK\r\n")
			for i := 0; i < 200000; i++ {
				if _, err := w.WriteString("X-Flood: aaaaaaaaaaaaaaaaaaaaaaaa\r\n"); err != nil {
					return
				}
			}
			w.WriteString("\r\n")
		}},
		{"500k-102", func(w *bufio.Writer) {
			for i := 0; i < 500000; i++ {
				if _, err := w.WriteString("HTTP/1.1 102 Processing\r\nX-A: b\r\n\r\n"); err != nil {
					return
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, conns := floodServer(t, tc.flood)
			c := newClient(t, testConfig(url, clock.NewFake(t0), 0))
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res, err := c.SendSMS(context.Background(), "acme_hq", sms1)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrResponseHeadersTooLarge) {
				t.Fatalf("err = %v, want ErrResponseHeadersTooLarge", err)
			}
			se, ok := errors.AsType[*SendError](err)
			if !ok || !se.Ambiguous || se.Attempts != 1 || !res.Ambiguous {
				t.Fatalf("err = %#v (result %+v), want an ambiguous *SendError after 1 attempt", err, res)
			}
			if n := conns.Load(); n != 1 {
				t.Errorf("%d connections, want 1 (no retry)", n)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 3<<20 {
				t.Errorf("the send allocated %d KiB, want at most 3 MiB", got>>10)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Error("error carries the key")
			}
		})
	}
}

package reliability

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/octosend/octosend/client"
)

// floodListener answers every request on a raw loopback socket with
// flood, written from one prebuilt buffer so the server side allocates
// next to nothing (allocated counts every goroutine).
func floodListener(t *testing.T, head string, unit string, n int) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	chunk := []byte(strings.Repeat(unit, 1000))
	var conns atomic.Int64
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
				if _, err := c.Write([]byte(head)); err != nil {
					return
				}
				for i := 0; i < n/1000; i++ {
					if _, err := c.Write(chunk); err != nil {
						return
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String(), &conns
}

// TestHostileHeaderFloods: 200,000 response headers or 500,000 "102
// Processing" responses (33-74 MiB of heap per attempt, retried 5x, before
// the client bounded headers) end in an ambiguous typed error matching
// client.ErrResponseHeadersTooLarge after one attempt, costing < 3 MiB.
func TestHostileHeaderFloods(t *testing.T) {
	for _, tc := range []struct {
		name, head, unit string
		n                int
	}{
		{"200k-headers", "HTTP/1.1 200 OK\r\n", "X-Flood: aaaaaaaaaaaaaaaaaaaaaaaa\r\n", 200_000},
		{"500k-102-processing", "", "HTTP/1.1 102 Processing\r\n\r\n", 500_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := newObserver(t)
			url, conns := floodListener(t, tc.head, tc.unit, tc.n)
			c := obs.newClient(client.Config{BaseURL: url, Policy: hostilePolicy(t), Clock: newJumpClock()})
			var err error
			heap := allocated(func() { _, err = obs.sendSMS(c, context.Background(), "s200", sms(1, "")) })
			if !errors.Is(err, client.ErrResponseHeadersTooLarge) || !ambiguousErr(err) {
				t.Fatalf("err = %v, want an ambiguous error matching ErrResponseHeadersTooLarge", err)
			}
			if n := conns.Load(); n != 1 {
				t.Errorf("%d connections, want 1 (a flood is not retried)", n)
			}
			if heap > 3<<20 {
				t.Errorf("heap +%d KiB during the send, want < 3 MiB", heap>>10)
			}
		})
	}
}

// TestBadKeysRefused: the README's os.Getenv pattern with the variable
// unset (an empty key) and keys with CR/LF, NUL, DEL or spaces are refused
// by client.New with a *client.ConfigError that does not hold the key, so
// no tenant is halted and no breaker opened by a key that cannot work.
func TestBadKeysRefused(t *testing.T) {
	for _, key := range []string{"", keyMarker + "\r\nX-Injected: 1", keyMarker + "\x00", keyMarker + "\x7f", keyMarker + " x"} {
		_, err := client.New(client.Config{APIKey: key, BaseURL: "http://127.0.0.1:1"})
		ce, ok := errors.AsType[*client.ConfigError](err)
		if !ok || ce.Field != "APIKey" {
			t.Fatalf("New(key %q) = %v, want a *client.ConfigError on APIKey", key, err)
		}
		if strings.Contains(err.Error(), keyMarker) {
			t.Errorf("error holds the key: %v", err)
		}
	}
}

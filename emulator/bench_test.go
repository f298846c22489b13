package emulator

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// benchClient is a pooled client sized for RunParallel over loopback.
func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     time.Minute,
	}}
}

// baselineURL serves a fixed SMS response from a bare net/http server: the
// cost of HTTP over loopback alone, to compare the emulator with.
func baselineURL(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	resp := []byte(`{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":"x","destination":"6591234567","encoding":"GSM7","status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}}`)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
		_, _ = w.Write(resp)
	})}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func runPosts(b *testing.B, url string, body func(n int64) []byte) {
	c := benchClient()
	defer c.CloseIdleConnections()
	var seq atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body(seq.Add(1))))
			req.Header.Set("Authorization", "Bearer "+testKey)
			resp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

func smsBody(n int64) []byte {
	return []byte(`{"destination":"+6591234567","text":"Your one-time code is 482913.","clientMessageId":"bench-` + strconv.FormatInt(n, 10) + `"}`)
}

func batchBody(size int) func(int64) []byte {
	return func(n int64) []byte {
		var buf bytes.Buffer
		buf.WriteString(`{"clientBatchId":"b","template":{"text":"Flash sale today only!","source":"AcmeShop"},"messages":[`)
		for i := range size {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(`{"destination":"+447700900123","clientMessageId":"bb-`)
			buf.WriteString(strconv.FormatInt(n, 10))
			buf.WriteByte('-')
			buf.WriteString(strconv.Itoa(i))
			buf.WriteString(`"}`)
		}
		buf.WriteString(`]}`)
		return buf.Bytes()
	}
}

// BenchmarkEmulator measures requests per second through a real loopback
// socket: the emulator against a bare net/http handler (baseline).
func BenchmarkEmulator(b *testing.B) {
	b.Run("sms/baseline", func(b *testing.B) {
		runPosts(b, baselineURL(b)+smsPath("acme_hq"), smsBody)
	})
	b.Run("sms/emulator", func(b *testing.B) {
		s, err := Listen("127.0.0.1:0", Config{APIKey: testKey})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		runPosts(b, s.URL()+smsPath("acme_hq"), smsBody)
	})
	b.Run("sms/emulator-limited-faults", func(b *testing.B) {
		// The paths a demo exercises: a (never reached) rate limit and a
		// configured but tiny fault mix (latency only, so every answer is 200).
		s, err := Listen("127.0.0.1:0", Config{APIKey: testKey, Rate: 1e9,
			Faults: Faults{PLatency: 1e-6, LatencyMax: time.Microsecond}})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		runPosts(b, s.URL()+smsPath("acme_hq"), smsBody)
	})
	b.Run("batch100/emulator", func(b *testing.B) {
		s, err := Listen("127.0.0.1:0", Config{APIKey: testKey})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		runPosts(b, s.URL()+batchPath("acme_hq"), batchBody(100))
	})
}

// nopWriter is a ResponseWriter that throws the answer away, so a handler
// benchmark measures the handler alone.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

// BenchmarkHandler measures the server side alone (no sockets, no client):
// the emulator's ServeHTTP against a handler that only drains the body and
// writes a fixed answer.
func BenchmarkHandler(b *testing.B) {
	resp := []byte(`{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":"x","destination":"6591234567","encoding":"GSM7","status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}}`)
	baseline := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
		_, _ = w.Write(resp)
	})
	emu, err := New(Config{APIKey: testKey, Rate: 1e9})
	if err != nil {
		b.Fatal(err)
	}
	for _, impl := range []struct {
		name string
		h    http.Handler
	}{{"baseline", baseline}, {"emulator", emu}} {
		b.Run("sms/"+impl.name, func(b *testing.B) {
			var seq atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := &nopWriter{h: make(http.Header)}
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, smsPath("acme_hq"), bytes.NewReader(smsBody(seq.Add(1))))
					req.Header.Set("Authorization", "Bearer "+testKey)
					clear(w.h)
					impl.h.ServeHTTP(w, req)
				}
			})
		})
	}
}

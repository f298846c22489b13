package dlr

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// nopWriter is a ResponseWriter that keeps nothing, so that the benchmark
// measures the handler.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}

// BenchmarkHandler serves SMS receipts in process: new (every message a new
// umid, handed to a callback that drops it, evicting an old state) and duplicate (the same body
// again, answered from the tracker).
func BenchmarkHandler(b *testing.B) {
	for _, tc := range []string{"new", "duplicate"} {
		b.Run(tc, func(b *testing.B) {
			// With 1,024 bodies and room for 512 states, every "new" body was
			// evicted before it comes round again.
			rv, err := New(Config{Authorization: []string{testAuth}, OnReceipt: func(Receipt) {}, MaxTracked: 512})
			if err != nil {
				b.Fatal(err)
			}
			defer rv.Shutdown(context.Background())
			bodies := make([]string, 1024)
			for i := range bodies {
				u := "6f1c2a0e-9b3d-ef11-8300-0a1b2c3d" + strconv.Itoa(10000+i)
				if tc == "duplicate" {
					u = "6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e5f"
				}
				bodies[i] = smsDLR(u, "delivered", "delivered_to_recipient", "2026-08-01T02:14:09.88Z")
			}
			req := httptest.NewRequest(http.MethodPost, "/webhook", nil)
			req.Header.Set("Authorization", testAuth)
			w := &nopWriter{h: http.Header{}}
			rd := strings.NewReader("")
			req.Body = readCloser{rd}
			b.SetBytes(int64(len(bodies[0])))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				rd.Reset(bodies[i%len(bodies)])
				req.ContentLength = int64(rd.Len())
				rv.ServeHTTP(w, req)
			}
		})
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

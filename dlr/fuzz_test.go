package dlr

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzHandler serves arbitrary bodies, with and without the right
// Authorization, on one Receiver (so that state builds up across inputs):
// no input panics, bad auth is always 401 and reaches no callback, an
// authenticated POST is always 200 (the queue never fills here), and the
// counters add up.
func FuzzHandler(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "webhook_*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
	for _, s := range []string{"", "<root/>", "{}", `{"namespace":"SMS"}`, "null", `{"payload":{"umid":"x","status":{"state":"sent"}}}`,
		smsDLR("u", "sent", "", "2026-08-01T02:00:00Z"), smsDLR("u", "delivered", "", "not a time"),
		`{"eventType":"outboundMessageDelivery","umid":"f","status":"READ"}`, strings.Repeat("[", 100)} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	rv, err := New(Config{Authorization: []string{testAuth}, MaxBodyBytes: 8 << 10, QueueSize: 1 << 16,
		OnReceipt: func(r Receipt) {
			if r.UMID == "" || r.State == "" {
				panic("receipt without umid or state")
			}
		},
		OnInbound: func(m Inbound) {
			if m.UMID == "" {
				panic("inbound without umid")
			}
		}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { rv.Shutdown(context.Background()) })
	f.Fuzz(func(t *testing.T, body []byte, auth bool) {
		before := rv.Stats()
		req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(string(body)))
		if auth {
			req.Header.Set("Authorization", testAuth)
		}
		w := httptest.NewRecorder()
		rv.ServeHTTP(w, req)
		after := rv.Stats()
		switch {
		case !auth && (w.Code != http.StatusUnauthorized || after.Unauthorized != before.Unauthorized+1):
			t.Fatalf("no auth: %d", w.Code)
		case auth && w.Code != http.StatusOK:
			t.Fatalf("auth: %d for %q", w.Code, body)
		}
		if outcomes(after) != after.Requests || after.CallbackPanics != 0 {
			t.Fatalf("stats %+v", after)
		}
	})
}

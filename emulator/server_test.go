package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
)

const okSMS = `{"destination":"+6591234567","text":"hello","clientMessageId":"m-1"}`

func TestAuth(t *testing.T) {
	s := start(t, Config{APIKey: testKey})
	tests := []struct {
		name, key string
		status    int
	}{
		{"right key", testKey, 200},
		{"no key", "", 401},
		{"wrong key", "other", 401},
		{"key prefix", testKey[:4], 401},
		{"key with suffix", testKey + "x", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tryPost(s, smsPath("acme_hq"), tc.key, okSMS)
			if err != nil {
				t.Fatal(err)
			}
			if tc.status == 200 {
				if r.status != 200 {
					t.Fatalf("status %d body %s", r.status, r.body)
				}
				return
			}
			wantError(t, r, 401, 1200)
			if strings.Contains(string(r.body), testKey) {
				t.Errorf("the key leaks into the body %s", r.body)
			}
		})
	}
	// A non-Bearer scheme is refused too.
	req, _ := http.NewRequest("POST", s.URL()+smsPath("acme_hq"), strings.NewReader(okSMS))
	req.Header.Set("Authorization", "Basic "+testKey)
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("Basic scheme: status %d, want 401", resp.StatusCode)
	}
	if got := s.Ledger().Accepted(); got != 1 {
		t.Errorf("accepted = %d, want 1", got)
	}
	// APIKey "" accepts anything, even no header.
	open := start(t, Config{})
	if r, err := tryPost(open, smsPath("acme_hq"), "", okSMS); err != nil || r.status != 200 {
		t.Errorf("open server: %v status %d", err, r.status)
	}
}

func TestRouting(t *testing.T) {
	s := start(t, Config{APIKey: testKey, Tenants: map[string]TenantConfig{"blocked": {Disabled: true}}})
	tests := []struct {
		name, method, path string
		status, code       int
	}{
		{"unknown path", "POST", "/api/v1/subaccounts/acme_hq/other", 404, 1300},
		{"root", "POST", "/", 404, 1300},
		{"empty sub", "POST", "/api/v1/subaccounts//messages", 404, 1300},
		{"GET", "GET", smsPath("acme_hq"), 405, 1000},
		{"illegal sub-account", "POST", smsPath("a!"), 400, 1001},
		{"disabled sub-account", "POST", smsPath("blocked"), 403, 1201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.URL()+tc.path, strings.NewReader(okSMS))
			req.Header.Set("Authorization", "Bearer "+testKey)
			resp, err := testClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r := reply{status: resp.StatusCode, header: resp.Header}
			buf := new(strings.Builder)
			_, _ = ioCopy(buf, resp)
			r.body = []byte(buf.String())
			wantError(t, r, tc.status, tc.code)
		})
	}
}

func TestRateLimit(t *testing.T) {
	fake := clock.NewFake(t0)
	s := start(t, Config{APIKey: testKey, Rate: 2, Burst: 3, Now: fake.Now,
		Tenants: map[string]TenantConfig{"fast_one": {Rate: 100}, "free_one": {Unlimited: true}}})
	send := func(sub string) reply { return post(t, s, smsPath(sub), okSMS) }

	for i := range 3 {
		if r := send("acme_hq"); r.status != 200 {
			t.Fatalf("request %d within the burst: status %d", i, r.status)
		}
	}
	r := send("acme_hq")
	e := wantError(t, r, 429, 429)
	// Empty bucket at 2/s: one token is back in 0.5s, advertised as 1s.
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After = %q, want 1", got)
	}
	if want := "Quota exceeded. Please try again in 1 second(s)."; e.Message != want {
		t.Errorf("message = %q, want %q", e.Message, want)
	}
	// Other sub-accounts have their own buckets.
	for i := range 5 {
		if r := send("fast_one"); r.status != 200 {
			t.Fatalf("fast_one %d: %d", i, r.status)
		}
	}
	for i := range 50 {
		if r := send("free_one"); r.status != 200 {
			t.Fatalf("free_one %d: %d", i, r.status)
		}
	}
	// Refill: half a second gives one token back, not two.
	fake.Advance(500 * time.Millisecond)
	if r := send("acme_hq"); r.status != 200 {
		t.Fatalf("after refill: status %d", r.status)
	}
	if r := send("acme_hq"); r.status != 429 {
		t.Fatalf("second after one token: status %d, want 429", r.status)
	}
	// A long pause refills to the burst, no further.
	fake.Advance(time.Hour)
	for i := range 3 {
		if r := send("acme_hq"); r.status != 200 {
			t.Fatalf("after an hour, request %d: status %d", i, r.status)
		}
	}
	if r := send("acme_hq"); r.status != 429 {
		t.Fatalf("burst exceeded after refill: status %d", r.status)
	}
	st := s.Stats()
	if st.Throttled != 3 || st.Responses[429] != 3 {
		t.Errorf("stats throttled %d, responses[429] %d; want 3, 3", st.Throttled, st.Responses[429])
	}
	if got := s.Ledger().Count("acme_hq", "m-1"); got != 7 {
		t.Errorf("accepted acme_hq = %d, want 7", got)
	}
	if got := len(s.Ledger().Arrivals("acme_hq")); got != 10 {
		t.Errorf("arrivals = %d, want 10 (throttled ones included)", got)
	}
}

func TestRetryAfterComputedAndFixed(t *testing.T) {
	fake := clock.NewFake(t0)
	// 0.25/s: an empty bucket needs 4s for one token.
	s := start(t, Config{Rate: 0.25, Burst: 1, Now: fake.Now})
	post(t, s, smsPath("acme_hq"), okSMS)
	r := post(t, s, smsPath("acme_hq"), okSMS)
	if got := r.header.Get("Retry-After"); got != "4" {
		t.Errorf("computed Retry-After = %q, want 4", got)
	}
	fake.Advance(2500 * time.Millisecond) // 1.5s left -> 2
	r = post(t, s, smsPath("acme_hq"), okSMS)
	if got := r.header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After after 2.5s = %q, want 2", got)
	}
	fixed := start(t, Config{Rate: 0.25, Burst: 1, RetryAfter: 7 * time.Second, Now: fake.Now})
	post(t, fixed, smsPath("acme_hq"), okSMS)
	r = post(t, fixed, smsPath("acme_hq"), okSMS)
	var e errEnvelope
	decode(t, r, &e)
	if got := r.header.Get("Retry-After"); got != "7" || !strings.Contains(e.Message, "in 7 second(s)") {
		t.Errorf("fixed: Retry-After %q, message %q; want 7", got, e.Message)
	}
}

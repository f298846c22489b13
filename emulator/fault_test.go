package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
)

// transportFailed reports whether err is what a client sees when the
// server drops the connection without (a complete) response.
func transportFailed(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE)
}

func TestFaultKinds(t *testing.T) {
	tests := []struct {
		fault      Fault
		status     int    // 0: a transport error is expected
		code       int    // body code for >= 400
		retryAfter string // expected Retry-After header
		recorded   int    // ledger count afterwards
	}{
		{Fault{Kind: Fault500}, 500, 2000, "", 0},
		{Fault{Kind: Fault503}, 503, 2000, "", 0},
		{Fault{Kind: Fault503, RetryAfter: 2 * time.Second}, 503, 2000, "2", 0},
		{Fault{Kind: Fault429}, 429, 429, "1", 0},
		{Fault{Kind: Fault429, RetryAfter: 2500 * time.Millisecond}, 429, 429, "3", 0},
		{Fault{Kind: FaultResetBeforeBody}, 0, 0, "", 0},
		{Fault{Kind: FaultResetAfterBody}, 0, 0, "", 0},
		{Fault{Kind: FaultAcceptedThen500}, 500, 2000, "", 1},
		{Fault{Kind: FaultAcceptedThenReset}, 0, 0, "", 1},
		{Fault{Kind: FaultTruncated}, 0, 0, "", 1},
		{Fault{Kind: FaultGarbage}, 200, 0, "", 1},
		{Fault{Kind: FaultLatency, Latency: 20 * time.Millisecond}, 200, 0, "", 1},
		{Fault{Kind: FaultNone}, 200, 0, "", 1},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%v/%v", tc.fault.Kind, tc.fault.RetryAfter), func(t *testing.T) {
			s := start(t, Config{APIKey: testKey, Script: []Fault{tc.fault}})
			r, err := tryPost(s, smsPath("acme_hq"), testKey, okSMS)
			switch {
			case tc.status == 0:
				if err == nil {
					t.Fatalf("got status %d body %q, want a transport error", r.status, r.body)
				}
				if !transportFailed(err) {
					t.Errorf("error %v is not a reset or EOF", err)
				}
			case err != nil:
				t.Fatalf("transport error %v, want status %d", err, tc.status)
			case tc.status >= 400:
				wantError(t, r, tc.status, tc.code)
			case r.status != tc.status:
				t.Fatalf("status %d, want %d", r.status, tc.status)
			case tc.fault.Kind == FaultGarbage:
				if json.Valid(r.body) {
					t.Errorf("garbage body %q is valid JSON", r.body)
				}
			default:
				var m rawSMS
				decode(t, r, &m)
			}
			if got := r.header.Get("Retry-After"); err == nil && got != tc.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tc.retryAfter)
			}
			if got := s.Ledger().Count("acme_hq", "m-1"); got != tc.recorded {
				t.Errorf("ledger count = %d, want %d", got, tc.recorded)
			}
			st := s.Stats()
			if tc.fault.Kind != FaultNone && st.Faults[tc.fault.Kind] != 1 {
				t.Errorf("stats faults = %v, want one %v", st.Faults, tc.fault.Kind)
			}
			if st.Requests != 1 {
				t.Errorf("stats requests = %d, want 1", st.Requests)
			}
			if tc.status == 0 && st.Resets != 1 {
				t.Errorf("stats resets = %d, want 1", st.Resets)
			}
			// The script is used up: the next request is served normally.
			if r := post(t, s, smsPath("acme_hq"), okSMS); r.status != 200 {
				t.Errorf("after the script: status %d", r.status)
			}
		})
	}
}

// countingReader counts what the HTTP client reads of a request body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestResetBeforeVersusAfterBody shows where each reset happens: with a
// body far larger than the socket buffers, a reset before the body stops
// the client part way through writing it, and a reset after the body lets
// the client write all of it.
func TestResetBeforeVersusAfterBody(t *testing.T) {
	const size = 24 << 20
	body := bytes.Repeat([]byte{' '}, size)
	for _, tc := range []struct {
		kind     FaultKind
		complete bool
	}{{FaultResetBeforeBody, false}, {FaultResetAfterBody, true}} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			s := start(t, Config{Script: []Fault{{Kind: tc.kind}}})
			cr := &countingReader{r: bytes.NewReader(body)}
			req, _ := http.NewRequest("POST", s.URL()+smsPath("acme_hq"), cr)
			req.ContentLength = size
			resp, err := testClient.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("status %d, want a transport error", resp.StatusCode)
			}
			t.Logf("err %v; wrote %d", err, cr.n.Load())
			if got := cr.n.Load() == size; got != tc.complete {
				t.Errorf("client wrote %d of %d bytes; complete = %v, want %v", cr.n.Load(), size, got, tc.complete)
			}
		})
	}
}

func TestAcceptedThen500MakesADuplicate(t *testing.T) {
	s := start(t, Config{APIKey: testKey, Script: []Fault{{Kind: FaultAcceptedThen500}}})
	r := post(t, s, smsPath("acme_hq"), okSMS)
	wantError(t, r, 500, 2000)
	// A client retries the ambiguous failure...
	if r := post(t, s, smsPath("acme_hq"), okSMS); r.status != 200 {
		t.Fatalf("retry: status %d", r.status)
	}
	// ...and the ledger shows the duplicate.
	l := s.Ledger()
	if l.Count("acme_hq", "m-1") != 2 || l.Accepted() != 2 || l.Unique() != 1 || l.Duplicates() != 1 {
		t.Errorf("count %d accepted %d unique %d duplicates %d; want 2 2 1 1",
			l.Count("acme_hq", "m-1"), l.Accepted(), l.Unique(), l.Duplicates())
	}
}

func TestAcceptedThen500OnBatch(t *testing.T) {
	s := start(t, Config{Script: []Fault{{Kind: FaultAcceptedThen500}}})
	r := post(t, s, batchPath("acme_hq"), `{"template":{"text":"x"},"messages":[{"destination":"+6581110001","clientMessageId":"a"},{"destination":"+6581110002","clientMessageId":"b"},{"destination":"1","clientMessageId":"c"}]}`)
	wantError(t, r, 500, 2000)
	if l := s.Ledger(); l.Count("acme_hq", "a") != 1 || l.Count("acme_hq", "b") != 1 || l.Count("acme_hq", "c") != 0 {
		t.Errorf("ledger a %d b %d c %d, want 1 1 0", l.Count("acme_hq", "a"), l.Count("acme_hq", "b"), l.Count("acme_hq", "c"))
	}
}

func TestScriptPerSubAccount(t *testing.T) {
	s := start(t, Config{Script: []Fault{
		{Kind: Fault503, SubAccount: "sub_b"},
		{Kind: Fault500},
		{Kind: FaultNone},
		{Kind: Fault429, RetryAfter: 5 * time.Second},
	}})
	steps := []struct {
		sub    string
		status int
	}{
		{"sub_a", 500}, // entry 0 is sub_b's: sub_a takes entry 1
		{"sub_b", 503}, // sub_b's own entry, still waiting
		{"sub_a", 200}, // FaultNone
		{"sub_b", 429},
		{"sub_a", 200}, // script used up
		{"sub_b", 200},
	}
	for i, st := range steps {
		if r := post(t, s, smsPath(st.sub), okSMS); r.status != st.status {
			t.Errorf("step %d (%s): status %d, want %d", i, st.sub, r.status, st.status)
		}
	}
	// SetScript starts a fresh script.
	if err := s.SetScript([]Fault{{Kind: Fault503}}); err != nil {
		t.Fatal(err)
	}
	if r := post(t, s, smsPath("sub_a"), okSMS); r.status != 503 {
		t.Errorf("after SetScript: status %d, want 503", r.status)
	}
	if err := s.SetScript([]Fault{{Kind: FaultKind(99)}}); err == nil {
		t.Error("SetScript accepted an unknown kind")
	}
}

func TestOutageWindow(t *testing.T) {
	fake := clock.NewFake(t0)
	s := start(t, Config{APIKey: testKey, Now: fake.Now, Outage: []Window{
		{Start: t0.Add(time.Minute), End: t0.Add(2 * time.Minute)},
		{Start: t0.Add(3 * time.Minute), End: t0.Add(3*time.Minute + 10*time.Second), Kind: Fault429},
		{Start: t0.Add(4 * time.Minute), End: t0.Add(5 * time.Minute), Kind: FaultResetBeforeBody},
	}})
	type step struct {
		at     time.Duration
		key    string
		status int // 0: transport error
		ra     string
	}
	steps := []step{
		{0, testKey, 200, ""},
		{time.Minute, testKey, 503, "60"},
		{time.Minute + 30*time.Second, "wrong", 503, "30"}, // before auth
		{2*time.Minute - 100*time.Millisecond, testKey, 503, "1"},
		{2 * time.Minute, testKey, 200, ""}, // End is exclusive
		{3*time.Minute + 2*time.Second, testKey, 429, "8"},
		{4 * time.Minute, testKey, 0, ""},
		{5 * time.Minute, testKey, 200, ""},
	}
	for i, st := range steps {
		fake.Set(t0.Add(st.at))
		r, err := tryPost(s, smsPath("acme_hq"), st.key, okSMS)
		if st.status == 0 {
			if err == nil {
				t.Errorf("step %d: status %d, want a reset", i, r.status)
			}
			continue
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if r.status != st.status || r.header.Get("Retry-After") != st.ra {
			t.Errorf("step %d at +%v: status %d Retry-After %q; want %d %q", i, st.at, r.status, r.header.Get("Retry-After"), st.status, st.ra)
		}
	}
	st := s.Stats()
	if st.Faults[Fault503] != 3 || st.Faults[Fault429] != 1 || st.Faults[FaultResetBeforeBody] != 1 {
		t.Errorf("faults = %v", st.Faults)
	}
	if got := s.Ledger().Count("acme_hq", "m-1"); got != 3 {
		t.Errorf("accepted = %d, want 3", got)
	}
	if err := s.SetOutage(nil); err != nil {
		t.Fatal(err)
	}
	fake.Set(t0.Add(time.Minute))
	if r := post(t, s, smsPath("acme_hq"), okSMS); r.status != 200 {
		t.Errorf("after SetOutage(nil): status %d", r.status)
	}
}

// outcomes sends n requests one after another and returns what each got:
// the status, or "err" for a transport error.
func outcomes(t *testing.T, s *Server, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		r, err := tryPost(s, smsPath("acme_hq"), "", fmt.Sprintf(`{"destination":"+6591234567","text":"x","clientMessageId":"d-%d"}`, i))
		if err != nil {
			out[i] = "err"
		} else {
			out[i] = fmt.Sprint(r.status)
		}
	}
	return out
}

func TestSeededFaultsAreDeterministic(t *testing.T) {
	mix := Faults{P500: 0.2, P503: 0.1, PResetBefore: 0.05, PResetAfter: 0.05, PAcceptedThen500: 0.1, P429: 0.1}
	const n = 400
	a := outcomes(t, start(t, Config{Seed: 42, Faults: mix}), n)
	b := outcomes(t, start(t, Config{Seed: 42, Faults: mix}), n)
	c := outcomes(t, start(t, Config{Seed: 43, Faults: mix}), n)
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Errorf("same seed, different sequences:\n%v\n%v", a, b)
	}
	if strings.Join(a, ",") == strings.Join(c, ",") {
		t.Errorf("seeds 42 and 43 gave the same %d outcomes", n)
	}
	// The mix roughly matches the probabilities (deterministic for seed 42).
	count := map[string]int{}
	for _, o := range a {
		count[o]++
	}
	for k, want := range map[string]float64{"500": 0.3, "503": 0.1, "err": 0.1, "429": 0.1, "200": 0.4} {
		if got := float64(count[k]) / n; got < want-0.07 || got > want+0.07 {
			t.Errorf("share of %s = %.3f, want about %.2f (counts %v)", k, got, want, count)
		}
	}
}

func TestRandomLatency(t *testing.T) {
	s := start(t, Config{Faults: Faults{PLatency: 1, LatencyMax: 30 * time.Millisecond}})
	for range 5 {
		start := time.Now()
		if r := post(t, s, smsPath("acme_hq"), okSMS); r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("latency %v, far above LatencyMax", el)
		}
	}
	if got := s.Stats().Faults[FaultLatency]; got != 5 {
		t.Errorf("latency faults = %d, want 5", got)
	}
	// Fixed Config.Latency applies to every request.
	slow := start(t, Config{Latency: 50 * time.Millisecond})
	start := time.Now()
	post(t, slow, smsPath("acme_hq"), okSMS)
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Errorf("request took %v, want >= 50ms", el)
	}
}

func TestCloseEndsLatencyWaits(t *testing.T) {
	s, err := Listen("127.0.0.1:0", Config{Latency: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := tryPost(s, smsPath("acme_hq"), "", okSMS)
		done <- err
	}()
	// Wait until the request is in the server.
	for deadline := time.Now().Add(5 * time.Second); s.Stats().Requests == 0; {
		if time.Now().After(deadline) {
			t.Fatal("request never arrived")
		}
		time.Sleep(time.Millisecond)
	}
	s.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("request succeeded after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close left the request hanging")
	}
	s.Close() // idempotent
}

func TestSetFaults(t *testing.T) {
	s := start(t, Config{})
	if err := s.SetFaults(Faults{P503: 1, RetryAfter: 4 * time.Second}); err != nil {
		t.Fatal(err)
	}
	r := post(t, s, smsPath("acme_hq"), okSMS)
	if r.status != 503 || r.header.Get("Retry-After") != "4" {
		t.Errorf("status %d Retry-After %q; want 503 4", r.status, r.header.Get("Retry-After"))
	}
	if err := s.SetFaults(Faults{P500: 2}); err == nil {
		t.Error("SetFaults accepted P500 = 2")
	}
	if err := s.SetFaults(Faults{}); err != nil {
		t.Fatal(err)
	}
	if r := post(t, s, smsPath("acme_hq"), okSMS); r.status != 200 {
		t.Errorf("faults off: status %d", r.status)
	}
}

func TestFaultKindText(t *testing.T) {
	for k := FaultNone; k < numFaultKinds; k++ {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back FaultKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%v: round trip gave %v, %v", k, back, err)
		}
	}
	if got := FaultKind(99).String(); got != "FaultKind(99)" {
		t.Errorf("String = %q", got)
	}
	if k, ok := ParseFaultKind("RESET-AFTER-BODY"); !ok || k != FaultResetAfterBody {
		t.Errorf("ParseFaultKind case-insensitive: %v %v", k, ok)
	}
	var k FaultKind
	var ce *ConfigError
	if err := k.UnmarshalText([]byte("meteor")); !errors.As(err, &ce) {
		t.Errorf("UnmarshalText(meteor) = %v, want *ConfigError", err)
	}
}

package emulator

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
)

func smsTo(dest, id string) string {
	return fmt.Sprintf(`{"destination":%q,"text":"hello","clientMessageId":%q}`, dest, id)
}

// TestDestLimitOneMessagePerInterval: with every destination limited, a
// destination accepts nothing before Interval has passed since its first
// request, then one message per Interval; others are limited on their own.
func TestDestLimitOneMessagePerInterval(t *testing.T) {
	fake := clock.NewFake(t0)
	s := start(t, Config{APIKey: testKey, Now: fake.Now, DestLimit: DestLimit{Share: 1, Interval: 2 * time.Second}})
	type step struct {
		at     time.Duration
		dest   string
		status int
	}
	steps := []step{
		{0, "+6591000001", 429}, // first request: the Interval starts now
		{time.Second, "+6591000001", 429},
		{time.Second, "+6591000002", 429}, // another number has its own Interval
		{2 * time.Second, "+6591000001", 200},
		{2*time.Second + 500*time.Millisecond, "+6591000001", 429}, // the next message, too soon
		{3 * time.Second, "+6591000002", 200},
		{4 * time.Second, "6591000001", 200}, // the '+' does not matter
	}
	for i, st := range steps {
		fake.Set(t0.Add(st.at))
		r := post(t, s, smsPath("acme_hq"), smsTo(st.dest, fmt.Sprintf("m-%d", i)))
		if r.status != st.status {
			t.Fatalf("step %d at +%v to %s: status %d, want %d (%s)", i, st.at, st.dest, r.status, st.status, r.body)
		}
		if st.status == 429 {
			e := wantError(t, r, 429, 429)
			if ra := r.header.Get("Retry-After"); ra != "1" {
				t.Errorf("step %d: Retry-After %q, want 1", i, ra)
			}
			if !strings.Contains(e.Message, "1 second") {
				t.Errorf("step %d: message %q", i, e.Message)
			}
			if n := s.Ledger().Count("acme_hq", fmt.Sprintf("m-%d", i)); n != 0 {
				t.Errorf("step %d: a refused message was recorded %d times", i, n)
			}
		}
	}
	st := s.Stats()
	if st.DestThrottled != 4 || st.Responses[429] != 4 || st.Throttled != 0 || st.Responses[200] != 3 {
		t.Errorf("stats: DestThrottled %d, 429s %d, Throttled %d, 200s %d; want 4, 4, 0, 3",
			st.DestThrottled, st.Responses[429], st.Throttled, st.Responses[200])
	}
	s.Reset()
	if st := s.Stats(); st.DestThrottled != 0 {
		t.Errorf("DestThrottled after Reset = %d", st.DestThrottled)
	}
}

// TestDestLimitChatAndBatch: a chat-apps send is limited by user.msisdn; a
// batch item is not limited.
func TestDestLimitChatAndBatch(t *testing.T) {
	fake := clock.NewFake(t0)
	s := start(t, Config{Now: fake.Now, DestLimit: DestLimit{Share: 1, Interval: time.Minute, RetryAfter: 3 * time.Second}})
	chat := `{"user":{"msisdn":"+6591000009"},"type":"text","content":{"text":"hi"},"clientMessageId":"c-1"}`
	r := post(t, s, smsPath("acme_hq"), chat)
	if r.status != 429 || r.header.Get("Retry-After") != "3" {
		t.Errorf("chat: status %d Retry-After %q, want 429 3 (%s)", r.status, r.header.Get("Retry-After"), r.body)
	}
	b := post(t, s, batchPath("acme_hq"), `{"messages":[{"destination":"+6591000009","text":"hi","clientMessageId":"b-1"}]}`)
	if b.status != 200 || s.Ledger().Count("acme_hq", "b-1") != 1 {
		t.Errorf("batch: status %d, b-1 recorded %d times; want 200, 1 (%s)", b.status, s.Ledger().Count("acme_hq", "b-1"), b.body)
	}
}

// TestDestLimitShareIsSeeded: the limited destinations are a fixed share,
// the same for the same Seed in any order, different for another Seed; an
// unlimited destination is answered at once.
func TestDestLimitShareIsSeeded(t *testing.T) {
	a := newDestLimiter(DestLimit{Share: 0.01, Interval: time.Second}, 7)
	b := newDestLimiter(DestLimit{Share: 0.01, Interval: time.Second}, 7)
	c := newDestLimiter(DestLimit{Share: 0.01, Interval: time.Second}, 8)
	const n = 100_000
	var na, diff int
	for i := range n {
		d := fmt.Sprintf("6591%06d", i)
		if a.limited(d) {
			na++
		}
		if a.limited(d) != b.limited(d) {
			t.Fatalf("%s: limited differs for the same seed", d)
		}
		if a.limited(d) != c.limited(d) {
			diff++
		}
	}
	if na < 850 || na > 1150 {
		t.Errorf("limited %d of %d, want about 1%%", na, n)
	}
	if diff < 1000 {
		t.Errorf("seeds 7 and 8 differ on %d destinations, want most of the ~2,000 limited ones", diff)
	}

	s := start(t, Config{Seed: 7, DestLimit: DestLimit{Share: 0.5, Interval: time.Hour}})
	var free, held string
	for i := 0; free == "" || held == ""; i++ {
		d := fmt.Sprintf("+6591%06d", i)
		if s.dests.limited(d) {
			held = d
		} else {
			free = d
		}
	}
	for i := range 3 {
		if r := post(t, s, smsPath("acme_hq"), smsTo(free, fmt.Sprintf("f-%d", i))); r.status != 200 {
			t.Errorf("unlimited %s, send %d: status %d", free, i, r.status)
		}
		if r := post(t, s, smsPath("acme_hq"), smsTo(held, fmt.Sprintf("h-%d", i))); r.status != 429 {
			t.Errorf("limited %s, send %d: status %d", held, i, r.status)
		}
	}
}

func TestDestLimitRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		d     DestLimit
		field string
	}{
		{DestLimit{Share: -0.1, Interval: time.Second}, "DestLimit.Share"},
		{DestLimit{Share: 1.1, Interval: time.Second}, "DestLimit.Share"},
		{DestLimit{Share: 0.1}, "DestLimit.Interval"},
		{DestLimit{Interval: -1}, "DestLimit.Interval"},
		{DestLimit{Share: 0.1, Interval: time.Second, RetryAfter: -1}, "DestLimit.RetryAfter"},
	} {
		_, err := New(Config{DestLimit: tc.d})
		ce, ok := err.(*ConfigError)
		if !ok || ce.Field != tc.field {
			t.Errorf("New(%+v) = %v, want a ConfigError on %s", tc.d, err, tc.field)
		}
	}
	if _, err := New(Config{DestLimit: DestLimit{Interval: time.Second}}); err != nil {
		t.Errorf("Share 0 with an Interval: %v, want valid (off)", err)
	}
}

// TestOutageWithoutRetryAfter: a 503 window with NoRetryAfter sends no
// Retry-After header; a 429 window cannot leave it out.
func TestOutageWithoutRetryAfter(t *testing.T) {
	fake := clock.NewFake(t0)
	s := start(t, Config{Now: fake.Now, Outage: []Window{
		{Start: t0, End: t0.Add(5 * time.Second), NoRetryAfter: true},
		{Start: t0.Add(time.Minute), End: t0.Add(2 * time.Minute), Kind: Fault503},
	}})
	fake.Set(t0.Add(time.Second))
	r := post(t, s, smsPath("acme_hq"), okSMS)
	wantError(t, r, 503, 2000)
	if ra, ok := r.header["Retry-After"]; ok {
		t.Errorf("Retry-After %q in a NoRetryAfter window", ra)
	}
	fake.Set(t0.Add(time.Minute))
	if r := post(t, s, smsPath("acme_hq"), okSMS); r.status != 503 || r.header.Get("Retry-After") != "60" {
		t.Errorf("plain window: status %d Retry-After %q, want 503 60", r.status, r.header.Get("Retry-After"))
	}
	if s.Stats().Faults[Fault503] != 2 {
		t.Errorf("503 faults = %d, want 2", s.Stats().Faults[Fault503])
	}
	_, err := New(Config{Outage: []Window{{Start: t0, End: t0.Add(time.Second), Kind: Fault429, NoRetryAfter: true}}})
	if ce, ok := err.(*ConfigError); !ok || ce.Field != "Outage[0].NoRetryAfter" {
		t.Errorf("429 window without Retry-After: %v, want a ConfigError on Outage[0].NoRetryAfter", err)
	}
}

package emulator

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
)

func TestLedgerCountsAndEntries(t *testing.T) {
	fake := clock.NewFake(t0)
	s := start(t, Config{Now: fake.Now})
	send := func(sub, id, dest string) {
		t.Helper()
		body := fmt.Sprintf(`{"destination":%q,"text":"x","clientMessageId":%q}`, dest, id)
		if id == "" {
			body = fmt.Sprintf(`{"destination":%q,"text":"x"}`, dest)
		}
		if r := post(t, s, smsPath(sub), body); r.status != 200 {
			t.Fatalf("status %d body %s", r.status, r.body)
		}
		fake.Advance(time.Second)
	}
	send("tenant_a", "m-1", "+6591230001")
	send("tenant_a", "m-1", "+6591230001")
	send("tenant_a", "m-1", "+6591230001")
	send("tenant_b", "m-1", "+6591230002") // same id, other sub-account: distinct
	send("tenant_a", "m-2", "+6591230003")
	send("tenant_a", "", "+6591230004")
	send("tenant_a", "", "+6591230004") // anonymous: never a duplicate

	l := s.Ledger()
	counts := []struct {
		sub, id string
		want    int
	}{
		{"tenant_a", "m-1", 3}, {"tenant_b", "m-1", 1}, {"tenant_a", "m-2", 1},
		{"tenant_a", "", 2}, {"tenant_b", "m-2", 0}, {"nobody", "m-1", 0},
	}
	for _, c := range counts {
		if got := l.Count(c.sub, c.id); got != c.want {
			t.Errorf("Count(%s, %q) = %d, want %d", c.sub, c.id, got, c.want)
		}
	}
	if l.Accepted() != 7 || l.Unique() != 5 || l.Duplicates() != 2 {
		t.Errorf("accepted %d unique %d duplicates %d, want 7 5 2", l.Accepted(), l.Unique(), l.Duplicates())
	}
	es := l.Entries()
	want := []Entry{
		{SubAccount: "tenant_a", ClientMessageID: "m-1", Destination: "6591230001", Count: 3, First: t0},
		{SubAccount: "tenant_b", ClientMessageID: "m-1", Destination: "6591230002", Count: 1, First: t0.Add(3 * time.Second)},
		{SubAccount: "tenant_a", ClientMessageID: "m-2", Destination: "6591230003", Count: 1, First: t0.Add(4 * time.Second)},
		{SubAccount: "tenant_a", ClientMessageID: "", Destination: "6591230004", Count: 1, First: t0.Add(5 * time.Second)},
		{SubAccount: "tenant_a", ClientMessageID: "", Destination: "6591230004", Count: 1, First: t0.Add(6 * time.Second)},
	}
	if len(es) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(es), len(want), es)
	}
	for i, w := range want {
		g := es[i]
		if !uuidRE.MatchString(g.UMID) {
			t.Errorf("entry %d umid %q", i, g.UMID)
		}
		g.UMID = ""
		if g != w {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	arr := l.Arrivals("tenant_a")
	wantArr := []time.Duration{0, 1, 2, 4, 5, 6}
	if len(arr) != len(wantArr) {
		t.Fatalf("arrivals %v", arr)
	}
	for i, d := range wantArr {
		if !arr[i].Equal(t0.Add(d * time.Second)) {
			t.Errorf("arrival %d = %v, want t0+%ds", i, arr[i], d)
		}
	}
	// The slice is a copy.
	arr[0] = time.Time{}
	if l.Arrivals("tenant_a")[0].IsZero() {
		t.Error("Arrivals returned the internal slice")
	}
	if l.Arrivals("nobody") != nil {
		t.Error("arrivals for an unknown sub-account")
	}

	s.Reset()
	if l.Accepted() != 0 || l.Unique() != 0 || len(l.Entries()) != 0 || len(l.Arrivals("tenant_a")) != 0 || s.Stats().Requests != 0 {
		t.Errorf("after Reset: accepted %d entries %d arrivals %d requests %d",
			l.Accepted(), len(l.Entries()), len(l.Arrivals("tenant_a")), s.Stats().Requests)
	}
}

// TestConcurrentNoLoss has many senders, each retrying until its message
// is confirmed, against a server injecting every kind of fault. Every
// message must be in the ledger, and every extra acceptance must be
// explained by a fault that recorded then failed.
func TestConcurrentNoLoss(t *testing.T) {
	s := start(t, Config{APIKey: testKey, Seed: 7, Faults: Faults{
		P500: 0.05, P503: 0.05, PResetBefore: 0.03, PResetAfter: 0.03, PAcceptedThen500: 0.05,
		P429: 0.05, PGarbage: 0.02, PTruncated: 0.02, PAcceptedThenReset: 0.02,
		PLatency: 0.05, LatencyMax: time.Millisecond,
	}})
	subs := []string{"tenant_a", "tenant_b", "tenant_c"}
	const senders, perSender = 8, 60
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			sub := subs[g%len(subs)]
			for i := range perSender {
				id := fmt.Sprintf("g%d-%d", g, i)
				body := fmt.Sprintf(`{"destination":"+6591234567","text":"x","clientMessageId":%q}`, id)
				for attempt := 0; ; attempt++ {
					if attempt == 100 {
						t.Errorf("%s: no success in 100 attempts", id)
						return
					}
					r, err := tryPost(s, smsPath(sub), testKey, body)
					if err != nil || r.status != 200 {
						continue
					}
					var m rawSMS
					if json.Unmarshal(r.body, &m) == nil && m.Status.Code == "QUEUED" {
						break
					}
				}
			}
		})
	}
	wg.Wait()
	l, st := s.Ledger(), s.Stats()
	for g := range senders {
		for i := range perSender {
			if l.Count(subs[g%len(subs)], fmt.Sprintf("g%d-%d", g, i)) < 1 {
				t.Errorf("g%d-%d lost", g, i)
			}
		}
	}
	recordedThenFailed := st.Faults[FaultAcceptedThen500] + st.Faults[FaultAcceptedThenReset] +
		st.Faults[FaultGarbage] + st.Faults[FaultTruncated]
	if l.Unique() != senders*perSender || int64(l.Duplicates()) != recordedThenFailed {
		t.Errorf("unique %d duplicates %d; want %d and %d (faults %v)", l.Unique(), l.Duplicates(),
			senders*perSender, recordedThenFailed, st.Faults)
	}
	var arrivals int
	for _, sub := range subs {
		arrivals += len(l.Arrivals(sub))
	}
	if int64(arrivals) != st.Requests {
		t.Errorf("arrivals %d, requests %d", arrivals, st.Requests)
	}
	var answered int64
	for _, n := range st.Responses {
		answered += n
	}
	if answered+st.Resets != st.Requests {
		t.Errorf("responses %d + resets %d != requests %d", answered, st.Resets, st.Requests)
	}
	if st.Accepted != int64(l.Accepted()) {
		t.Errorf("stats accepted %d, ledger %d", st.Accepted, l.Accepted())
	}
}

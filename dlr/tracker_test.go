package dlr

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/octosend/octosend/envelope"
)

func TestTrackerVerdicts(t *testing.T) {
	tr := newTracker(time.Hour, 10)
	at := t0
	sent, del := envelope.Rank(envelope.StateSent, ""), envelope.Rank(envelope.StateDelivered, envelope.DetailDeliveredToRecipient)
	if v, _ := tr.judge("a", sent, at, envelope.StateSent, "", t0); v != verdictNew {
		t.Fatalf("first: %v", v)
	}
	tr.record("a", sent, at, envelope.StateSent, "", t0)
	tests := []struct {
		name   string
		rank   int
		ts     time.Time
		s      envelope.State
		d      envelope.Detail
		want   verdict
		wantPr envelope.State
	}{
		{"same", sent, at, envelope.StateSent, "", verdictDuplicate, envelope.StateSent},
		{"same rank, other detail, same time", sent, at, envelope.StateSent, "x", verdictStale, envelope.StateSent},
		{"same rank, later", sent, at.Add(time.Second), envelope.StateSent, "", verdictAdvance, envelope.StateSent},
		{"higher", del, at.Add(-time.Hour), envelope.StateDelivered, envelope.DetailDeliveredToRecipient, verdictAdvance, envelope.StateSent},
		{"lower", 0, at.Add(time.Hour), envelope.StateQueued, "", verdictStale, envelope.StateSent},
	}
	for _, tt := range tests {
		if v, prev := tr.judge("a", tt.rank, tt.ts, tt.s, tt.d, t0); v != tt.want || prev != tt.wantPr {
			t.Errorf("%s: %v %q, want %v %q", tt.name, v, prev, tt.want, tt.wantPr)
		}
	}
	// Expiry: an entry past its TTL is new again, and dropped when others come.
	if v, _ := tr.judge("a", sent, at, envelope.StateSent, "", t0.Add(time.Hour)); v != verdictNew {
		t.Errorf("after TTL: %v", v)
	}
	tr.record("b", sent, at, envelope.StateSent, "", t0.Add(time.Hour))
	if tr.len() != 1 || tr.evicted != 0 {
		t.Errorf("len %d evicted %d after expiry", tr.len(), tr.evicted)
	}
	if tr.seen("mo", t0) || !tr.seen("mo", t0) || !tr.has("mo", t0) {
		t.Errorf("seen: first call must record, second must report")
	}
}

func TestTrackerBounded(t *testing.T) {
	tr := newTracker(time.Hour, 100)
	for i := range 1000 {
		k := strconv.Itoa(i)
		tr.record(k, 1, t0, envelope.StateSent, "", t0)
		if i%7 == 0 { // an update moves it to the front
			tr.record(strconv.Itoa(i/2), 2, t0, envelope.StateDelivered, "", t0)
		}
	}
	if tr.len() != 100 || tr.evicted < 900 {
		t.Fatalf("len %d, evicted %d", tr.len(), tr.evicted)
	}
	n := 0
	for e := tr.lru.Front(); e != nil; e = e.Next() {
		if tr.m[e.key] != e {
			t.Fatalf("list and map disagree at %q", e.key)
		}
		n++
	}
	if n != 100 || tr.lru.Back().Next() != nil || tr.lru.Front().Prev() != nil {
		t.Fatalf("list holds %d", n)
	}
}

// TestTrackerMemory holds Config.MaxTracked's documented cost: 100,000
// states of umid-sized keys in about 20 MB (the budget is 32 MB).
func TestTrackerMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tr := newTracker(time.Hour, defaultMaxTracked)
	for i := range defaultMaxTracked {
		k := "6f1c2a0e-9b3d-ef11-8300-" + strconv.Itoa(100000000000+i) + "\x00whatsapp"
		tr.record(k, 1, t0, envelope.StateSent, "", t0)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perEntry := float64(after.HeapAlloc-before.HeapAlloc) / defaultMaxTracked
	runtime.KeepAlive(tr)
	t.Logf("%.0f B per tracked message", perEntry)
	if perEntry > 320 {
		t.Errorf("%.0f B per tracked message, budget 320", perEntry)
	}
}

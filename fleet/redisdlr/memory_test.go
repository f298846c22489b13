package redisdlr

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/dlr"
	"github.com/octosend/octosend/envelope"
)

func usedMemory(t *testing.T, s *Store) int64 {
	t.Helper()
	info, err := s.c.Info(context.Background(), "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no used_memory in INFO")
	return 0
}

// TestRedisBytesPerEntry measures what a tracked send costs Redis: an
// accepted send with UUID clientMessageId and umid (its hash and its due
// entry), and the same after a receipt (the copy's state).
func TestRedisBytesPerEntry(t *testing.T) {
	srv, f := start(t)
	s := newStore(t, srv.Addr, Config{Prefix: "octosend:dlr:"})
	const n = 10_000
	id := func(p string, i int) string { return p + "-9b3d-ef11-8300-" + strconv.Itoa(100000000000+i) }
	before := usedMemory(t, s)
	for i := range n {
		s.RecordSend(accepted(id("6f1c2a0e", i), id("7a2d3b1f", i), f.Now()))
		if i%1000 == 999 {
			flush(t, s) // keep within the queue
		}
	}
	flush(t, s)
	sent := usedMemory(t, s)
	ctx := context.Background()
	for i := range n {
		c := dlr.Copy{UMID: id("7a2d3b1f", i), State: envelope.StateDelivered, Detail: envelope.DetailDeliveredToRecipient, Timestamp: f.Now()}
		if _, _, err := s.AddReceipt(ctx, dlr.Update{ClientMessageID: id("6f1c2a0e", i), Copy: c, At: f.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	received := usedMemory(t, s)
	perSent, perReceived := float64(sent-before)/n, float64(received-before)/n
	t.Logf("Redis: %.0f B per tracked send, %.0f B once its receipt is in", perSent, perReceived)
	if st := s.Stats(); st.Recorded != n {
		t.Fatalf("stats %+v", st)
	}
	if perReceived > 1024 {
		t.Errorf("%.0f B per tracked send in Redis, budget 1 KiB", perReceived)
	}
}

// Entries expire: Linger after their resolution (Redis's own clock, so
// this test waits in real time, briefly).
func TestStoreLingerExpiry(t *testing.T) {
	srv, f := start(t)
	s := newStore(t, srv.Addr, Config{TTL: time.Hour, Linger: 100 * time.Millisecond})
	s.RecordSend(accepted("m1", "u1", f.Now()))
	flush(t, s)
	ctx := context.Background()
	if ok, err := s.Resolve(ctx, "m1", dlr.VerdictNone, dlr.VerdictDelivered, f.Now()); !ok || err != nil {
		t.Fatalf("Resolve: %v %v", ok, err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		n, err := s.c.Exists(ctx, s.key("m1")).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a resolved entry outlived its Linger by 10s")
		}
	}
	if n, _ := s.c.ZCard(ctx, s.dueKey).Result(); n != 0 {
		t.Errorf("%d due members left", n)
	}
	// An unresolved entry has TTL+Linger to live.
	s.RecordSend(accepted("m2", "u2", f.Now()))
	flush(t, s)
	if ttl, _ := s.c.PTTL(ctx, s.key("m2")).Result(); ttl < time.Hour || ttl > time.Hour+time.Second {
		t.Errorf("TTL of an unresolved entry %v, want about 1h0m0.1s", ttl)
	}
}

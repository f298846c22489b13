package redisdlr

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/octosend/octosend/dlr"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/outcome"
)

func TestStoreRecordAndReceipts(t *testing.T) {
	srv, f := start(t)
	s := newStore(t, srv.Addr, Config{TTL: time.Hour, Linger: time.Minute})
	ctx := context.Background()
	t0 := f.Now()
	s.RecordSend(accepted("m1", "u1", t0))
	amb := accepted("m1", "u2", t0.Add(time.Second))
	amb.Ambiguous, amb.Attempts = true, 2
	s.RecordSend(amb)
	s.RecordSend(outcome.Send{ClientMessageID: "m2", State: outcome.Failed, Attempts: 1, At: t0})
	flush(t, s)

	e, ch, err := s.AddReceipt(ctx, dlr.Update{ClientMessageID: "m1", Copy: sentCopy("u1", t0), At: t0.Add(2 * time.Second)})
	if err != nil || !ch {
		t.Fatalf("AddReceipt: changed %v, %v", ch, err)
	}
	if e.Sends != 2 || e.MaxCopies != 3 || !e.Accepted || !e.Ambiguous || len(e.Copies) != 2 || e.Receipts != 1 || e.SubAccountID != "acme_hq" {
		t.Fatalf("entry %+v", e)
	}
	if !e.SentAt.Equal(t0) || !e.Due.Equal(t0.Add(time.Hour)) || !e.Changed.Equal(t0.Add(2*time.Second)) {
		t.Errorf("sent %v due %v changed %v", e.SentAt, e.Due, e.Changed)
	}
	if e.Copies[0].UMID != "u1" || e.Copies[0].State != envelope.StateSent || !e.Copies[0].Timestamp.Equal(t0) || e.Copies[1].UMID != "u2" || e.Copies[1].State != "" {
		t.Errorf("copies %+v", e.Copies)
	}
	if _, ch, _ := s.AddReceipt(ctx, dlr.Update{ClientMessageID: "m1", Copy: sentCopy("u1", t0), At: t0.Add(3 * time.Second)}); ch {
		t.Error("a redelivered receipt changed the copy")
	}
	fail := dlr.Copy{UMID: "u2", State: envelope.StateUndelivered, Detail: envelope.DetailRejectedByOperator, Timestamp: t0.Add(time.Second), ErrorCode: 46, LookedUp: true}
	e, _, _ = s.AddReceipt(ctx, dlr.Update{ClientMessageID: "m1", Copy: fail, At: t0.Add(4 * time.Second)})
	if e.Copies[1] != fail {
		t.Errorf("copy %+v, want %+v", e.Copies[1], fail)
	}
	if st := s.Stats(); st.Recorded != 2 || st.Skipped != 1 || st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}

	// An orphan, then its send, which makes it due at once (as MemoryStore).
	e, _, _ = s.AddReceipt(ctx, dlr.Update{ClientMessageID: "m4", SubAccountID: "acme_wa", Chat: true,
		Copy: dlr.Copy{UMID: "u4", State: envelope.StateQueued, Timestamp: t0}, At: t0, OrphanDue: t0.Add(time.Minute)})
	if e.Sends != 0 || !e.Due.Equal(t0.Add(time.Minute)) || !e.Chat || e.SubAccountID != "acme_wa" {
		t.Fatalf("orphan %+v", e)
	}
	s.RecordSend(outcome.Send{SubAccountID: "acme_wa", ClientMessageID: "m4", UMID: "u4", Chat: true, State: outcome.Accepted, Attempts: 1, At: t0.Add(time.Second)})
	flush(t, s)
	e, _, _ = s.AddReceipt(ctx, dlr.Update{ClientMessageID: "m4", Copy: sentCopy("u4", t0.Add(2*time.Second)), At: t0.Add(2 * time.Second)})
	if e.Sends != 1 || len(e.Copies) != 1 || e.Copies[0].State != envelope.StateSent || !e.Due.Equal(t0.Add(time.Second)) || !e.SentAt.Equal(t0.Add(time.Second)) {
		t.Errorf("orphan after its send: %+v", e)
	}
}

func TestStoreDueLeaseResolve(t *testing.T) {
	srv, f := start(t)
	s := newStore(t, srv.Addr, Config{TTL: time.Hour, Linger: time.Minute})
	ctx := context.Background()
	t0 := f.Now()
	for i := range 5 {
		s.RecordSend(accepted("m"+strconv.Itoa(i), "u"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Second)))
	}
	flush(t, s)
	if d, _ := s.Due(ctx, t0.Add(time.Hour-time.Second), time.Minute, 10); len(d) != 0 {
		t.Fatalf("due before the TTL: %d", len(d))
	}
	d, err := s.Due(ctx, t0.Add(time.Hour+2*time.Second), time.Minute, 2)
	if err != nil || len(d) != 2 || d[0].ClientMessageID != "m0" || d[1].ClientMessageID != "m1" || d[0].Copies[0].UMID != "u0" {
		t.Fatalf("due %+v %v, want m0 and m1", d, err)
	}
	if d, _ = s.Due(ctx, t0.Add(time.Hour+2*time.Second), time.Minute, 10); len(d) != 1 || d[0].ClientMessageID != "m2" {
		t.Fatalf("due %+v, want m2 only (m0, m1 leased)", d)
	}
	if err := s.Schedule(ctx, "m4", t0); err != nil {
		t.Fatal(err)
	}
	if d, _ = s.Due(ctx, t0.Add(time.Second), time.Minute, 10); len(d) != 1 || d[0].ClientMessageID != "m4" {
		t.Fatalf("after Schedule: %+v", d)
	}
	now := t0.Add(time.Hour + 3*time.Second)
	if ok, err := s.Resolve(ctx, "m0", dlr.VerdictNone, dlr.VerdictDelivered, now); !ok || err != nil {
		t.Fatalf("first Resolve: %v %v", ok, err)
	}
	if ok, _ := s.Resolve(ctx, "m0", dlr.VerdictNone, dlr.VerdictDelivered, now); ok {
		t.Fatal("second Resolve of the same verdict succeeded")
	}
	if ok, _ := s.Resolve(ctx, "m0", dlr.VerdictDelivered, dlr.VerdictDuplicate, now); !ok {
		t.Fatal("revising the verdict failed")
	}
	_ = s.Schedule(ctx, "m0", t0) // a resolved entry is not scheduled again
	d, _ = s.Due(ctx, now.Add(time.Hour), time.Minute, 10)
	for _, e := range d {
		if e.ClientMessageID == "m0" {
			t.Fatal("a resolved entry is due")
		}
	}
	e, _, _ := s.AddReceipt(ctx, dlr.Update{ClientMessageID: "m0", Copy: sentCopy("u0", now), At: now})
	if e.Reported != dlr.VerdictDuplicate || e.Sends != 1 || !e.Due.IsZero() {
		t.Errorf("resolved entry %+v", e)
	}
	// Sent again: reopened.
	s.RecordSend(accepted("m0", "u0b", now))
	flush(t, s)
	e, _, _ = s.AddReceipt(ctx, dlr.Update{ClientMessageID: "m0", Copy: sentCopy("u0b", now), At: now})
	if e.Reported != dlr.VerdictNone || e.Sends != 2 || len(e.Copies) != 2 || !e.Due.Equal(now.Add(time.Hour)) {
		t.Errorf("reopened entry %+v", e)
	}
	if err := s.Forget(ctx, "m0"); err != nil {
		t.Fatal(err)
	}
	if e, _, _ := s.AddReceipt(ctx, dlr.Update{ClientMessageID: "m0", Copy: sentCopy("u0b", now), At: now, OrphanDue: now}); e.Sends != 0 {
		t.Errorf("forgotten entry still held: %+v", e)
	}
}

// Redis's merge of a receipt into a copy is Copy.Merge, for every pair of
// states a copy can hold.
func TestMergeMatchesCopyMerge(t *testing.T) {
	srv, f := start(t)
	s := newStore(t, srv.Addr, Config{})
	ctx := context.Background()
	t0 := f.Now()
	var cs []dlr.Copy
	for _, sd := range []struct {
		s envelope.State
		d envelope.Detail
	}{{"", ""}, {envelope.StateQueued, ""}, {envelope.StateSent, ""}, {envelope.StateDelivered, envelope.DetailDeliveredToOperator},
		{envelope.StateDelivered, ""}, {envelope.StateDelivered, envelope.DetailDeliveredToRecipient}, {envelope.StateUndelivered, envelope.DetailRejectedByOperator},
		{envelope.StateRejected, ""}, {envelope.StateFailed, ""}, {envelope.StateRead, ""}, {"SENT", ""}, {"weird|state\x1f", "x|y"}} {
		for _, ts := range []time.Time{{}, t0, t0.Add(time.Second)} {
			cs = append(cs, dlr.Copy{UMID: "u", State: sd.s, Detail: sd.d, Timestamp: ts, ErrorCode: 7})
		}
	}
	n := 0
	for i, old := range cs {
		if old.State == "" && !old.Timestamp.IsZero() {
			continue
		}
		for j, nw := range cs {
			if nw.State == "" {
				continue // a receipt always has a state
			}
			cmid := "p" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
			if old.State == "" {
				s.RecordSend(accepted(cmid, "u", t0))
				flush(t, s)
			} else if _, _, err := s.AddReceipt(ctx, dlr.Update{ClientMessageID: cmid, Copy: old, At: t0, OrphanDue: t0}); err != nil {
				t.Fatal(err)
			}
			e, ch, err := s.AddReceipt(ctx, dlr.Update{ClientMessageID: cmid, Copy: nw, At: t0, OrphanDue: t0})
			if err != nil {
				t.Fatal(err)
			}
			want, wch := old.Merge(nw)
			got := e.Copies[0]
			if want.State == "weird|state\x1f" {
				want.State = "weird|state?"
			}
			if ch != wch || got.State != want.State || got.Detail != want.Detail || !got.Timestamp.Equal(want.Timestamp) || got.ErrorCode != want.ErrorCode {
				t.Errorf("%+v then %+v: Redis %+v (changed %v), Copy.Merge %+v (%v)", old, nw, got, ch, want, wch)
			}
			n++
		}
	}
	t.Logf("%d pairs", n)
}

// RecordSend never waits on Redis: with Redis gone, sends are dropped or
// fail in the background, and the other methods fail within their
// context.
func TestStoreRedisDown(t *testing.T) {
	srv, f := start(t)
	if srv.External() {
		t.Fatal("this test kills the server; unset REDIS_ADDR")
	}
	s := newStore(t, srv.Addr, Config{QueueSize: 10, Timeout: 200 * time.Millisecond})
	srv.Kill()
	begin := time.Now()
	for i := range 1000 {
		s.RecordSend(accepted("m"+strconv.Itoa(i), "u", f.Now()))
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("1000 RecordSend calls took %v with Redis down", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, _, err := s.AddReceipt(ctx, dlr.Update{ClientMessageID: "m1", Copy: sentCopy("u", f.Now()), At: f.Now()}); err == nil {
		t.Error("AddReceipt succeeded with Redis down")
	}
	flush(t, s)
	st := s.Stats()
	if st.Recorded != 0 || st.Dropped+st.Failed != 1000 || st.Dropped == 0 {
		t.Errorf("stats %+v, want every send dropped or failed", st)
	}
	cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer ccancel()
	if err := s.Close(cctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Due(cctx, f.Now(), time.Second, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Due after Close: %v", err)
	}
}

func TestNewRefuses(t *testing.T) {
	if _, err := New(Config{}); !errors.Is(err, ErrNoClient) {
		t.Errorf("no client: %v", err)
	}
	if _, err := New(Config{Client: newRedis(t, "127.0.0.1:1"), TTL: -1}); !errors.As(err, new(*dlr.ConfigError)) {
		t.Errorf("negative TTL: %v", err)
	}
}

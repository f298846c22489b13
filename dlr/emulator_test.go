package dlr

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/envelope"
)

// TestEmulatorLoop runs the emulator's receipts into a Receiver over
// loopback: a seeded fault run where some sends are accepted-then-500 and
// resent (a duplicate copy with its own umid), a receiver that fails its
// first requests (8x8's redelivery schedule, scaled, brings them back),
// undelivered outcomes with error codes and late repeats. Every accepted
// copy must end at the emulator's planned final state, every duplicate
// must show up as a second umid for its clientMessageId, and nothing may
// be lost.
func TestEmulatorLoop(t *testing.T) {
	var (
		mu   sync.Mutex
		last = map[string]Receipt{} // umid -> latest receipt handed over
	)
	rv, err := New(Config{Authorization: []string{"Bearer hook-secret"}, Workers: 2, OnReceipt: func(r Receipt) {
		mu.Lock()
		if prev, ok := last[r.UMID]; ok && r.Rank() <= prev.Rank() && !r.Timestamp.After(prev.Timestamp) {
			t.Errorf("%s: %s after %s", r.UMID, r.State, prev.State)
		}
		last[r.UMID] = r
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int64
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refused.Add(1) <= 6 { // the receiver is down for its first calls
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		rv.ServeHTTP(w, r)
	}))
	defer hook.Close()
	defer rv.Shutdown(t.Context())

	script := make([]emulator.Fault, 40)
	for i := 3; i < len(script); i += 5 {
		script[i].Kind = emulator.FaultAcceptedThen500
	}
	em := emulatortest.Start(t, emulator.Config{APIKey: "k", Seed: 42, Script: script, DLR: emulator.DLR{
		URL: hook.URL, Authorization: "Bearer hook-secret", Delay: 5 * time.Second, Undelivered: 0.3,
		ErrorCodes: []int{46, 15}, Repeat: 0.5, Scale: 0.002,
	}})
	send := func(path, body string) int {
		req, _ := http.NewRequest(http.MethodPost, em.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer k")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const msgs = 30
	for i := range msgs {
		id := "loop-" + strconv.Itoa(i)
		body := `{"destination":"+659123` + strconv.Itoa(4000+i) + `","text":"hi","clientMessageId":"` + id + `"}`
		if i%3 == 0 {
			body = `{"user":{"msisdn":"+659876` + strconv.Itoa(4000+i) + `"},"type":"text","content":{"text":"hi"},"clientMessageId":"` + id + `"}`
		}
		for attempt := 0; ; attempt++ { // at least once: resend the same clientMessageId on a 500
			st := send("/api/v1/subaccounts/acme_hq/messages", body)
			if st == http.StatusOK {
				break
			}
			if st != http.StatusInternalServerError || attempt > 3 {
				t.Fatalf("%s: status %d", id, st)
			}
		}
	}

	deadline := time.Now().Add(20 * time.Second)
	for {
		es, rs := em.Stats().DLR, rv.Stats()
		if es.Pending == 0 && rs.Requests == uint64(es.Posted) && rs.Queued == 0 && outcomes(rs) == rs.Requests {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled: emulator %+v, receiver %+v", es, rs)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := rv.Shutdown(t.Context()); err != nil { // the last callbacks finish
		t.Fatal(err)
	}
	es, rs := em.Stats().DLR, rv.Stats()
	recs := em.DLRRecords()
	dups := em.Ledger().Duplicates()
	if len(recs) != msgs+dups || dups < 3 || es.Lost != 0 || es.Failed < 6 || refused.Load() < 6 {
		t.Fatalf("%d records for %d messages + %d duplicates; emulator %+v", len(recs), msgs, dups, es)
	}
	mu.Lock()
	defer mu.Unlock()
	umidsOf := map[string]map[string]bool{}
	undelivered := 0
	for _, rec := range recs {
		r, ok := last[rec.UMID]
		if !ok {
			t.Errorf("%s copy %d (%s): no receipt", rec.ClientMessageID, rec.Copy, rec.UMID)
			continue
		}
		if string(r.State) != rec.Final || int(r.ErrorCode) != rec.ErrorCode || !r.Final() || r.ClientMessageID != rec.ClientMessageID {
			t.Errorf("%s: ends %s/%d, emulator planned %s/%d", rec.UMID, r.State, r.ErrorCode, rec.Final, rec.ErrorCode)
		}
		if r.State == envelope.StateUndelivered {
			undelivered++
		}
		if umidsOf[rec.ClientMessageID] == nil {
			umidsOf[rec.ClientMessageID] = map[string]bool{}
		}
		umidsOf[rec.ClientMessageID][r.UMID] = true
	}
	for id, umids := range umidsOf {
		if n := em.Ledger().Count("acme_hq", id); len(umids) != n {
			t.Errorf("%s: receipts for %d umids, the ledger accepted it %d times", id, len(umids), n)
		}
	}
	if undelivered == 0 || rs.Stale == 0 || rs.Unauthorized != 0 || rs.Malformed != 0 {
		t.Errorf("%d undelivered, receiver %+v", undelivered, rs)
	}
	t.Logf("%d copies (%d duplicates), %d undelivered; emulator %+v; receiver %+v", len(recs), dups, undelivered, es, rs)
}

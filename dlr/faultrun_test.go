package dlr_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/dlr"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
)

// plannedVerdict is the verdict the emulator's planned receipts of one
// clientMessageId's copies must resolve to.
func plannedVerdict(recs []emulator.DLRRecord) (dlr.Verdict, int) {
	delivered := 0
	for _, r := range recs {
		if r.Final == "delivered" {
			delivered++
		}
	}
	switch {
	case delivered >= 2:
		return dlr.VerdictDuplicate, delivered
	case delivered == 1:
		return dlr.VerdictDelivered, 1
	case len(recs) > 0:
		return dlr.VerdictFailed, 0
	}
	return dlr.VerdictNone, 0
}

// ambiguousErr reports whether a send error says the message may have
// been accepted.
func ambiguousErr(err error) bool {
	var (
		a *client.APIError
		s *client.SendError
		r *client.ResponseError
	)
	switch {
	case errors.As(err, &a):
		return a.Ambiguous
	case errors.As(err, &s):
		return s.Ambiguous
	case errors.As(err, &r):
		return r.Ambiguous
	}
	return false
}

// TestFaultRunResolvedOverSockets closes the whole loop on loopback: a
// client (at least once, its outcomes recorded in a MemoryStore) sends a
// seeded fault run to the emulator (accepted-then-500s that duplicate,
// resets after the body that leave a send ambiguous, random 500s and
// 503s), the emulator posts its receipts (undelivered outcomes, late
// repeats) to a Receiver that fails its first calls (8x8's redelivery
// schedule, scaled, brings them back), and a Reconciler resolves the sends.
// Every ambiguous send must be resolved to what the emulator's ledger and
// planned receipts say, and so must every other send. Then a hostile
// webhook — every authentic body again in reverse order (redelivered and
// reordered), forged receipts with a wrong or no Authorization, a huge body,
// garbage — must change no verdict and report nothing again.
func TestFaultRunResolvedOverSockets(t *testing.T) {
	const secret = "Bearer fault-run-hook"
	store, err := dlr.NewMemoryStore(dlr.MemoryConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		resolved = map[string]dlr.Resolution{}
		reports  atomic.Int64
	)
	rec, err := dlr.NewReconciler(dlr.ReconcilerConfig{Store: store, Settle: 300 * time.Millisecond, Interval: 20 * time.Millisecond,
		OnResolve: func(r dlr.Resolution) {
			reports.Add(1)
			mu.Lock()
			resolved[r.ClientMessageID] = r
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go rec.Run(ctx)
	rv, err := dlr.New(dlr.Config{Authorization: []string{secret}, Workers: 2, OnReceipt: rec.OnReceipt})
	if err != nil {
		t.Fatal(err)
	}
	defer rv.Shutdown(context.Background())

	var (
		bodyMu  sync.Mutex
		bodies  [][]byte // every authentic receipt body, in arrival order
		refused atomic.Int64
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == secret && r.Header.Get("X-Replay") == "" {
			if refused.Add(1) <= 8 { // the receiver is down for its first calls
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			b, _ := io.ReadAll(r.Body)
			bodyMu.Lock()
			bodies = append(bodies, b)
			bodyMu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		rv.ServeHTTP(w, r)
	}))
	defer hook.Close()

	script := make([]emulator.Fault, 200)
	for i := 1; i < len(script); i += 5 {
		script[i].Kind = emulator.FaultAcceptedThen500
	}
	for i := 3; i < len(script); i += 10 {
		script[i].Kind = emulator.FaultResetAfterBody
	}
	em := emulatortest.Start(t, emulator.Config{APIKey: "k", Seed: 16, Script: script,
		Faults: emulator.Faults{P500: 0.02, P503: 0.02},
		DLR: emulator.DLR{URL: hook.URL + "/8x8", Authorization: secret, Delay: time.Second, Undelivered: 0.3,
			ErrorCodes: []int{1, 15, 46}, Repeat: 0.5, Scale: 0.01}})
	c, err := client.New(client.Config{APIKey: "k", BaseURL: em.URL(), Outcomes: store})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	const msgs = 120
	type sent struct {
		sub, id   string
		ambiguous bool
	}
	sends := make([]sent, msgs)
	var wg sync.WaitGroup
	for i := range msgs {
		wg.Go(func() {
			sub := "tenant-" + strconv.Itoa(i%3)
			id := "fr-" + strconv.Itoa(i)
			res, err := c.SendSMS(t.Context(), sub, client.SMS{Destination: "+6591" + strconv.Itoa(100000+i), Text: "hi", ClientMessageID: id})
			amb := res.Ambiguous
			if err != nil {
				amb = ambiguousErr(err)
			}
			sends[i] = sent{sub, id, amb}
		})
		if i%8 == 7 {
			wg.Wait()
		}
	}
	wg.Wait()

	planned := map[string][]emulator.DLRRecord{}
	// Settled: the emulator has posted everything, the receiver handed it
	// over, and every send with a copy is resolved (the settle time passed).
	deadline := time.Now().Add(30 * time.Second)
	for {
		es, rs := em.Stats().DLR, rv.Stats()
		clear(planned)
		for _, r := range em.DLRRecords() {
			planned[r.ClientMessageID] = append(planned[r.ClientMessageID], r)
		}
		mu.Lock()
		n := 0
		for id := range planned {
			if _, ok := resolved[id]; ok {
				n++
			}
		}
		mu.Unlock()
		if es.Pending == 0 && rs.Queued == 0 && n == len(planned) && store.Stats().Open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled: %d of %d resolved, %d open; emulator %+v; receiver %+v", n, len(planned), store.Stats().Open, es, rs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(400 * time.Millisecond) // a settle time for a revision that would still come

	check := func(phase string) map[string]dlr.Verdict {
		mu.Lock()
		defer mu.Unlock()
		verdicts := map[string]dlr.Verdict{}
		ambiguous, dups, failed := 0, 0, 0
		for _, s := range sends {
			recs := planned[s.id]
			want, delivered := plannedVerdict(recs)
			got, ok := resolved[s.id]
			if n := em.Ledger().Count(s.sub, s.id); n != len(recs) {
				t.Fatalf("%s: ledger %d copies, %d receipt plans", s.id, n, len(recs))
			}
			if !ok {
				t.Errorf("%s %s (ambiguous %v, %d copies): not resolved", phase, s.id, s.ambiguous, len(recs))
				continue
			}
			umids := make([]string, 0, len(got.Copies))
			for _, cp := range got.Copies {
				umids = append(umids, cp.UMID)
			}
			var wantUMIDs, codes []string
			for _, r := range recs {
				wantUMIDs = append(wantUMIDs, r.UMID)
				codes = append(codes, strconv.Itoa(r.ErrorCode))
			}
			slices.Sort(umids)
			slices.Sort(wantUMIDs)
			if got.Verdict != want || got.Delivered != delivered || !slices.Equal(umids, wantUMIDs) || got.Ambiguous != s.ambiguous {
				t.Errorf("%s %s: %s (%d delivered, umids %v, ambiguous %v); ledger says %s (%d, %v, %v)",
					phase, s.id, got.Verdict, got.Delivered, umids, got.Ambiguous, want, delivered, wantUMIDs, s.ambiguous)
			}
			if want == dlr.VerdictFailed && (!slices.Contains(codes, strconv.Itoa(int(got.ErrorCode))) || got.Reason == "") {
				t.Errorf("%s %s: failed with %d %q; planned codes %v", phase, s.id, got.ErrorCode, got.Reason, codes)
			}
			verdicts[s.id] = got.Verdict
			if s.ambiguous {
				ambiguous++
			}
			switch got.Verdict {
			case dlr.VerdictDuplicate:
				dups++
			case dlr.VerdictFailed:
				failed++
			}
		}
		if ambiguous < 20 || dups < 5 || failed < 10 {
			t.Fatalf("%s: the fault run made %d ambiguous sends, %d duplicates, %d failed: too few to prove anything", phase, ambiguous, dups, failed)
		}
		return verdicts
	}
	before := check("run")
	reportsBefore, rsBefore := reports.Load(), rv.Stats()

	// The hostile webhook.
	post := func(auth string, body []byte, replay bool) int {
		req, _ := http.NewRequest(http.MethodPost, hook.URL+"/8x8", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		if replay {
			req.Header.Set("X-Replay", "1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0 // an oversize body may be cut off with the connection
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	bodyMu.Lock()
	replay := slices.Clone(bodies)
	bodyMu.Unlock()
	slices.Reverse(replay) // redelivered, and each message's states in reverse order
	forged := 0
	for i, b := range replay {
		if st := post(secret, b, true); st != http.StatusOK {
			t.Fatalf("replay: %d", st)
		}
		if i%4 == 0 { // forged: a final state flipped, without the secret
			f := bytes.ReplaceAll(b, []byte(`"delivered"`), []byte(`"undelivered"`))
			f = bytes.ReplaceAll(f, []byte(`"undelivered_to_recipient"`), []byte(`"delivered_to_recipient"`))
			for _, auth := range []string{"", "Bearer wrong", secret[:len(secret)-1], strings.ToLower(secret)} {
				if st := post(auth, f, true); st != http.StatusUnauthorized {
					t.Fatalf("forged receipt with Authorization %q: %d, want 401", auth, st)
				}
				forged++
			}
		}
	}
	huge := append([]byte(`{"namespace":"SMS","eventType":"outbound_message_status_changed","payload":{"umid":"`), bytes.Repeat([]byte("a"), 4<<20)...)
	post(secret, huge, true)
	if st := post("Bearer wrong", huge, true); st != http.StatusUnauthorized && st != 0 {
		t.Errorf("huge body with a bad Authorization: %d", st)
	}
	forged++
	for _, g := range []string{"", "null", "{", "[1,2]", `{"namespace":"SMS","eventType":"outbound_message_status_changed","payload":{"umid":7}}`, strings.Repeat("{", 10000), "\x00\xff"} {
		if st := post(secret, []byte(g), true); st != http.StatusOK {
			t.Errorf("garbage %.20q: %d, want 200", g, st)
		}
	}

	deadline = time.Now().Add(10 * time.Second)
	for rv.Stats().Queued != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(400 * time.Millisecond) // settle and sweep, if anything had changed
	rs := rv.Stats()
	if rs.Unauthorized-rsBefore.Unauthorized < uint64(forged-1) || rs.Oversize == rsBefore.Oversize || rs.Malformed == rsBefore.Malformed ||
		rs.Receipts != rsBefore.Receipts {
		t.Errorf("receiver before the hostile calls %+v, after %+v (%d forged)", rsBefore, rs, forged)
	}
	after := check("after the hostile webhook")
	for id, v := range before {
		if after[id] != v {
			t.Errorf("%s: %s became %s", id, v, after[id])
		}
	}
	if n := reports.Load(); n != reportsBefore {
		t.Errorf("%d resolutions reported by the hostile webhook", n-reportsBefore)
	}
	st := rec.Stats()
	t.Logf("%d sends, %d copies; reconciler %+v; receiver %+v; emulator %+v", msgs, len(em.DLRRecords()), st, rs, em.Stats().DLR)
}

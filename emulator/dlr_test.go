package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hook is a webhook receiver for the emulator's receipts: it records each
// body and Authorization header, and answers fail(n) for the n-th request
// (0-based), 200 when fail is nil.
type hook struct {
	mu     sync.Mutex
	bodies []dlrEnvelope
	auth   []string
	at     []time.Time
	n      atomic.Int64
	fail   func(n int64) int
	srv    *httptest.Server
}

func newHook(t *testing.T, fail func(int64) int) *hook {
	h := &hook{fail: fail}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := h.n.Add(1) - 1
		if h.fail != nil {
			if code := h.fail(n); code != 200 {
				w.WriteHeader(code)
				return
			}
		}
		b, _ := io.ReadAll(r.Body)
		var e dlrEnvelope
		if err := json.Unmarshal(b, &e); err != nil {
			t.Errorf("receipt %q: %v", b, err)
		}
		h.mu.Lock()
		h.bodies = append(h.bodies, e)
		h.auth = append(h.auth, r.Header.Get("Authorization"))
		h.at = append(h.at, time.Now())
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) got() []dlrEnvelope {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]dlrEnvelope(nil), h.bodies...)
}

// quiet waits (in real time, at most 10 s) until s has no receipt pending.
func quiet(t *testing.T, s *Server) DLRStats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := s.Stats().DLR
		if st.Pending == 0 && st.Planned > 0 {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("receipts still pending: %+v", st)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDLRSMS(t *testing.T) {
	h := newHook(t, nil)
	s := start(t, Config{APIKey: testKey, DLR: DLR{URL: h.srv.URL, Authorization: "Bearer hook-secret"}})
	r := post(t, s, smsPath("acme_hq"), `{"destination":"+6591234567","text":"hello","source":"Acme","clientMessageId":"m-1"}`)
	var resp struct{ UMID string }
	decode(t, r, &resp)
	st := quiet(t, s)
	got := h.got()
	if st.Planned != 2 || st.Posted != 2 || len(got) != 2 || st.Attempts != 2 {
		t.Fatalf("stats %+v, %d receipts", st, len(got))
	}
	for i, want := range []string{"sent", "delivered"} {
		e := got[i]
		p := e.Payload
		if e.Namespace != "SMS" || e.EventType != "outbound_message_status_changed" || e.Version != 0 ||
			p.UMID != resp.UMID || p.ClientMessageID != "m-1" || p.SubAccountID != "acme_hq" || p.Destination != "+6591234567" ||
			p.Source != "Acme" || p.Status.State != want || !timestampRE.MatchString(p.Status.Timestamp) || p.SMSCount != 1 {
			t.Errorf("receipt %d: %+v", i, e)
		}
	}
	if p := got[1].Payload; p.Status.Detail != "delivered_to_recipient" || p.Price == nil || p.Price.Currency != "SGD" {
		t.Errorf("delivered receipt %+v", p)
	}
	if h.auth[0] != "Bearer hook-secret" {
		t.Errorf("Authorization %q", h.auth[0])
	}
	recs := s.DLRRecords()
	if len(recs) != 1 || recs[0].UMID != resp.UMID || recs[0].Final != "delivered" || recs[0].Posted != 2 || recs[0].Copy != 1 {
		t.Errorf("records %+v", recs)
	}
}

func TestDLRChatAndCallbackURL(t *testing.T) {
	account, own := newHook(t, nil), newHook(t, nil)
	s := start(t, Config{APIKey: testKey, DLR: DLR{URL: account.srv.URL}})
	post(t, s, smsPath("acme_wa"), `{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"hi"},
		"clientMessageId":"c-1","channels":[{"channel":"WhatsApp"}],"dlrCallbackUrl":"`+own.srv.URL+`/dlr"}`)
	post(t, s, smsPath("acme_wa"), `{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"hi"},
		"clientMessageId":"c-2","dlrCallbackUrl":"https://hooks.example.com/dlr"}`)
	st := quiet(t, s)
	got := own.got()
	if len(got) != 3 || len(account.got()) != 0 || st.Refused != 3 || st.Posted != 3 {
		t.Fatalf("own %d, account %d, stats %+v", len(got), len(account.got()), st)
	}
	for i, want := range []string{"queued", "sent", "delivered"} {
		e := got[i]
		if e.Version != 9 || e.Namespace != "ChatApps" || e.Payload.Channel != "whatsapp" ||
			e.Payload.User == nil || e.Payload.User.MSISDN != "+6598765432" || e.Payload.Status.State != want ||
			e.Payload.ClientMessageID != "c-1" || e.Payload.Price != nil {
			t.Errorf("receipt %d: %+v", i, e)
		}
	}
	if recs := s.DLRRecords(); len(recs) != 2 || recs[1].Lost != 3 || recs[1].Posted != 0 {
		t.Errorf("records %+v", recs)
	}
}

func TestDLRBatchAndDuplicates(t *testing.T) {
	h := newHook(t, nil)
	s := start(t, Config{APIKey: testKey, DLR: DLR{URL: h.srv.URL}})
	batch := `{"clientBatchId":"b-1","template":{"text":"hi","source":"Acme"},"messages":[
		{"destination":"+6591234567","clientMessageId":"d-1"},{"destination":"+6591234568","clientMessageId":"d-2"},
		{"destination":"bad","clientMessageId":"d-3"}]}`
	post(t, s, batchPath("acme_hq"), batch)
	post(t, s, smsPath("acme_hq"), `{"destination":"+6591234567","text":"hi","clientMessageId":"d-1"}`) // a duplicate
	st := quiet(t, s)
	recs := s.DLRRecords()
	if len(recs) != 3 || st.Posted != 6 {
		t.Fatalf("records %+v, stats %+v", recs, st)
	}
	umids := map[string]bool{}
	for _, r := range recs {
		umids[r.UMID] = true
	}
	if len(umids) != 3 || recs[2].ClientMessageID != "d-1" || recs[2].Copy != 2 {
		t.Errorf("records %+v", recs)
	}
	perUMID := map[string]int{}
	for _, e := range h.got() {
		perUMID[e.Payload.UMID]++
		if e.Payload.ClientMessageID != "d-1" && e.Payload.ClientMessageID != "d-2" {
			t.Errorf("receipt for %q", e.Payload.ClientMessageID)
		}
		if e.Payload.ClientMessageID == "d-2" && (e.Payload.ClientBatchID != "b-1" || e.Payload.BatchID == "") {
			t.Errorf("batch receipt without batch ids: %+v", e.Payload)
		}
	}
	for u, n := range perUMID {
		if n != 2 {
			t.Errorf("umid %s: %d receipts, want 2", u, n)
		}
	}
}

func TestDLRRedeliverySchedule(t *testing.T) {
	// Every receipt's first two POSTs get 500, so each is posted on the
	// third attempt, after 1 s and 10 s of 8x8's schedule (scaled by 0.01).
	var attempts sync.Map
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		v, _ := attempts.LoadOrStore(string(b), new(atomic.Int64))
		if v.(*atomic.Int64).Add(1) <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer failing.Close()
	s := start(t, Config{APIKey: testKey, DLR: DLR{URL: failing.URL, Scale: 0.01}})
	begin := time.Now()
	post(t, s, smsPath("acme_hq"), `{"destination":"+6591234567","text":"hi","clientMessageId":"r-1"}`)
	st := quiet(t, s)
	if elapsed := time.Since(begin); elapsed < 110*time.Millisecond {
		t.Errorf("posted after %v, before the scaled 1 s + 10 s", elapsed)
	}
	if st.Attempts != 6 || st.Failed != 4 || st.Posted != 2 || st.Lost != 0 {
		t.Errorf("stats %+v", st)
	}

	// A webhook that never answers 2xx loses each receipt after 1+4 attempts.
	down := newHook(t, func(int64) int { return http.StatusServiceUnavailable })
	s2 := start(t, Config{APIKey: testKey, DLR: DLR{URL: down.srv.URL, Scale: 0.0001}})
	post(t, s2, smsPath("acme_hq"), `{"destination":"+6591234567","text":"hi","clientMessageId":"r-2"}`)
	st2 := quiet(t, s2)
	if st2.Attempts != 10 || st2.Lost != 2 || st2.Posted != 0 || down.n.Load() != 10 {
		t.Errorf("stats %+v, %d requests", st2, down.n.Load())
	}
	if recs := s2.DLRRecords(); recs[0].Lost != 2 {
		t.Errorf("records %+v", recs)
	}
}

func TestDLRPlanSeeded(t *testing.T) {
	d := DLR{Delay: time.Second, Undelivered: 0.3, Repeat: 0.5, ErrorCodes: []int{46, 15}}
	a := accepted{sub: "acme_hq", clientMessageID: "p-1", copy: 1}
	first := d.plan(7, &a)
	for range 3 {
		again := d.plan(7, &a)
		if len(again) != len(first) {
			t.Fatalf("plans differ: %+v, %+v", first, again)
		}
		for i := range again {
			if again[i] != first[i] {
				t.Fatalf("plans differ: %+v, %+v", first, again)
			}
		}
	}
	undelivered, repeats := 0, 0
	for i := range 2000 {
		a := accepted{sub: "acme_hq", clientMessageID: "p-" + itoa(i), copy: 1}
		steps := d.plan(7, &a)
		if len(steps) == 3 {
			repeats++
			if steps[2] != (step{gap: steps[2].gap, state: "sent"}) {
				t.Fatalf("repeat %+v", steps[2])
			}
		}
		final := steps[1]
		if final.state == "undelivered" {
			undelivered++
			if final.errorCode != 46 && final.errorCode != 15 {
				t.Fatalf("error code %d", final.errorCode)
			}
		}
		for _, st := range steps {
			if st.gap < 0 || st.gap >= 2*time.Second {
				t.Fatalf("gap %v", st.gap)
			}
		}
	}
	if undelivered < 500 || undelivered > 700 || repeats < 900 || repeats > 1100 {
		t.Errorf("%d undelivered (want ~600), %d repeats (want ~1000) of 2000", undelivered, repeats)
	}
}

func TestDLRConfigErrors(t *testing.T) {
	for _, d := range []DLR{{URL: "ftp://x"}, {Delay: -1}, {Undelivered: 1.5}, {Repeat: -0.1}, {Scale: -1},
		{Workers: -1}, {Retry: []time.Duration{-1}}, {ErrorCodes: []int{-5}}, {Authorization: "a\r\nb"}, {MaxPending: -1}} {
		_, err := New(Config{DLR: d})
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("New(DLR %+v) = %v, want a *ConfigError", d, err)
		}
	}
}

func TestDLROffByDefault(t *testing.T) {
	s := start(t, Config{APIKey: testKey})
	post(t, s, smsPath("acme_hq"), `{"destination":"+6591234567","text":"hi","dlrCallbackUrl":"http://127.0.0.1:1/x"}`)
	if s.dlr != nil || s.Stats().DLR != (DLRStats{}) || s.DLRRecords() != nil {
		t.Errorf("receipts without Config.DLR: %+v", s.Stats().DLR)
	}
}

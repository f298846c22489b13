package client

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/outcome"
	"github.com/octosend/octosend/policy"
)

// outcomeLog collects what the client records.
type outcomeLog struct {
	mu    sync.Mutex
	sends []outcome.Send
}

func (r *outcomeLog) RecordSend(s outcome.Send) {
	r.mu.Lock()
	r.sends = append(r.sends, s)
	r.mu.Unlock()
}

func (r *outcomeLog) all() []outcome.Send {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]outcome.Send(nil), r.sends...)
}

// Each single send records one outcome with its clientMessageId,
// sub-account, umid (only when 8x8 gave one), state, Ambiguous flag,
// attempts and time; refused input records nothing.
func TestOutcomesSingleSend(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fault     emulator.FaultKind
		sem       policy.Semantics
		body      string // a scripted 200 body instead of the emulator
		state     outcome.State
		ambiguous bool
		attempts  int
		umid      bool
	}{
		{"accepted", emulator.FaultNone, policy.AtLeastOnce, "", outcome.Accepted, false, 1, true},
		{"accepted-after-429", emulator.Fault429, policy.AtLeastOnce, "", outcome.Accepted, false, 2, true},
		{"accepted-twice", emulator.FaultAcceptedThen500, policy.AtLeastOnce, "", outcome.Accepted, true, 2, true},
		{"ambiguous-failure", emulator.FaultAcceptedThen500, policy.AtMostOnce, "", outcome.Failed, true, 1, false},
		{"reset-after-body", emulator.FaultResetAfterBody, policy.AtMostOnce, "", outcome.Failed, true, 1, false},
		{"rejected", emulator.FaultNone, policy.AtLeastOnce, `{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":"m-rejected",` +
			`"status":{"code":"REJECTED","description":"Invalid MSISDN format"}}`, outcome.Rejected, false, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := clock.NewFake(t0)
			var base string
			if tc.body != "" {
				base = newTestServer(t, reply{status: 200, body: tc.body}).URL
			} else {
				base = emulatortest.Start(t, emulator.Config{APIKey: testKey, Script: []emulator.Fault{{Kind: tc.fault, RetryAfter: time.Second}}}).URL()
			}
			cfg := testConfig(base, f, 0)
			cfg.Policy = mustPolicy(t, policy.Config{Semantics: tc.sem})
			rec := &outcomeLog{}
			cfg.Outcomes = rec
			c := newClient(t, cfg)
			stop := autoAdvance(f, 100*time.Millisecond)
			defer stop()
			msg := sms1
			msg.ClientMessageID = "m-" + tc.name
			res, _ := c.SendSMS(context.Background(), "acme_hq", msg)
			got := rec.all()
			if len(got) != 1 {
				t.Fatalf("recorded %d outcomes, want 1: %+v", len(got), got)
			}
			s := got[0]
			if s.SubAccountID != "acme_hq" || s.ClientMessageID != msg.ClientMessageID || s.Chat {
				t.Errorf("recorded %+v, want sub-account acme_hq, clientMessageId %s, SMS", s, msg.ClientMessageID)
			}
			if s.State != tc.state || s.Ambiguous != tc.ambiguous || s.Attempts != tc.attempts {
				t.Errorf("recorded state %v ambiguous %v attempts %d, want %v %v %d", s.State, s.Ambiguous, s.Attempts, tc.state, tc.ambiguous, tc.attempts)
			}
			if (s.UMID != "") != tc.umid || s.UMID != res.UMID {
				t.Errorf("recorded umid %q, result umid %q, want one: %v", s.UMID, res.UMID, tc.umid)
			}
			if s.At.Before(t0) {
				t.Errorf("recorded at %v, before the fake clock's start %v", s.At, t0)
			}
		})
	}
}

func TestOutcomesNotRecordedWithoutAttempt(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	cfg := testConfig(srv.URL(), clock.NewFake(t0), 0)
	rec := &outcomeLog{}
	cfg.Outcomes = rec
	c := newClient(t, cfg)
	if _, err := c.SendSMS(context.Background(), "acme_hq", SMS{Destination: "+6591234567"}); err == nil {
		t.Fatal("an SMS without text was sent")
	}
	if _, err := c.SendSMS(context.Background(), "x", sms1); err == nil {
		t.Fatal("an invalid sub-account was accepted")
	}
	if got := rec.all(); len(got) != 0 {
		t.Errorf("recorded %+v for sends refused before any attempt", got)
	}
}

func TestOutcomesChat(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	cfg := testConfig(srv.URL(), clock.NewFake(t0), 0)
	rec := &outcomeLog{}
	cfg.Outcomes = rec
	c := newClient(t, cfg)
	res, err := c.SendChat(context.Background(), "acme_chat", Chat{ClientMessageID: "chat-1",
		User: ChatUser{MSISDN: "+6598765432"}, Content: ChatContent{Text: "Your order shipped"}})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.all()
	if len(got) != 1 || !got[0].Chat || got[0].State != outcome.Accepted || got[0].UMID != res.UMID || got[0].ClientMessageID != "chat-1" {
		t.Fatalf("recorded %+v, want one accepted chat message chat-1 with umid %s", got, res.UMID)
	}
}

// A batch records one outcome per message: accepted with its umid,
// rejected, and, for a chunk that failed after 8x8 may have taken it,
// failed and ambiguous without umid.
func TestOutcomesBatch(t *testing.T) {
	f := clock.NewFake(t0)
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	cfg := testConfig(srv.URL(), f, 0)
	rec := &outcomeLog{}
	cfg.Outcomes = rec
	c := newClient(t, cfg)
	b := Batch{
		Template: SMSTemplate{Text: "Flash sale today only!"},
		Messages: []SMS{
			{Destination: "+447700900123", ClientMessageID: "b-1"},
			{Destination: "12345", ClientMessageID: "b-2"},
			{Destination: "+447700900456", ClientMessageID: "b-3"},
		},
	}
	res, err := c.SendBatch(context.Background(), "acme_hq", b)
	if err != nil {
		t.Fatal(err)
	}
	got := rec.all()
	if len(got) != 3 {
		t.Fatalf("recorded %d outcomes, want 3", len(got))
	}
	want := []outcome.State{outcome.Accepted, outcome.Rejected, outcome.Accepted}
	for i, s := range got {
		if s.ClientMessageID != b.Messages[i].ClientMessageID || s.State != want[i] || s.UMID != res.Messages[i].UMID || s.UMID == "" || s.Ambiguous || s.Attempts != 1 {
			t.Errorf("outcome %d = %+v, want %s %v with umid %q", i, s, b.Messages[i].ClientMessageID, want[i], res.Messages[i].UMID)
		}
	}

	// A chunk 8x8 took but answered 500, under at-most-once: failed,
	// ambiguous, no umid.
	srv2 := emulatortest.Start(t, emulator.Config{APIKey: testKey, Script: []emulator.Fault{{Kind: emulator.FaultAcceptedThen500}}})
	cfg2 := testConfig(srv2.URL(), f, 0)
	cfg2.Policy = mustPolicy(t, policy.Config{Semantics: policy.AtMostOnce})
	rec2 := &outcomeLog{}
	cfg2.Outcomes = rec2
	c2 := newClient(t, cfg2)
	b.Messages = b.Messages[:1]
	if _, err := c2.SendBatch(context.Background(), "acme_hq", b); err == nil {
		t.Fatal("the batch succeeded through an accepted-then-500")
	}
	got = rec2.all()
	if len(got) != 1 || got[0].State != outcome.Failed || !got[0].Ambiguous || got[0].UMID != "" || got[0].ClientMessageID != "b-1" {
		t.Fatalf("recorded %+v, want b-1 failed and ambiguous without umid", got)
	}
}

package drivers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/bench/drivers"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
)

// settings are the benchmark's, with short backoffs so the tests are quick.
func settings() drivers.Settings {
	s := drivers.DefaultSettings()
	s.BaseDelay = 5 * time.Millisecond
	s.MaxDelay = 20 * time.Millisecond
	return s
}

func send(t *testing.T, spec drivers.Spec, cfg emulator.Config, m drivers.Message) (drivers.Outcome, *emulator.Server, time.Duration) {
	t.Helper()
	cfg.APIKey = "k"
	srv := emulatortest.Start(t, cfg)
	d, err := spec.New(drivers.Env{BaseURL: srv.URL(), APIKey: "k", SubAccount: "acme_hq", Transport: drivers.NewTransport(), Settings: settings()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	o := d.Send(ctx, m)
	return o, srv, time.Since(start)
}

var msg = drivers.Message{ID: "order-17", Destination: "+6591234567", Text: "hello"}

func retries(name string) bool { return name != "nethttp" }

// TestSameAttempts checks that every retrying driver makes exactly
// MaxAttempts requests against a server that keeps failing, and the bare
// loop one.
func TestSameAttempts(t *testing.T) {
	script := make([]emulator.Fault, 10)
	for i := range script {
		script[i] = emulator.Fault{Kind: emulator.Fault500}
	}
	for _, spec := range drivers.All() {
		t.Run(spec.Name, func(t *testing.T) {
			t.Parallel()
			o, srv, _ := send(t, spec, emulator.Config{Script: script}, msg)
			want := int64(settings().MaxAttempts)
			if !retries(spec.Name) {
				want = 1
			}
			if got := srv.Stats().Requests; got != want {
				t.Errorf("requests = %d, want %d", got, want)
			}
			if o.Accepted || o.Err == nil {
				t.Errorf("outcome = %+v, want a failure", o)
			}
			// go-retryablehttp hides the status when it gives up; the
			// others report the last 500.
			want500 := "HTTP 500"
			if spec.Name == "retryablehttp" || spec.Name == "assembled" {
				want500 = drivers.CauseRetriesExhausted
			}
			if got := o.Why(); got != want500 {
				t.Errorf("Why() = %q, want %q", got, want500)
			}
		})
	}
}

// TestBadNumberNotRetried checks that a 400 / 1002 ends the send at once,
// with the code reported.
func TestBadNumberNotRetried(t *testing.T) {
	bad := msg
	bad.Destination = "+123"
	for _, spec := range drivers.All() {
		t.Run(spec.Name, func(t *testing.T) {
			t.Parallel()
			o, srv, _ := send(t, spec, emulator.Config{}, bad)
			if got := srv.Stats().Requests; got != 1 {
				t.Errorf("requests = %d, want 1", got)
			}
			if o.Accepted || o.Status != 400 || o.Code != 1002 || !o.Permanent() || o.Why() != "HTTP 400/1002" {
				t.Errorf("outcome = %+v (why %q), want status 400, code 1002, permanent", o, o.Why())
			}
		})
	}
}

// TestRetryAfterHonoured checks that every retrying driver waits out a
// 429's Retry-After before its second attempt, and that the message then
// goes through once.
func TestRetryAfterHonoured(t *testing.T) {
	script := []emulator.Fault{{Kind: emulator.Fault429, RetryAfter: time.Second}}
	for _, spec := range drivers.All() {
		t.Run(spec.Name, func(t *testing.T) {
			t.Parallel()
			o, srv, took := send(t, spec, emulator.Config{Script: script}, msg)
			if !retries(spec.Name) {
				if o.Accepted || o.Status != 429 {
					t.Errorf("outcome = %+v, want a 429 failure", o)
				}
				return
			}
			if !o.Accepted || o.Err != nil {
				t.Fatalf("outcome = %+v, want accepted", o)
			}
			if got := srv.Stats().Requests; got != 2 {
				t.Errorf("requests = %d, want 2", got)
			}
			if took < time.Second {
				t.Errorf("send took %v, less than the Retry-After of 1s", took)
			}
			if n := srv.Ledger().Count("acme_hq", msg.ID); n != 1 {
				t.Errorf("ledger count = %d, want 1", n)
			}
		})
	}
}

// TestAmbiguousFlag checks that a send whose every attempt was accepted and
// then answered 500 ends failed, and that only octosend flags it as
// possibly accepted; a refused number is not ambiguous.
func TestAmbiguousFlag(t *testing.T) {
	script := make([]emulator.Fault, 10)
	for i := range script {
		script[i] = emulator.Fault{Kind: emulator.FaultAcceptedThen500}
	}
	for _, spec := range drivers.All() {
		t.Run(spec.Name, func(t *testing.T) {
			t.Parallel()
			o, srv, _ := send(t, spec, emulator.Config{Script: script}, msg)
			if o.Accepted || srv.Ledger().Count("acme_hq", msg.ID) == 0 {
				t.Fatalf("outcome = %+v, ledger %d; want a failure the ledger holds", o, srv.Ledger().Count("acme_hq", msg.ID))
			}
			if want := strings.HasPrefix(spec.Name, "octosend"); o.Ambiguous != want {
				t.Errorf("Ambiguous = %v, want %v", o.Ambiguous, want)
			}
		})
	}
	for _, spec := range drivers.All()[:2] {
		bad := msg
		bad.Destination = "+123"
		if o, _, _ := send(t, spec, emulator.Config{}, bad); o.Ambiguous {
			t.Errorf("%s: a refused number is flagged ambiguous", spec.Name)
		}
	}
}

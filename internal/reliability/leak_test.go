package reliability

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/policy"
)

// TestMain fails the package if any goroutine outlives its tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// noLeaks makes the test fail if a goroutine started during it is still
// running once every cleanup registered after this call has run (the
// servers' and clients'). Tests using it must not run in parallel.
func noLeaks(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// TestNoLeakAfterClose: a client that sent through faults (resets,
// latency, 5xx) leaves no goroutine behind once it and its server are
// closed.
func TestNoLeakAfterClose(t *testing.T) {
	noLeaks(t)
	srv := emulatortest.Start(t, emulator.Config{APIKey: canaryKey, Seed: 3, Faults: emulator.Faults{
		P500: 0.1, PResetBefore: 0.05, PResetAfter: 0.05, PAcceptedThenReset: 0.05, PLatency: 0.1,
		LatencyMax: 5 * time.Millisecond,
	}})
	obs := newObserver(t)
	c := obs.newClient(client.Config{BaseURL: srv.URL(), Clock: newJumpClock()})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				obs.sendSMS(c, context.Background(), "leak-tenant", sms(g*100+i, ""))
			}
		})
	}
	wg.Wait()
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestNoLeakAfterCancel cancels sends at every place one can wait: in the
// backoff between attempts, in a request the server never answers, in the
// tenant's pause after a 429, and by deadline. Each send returns at once
// with a typed error that matches the context's error, and nothing is left
// running afterwards.
func TestNoLeakAfterCancel(t *testing.T) {
	noLeaks(t)
	release := make(chan struct{})
	var once sync.Once
	arrived := make(chan string, 64)
	ts, _ := hostileServer(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- r.URL.Path
		switch statusOf(r) {
		case 500:
			w.WriteHeader(500)
		case 429:
			w.Header().Set("Retry-After", "20")
			w.WriteHeader(429)
		default: // hang until the client gives up or the test ends
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
	})
	// Registered after the server's cleanup, so it runs first: hanging
	// handlers return before the server waits for them.
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	waitArrival := func(suffix string) {
		t.Helper()
		for {
			select {
			case p := <-arrived:
				if strings.HasSuffix(p, suffix) {
					return
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("no request for %s arrived", suffix)
			}
		}
	}
	obs := newObserver(t)
	// Long backoffs on the real clock: only a cancellation can end them.
	pol := mustPolicy(t, policy.Config{Retry: policy.Retry{
		BaseDelay: 10 * time.Second, MaxDelay: 10 * time.Second, AttemptTimeout: time.Minute, Deadline: time.Hour,
		RetryAfterCeiling: time.Minute,
	}})
	c := obs.newClient(client.Config{BaseURL: ts.URL, Policy: pol, Rand: half})

	type result struct{ err error }
	send := func(ctx context.Context, tenant string) chan result {
		ch := make(chan result, 1)
		go func() {
			_, err := obs.sendSMS(c, ctx, tenant, sms(1, ""))
			ch <- result{err}
		}()
		return ch
	}
	wait := func(ch chan result) error {
		t.Helper()
		select {
		case r := <-ch:
			return r.err
		case <-time.After(30 * time.Second):
			t.Fatal("a canceled send did not return")
			return nil
		}
	}
	isCtx := func(name string, err, want error) {
		t.Helper()
		if !errors.Is(err, want) || !typedErr(err) {
			t.Errorf("%s: err = %v (%T), want a typed error matching %v", name, err, err, want)
		}
	}

	// In the backoff after a 500.
	ctx, cancel := context.WithCancel(context.Background())
	ch := send(ctx, "s500")
	waitArrival("s500/messages")
	time.Sleep(20 * time.Millisecond) // let it reach the backoff wait
	cancel()
	isCtx("backoff", wait(ch), context.Canceled)

	// In a request the server never answers.
	ctx, cancel = context.WithCancel(context.Background())
	ch = send(ctx, "s200")
	waitArrival("s200/messages")
	cancel()
	isCtx("in flight", wait(ch), context.Canceled)

	// In the tenant's pause after a 429 with Retry-After: 20.
	ctx, cancel = context.WithCancel(context.Background())
	ch = send(ctx, "s429")
	waitArrival("s429/messages")
	time.Sleep(20 * time.Millisecond)
	cancel()
	isCtx("pause", wait(ch), context.Canceled)
	// The tenant is still paused: a second send waits in the limiter.
	ctx, cancel = context.WithCancel(context.Background())
	ch = send(ctx, "s429")
	time.Sleep(20 * time.Millisecond)
	cancel()
	isCtx("limiter", wait(ch), context.Canceled)

	// By deadline, in flight.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	ch = send(ctx, "s200")
	isCtx("deadline", wait(ch), context.DeadlineExceeded)
	cancel()

	// A batch, in flight.
	ctx, cancel = context.WithCancel(context.Background())
	bch := make(chan error, 1)
	go func() {
		_, err := c.SendBatch(ctx, "s200", client.Batch{Template: client.SMSTemplate{Text: canaryText}, Destinations: []string{phone(1), phone(2)}})
		obs.err("SendBatch", err)
		bch <- err
	}()
	waitArrival("s200/messages/batch")
	cancel()
	select {
	case err := <-bch:
		isCtx("batch", err, context.Canceled)
	case <-time.After(30 * time.Second):
		t.Fatal("a canceled batch did not return")
	}
	once.Do(func() { close(release) })
	c.Close()
}

// TestCancelAfterWriteIsAmbiguous: a send canceled (or timed out by its
// context) after the whole request reached the server may have been
// accepted: the server below records the message, then never answers. The
// error must say so (Ambiguous), or the caller may resend a delivered SMS.
// (Reported by the CLI engineer in BUGS.md, "client (from the CLI
// engineer)".)
func TestCancelAfterWriteIsAmbiguous(t *testing.T) {
	t.Parallel()
	got := make(chan struct{}, 4)
	ts, _ := hostileServer(t, func(w http.ResponseWriter, r *http.Request) {
		got <- struct{}{} // the body was read: the message is "accepted"
		<-r.Context().Done()
	})
	obs := newObserver(t)
	c := obs.newClient(client.Config{BaseURL: ts.URL, Clock: newJumpClock()})
	for _, name := range []string{"cancel", "deadline"} {
		t.Run(name, func(t *testing.T) {
			var (
				ctx    context.Context
				cancel context.CancelFunc
			)
			if name == "cancel" {
				ctx, cancel = context.WithCancel(context.Background())
				go func() { <-got; cancel() }()
			} else {
				ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
				go func() { <-got }()
			}
			defer cancel()
			_, err := obs.sendSMS(c, ctx, "acme_hq", sms(1, ""))
			if err == nil || !typedErr(err) {
				t.Fatalf("err = %v, want a typed error", err)
			}
			if !ambiguousErr(err) {
				t.Errorf("the server had the whole request when the send ended (%s), but the error is not flagged Ambiguous: %v", name, err)
			}
		})
	}
}

package reliability

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/octosend/octosend/client"
)

// The secrets every scenario runs with. Whatever a client logs, returns or
// hands to a hook is scanned for them.
const (
	// canaryKey is the API key of every client in this package.
	canaryKey = "sk-LEAKCANARY-1234567890"
	// keyMarker is the part of the key searched for, so a truncated or
	// partly redacted key is caught too.
	keyMarker = "LEAKCANARY"
	// canaryText starts the text of every message sent in this package.
	canaryText = "TEXTCANARY your one-time code is 271828"
	textMarker = "TEXTCANARY"
)

// phonePrefix starts every destination used in this package: each is
// +447700 and six digits. hasPhone finds one, with or without the plus; a
// masked number (+44*******12) does not match.
const phonePrefix = "447700"

// hasPhone reports whether s holds phonePrefix followed by six digits. It
// allocates nothing (a regexp would), so scanning does not distort the
// heap measurements of the hostile-server tests.
func hasPhone(s string) bool {
	for {
		i := strings.Index(s, phonePrefix)
		if i < 0 {
			return false
		}
		s = s[i+len(phonePrefix):]
		n := 0
		for n < 6 && n < len(s) && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		if n == 6 {
			return true
		}
	}
}

// phone returns the i-th test destination, "+447700" and six digits.
func phone(i int) string { return fmt.Sprintf("+447700%06d", i%1_000_000) }

// leakOf names the secret s holds, or "" when it holds none.
func leakOf(s string) string {
	switch {
	case strings.Contains(s, keyMarker):
		return "the API key"
	case strings.Contains(s, textMarker):
		return "the message text"
	case hasPhone(s):
		return "a full phone number"
	}
	return ""
}

// observer is the logger and the hooks of a client under test. It scans
// every log record, every hook payload (fmt %+v and %#v, and the error's
// Error, %+v and %#v) and every error or panic handed to it for the
// secrets above, and fails the test at its end if any was found. It also
// counts what it saw, so a test can prove the scan was not vacuous.
type observer struct {
	t     testing.TB
	mu    sync.Mutex
	leaks []string // the first few violations, for the report
	nLeak int

	logLines atomic.Int64
	payloads atomic.Int64

	// onAttempt and onGiveUp, when set, also receive the events (for the
	// soak's accounting). Set them before the client is built.
	onAttempt func(client.Event)
	onGiveUp  func(client.Event)
	onBreaker func(client.BreakerEvent)
}

// newObserver returns an observer whose check runs when t ends.
func newObserver(t testing.TB) *observer {
	o := &observer{t: t}
	t.Cleanup(o.report)
	return o
}

func (o *observer) report() {
	o.t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, l := range o.leaks {
		o.t.Errorf("secret leaked: %s", l)
	}
	if o.nLeak > len(o.leaks) {
		o.t.Errorf("... and %d more leaks", o.nLeak-len(o.leaks))
	}
}

// scan records a leak when s holds a secret.
func (o *observer) scan(where, s string) {
	what := leakOf(s)
	if what == "" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.nLeak++
	if len(o.leaks) < 10 {
		if len(s) > 400 {
			s = s[:400] + "..."
		}
		o.leaks = append(o.leaks, fmt.Sprintf("%s in %s: %q", what, where, s))
	}
}

// err scans every rendering of err and of each error in its chain.
func (o *observer) err(where string, err error) {
	if err == nil {
		return
	}
	for depth := 0; err != nil && depth < 16; depth++ {
		o.scan(where+" Error()", err.Error())
		o.scan(where+" %v", fmt.Sprintf("%v", err))
		o.scan(where+" %+v", fmt.Sprintf("%+v", err))
		o.scan(where+" %#v", fmt.Sprintf("%#v", err))
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				o.err(where+" (joined)", e)
			}
			err = nil
		default:
			err = nil
		}
	}
}

// value scans fmt's renderings of v.
func (o *observer) value(where string, v any) {
	o.scan(where+" %v", fmt.Sprintf("%v", v))
	o.scan(where+" %+v", fmt.Sprintf("%+v", v))
	o.scan(where+" %#v", fmt.Sprintf("%#v", v))
}

// Write receives the slog handler's output, one record per call.
func (o *observer) Write(p []byte) (int, error) {
	o.logLines.Add(1)
	o.scan("log record", string(p))
	return len(p), nil
}

// logger is a debug-level logger writing through the observer, in both of
// slog's formats (text renders structs with %+v, JSON with their fields).
func (o *observer) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true}
	return slog.New(fanout{slog.NewTextHandler(o, opts), slog.NewJSONHandler(o, opts)})
}

func (o *observer) event(hook string, ev client.Event) {
	o.payloads.Add(1)
	o.value("hook "+hook, ev)
	o.err("hook "+hook+" Err", ev.Err)
}

// hooks returns Hooks that scan their payloads.
func (o *observer) hooks() client.Hooks {
	return client.Hooks{
		OnAttempt: func(ev client.Event) {
			o.event("OnAttempt", ev)
			if o.onAttempt != nil {
				o.onAttempt(ev)
			}
		},
		OnRetry:     func(ev client.Event) { o.event("OnRetry", ev) },
		OnThrottled: func(ev client.Event) { o.event("OnThrottled", ev) },
		OnGiveUp: func(ev client.Event) {
			o.event("OnGiveUp", ev)
			if o.onGiveUp != nil {
				o.onGiveUp(ev)
			}
		},
		OnBreakerStateChange: func(ev client.BreakerEvent) {
			o.payloads.Add(1)
			o.value("hook OnBreakerStateChange", ev)
			if o.onBreaker != nil {
				o.onBreaker(ev)
			}
		},
	}
}

// configure sets the canary key, the logger and the hooks on cfg.
func (o *observer) configure(cfg client.Config) client.Config {
	cfg.APIKey = canaryKey
	cfg.Logger = o.logger()
	cfg.Hooks = o.hooks()
	return cfg
}

// newClient builds a client for cfg with the canary key, the observer's
// logger and hooks, and closes it when the test ends.
func (o *observer) newClient(cfg client.Config) *client.Client {
	o.t.Helper()
	c, err := client.New(o.configure(cfg))
	if err != nil {
		o.t.Fatalf("client.New: %v", err)
	}
	o.t.Cleanup(func() { c.Close() })
	return c
}

// newClientKey is newClient with another key (which must hold keyMarker,
// so it is scanned for too).
func (o *observer) newClientKey(cfg client.Config, key string) *client.Client {
	o.t.Helper()
	if !strings.Contains(key, keyMarker) {
		o.t.Fatalf("key %q does not hold %q: a leak of it would go unseen", key, keyMarker)
	}
	cfg = o.configure(cfg)
	cfg.APIKey = key
	c, err := client.New(cfg)
	if err != nil {
		o.t.Fatalf("client.New: %v", err)
	}
	o.t.Cleanup(func() { c.Close() })
	return c
}

// guard runs f, turning a panic into a test failure after scanning its
// value for secrets.
func (o *observer) guard(where string, f func()) {
	o.t.Helper()
	defer func() {
		if p := recover(); p != nil {
			s := fmt.Sprintf("%v", p)
			o.scan("panic in "+where, s)
			o.t.Errorf("panic in %s: %s", where, s)
		}
	}()
	f()
}

// sendSMS sends msg through c under guard, scanning the error.
func (o *observer) sendSMS(c *client.Client, ctx context.Context, tenant string, msg client.SMS) (res client.Result, err error) {
	o.guard("SendSMS", func() { res, err = c.SendSMS(ctx, tenant, msg) })
	o.err("SendSMS error", err)
	o.value("SendSMS result", res)
	return res, err
}

// fanout sends each record to every handler.
type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}

package redisdlr

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/dlr"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/fleet/redistest"
	"github.com/octosend/octosend/outcome"
)

// These tests run against a real redis-server (fleet/redistest: skipped
// without one unless OCTOSEND_REQUIRE_REDIS is set). The store's times
// come from the calls and its expiry is relative, so a fake clock drives
// them; it starts at the wall clock's millisecond, the store's precision.

func newRedis(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond,
		ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { c.Close() })
	return c
}

// newStore returns a Store on its own connection, with a prefix of the
// test's own, closed at cleanup.
func newStore(t testing.TB, addr string, c Config) *Store {
	t.Helper()
	if c.Client == nil {
		c.Client = newRedis(t, addr)
	}
	if c.Prefix == "" {
		c.Prefix = "test:" + strings.ReplaceAll(t.Name(), "/", ":") + ":"
	}
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	return s
}

func start(t testing.TB) (*redistest.Server, *clock.Fake) {
	return redistest.Start(t), clock.NewFake(time.Now().UTC().Truncate(time.Millisecond))
}

func flush(t testing.TB, s *Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func accepted(cmid, umid string, at time.Time) outcome.Send {
	return outcome.Send{SubAccountID: "acme_hq", ClientMessageID: cmid, UMID: umid, State: outcome.Accepted, Attempts: 1, At: at}
}

func sentCopy(umid string, ts time.Time) dlr.Copy {
	return dlr.Copy{UMID: umid, State: envelope.StateSent, Timestamp: ts}
}

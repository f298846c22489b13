//go:build !race

package client

import (
	"context"
	"testing"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/outcome"
)

type countSends struct{ n *int }

func (c countSends) RecordSend(outcome.Send) { *c.n++ }

// Recording an outcome adds no allocation to a send: the Send travels by
// value and holds strings the Result already has.
func TestOutcomesAllocs(t *testing.T) {
	ts := newTestServer(t)
	plain := newClient(t, testConfig(ts.URL, clock.Real, 0))
	cfg := testConfig(ts.URL, clock.Real, 0)
	var n int
	cfg.Outcomes = countSends{&n}
	recording := newClient(t, cfg)
	ctx := context.Background()
	msg := sms1
	msg.ClientMessageID = "otp-7f3c2a9e-0001"
	send := func(c *Client) func() {
		return func() {
			if _, err := c.SendSMS(ctx, "acme_hq", msg); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 20 {
		send(plain)()
		send(recording)()
	}
	a0 := testing.AllocsPerRun(300, send(plain))
	a1 := testing.AllocsPerRun(300, send(recording))
	if n < 300 {
		t.Fatalf("recorded %d sends, want at least 300", n)
	}
	if a1 > a0+0.5 {
		t.Errorf("SendSMS allocates %.1f with Outcomes set, %.1f without", a1, a0)
	}
}

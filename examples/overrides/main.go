// Command overrides shows policy overrides: a policy built in code with a
// global rule and per-tenant rules, what it decides for a few outcomes, and
// what that does to real sends.
//
// Two tenants get the same 429 from the embedded 8x8 emulator: the OTP
// tenant's rule says an OTP that waits is useless, so its send fails at
// once; the marketing tenant waits for Retry-After and gets through.
//
//	go run ./examples/overrides
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "overrides:", err)
		os.Exit(1)
	}
}

// newPolicy is the same policy a YAML file could hold (see
// examples/policy.yaml): Config is a plain struct.
func newPolicy() (*policy.Policy, error) {
	return policy.New(policy.Config{
		Rules: []policy.Rule{
			// 1400: the resend throttle is a wait, not a failure.
			{Code: envelope.CodeResendingIntervalViolation, Action: policy.ActionBackoff, Reason: "resend throttle: wait and retry"},
		},
		Tenants: map[string]policy.Tenant{
			"acme-otp": {
				Semantics: new(policy.AtMostOnce),
				Rules: []policy.Rule{
					{Status: 429, Action: policy.ActionFail, Reason: "an OTP that waits is useless: fail, the user asks again"},
				},
			},
		},
	})
}

func run(ctx context.Context, w io.Writer) error {
	pol, err := newPolicy()
	if err != nil {
		return err
	}

	// The policy is a pure function of the outcome: ask it directly.
	fmt.Fprintln(w, "decisions:")
	for _, tenant := range []string{"acme-otp", "acme-marketing"} {
		for _, o := range []policy.Outcome{
			{Status: 429, Code: envelope.CodeTooManyRequests, Attempt: 1, RetryAfter: time.Second},
			{Status: 500, Code: envelope.CodeInternalError, Attempt: 1},
			{Status: 400, Code: envelope.CodeResendingIntervalViolation, Attempt: 1},
		} {
			o.Tenant = tenant
			d := pol.Decide(o)
			fmt.Fprintf(w, "  %-15s %d/%-5d -> %-7s retry=%-5v %s\n", tenant, o.Status, o.Code, d.Action, d.Retry, d.Reason)
		}
	}

	// The same 429 for both tenants, from the emulator's script.
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{
		APIKey: "example-key",
		Script: []emulator.Fault{
			{Kind: emulator.Fault429, SubAccount: "acme-otp", RetryAfter: time.Second},
			{Kind: emulator.Fault429, SubAccount: "acme-marketing", RetryAfter: time.Second},
		},
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	c, err := client.New(client.Config{APIKey: "example-key", BaseURL: srv.URL(), Policy: pol})
	if err != nil {
		return err
	}
	defer c.Close()

	fmt.Fprintln(w, "sends (each tenant's first request gets 429, Retry-After 1s):")
	for _, tenant := range []string{"acme-otp", "acme-marketing"} {
		start := time.Now()
		res, err := c.SendSMS(ctx, tenant, client.SMS{Destination: "+6591234567", Text: "hello"})
		took := time.Since(start).Round(100 * time.Millisecond)
		var apiErr *client.APIError
		switch {
		case errors.As(err, &apiErr):
			fmt.Fprintf(w, "  %-15s failed after %d attempt(s) in %s: %s\n", tenant, apiErr.Attempts, took, apiErr.Reason)
		case err != nil:
			return err
		default:
			fmt.Fprintf(w, "  %-15s accepted after %d attempts in %s\n", tenant, res.Attempts, took)
		}
	}
	return nil
}

// Package client sends SMS and chat-app messages through the 8x8 CPaaS
// API and keeps sending when the API, the network or a quota misbehaves.
//
// # Happy path
//
//	c, err := client.New(client.Config{APIKey: os.Getenv("OCTOSEND_API_KEY")}) // APAC; or Region, BaseURL
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//
//	res, err := c.SendSMS(ctx, "acme_hq", client.SMS{
//		Destination: "+6591234567",
//		Text:        "Your code is 482913",
//	})
//	if err != nil {
//		var apiErr *client.APIError
//		if errors.As(err, &apiErr) {
//			log.Printf("8x8 said %d/%s after %d attempts", apiErr.Status, apiErr.Code, apiErr.Attempts)
//		}
//		return err
//	}
//	log.Printf("queued as %s (clientMessageId %s)", res.UMID, res.ClientMessageID)
//
// Batches go through SendBatch (split above 10,000 messages; REJECTED
// items are reported per message, not as an error); the Messaging Apps API
// through SendChat and SendChatBatch (split above 1,000). Chat content is
// typed as the chat-apps spec defines it: text and media, a Location, an
// Interactive message (reply buttons, lists, products, CTA URL, Flow,
// voice call, location request), a Template with QuickReply payloads,
// CopyCode coupons, Flow data, VoiceCall TTLs, location headers and
// carousel Cards, and a quoted reply (Chat.Context); the spec's limits are
// checked before any request (*ValidationError naming the field), and
// ChatContent.Extra still carries any member the types do not. FromFile builds a
// client whose policy, per-tenant limits and breaker settings come from a
// YAML or JSON file.
//
// # What happens to a send
//
// Each tenant (8x8 sub-account) has its own rate limiter, waited on before
// every attempt; a circuit breaker (per region by default, per tenant with
// Config.BreakerByTenant) is consulted before every attempt and told the
// outcome after it. After each attempt the policy (package policy) turns
// the outcome — HTTP status, API code, transport failure class, attempt
// number, Retry-After — into an action:
//
//   - ok: the result is returned.
//   - retry: retried after a jittered exponential backoff, within the
//     attempts, deadline and the client-wide retry budget (internal/retrybudget;
//     429 backoffs do not spend it: the tenant pause already spares the API).
//   - backoff (429): the message waits for its Retry-After and retries. Only
//     429s that cluster across the tenant's traffic pause the whole tenant
//     and lower its rate (AIMD); repeated 429s for one number hold that
//     number (see Scope and the limits.throttle_* thresholds).
//   - fail: a typed error at once (*APIError).
//   - trip: counted against the breaker, then retried while it stays closed.
//   - halt (bad key, forbidden sub-account): the tenant stops; its sends fail
//     with ErrTenantHalted until Config.HaltCooldown passes or the policy
//     is reloaded.
//
// Delivery first: a send that meets an open breaker, an exhausted retry
// budget or a paused tenant holds — it waits for the probe, the budget or
// the pause, within its deadline, and goes out then. The breaker's open
// period starts at 1s; after a failed probe the next comes a quarter of
// the outage's age later, up to OpenFor, so held sends go out at most
// max(1s, a quarter of the outage) after the API's recovery. With
// Config.FailFast an open breaker fails sends at once with ErrBreakerOpen
// and an exhausted budget with ErrBudgetExhausted (callers that shed or
// reroute load).
//
// Every attempt of a message carries the same clientMessageId, a UUID the
// client mints when the caller gave none. The API has no idempotency key,
// so a retry after the request may have reached 8x8 (a 5xx, a timeout or
// a reset after the request was written) can deliver twice; such results
// and errors are flagged Ambiguous. A tenant with at-most-once semantics
// never retries them. Delivery receipts settle them: with Config.Outcomes
// set to a dlr.Store the client records every message's outcome, and a
// dlr.Reconciler resolves each ambiguous send from its receipts (delivered
// once, delivered N times, failed, no receipt), looking umids up with
// LookupReceipt (8x8's message-details GET, also SMSDetails and
// ChatDetails) where no receipt came.
//
// # The retry loop
//
// Attempts run through github.com/hashicorp/go-retryablehttp, with every
// hook replaced: its backoff is zero and the real wait happens in
// PrepareRetry on the injected clock (Config.Clock), so tests with a fake
// clock never sleep; CheckRetry reads the body into a pooled buffer
// (bounded by Config.MaxResponseBytes), decodes it with package envelope
// and asks the policy; its error handler hands back the real last outcome;
// its logger is off; and its habit of closing every idle connection of the
// pool when a request fails is neutralised, so a 429 storm or an outage
// does not churn connections.
//
// # Secrets and logs
//
// The API key is never logged, never part of an error, and never sent over
// plain http except to a loopback host, nor to another host on a redirect.
// Log records (Config.Logger; nil is silent) and hook payloads carry the
// tenant, attempt, status, code, action and delay; never the key or the
// message text, and destinations masked (+65******67).
package client

// Package dlr receives 8x8's webhook calls: delivery receipts (DLRs) for
// SMS and chat apps, and the inbound messages that arrive on the same
// webhook. A Receiver is an http.Handler; mount it where the account
// webhook (or a message's dlrCallbackUrl) points:
//
//	rv, err := dlr.New(dlr.Config{
//		Authorization: []string{"Bearer " + secret}, // the webhook's httpAuthorization
//		OnReceipt: func(r dlr.Receipt) {
//			log.Printf("%s %s: %s %s", r.ClientMessageID, r.UMID, r.State, r.ErrorCode)
//		},
//	})
//	if err != nil { ... }
//	defer rv.Shutdown(context.Background())
//	http.Handle("/8x8/webhook", rv)
//
// # What it answers
//
// 8x8 calls again after any 4xx or 5xx answer or timeout, at 1, 10, 30 and
// 90 s, then never again. So the Receiver answers 401 only when the
// Authorization header is not one of Config.Authorization (compared in
// constant time; 8x8 documents no signature), 405 for a method other than
// POST, and 503 when it cannot take the event now (see Backpressure) or
// is shut down, 400 when the body did not arrive whole: in each case 8x8's
// redelivery is what should happen. Every authenticated body it cannot
// use (malformed JSON, XML, a body over MaxBodyBytes, a namespace it does
// not know) gets 200, since sending it again would not help, and is counted
// in Stats (and logged to Config.Logger, without content).
//
// It answers as soon as the body is read and decoded (envelope.DecodeWebhook,
// which allocates nothing): the callbacks run on worker goroutines, never
// in the handler.
//
// # Redeliveries and order
//
// Delivery is at least once and unordered: a lost answer brings the same
// receipt again, and a redelivered "sent" can arrive after "delivered".
// The Receiver keeps the latest state of each message (by umid and
// channel: with channel fallback one umid has receipts from several
// channels) and hands over a receipt only when it advances that state by
// envelope.Supersedes: a higher envelope.Rank, or the same rank observed
// later. A repeat of the state held is counted as a duplicate, anything
// lower as stale; neither reaches OnReceipt, so "delivered" never goes back
// to "sent". Receipt.Previous tells the state a receipt replaced. States
// are kept for StateTTL (48 h) and at most MaxTracked (100,000) messages;
// after that a late receipt is handed over as if it were the first.
// Inbound messages are deduplicated by umid the same way.
//
// # Backpressure
//
// Events wait for the callbacks in a queue of QueueSize. When it is full,
// the handler waits up to QueueWait (2 s, within the 5 s 8x8 allows) for
// room and then answers 503 (Stats.Busy) without recording anything, so
// that 8x8 sends the event again later: a slow callback delays receipts
// instead of losing them, as long as it catches up within 8x8's two
// minutes of retries. Nothing is dropped silently.
//
// # Formats
//
// SMS receipts, chat-apps receipts in the v9, v8 and flat (version 4)
// formats, inbound SMS and chat messages (MO v3 and v2) and WhatsApp
// Business App echoes (handed to OnInbound with Kind envelope.KindChatEcho:
// they are not receipts). XML bodies (the legacy text/xml setting) are
// answered 200 and counted Unsupported: switch the webhook to JSON.
//
// Time comes from Config.Clock (the socket read deadline, which only the
// wall clock can drive, excepted), so TTL and queue-wait tests run on a
// clock.Fake.
//
// # Reconciliation
//
// A Reconciler settles ambiguous sends from their receipts. The client
// records each message's outcome (client.Config.Outcomes) in a Store — a
// MemoryStore, or the fleet module's redisdlr.Store shared by a fleet —
// and the Reconciler, fed by the Receiver, matches receipts against it by
// clientMessageId:
//
//	store, _ := dlr.NewMemoryStore(dlr.MemoryConfig{})
//	c, _ := client.New(client.Config{APIKey: key, Outcomes: store})
//	rec, _ := dlr.NewReconciler(dlr.ReconcilerConfig{Store: store, Lookup: c.LookupReceipt, OnResolve: report})
//	go rec.Run(ctx)
//	rv, _ := dlr.New(dlr.Config{Authorization: auth, OnReceipt: rec.OnReceipt})
//
// Each send is resolved once, as VerdictDelivered (one copy delivered),
// VerdictDuplicate (N umids for one clientMessageId, N delivered: a
// confirmed duplicate), VerdictFailed (with the receipt's DLR code and
// 8x8's reason) or VerdictNoReceipt (nothing final by the deadline, the
// store's TTL of 48 h, after looking up by umid the copies it knows, at
// most one lookup per second per sub-account). A send resolves as soon as
// every copy it can have is known and final; with fewer copies than
// attempts it waits ReconcilerConfig.Settle for another. A receipt that
// changes the verdict afterwards reports it again (Resolution.Revised).
package dlr

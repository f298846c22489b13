// Package redisdlr is a dlr.Store in Redis, for a fleet: a send recorded
// by one instance's client (client.Config.Outcomes) is matched by the
// Reconciler of whichever instance 8x8's webhook call lands on, and every
// send is resolved, and reported, once across the fleet.
//
//	store, err := redisdlr.New(redisdlr.Config{Client: rdb})
//	if err != nil { ... }
//	defer store.Close(context.Background())
//	c, err := client.New(client.Config{APIKey: key, Outcomes: store})
//	rec, err := dlr.NewReconciler(dlr.ReconcilerConfig{Store: store, Lookup: c.LookupReceipt, OnResolve: ...})
//	go rec.Run(ctx)
//	rv, err := dlr.New(dlr.Config{Authorization: auth, OnReceipt: rec.OnReceipt})
//
// Each entry is a hash (Prefix+"e:"+clientMessageId) with the send's
// outcome and one field per copy; the unresolved ones are also in a sorted
// set by due time (Prefix+"due"). Every method is one Lua script, so each
// is atomic across the fleet: a receipt's merge (Copy.Merge's rule,
// checked against it for every pair of states), a due scan that leases
// what it returns so two instances' sweeps do not take the same send, and
// Resolve's compare-and-set. RecordSend is on the client's sending path:
// it only queues, and a background goroutine writes the queue, pipelined.
// When Redis is down sends are dropped and counted (Stats), receipts fail
// (the Reconciler counts them) and sends resolve at their deadline.
//
// Entry expiry is relative (PEXPIRE: TTL+Linger after a send, Linger after
// a resolution), so it does not depend on clocks; due times are the
// instances' clocks (keep them in NTP's agreement). About 500 bytes of
// Redis memory per tracked send (TestRedisBytesPerEntry).
//
// With N instances sweeping, each paces its own lookups: set
// dlr.ReconcilerConfig.LookupEvery to N seconds to stay within 8x8's 1
// request/s per sub-account.
package redisdlr

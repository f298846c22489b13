package main

import (
	"fmt"
	"io"
	"time"

	"github.com/octosend/octosend/emulator"
)

// demoDLR is the receipt side of the demo: a webhook on 127.0.0.1:0 that
// the embedded emulator posts its receipts to.
type demoDLR struct {
	*dlrSession
}

// demoSettle is how long a demo send with fewer copies than attempts waits
// for another copy: the emulator posts within milliseconds.
const demoSettle = time.Second

// startDemoDLR starts the webhook and returns the emulator settings that
// post to it, with a random secret as Authorization.
func startDemoDLR() (*demoDLR, emulator.DLR, error) {
	o := &dlrOptions{listen: "127.0.0.1:0", auth: "Bearer " + randomKey(), settle: demoSettle}
	s, err := startDLR(o)
	if err != nil {
		return nil, emulator.DLR{}, err
	}
	return &demoDLR{s}, emulator.DLR{URL: s.URL(), Authorization: o.auth, Delay: 50 * time.Millisecond,
		Undelivered: 0.05, Repeat: 0.05, Workers: 16}, nil
}

// demoDLRReport is the demo's receipts, checked against the emulator's
// planned receipts.
type demoDLRReport struct {
	dlrCounts
	LedgerDuplicates int // messages the ledger holds more than once
	// Mismatched counts resolved messages whose verdict or copies differ
	// from what the emulator planned.
	Mismatched int
	Calls      uint64
	Waited     time.Duration
}

// finish waits until every send is resolved, or the emulator has nothing
// left to post and the receiver nothing queued for the settle time, or
// wait passes (or stop closes); then it stops the webhook and checks the
// verdicts against the emulator's plan.
func (d *demoDLR) finish(srv *emulator.Server, outcomes []record, wait time.Duration, stop <-chan struct{}) *demoDLRReport {
	start := time.Now()
	d.waitResolved(wait, stop, func() bool {
		return srv.Stats().DLR.Pending == 0 && d.rv.Stats().Queued == 0
	}, demoSettle)
	d.waited = time.Since(start)
	d.close()
	byID := map[string][]emulator.DLRRecord{}
	for _, r := range srv.DLRRecords() {
		byID[r.SubAccount+"\x00"+r.ClientMessageID] = append(byID[r.SubAccount+"\x00"+r.ClientMessageID], r)
	}
	rep := &demoDLRReport{Calls: d.rv.Stats().Requests, Waited: d.waited}
	for i := range outcomes {
		r := &outcomes[i]
		if r.Line == 0 {
			continue
		}
		planned := byID[r.SubAccount+"\x00"+r.ClientMessageID]
		if len(planned) > 1 {
			rep.LedgerDuplicates++
		}
		res := d.result(r.ClientMessageID, r.Status == statusAccepted || r.Ambiguous)
		if res == nil {
			if len(planned) > 0 {
				rep.Mismatched++
			}
			continue
		}
		rep.count(&annotated{record: *r, DLR: res})
		if res.Verdict == "pending" {
			continue
		}
		verdict, umids, _ := expectedVerdict(planned)
		if res.Verdict != verdict || res.Copies != len(umids) {
			rep.Mismatched++
		}
	}
	return rep
}

// expectedVerdict is the verdict the emulator's planned receipts of one
// message's copies lead to, and their umids.
func expectedVerdict(recs []emulator.DLRRecord) (verdict string, umids []string, codes []int) {
	delivered := 0
	for _, r := range recs {
		umids = append(umids, r.UMID)
		if r.Final == "delivered" {
			delivered++
		} else {
			codes = append(codes, r.ErrorCode)
		}
	}
	switch {
	case delivered >= 2:
		return "duplicate", umids, nil
	case delivered == 1:
		return "delivered", umids, nil
	case len(recs) > 0:
		return "failed", umids, codes
	}
	return "pending", nil, nil
}

func (r *demoDLRReport) print(w io.Writer) {
	fmt.Fprintf(w, "receipts        %d webhook calls in %s of waiting: %d of %d ambiguous sends resolved, %d duplicates confirmed (the ledger has %d)\n",
		r.Calls, roundDuration(r.Waited), r.Resolved, r.Ambiguous, r.Duplicates, r.LedgerDuplicates)
	fmt.Fprintf(w, "  delivered %d, undeliverable %d, still pending %d\n", r.Delivered, r.Undeliverable, r.Pending+r.NoReceipt)
	if r.Mismatched == 0 {
		fmt.Fprintln(w, "  every verdict matches the emulator's receipts")
	} else {
		fmt.Fprintf(w, "  FAILED: %d verdicts differ from the emulator's receipts\n", r.Mismatched)
	}
}

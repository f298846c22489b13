package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/dlr"
)

// bulkDLRUsage is the part of bulk's help about delivery receipts.
const bulkDLRUsage = `Delivery receipts (8x8's DLR webhook; see "Receipts" below):
  --dlr-listen HOST:PORT receive receipts there while sending and for --dlr-wait
                         after; point the account webhook (or a proxy) at it.
                         A non-loopback address needs --dlr-auth
  --dlr-auth VALUE       the Authorization header the webhook must carry (the
                         webhook's httpAuthorization; default $OCTOSEND_DLR_AUTH);
                         never printed. Without it, any caller is accepted
                         (loopback only)
  --dlr-wait D           how long to wait for receipts after the last send
                         (default 30s); ends as soon as every send is resolved,
                         or at Ctrl-C
  --dlr-settle D         how long a send with fewer receipted copies than attempts
                         waits for another copy (default 5s)

Receipts: with --dlr-listen, every results line of the run gets a last field
"dlr" once the wait ends (the results file is rewritten through a temporary
file; a crash before that leaves it as sent):

  "dlr":{"verdict":"duplicate","state":"delivered","copies":2,"delivered":2,
         "umids":["...","..."]}
  "dlr":{"verdict":"failed","state":"undelivered","errorCode":46,
         "reason":"Subscriber not reachable","copies":1,"delivered":0,...}

verdict is delivered, duplicate (two or more copies delivered: a confirmed
duplicate), failed (every copy undeliverable; errorCode is the receipt's DLR
error code), no-receipt, or pending (not resolved when the wait ended).
Failed lines that cannot have reached 8x8 get none. A last summary line says
how many ambiguous sends were resolved, duplicates confirmed, and messages
delivered, undeliverable or still pending. Receipts do not change the exit
status.

`

// bulkDLR is the receipt side of a bulk run with --dlr-listen: the webhook
// session, and the lines this run wrote (the ones whose receipts go into
// the results; lines done by an earlier run are left as they are).
type bulkDLR struct {
	*dlrSession
	lines     map[int]bool
	closeOnce sync.Once
}

// dlrCounts is the receipt part of a run's summary.
type dlrCounts struct {
	Tracked             int // messages 8x8 may have taken (accepted, or ambiguous)
	Ambiguous, Resolved int // ambiguous messages, and those of them resolved
	Duplicates          int // confirmed duplicates (two or more copies delivered)
	Delivered           int // delivered (once or more)
	Undeliverable       int // every copy failed
	NoReceipt           int // resolved without a final receipt (a deadline)
	Pending             int // not resolved when the wait ended
}

// startBulkDLR starts the webhook when --dlr-listen is set; nil otherwise.
func (c *cli) startBulkDLR(o *bulkOptions) (*bulkDLR, error) {
	if o.dlr.listen == "" {
		return nil, nil
	}
	s, err := startDLR(&o.dlr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c.stderr, "octosend bulk: receiving delivery receipts at %s (%s)\n", s.URL(), authNote(o.dlr.auth))
	return &bulkDLR{dlrSession: s, lines: make(map[int]bool)}, nil
}

func authNote(auth string) string {
	if auth == "" {
		return "no Authorization required"
	}
	return "Authorization required"
}

// recorder is what the client records its sends in (nil without a webhook).
func (b *bulkDLR) recorder() client.OutcomeRecorder {
	if b == nil {
		return nil
	}
	return b.store
}

// onRecord notes the lines this run wrote (nil without a webhook).
func (b *bulkDLR) onRecord() func(*record) {
	if b == nil {
		return nil
	}
	return func(r *record) { b.lines[r.Line] = true }
}

func (b *bulkDLR) close() {
	if b != nil {
		b.closeOnce.Do(b.dlrSession.close)
	}
}

// finish waits for the receipts (--dlr-wait; Ctrl-C ends the wait), stops
// the webhook, writes the receipts into the results file and prints their
// summary. Nothing happens without a webhook.
func (c *cli) finishBulkDLR(o *bulkOptions, b *bulkDLR, stop <-chan struct{}) error {
	if b == nil {
		return nil
	}
	select {
	case <-stop: // interrupted: no wait
	default:
		if n := b.open(); n > 0 && o.dlr.wait > 0 {
			fmt.Fprintf(c.stderr, "octosend bulk: waiting up to %s for the receipts of %d messages (Ctrl-C stops waiting)\n", o.dlr.wait, n)
		}
		start := time.Now()
		b.waitResolved(o.dlr.wait, stop, nil, 0)
		b.waited = time.Since(start)
	}
	b.close()
	cnt, err := b.annotate(o.out)
	if err != nil {
		return err
	}
	c.printDLRSummary("bulk", cnt, b.dlrSession)
	return nil
}

// printDLRSummary prints the receipt line of a run's summary.
func (c *cli) printDLRSummary(cmd string, n dlrCounts, s *dlrSession) {
	st := s.rv.Stats()
	fmt.Fprintf(c.stderr, "octosend %s: receipts (%s waited): %d of %d ambiguous sends resolved, %d duplicates confirmed; %d delivered, %d undeliverable, %d still pending",
		cmd, roundDuration(s.waited), n.Resolved, n.Ambiguous, n.Duplicates, n.Delivered, n.Undeliverable, n.Pending+n.NoReceipt)
	fmt.Fprintf(c.stderr, " (%d webhook calls, %d receipts, %d refused: bad Authorization)\n", st.Requests, st.Receipts, st.Unauthorized)
}

// annotated is a results line with its receipts: the record's fields,
// then "dlr".
type annotated struct {
	record
	DLR *dlrResult `json:"dlr,omitempty"`
}

// annotate rewrites the results file out with each line of this run
// carrying its receipts (a new last field, "dlr"), through a temporary file
// renamed over it (replaceFile), and counts them. A crash before the rename leaves the
// results as the sends wrote them.
func (b *bulkDLR) annotate(out string) (dlrCounts, error) {
	var n dlrCounts
	in, err := os.Open(out)
	if err != nil {
		return n, fmt.Errorf("results: %w", err)
	}
	defer in.Close()
	err = replaceFile(out, func(w io.Writer) error {
		br := bufio.NewReader(in)
		for {
			line, rerr := br.ReadBytes('\n')
			if len(line) > 0 {
				if _, err := w.Write(b.annotateLine(line, &n)); err != nil {
					return err
				}
			}
			if rerr == io.EOF {
				return nil
			}
			if rerr != nil {
				return rerr
			}
		}
	})
	if err != nil {
		return n, fmt.Errorf("results: %w", err)
	}
	return n, nil
}

// annotateLine returns line with its receipts when it is one of this
// run's, and counts it.
func (b *bulkDLR) annotateLine(line []byte, n *dlrCounts) []byte {
	var a annotated
	if json.Unmarshal(line, &a) != nil || !b.lines[a.Line] {
		return line
	}
	tracked := a.Status == statusAccepted || a.Ambiguous
	a.DLR = b.result(a.ClientMessageID, tracked)
	if a.DLR == nil {
		return line
	}
	n.count(&a)
	out, err := json.Marshal(&a)
	if err != nil {
		return line
	}
	return append(out, '\n')
}

func (n *dlrCounts) count(a *annotated) {
	n.Tracked++
	if a.Ambiguous {
		n.Ambiguous++
		if a.DLR.Verdict != "pending" {
			n.Resolved++
		}
	}
	switch a.DLR.Verdict {
	case dlr.VerdictDuplicate.String():
		n.Duplicates++
		n.Delivered++
	case dlr.VerdictDelivered.String():
		n.Delivered++
	case dlr.VerdictFailed.String():
		n.Undeliverable++
	case dlr.VerdictNoReceipt.String():
		n.NoReceipt++
	default:
		n.Pending++
	}
}

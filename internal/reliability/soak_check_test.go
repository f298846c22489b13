package reliability

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/envelope"
)

// figures are the soak's totals, for the log and the README.
type figures struct {
	messages, accepted, rejected, failed      int
	failedAmbiguous, failedButDelivered       int
	given                                     int // messages handed to the client
	lost                                      int // handed to the client, no outcome reported
	misreported                               int // accepted by the API but reported failed unflagged, or reported accepted but not in the ledger
	dupMessages, dupExtra, dupFlagged         int
	permanentChecked, permanentRetried        int
	ambiguousRetried                          int // single sends retried after an ambiguous attempt (at-least-once)
	attempts                                  int
	byKind                                    [6]int
	amoAccepted, amoDuplicates, aloDuplicates int
	bySem                                     [2][4]int // [at-least-once, at-most-once][state]
	requests, resets                          int64
	faults                                    map[emulator.FaultKind]int64
	responses                                 map[int]int64
	ledgerAccepted, ledgerUnique, ledgerDupes int
	elapsed                                   time.Duration
	outcomesTwice, unknownIDs                 int
}

// check proves the soak's guarantees from the ledger and the results.
func (s *soak) check(elapsed time.Duration) {
	t := s.t
	var f figures
	f.elapsed = elapsed
	led := s.srv.Ledger()
	st := s.srv.Stats()
	f.requests, f.resets, f.faults, f.responses = st.Requests, st.Resets, st.Faults, st.Responses
	f.ledgerAccepted, f.ledgerUnique, f.ledgerDupes = led.Accepted(), led.Unique(), led.Duplicates()

	amo := make(map[string]bool)
	for _, n := range s.amo {
		amo[n] = true
	}
	ledger := make(map[string]emulator.Entry)
	for _, e := range led.Entries() {
		k := e.SubAccount + "/" + e.ClientMessageID
		ledger[k] = e
		if _, ok := s.outcomes[k]; !ok {
			f.unknownIDs++
			t.Errorf("the ledger holds %s, which no send reported on", k)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	f.messages = len(s.outcomes)
	f.given = int(s.given.Load())
	if f.lost = f.given - f.messages; f.lost != 0 {
		t.Errorf("%d messages were handed to the client, %d outcomes reported: %d lost", f.given, f.messages, f.lost)
	}
	f.outcomesTwice = s.dupOut
	if s.dupOut != 0 {
		t.Errorf("%d messages were reported on twice", s.dupOut)
	}
	for k, o := range s.outcomes {
		f.byKind[o.kind]++
		f.bySem[boolIdx(amo[o.tenant])][o.state]++
		e, in := ledger[k]
		n := e.Count
		switch o.state {
		case stAccepted:
			f.accepted++
			if amo[o.tenant] {
				f.amoAccepted++
			}
			if !in {
				f.misreported++
				t.Errorf("%s: reported accepted (umid %q) but the API never accepted it", k, o.umid)
			}
			if o.umid == "" {
				t.Errorf("%s: accepted without a umid", k)
			}
			if n == 1 && o.umid != e.UMID {
				t.Errorf("%s: result umid %q, ledger umid %q", k, o.umid, e.UMID)
			}
			if o.kind == jobSMSBadMSISDN || o.kind == jobChatBadTemplate {
				t.Errorf("%s: an invalid %v message was accepted", k, o.kind)
			}
		case stRejected:
			f.rejected++
			if want := wantCode(o); o.code != want {
				t.Errorf("%s: rejected with code %d, want %d (err: %v)", k, o.code, want, o.err)
			}
			if in {
				f.misreported++
				t.Errorf("%s: reported rejected but the API accepted it %d times", k, n)
			}
		case stFailed:
			f.failed++
			if o.ambiguous {
				f.failedAmbiguous++
			}
			if in {
				if o.ambiguous {
					f.failedButDelivered++
				} else {
					f.misreported++
					t.Errorf("%s: reported failed without the Ambiguous flag, but the API accepted it %d times (err: %v)", k, n, o.err)
				}
			}
		}
		if n > 1 {
			f.dupMessages++
			f.dupExtra += n - 1
			if amo[o.tenant] {
				f.amoDuplicates++
				t.Errorf("%s: at-most-once tenant, but the API accepted the message %d times", k, n)
			} else {
				f.aloDuplicates++
			}
			if o.ambiguous {
				f.dupFlagged++
			} else {
				t.Errorf("%s: accepted %d times but not flagged Ambiguous", k, n)
			}
		}
		if o.kind == jobBatch || o.kind == jobChatBatch {
			if last := strings.HasSuffix(o.cmid, fmt.Sprint("-", soakBatchSize-1)); last && o.state == stAccepted {
				t.Errorf("%s: the invalid item of a %v was accepted", k, o.kind)
			}
			continue
		}
		s.checkTrace(k, o, amo[o.tenant], n, &f)
	}
	s.report(&f)
}

// checkTrace checks one single send against what its hooks saw.
func (s *soak) checkTrace(k string, o *outcome, amo bool, n int, f *figures) {
	t := s.t
	tr := s.traces[o.cmid]
	if tr == nil {
		if o.attempts != 0 {
			t.Errorf("%s: %d attempts but no OnAttempt event", k, o.attempts)
		}
		tr = &trace{}
	}
	f.attempts += tr.attempts
	if tr.attempts != o.attempts {
		t.Errorf("%s: the result says %d attempts, OnAttempt saw %d", k, o.attempts, tr.attempts)
	}
	// The emulator's side, independently of the client's hooks: as many
	// requests as attempts, and a 400 (1002/3038) only as the last answer.
	wire := s.wire.statuses(o.cmid)
	if len(wire) != o.attempts {
		t.Errorf("%s: the client reports %d attempts, the emulator saw %d requests %v", k, o.attempts, len(wire), wire)
	}
	for i, st := range wire {
		if st == 400 && i != len(wire)-1 {
			f.permanentRetried++
			t.Errorf("%s: retried after a 400: the emulator answered %v", k, wire)
		}
	}
	if len(tr.permanent) > 0 {
		f.permanentChecked++
		if len(tr.permanent) > 1 || tr.permanent[0] != tr.last {
			f.permanentRetried++
			t.Errorf("%s: permanent error (1002/3038) retried: answered at attempts %v of %d", k, tr.permanent, tr.last)
		}
	}
	switch {
	case o.state == stAccepted && tr.giveUps != 0:
		t.Errorf("%s: accepted, yet OnGiveUp was called %d times", k, tr.giveUps)
	case o.state != stAccepted && tr.giveUps != 1:
		t.Errorf("%s: failed, and OnGiveUp was called %d times (want exactly 1)", k, tr.giveUps)
	}
	retriedAfterAmbiguous := len(tr.ambiguous) > 0 && tr.ambiguous[0] < tr.last
	if retriedAfterAmbiguous {
		f.ambiguousRetried++
		if amo {
			t.Errorf("%s: at-most-once tenant retried after an ambiguous attempt (%v of %d)", k, tr.ambiguous, tr.last)
		}
	}
	if n > 1 && !retriedAfterAmbiguous {
		t.Errorf("%s: accepted %d times, but no attempt was retried after an ambiguous failure", k, n)
	}
}

func (s *soak) report(f *figures) {
	t := s.t
	var b strings.Builder
	fmt.Fprintf(&b, "fault soak: %d messages (%d tenants, %d senders each) in %v, %.0f msg/s\n",
		f.messages, len(s.alo)+len(s.amo), soakWorkersPerTenant, f.elapsed.Round(time.Millisecond), float64(f.messages)/f.elapsed.Seconds())
	fmt.Fprintf(&b, "  by kind: sms %d, sms-1002 %d, chat %d, chat-3038 %d, sms batch items %d, chat batch items %d\n",
		f.byKind[jobSMS], f.byKind[jobSMSBadMSISDN], f.byKind[jobChat], f.byKind[jobChatBadTemplate], f.byKind[jobBatch], f.byKind[jobChatBatch])
	fmt.Fprintf(&b, "  requests %d, connection resets %d, statuses %v\n", f.requests, f.resets, sortedStatuses(f.responses))
	var kinds []string
	var injected int64
	for k, n := range f.faults {
		kinds = append(kinds, fmt.Sprintf("%v=%d", k, n))
		injected += n
	}
	slices.Sort(kinds)
	fmt.Fprintf(&b, "  faults injected %d: %s\n", injected, strings.Join(kinds, " "))
	fmt.Fprintf(&b, "  outcomes: accepted %d, rejected %d, failed %d (of which flagged ambiguous %d, delivered anyway %d)\n",
		f.accepted, f.rejected, f.failed, f.failedAmbiguous, f.failedButDelivered)
	for i, name := range []string{"at-least-once", "at-most-once"} {
		fmt.Fprintf(&b, "  %s: accepted %d, rejected %d, failed %d\n", name, f.bySem[i][stAccepted], f.bySem[i][stRejected], f.bySem[i][stFailed])
	}
	fmt.Fprintf(&b, "  lost (no outcome) %d, reported twice %d, in the ledger but never sent %d\n", f.lost, f.outcomesTwice, f.unknownIDs)
	fmt.Fprintf(&b, "  misreported (delivered but reported failed without Ambiguous, or reported accepted but not delivered) %d\n", f.misreported)
	fmt.Fprintf(&b, "  duplicates: %d messages (%d extra copies), all at-least-once: %d, flagged %d; at-most-once duplicates %d\n",
		f.dupMessages, f.dupExtra, f.aloDuplicates, f.dupFlagged, f.amoDuplicates)
	fmt.Fprintf(&b, "  permanent errors checked %d, retried %d; single sends retried after an ambiguous failure %d\n",
		f.permanentChecked, f.permanentRetried, f.ambiguousRetried)
	fmt.Fprintf(&b, "  outage: %d requests answered 500 by the outage windows; breaker opened %d times, single sends refused while open %d\n",
		s.wire.inOut.Load(), s.breakerOpened.Load(), s.breakerRefused.Load())
	fmt.Fprintf(&b, "  ledger: accepted %d, unique %d, duplicates %d", f.ledgerAccepted, f.ledgerUnique, f.ledgerDupes)
	t.Log(b.String())

	// The run must have exercised what it claims to prove.
	if f.messages < soakShortMessages {
		t.Errorf("only %d messages", f.messages)
	}
	if f.permanentChecked < 20 {
		t.Errorf("only %d permanent errors seen", f.permanentChecked)
	}
	if injected < int64(f.messages)/20 {
		t.Errorf("only %d faults injected for %d messages", injected, f.messages)
	}
	// 50 requests in a row failing is twice the breaker's Consecutive: on a
	// machine too loaded to send that many during the outage, the breaker
	// may rightly stay closed.
	if n := s.wire.inOut.Load(); n >= 50 && s.breakerOpened.Load() == 0 {
		t.Errorf("%d requests hit the outage, yet the breaker never opened", n)
	}
	if f.ambiguousRetried == 0 || f.failedAmbiguous == 0 {
		t.Errorf("no ambiguous failure was retried (%d) or reported (%d)", f.ambiguousRetried, f.failedAmbiguous)
	}
}

func sortedStatuses(m map[int]int64) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d=%d", k, m[k])
	}
	return b.String()
}

// wantCode is the API code a rejected message of o's kind must carry.
func wantCode(o *outcome) envelope.Code {
	switch o.kind {
	case jobSMSBadMSISDN:
		return envelope.CodeInvalidMSISDN
	case jobChatBadTemplate, jobChatBatch:
		return envelope.CodeTemplateNotFound
	}
	return 0 // an SMS batch item: REJECTED carries a description, no code
}

func boolIdx(b bool) int {
	if b {
		return 1
	}
	return 0
}

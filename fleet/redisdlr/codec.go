package redisdlr

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/octosend/octosend/dlr"
	"github.com/octosend/octosend/envelope"
)

const us = "\x1f" // separates state and detail in a copy's value

// copyArgs returns the script arguments of a receipt's copy: rank,
// delivered, failed, timestamp µs, and the rest of its value.
func copyArgs(c *dlr.Copy) (rank, del, fail, ts int64, rest string) {
	rank = int64(c.Rank())
	if c.Delivered() {
		del = 1
	}
	if c.Failed() {
		fail = 1
	}
	if !c.Timestamp.IsZero() {
		ts = c.Timestamp.UnixMicro()
	}
	looked := "0"
	if c.LookedUp {
		looked = "1"
	}
	// 8x8's states and details are open strings: the separator must not
	// occur in them.
	st := strings.ReplaceAll(string(c.State), us, "?")
	dt := strings.ReplaceAll(string(c.Detail), us, "?")
	return rank, del, fail, ts, strconv.Itoa(int(c.ErrorCode)) + "|" + looked + "|" + st + us + dt
}

// parseCopy decodes a copy's value; seq orders the copies.
func parseCopy(umid, v string) (dlr.Copy, int, error) {
	p := strings.SplitN(v, "|", 8)
	if len(p) != 8 {
		return dlr.Copy{}, 0, fmt.Errorf("redisdlr: copy %q: %d fields", umid, len(p))
	}
	c := dlr.Copy{UMID: umid}
	ts, err1 := strconv.ParseInt(p[3], 10, 64)
	seq, err2 := strconv.Atoi(p[4])
	code, err3 := strconv.Atoi(p[5])
	if err1 != nil || err2 != nil || err3 != nil {
		return dlr.Copy{}, 0, fmt.Errorf("redisdlr: copy %q: bad number", umid)
	}
	if ts != 0 {
		c.Timestamp = time.UnixMicro(ts).UTC()
	}
	c.ErrorCode = envelope.DLRCode(code)
	c.LookedUp = p[6] == "1"
	st, dt, _ := strings.Cut(p[7], us)
	c.State, c.Detail = intern(st), internDetail(dt)
	return c, seq, nil
}

var states = [...]envelope.State{envelope.StateQueued, envelope.StateSent, envelope.StateDelivered,
	envelope.StateUndelivered, envelope.StateRejected, envelope.StateFailed, envelope.StateRead, envelope.StateUnknown}

var details = [...]envelope.Detail{envelope.DetailDeliveredToOperator, envelope.DetailDeliveredToRecipient,
	envelope.DetailRejectedByOperator, envelope.DetailUndeliveredToRecipient, envelope.DetailDeliveredToCarrier}

func intern(s string) envelope.State {
	for _, k := range states {
		if string(k) == s {
			return k
		}
	}
	return envelope.State(s)
}

func internDetail(s string) envelope.Detail {
	for _, k := range details {
		if string(k) == s {
			return k
		}
	}
	return envelope.Detail(s)
}

// parseEntry decodes an HGETALL reply (field, value, ...) of cmid's entry.
func parseEntry(cmid string, h []any, due any) (dlr.Entry, error) {
	e := dlr.Entry{ClientMessageID: cmid}
	type seqCopy struct {
		c   dlr.Copy
		seq int
	}
	var cs []seqCopy
	for i := 0; i+1 < len(h); i += 2 {
		k, _ := h[i].(string)
		v, _ := h[i+1].(string)
		n, _ := strconv.ParseInt(v, 10, 64)
		switch {
		case k == "sub":
			e.SubAccountID = v
		case k == "chat":
			e.Chat = v == "1"
		case k == "n":
			e.Sends = int(n)
		case k == "max":
			e.MaxCopies = int(n)
		case k == "acc":
			e.Accepted = v == "1"
		case k == "amb":
			e.Ambiguous = v == "1"
		case k == "at":
			e.SentAt = time.UnixMilli(n).UTC()
		case k == "chg":
			e.Changed = time.UnixMilli(n).UTC()
		case k == "rc":
			e.Receipts = int(n)
		case k == "rep":
			e.Reported = dlr.Verdict(n)
		case strings.HasPrefix(k, "c:"):
			c, seq, err := parseCopy(k[2:], v)
			if err != nil {
				return dlr.Entry{}, err
			}
			cs = append(cs, seqCopy{c, seq})
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].seq < cs[j].seq })
	e.Copies = make([]dlr.Copy, len(cs))
	for i := range cs {
		e.Copies[i] = cs[i].c
	}
	if e.Reported == dlr.VerdictNone {
		switch d := due.(type) {
		case int64:
			e.Due = time.UnixMilli(d).UTC()
		case string:
			if f, err := strconv.ParseFloat(d, 64); err == nil {
				e.Due = time.UnixMilli(int64(f)).UTC()
			}
		}
	}
	return e, nil
}

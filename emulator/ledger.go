package emulator

import (
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Ledger records every message the server accepted, keyed by sub-account
// and clientMessageId, so tests can prove that no message was lost and count
// the duplicates a retry produced. It also keeps, per sub-account, the
// arrival time of every request whatever its outcome. A Ledger is safe for
// concurrent use; its maps are sharded so concurrent senders rarely contend.
//
// A message sent without a clientMessageId is recorded as its own entry
// (keyed internally by its umid) with ClientMessageID "".
type Ledger struct {
	seed     maphash.Seed
	shards   [ledgerShards]ledgerShard
	accepted atomic.Int64
	unique   atomic.Int64
	tenants  *tenants
}

const ledgerShards = 64

type ledgerShard struct {
	mu sync.Mutex
	m  map[ledgerKey]*Entry
	_  [40]byte // keep shards on separate cache lines
}

type ledgerKey struct {
	sub, id, anon string // anon is the umid when id is ""
}

// Entry is one distinct accepted message.
type Entry struct {
	SubAccount      string
	ClientMessageID string    // "" when the message had none
	UMID            string    // the umid given when it was first accepted
	Destination     string    // SMS destination without '+', or the chat user's msisdn or user ID
	Count           int       // times accepted (>1 = duplicates)
	First           time.Time // when it was first accepted
}

func newLedger(ts *tenants) *Ledger {
	l := &Ledger{seed: maphash.MakeSeed(), tenants: ts}
	for i := range l.shards {
		l.shards[i].m = make(map[ledgerKey]*Entry)
	}
	return l
}

func (l *Ledger) shard(k ledgerKey) *ledgerShard {
	return &l.shards[maphash.Comparable(l.seed, k)%ledgerShards]
}

// record counts one accepted message and returns how many times it has been
// accepted now (1 the first time).
func (l *Ledger) record(sub, id, umid, dest string, now time.Time) int {
	k := ledgerKey{sub: sub, id: id}
	if id == "" {
		k.anon = umid
	}
	sh := l.shard(k)
	sh.mu.Lock()
	e := sh.m[k]
	n := 1
	if e == nil {
		sh.m[k] = &Entry{SubAccount: sub, ClientMessageID: id, UMID: umid, Destination: dest, Count: 1, First: now}
	} else {
		e.Count++
		n = e.Count
	}
	sh.mu.Unlock()
	l.accepted.Add(1)
	if e == nil {
		l.unique.Add(1)
	}
	return n
}

// Count returns how many times the message with this clientMessageId was
// accepted for subAccount: 0 = never (lost, or rejected), 1 = once, more =
// duplicates. Count(sub, "") is the number of accepted messages of sub that
// had no clientMessageId.
func (l *Ledger) Count(subAccount, clientMessageID string) int {
	if clientMessageID != "" {
		k := ledgerKey{sub: subAccount, id: clientMessageID}
		sh := l.shard(k)
		sh.mu.Lock()
		defer sh.mu.Unlock()
		if e := sh.m[k]; e != nil {
			return e.Count
		}
		return 0
	}
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			if k.sub == subAccount && k.id == "" {
				n += e.Count
			}
		}
		sh.mu.Unlock()
	}
	return n
}

// Accepted returns the number of messages accepted, duplicates included.
func (l *Ledger) Accepted() int { return int(l.accepted.Load()) }

// Unique returns the number of distinct messages accepted.
func (l *Ledger) Unique() int { return int(l.unique.Load()) }

// Duplicates returns the number of extra acceptances: the sum over
// messages of Count-1.
func (l *Ledger) Duplicates() int {
	// Read unique first: a record in between can only make the result
	// larger than the truth by one in-flight duplicate, never negative.
	u := l.unique.Load()
	return int(l.accepted.Load() - u)
}

// Arrivals returns the arrival time (from Config.Now) of every request for
// subAccount that reached the server, whatever its outcome, oldest first.
// The slice is a copy.
func (l *Ledger) Arrivals(subAccount string) []time.Time {
	t, ok := l.tenants.m.Load(subAccount)
	if !ok {
		return nil
	}
	return t.(*tenant).arrivalsCopy()
}

// Entries returns every distinct accepted message, ordered by First, then
// sub-account, then clientMessageId. The slice is a copy.
func (l *Ledger) Entries() []Entry {
	var out []Entry
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for _, e := range sh.m {
			out = append(out, *e)
		}
		sh.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := a.First.Compare(b.First); c != 0 {
			return c
		}
		if c := strings.Compare(a.SubAccount, b.SubAccount); c != 0 {
			return c
		}
		if c := strings.Compare(a.ClientMessageID, b.ClientMessageID); c != 0 {
			return c
		}
		return strings.Compare(a.UMID, b.UMID)
	})
	return out
}

// reset forgets every entry and arrival.
func (l *Ledger) reset() {
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		clear(sh.m)
		sh.mu.Unlock()
	}
	l.accepted.Store(0)
	l.unique.Store(0)
	l.tenants.each(func(_ string, t *tenant) { t.clearArrivals() })
}

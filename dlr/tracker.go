package dlr

import (
	"time"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/internal/ilist"
)

// tracker holds the latest state of each message, to tell a receipt that
// advances the message from a redelivery (the same state again) and from a
// late one (a lower rank, or an equal rank observed earlier). Memory is
// bounded: entries expire after ttl and, past max entries, the least
// recently updated goes. Entries are kept in a doubly linked list, most
// recently updated first. It is not safe for concurrent use: the Receiver
// holds its mutex.
type tracker struct {
	m       map[string]*entry
	lru     ilist.List[entry, *entry] // front: most recently updated
	ttl     time.Duration
	max     int
	evicted uint64
}

type entry struct {
	key     string
	rank    int
	ts      time.Time
	state   envelope.State
	detail  envelope.Detail
	expires time.Time
	ilist.Links[entry]
}

func newTracker(ttl time.Duration, max int) *tracker {
	return &tracker{m: make(map[string]*entry), ttl: ttl, max: max}
}

// verdict is what the tracker makes of a receipt.
type verdict uint8

const (
	verdictNew       verdict = iota // first state of the message (or first since it expired)
	verdictAdvance                  // supersedes the state held
	verdictDuplicate                // the state held, again
	verdictStale                    // ranks below the state held, or equal and not later
)

// judge classifies a receipt for key without changing anything, and
// returns the state it would replace ("" for verdictNew).
func (t *tracker) judge(key string, rank int, ts time.Time, s envelope.State, d envelope.Detail, now time.Time) (verdict, envelope.State) {
	e := t.m[key]
	if e == nil || !now.Before(e.expires) {
		return verdictNew, ""
	}
	switch {
	case envelope.Supersedes(rank, ts, e.rank, e.ts):
		return verdictAdvance, e.state
	case rank == e.rank && ts.Equal(e.ts) && s == e.state && d == e.detail:
		return verdictDuplicate, e.state
	}
	return verdictStale, e.state
}

// record stores the state of key, as judge accepted it.
func (t *tracker) record(key string, rank int, ts time.Time, s envelope.State, d envelope.Detail, now time.Time) {
	e := t.m[key]
	if e == nil {
		t.expire(now)
		for len(t.m) >= t.max && t.lru.Back() != nil {
			t.remove(t.lru.Back())
			t.evicted++
		}
		e = &entry{key: key}
		t.m[key] = e
	} else {
		t.lru.Remove(e)
	}
	e.rank, e.ts, e.state, e.detail = rank, ts, s, d
	e.expires = now.Add(t.ttl)
	t.lru.PushFront(e)
}

// seen reports whether key (an inbound message's umid) was recorded and has
// not expired; if not, it records it.
func (t *tracker) seen(key string, now time.Time) bool {
	if e := t.m[key]; e != nil && now.Before(e.expires) {
		return true
	}
	t.record(key, 0, time.Time{}, "", "", now)
	return false
}

// expire drops the entries whose TTL has passed; they sit at the tail,
// since every update moves an entry to the head with the same TTL.
func (t *tracker) expire(now time.Time) {
	for e := t.lru.Back(); e != nil && !now.Before(e.expires); e = t.lru.Back() {
		t.remove(e)
	}
}

func (t *tracker) remove(e *entry) {
	t.lru.Remove(e)
	delete(t.m, e.key)
}

func (t *tracker) len() int { return len(t.m) }

// has reports whether key was recorded and has not expired.
func (t *tracker) has(key string, now time.Time) bool {
	e := t.m[key]
	return e != nil && now.Before(e.expires)
}

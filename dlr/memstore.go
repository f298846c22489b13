package dlr

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/octosend/octosend/outcome"
)

// MemoryConfig configures a MemoryStore. Every zero field means the
// documented default.
type MemoryConfig struct {
	// TTL is how long after its send an unresolved entry becomes due, so
	// how long its receipts are waited for. Zero means 48 h, the time 8x8
	// waits for an SMS carrier receipt (a chat-apps read receipt may take
	// up to 10 days: set more to wait for those).
	TTL time.Duration
	// Linger is how long an entry is kept after it was resolved, and
	// after TTL while unresolved, so that late receipts (a copy that
	// shows up after its send was resolved) still find it. Zero means 1 h.
	Linger time.Duration
	// MaxEntries bounds the entries held. Past it, resolved entries go
	// first, oldest resolution first, then unresolved ones, oldest send
	// first (MemoryStats.Evicted, EvictedOpen). Zero means 100,000.
	MaxEntries int
	// OnlyAmbiguous records only Ambiguous sends: the ones a Reconciler
	// settles. Receipts of the others are then counted as unknown. By
	// default every accepted send is recorded too, so that its receipt
	// is matched and counted.
	OnlyAmbiguous bool
}

// Defaults of MemoryConfig.
const (
	DefaultStoreTTL   = 48 * time.Hour
	DefaultLinger     = time.Hour
	DefaultMaxEntries = 100_000
)

// MemoryStats counts what a MemoryStore holds and dropped.
type MemoryStats struct {
	Entries  int // held now
	Open     int // unresolved, among Entries
	Resolved int // resolved, among Entries
	// Recorded counts RecordSend calls that were kept, Skipped those left
	// out (MaxCopies 0, or not Ambiguous with OnlyAmbiguous).
	Recorded, Skipped uint64
	// Evicted counts entries dropped for MaxEntries; EvictedOpen those
	// among them that were still unresolved (their verdict is lost).
	Evicted, EvictedOpen uint64
	// Expired counts entries dropped after Linger.
	Expired uint64
}

// MemoryStore is the in-process Store: a map by clientMessageId bounded by
// MaxEntries and expiring entries Linger after they were resolved (or
// after TTL while not). It is safe for concurrent use; every method takes
// one mutex for a few map and list operations. About 300 bytes per send
// with one copy, its strings included (TestMemoryStoreBytesPerEntry).
//
// Times come from the calls (outcome.Send.At, Update.At, now), so a
// MemoryStore follows whatever clock its client and Reconciler use.
type MemoryStore struct {
	ttl, linger time.Duration
	max         int
	onlyAmb     bool

	mu         sync.Mutex
	m          map[string]*mentry
	open, done mlist // unresolved by send, resolved by resolution; oldest at the tail
	due        dueHeap
	st         MemoryStats
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore. It returns a *ConfigError
// for a negative field.
func NewMemoryStore(c MemoryConfig) (*MemoryStore, error) {
	switch {
	case c.TTL < 0:
		return nil, &ConfigError{"TTL", "negative"}
	case c.Linger < 0:
		return nil, &ConfigError{"Linger", "negative"}
	case c.MaxEntries < 0:
		return nil, &ConfigError{"MaxEntries", "negative"}
	}
	s := &MemoryStore{ttl: c.TTL, linger: c.Linger, max: c.MaxEntries, onlyAmb: c.OnlyAmbiguous, m: make(map[string]*mentry)}
	if s.ttl == 0 {
		s.ttl = DefaultStoreTTL
	}
	if s.linger == 0 {
		s.linger = DefaultLinger
	}
	if s.max == 0 {
		s.max = DefaultMaxEntries
	}
	return s, nil
}

// TTL implements Store.
func (s *MemoryStore) TTL() time.Duration { return s.ttl }

// RecordSend implements Store (and client.OutcomeRecorder).
func (s *MemoryStore) RecordSend(o outcome.Send) {
	if o.ClientMessageID == "" || o.MaxCopies() == 0 || (s.onlyAmb && !o.Ambiguous) {
		s.mu.Lock()
		s.st.Skipped++
		s.mu.Unlock()
		return
	}
	at := o.At.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Recorded++
	e := s.get(o.ClientMessageID, at)
	if e == nil {
		e = s.insert(o.ClientMessageID, at)
		e.sentAt, e.changed = at, at
		e.due = at + int64(s.ttl)
		s.due.push(e)
	} else {
		orphan := e.sends == 0
		if orphan {
			// Its receipts came first, and may all be in: it is due at the
			// next sweep, not at the end of its OrphanWait.
			e.sentAt = at
			if at < e.due {
				s.due.set(e, at)
			}
		}
		if e.reported != VerdictNone {
			// Sent again under the same clientMessageId: a new question.
			e.reported = VerdictNone
			s.done.Remove(e)
			s.open.PushFront(e)
			e.due = at + int64(s.ttl)
			s.due.push(e)
		} else if d := at + int64(s.ttl); d < e.due && !orphan {
			s.due.set(e, d)
		}
		if x := at + int64(s.ttl+s.linger); x > e.expires && e.reported == VerdictNone {
			// Keep the open list in expiry order: the latest send is at
			// the front.
			e.expires = x
			s.open.Remove(e)
			s.open.PushFront(e)
		}
	}
	e.sub, e.chat = o.SubAccountID, o.Chat
	e.sends = satAdd16(e.sends, 1)
	e.maxCopies = satAdd16(e.maxCopies, o.MaxCopies())
	e.accepted = e.accepted || o.State == outcome.Accepted
	e.ambiguous = e.ambiguous || o.Ambiguous
	if o.UMID != "" && e.find(o.UMID) < 0 {
		e.copies = append(e.copies, mcopy{umid: o.UMID})
		e.changed = at
	}
}

// AddReceipt implements Store.
func (s *MemoryStore) AddReceipt(_ context.Context, u Update) (Entry, bool, error) {
	now := u.At.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.get(u.ClientMessageID, now)
	if e == nil {
		// Clone what the receipt lends: its strings share one buffer
		// with the rest of the receipt (a destination among them).
		e = s.insert(strings.Clone(u.ClientMessageID), now)
		e.sub, e.chat = strings.Clone(u.SubAccountID), u.Chat
		e.sentAt = now
		e.due = u.OrphanDue.UnixNano()
		s.due.push(e)
	}
	e.receipts = satAdd32(e.receipts, 1)
	changed := false
	if i := e.find(u.Copy.UMID); i < 0 {
		c := u.Copy
		c.UMID = strings.Clone(c.UMID)
		e.copies = append(e.copies, packCopy(&c))
		changed = true
	} else {
		old := e.copies[i].unpack()
		if n, ok := old.Merge(u.Copy); ok {
			e.copies[i] = packCopy(&n)
			changed = true
		}
	}
	if changed {
		e.changed = now
	}
	return e.entry(), changed, nil
}

// Due implements Store.
func (s *MemoryStore) Due(_ context.Context, now time.Time, lease time.Duration, n int) ([]Entry, error) {
	t := now.UnixNano()
	lease = max(lease, time.Nanosecond) // an entry is never handed out twice in one call
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(t)
	var out []Entry
	for len(out) < n && len(s.due) > 0 && s.due[0].due <= t {
		e := s.due[0]
		out = append(out, e.entry())
		s.due.set(e, t+int64(lease))
	}
	return out, nil
}

// Schedule implements Store.
func (s *MemoryStore) Schedule(_ context.Context, cmid string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.m[cmid]; e != nil && e.reported == VerdictNone {
		s.due.set(e, at.UnixNano())
	}
	return nil
}

// Resolve implements Store.
func (s *MemoryStore) Resolve(_ context.Context, cmid string, prev, v Verdict, now time.Time) (bool, error) {
	t := now.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.get(cmid, t)
	if e == nil || e.reported != prev || v == VerdictNone {
		return false, nil
	}
	if e.reported == VerdictNone {
		s.due.remove(e)
		s.open.Remove(e)
	} else {
		s.done.Remove(e)
	}
	e.reported = v
	e.expires = t + int64(s.linger)
	s.done.PushFront(e)
	return true, nil
}

// Forget implements Store.
func (s *MemoryStore) Forget(_ context.Context, cmid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.m[cmid]; e != nil {
		s.drop(e)
	}
	return nil
}

// Stats returns the store's counters.
func (s *MemoryStore) Stats() MemoryStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.Entries, st.Open, st.Resolved = len(s.m), s.open.Len(), s.done.Len()
	return st
}

// get returns the live entry of cmid, dropping it when it has expired.
func (s *MemoryStore) get(cmid string, now int64) *mentry {
	e := s.m[cmid]
	if e != nil && e.expires <= now {
		s.drop(e)
		s.st.Expired++
		return nil
	}
	return e
}

// insert adds a new unresolved entry, making room first.
func (s *MemoryStore) insert(cmid string, now int64) *mentry {
	s.expire(now)
	for len(s.m) >= s.max {
		victim := s.done.Back()
		if victim == nil {
			victim = s.open.Back()
			s.st.EvictedOpen++
		}
		s.drop(victim)
		s.st.Evicted++
	}
	e := &mentry{cmid: cmid, expires: now + int64(s.ttl+s.linger), heapIdx: -1}
	s.m[cmid] = e
	s.open.PushFront(e)
	return e
}

// expire drops the entries past their expiry at both lists' tails.
func (s *MemoryStore) expire(now int64) {
	for _, l := range [...]*mlist{&s.open, &s.done} {
		for e := l.Back(); e != nil && e.expires <= now; e = l.Back() {
			s.drop(e)
			s.st.Expired++
		}
	}
}

func (s *MemoryStore) drop(e *mentry) {
	if e.reported == VerdictNone {
		s.open.Remove(e)
		s.due.remove(e)
	} else {
		s.done.Remove(e)
	}
	delete(s.m, e.cmid)
}

func satAdd16(a uint16, n int) uint16 { return uint16(min(int(a)+n, 1<<16-1)) }

func satAdd32(a uint32, n int) uint32 { return uint32(min(int64(a)+int64(n), 1<<32-1)) }

package emulator

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// DestLimit is a per-destination limit like 8x8's per-MSISDN throttling
// (anti-pumping, set up on request): a fixed share of destinations accepts
// at most one message per Interval and answers 429 to anything sent sooner.
//
// Which destinations are limited is decided by a hash of the destination
// (without its '+') and Config.Seed, so the same Seed limits the same
// numbers in every run, whatever the order of the requests.
//
// A limited destination's first Interval starts at its first request: that
// request and every one before Interval has passed get 429 (Retry-After:
// RetryAfter, body code 429, nothing recorded); the first request after it
// goes through and starts the next Interval. A client that retries every
// Retry-After therefore delivers after about Interval / RetryAfter retries,
// and a client that takes the 429 for the whole sub-account's quota slows
// every other destination for nothing.
//
// The limit applies to single sends (SMS and chat apps, whose destination
// is user.msisdn); batch items are not limited. It is checked after the
// random or scripted fault and after the body is read, before validation.
type DestLimit struct {
	// Share is the fraction of destinations that are limited, in [0, 1];
	// 0 turns the limit off.
	Share float64
	// Interval is the least time between two accepted messages to a limited
	// destination; it must be positive when Share is.
	Interval time.Duration
	// RetryAfter is what the 429 advertises; 0 means 1s.
	RetryAfter time.Duration
}

func (d *DestLimit) validate() error {
	if !(d.Share >= 0 && d.Share <= 1) {
		return &ConfigError{"DestLimit.Share", "must be a fraction in [0, 1]"}
	}
	if d.Interval < 0 {
		return &ConfigError{"DestLimit.Interval", "must not be negative"}
	}
	if d.Share > 0 && d.Interval == 0 {
		return &ConfigError{"DestLimit.Interval", "must be positive when Share is"}
	}
	if d.RetryAfter < 0 {
		return &ConfigError{"DestLimit.RetryAfter", "must not be negative"}
	}
	return nil
}

// destLimiter is the state of a DestLimit: the next time each limited
// destination seen so far accepts a message. Only limited destinations get
// an entry, so with Share 1% the map stays small.
type destLimiter struct {
	cfg    DestLimit
	seed   uint64
	shards [16]struct {
		mu   sync.Mutex
		next map[string]time.Time
	}
}

// newDestLimiter returns the limiter of d, or nil when d is off.
func newDestLimiter(d DestLimit, seed int64) *destLimiter {
	if d.Share == 0 {
		return nil
	}
	if d.RetryAfter == 0 {
		d.RetryAfter = time.Second
	}
	l := &destLimiter{cfg: d, seed: uint64(seed)}
	for i := range l.shards {
		l.shards[i].next = make(map[string]time.Time)
	}
	return l
}

// hash64 mixes dest with the seed (FNV-1a, then the splitmix64 finalizer),
// so the choice is reproducible across processes and builds.
func (l *destLimiter) hash64(dest string) uint64 {
	h := uint64(14695981039346656037)
	var sb [8]byte
	binary.LittleEndian.PutUint64(sb[:], l.seed)
	for _, c := range sb {
		h = (h ^ uint64(c)) * 1099511628211
	}
	for i := 0; i < len(dest); i++ {
		h = (h ^ uint64(dest[i])) * 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// limited reports whether dest (with or without '+') is one of the
// limited destinations.
func (l *destLimiter) limited(dest string) bool {
	dest = strings.TrimPrefix(dest, "+")
	u := float64(l.hash64(dest)>>11) / (1 << 53)
	return u < l.cfg.Share
}

// take decides a request for dest at now: false and the Retry-After to
// advertise when the destination is limited and its Interval has not
// passed.
func (l *destLimiter) take(dest string, now time.Time) (bool, time.Duration) {
	dest = strings.TrimPrefix(dest, "+")
	if dest == "" || !l.limited(dest) {
		return true, 0
	}
	sh := &l.shards[l.hash64(dest)%uint64(len(l.shards))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	next, seen := sh.next[dest]
	if !seen {
		sh.next[dest] = now.Add(l.cfg.Interval)
		return false, l.cfg.RetryAfter
	}
	if now.Before(next) {
		return false, l.cfg.RetryAfter
	}
	sh.next[dest] = now.Add(l.cfg.Interval)
	return true, 0
}

// destOf is the part of a single send that names its destination.
type destOf struct {
	Destination string `json:"destination"`
	User        *struct {
		MSISDN string `json:"msisdn"`
	} `json:"user"`
}

// check decides a single send's body: false and the Retry-After when its
// destination is limited now. A body that does not decode is let through
// (validation answers it).
func (l *destLimiter) check(body []byte, now time.Time) (bool, time.Duration) {
	var d destOf
	if json.Unmarshal(body, &d) != nil {
		return true, 0
	}
	dest := d.Destination
	if d.User != nil {
		dest = d.User.MSISDN
	}
	return l.take(dest, now)
}

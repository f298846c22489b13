package redisbreaker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// setScript sets KEYS[1] to expire in ARGV[1] ms unless it already expires
// later: "open until" only ever grows, whichever instance writes first. A
// key without expiry (PTTL -1, not ours) is overwritten.
var setScript = redis.NewScript(`
local ttl = tonumber(ARGV[1])
local cur = redis.call('PTTL', KEYS[1])
if cur >= ttl then
  return 0
end
redis.call('SET', KEYS[1], '1', 'PX', ttl)
return 1
`)

// flush writes the pending publications. Those that fail are kept for the
// next attempt while they are still in the future.
func (r *Store) flush(ctx context.Context) error {
	r.mu.Lock()
	if len(r.pending) == 0 {
		r.mu.Unlock()
		return nil
	}
	batch := r.pending
	r.pending = make(map[string]time.Time, len(batch))
	r.mu.Unlock()

	keys := make([]string, 0, len(batch))
	for k := range batch {
		keys = append(keys, k)
	}
	for i, key := range keys {
		ttl := batch[key].Sub(r.clock.Now()).Milliseconds()
		if ttl <= 0 {
			continue // over already: nothing to share
		}
		cctx, cancel := context.WithTimeout(ctx, r.timeout)
		err := setScript.Run(cctx, r.client, []string{r.prefix + "open:" + key}, ttl).Err()
		if err == nil {
			// After the write, so that a reader who sees the counter move
			// finds the key. A failure here retries the whole publication
			// (the script then leaves the key as it is).
			err = r.client.Incr(cctx, r.prefix+"gen").Err()
		}
		cancel()
		r.healthy.Store(err == nil)
		if err != nil {
			// Keep this one and the rest for the next attempt (the next
			// Refresh): with Redis down, one failed round trip per attempt.
			r.mu.Lock()
			for _, k := range keys[i:] {
				if until := batch[k]; until.After(r.pending[k]) && !r.closed {
					r.pending[k] = until
				}
			}
			r.mu.Unlock()
			return fmt.Errorf("breaker: redis publish: %w", err)
		}
	}
	return nil
}

// poll reads the generation counter and, when it moved (or after a failed
// poll, or every fullPollEvery polls), the remaining TTL of every followed
// key in one pipelined round trip; otherwise only the keys newly followed,
// if any. It returns the calls to make for the keys open later than
// reported.
func (r *Store) poll(ctx context.Context) (deliver func(), err error) {
	none := func() {}
	r.mu.Lock()
	n := len(r.follows)
	r.mu.Unlock()
	if n == 0 {
		return none, nil
	}
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	gen, err := r.client.Get(cctx, r.prefix+"gen").Result()
	if errors.Is(err, redis.Nil) {
		gen, err = "", nil // no publication since Redis started
	}
	if err != nil {
		r.healthy.Store(false)
		r.mu.Lock()
		r.dirty = true // Redis may come back empty, its counter restarted: read every key then
		r.mu.Unlock()
		return none, fmt.Errorf("breaker: redis poll: %w", err)
	}

	r.mu.Lock()
	full := !r.haveGen || gen != r.lastGen || r.dirty || r.idle >= fullPollEvery
	var keys []string
	if full {
		keys = make([]string, 0, len(r.follows))
		for k := range r.follows {
			keys = append(keys, k)
		}
		r.dirty = false
	} else {
		r.idle++
		for k := range r.fresh {
			if r.follows[k] != nil {
				keys = append(keys, k)
			}
		}
	}
	clear(r.fresh)
	r.mu.Unlock()
	if len(keys) == 0 {
		r.healthy.Store(true)
		return none, nil
	}

	pipe := r.client.Pipeline()
	cmds := make([]*redis.DurationCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.PTTL(cctx, r.prefix+"open:"+k)
	}
	_, err = pipe.Exec(cctx)
	r.healthy.Store(err == nil)
	if err != nil {
		r.mu.Lock()
		r.dirty = true // read them all next time
		r.mu.Unlock()
		return none, fmt.Errorf("breaker: redis poll: %w", err)
	}
	if full {
		r.mu.Lock()
		r.lastGen, r.haveGen, r.idle = gen, true, 0
		r.mu.Unlock()
	}
	ttls := make([]time.Duration, len(cmds))
	for i, c := range cmds {
		ttls[i] = c.Val()
	}
	return r.reports(r.clock.Now(), keys, ttls), nil
}

// reports turns polled TTLs into subscriber calls: key i is open until
// now+ttls[i] (a ttl <= 0 means not open, or no expiry: ignored).
// Subscribers hear of an opening only when it ends more than reportSlack
// after the last one they heard of (or published). The returned func makes
// the calls; run it without holding the store's locks.
func (r *Store) reports(now time.Time, keys []string, ttls []time.Duration) (deliver func()) {
	type report struct {
		until time.Time
		subs  []func(time.Time)
	}
	var reps []report
	r.mu.Lock()
	for i, k := range keys {
		f := r.follows[k]
		if ttls[i] <= 0 || f == nil {
			continue
		}
		until := now.Add(ttls[i])
		if !until.After(f.reported.Add(reportSlack)) {
			continue
		}
		f.reported = until
		rep := report{until: until, subs: make([]func(time.Time), 0, len(f.subs))}
		for _, fn := range f.subs {
			rep.subs = append(rep.subs, fn)
		}
		reps = append(reps, rep)
	}
	r.mu.Unlock()
	return func() {
		for _, rep := range reps {
			for _, fn := range rep.subs {
				fn(rep.until)
			}
		}
	}
}

package redisdlr

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/outcome"
)

// write is the background writer: it takes queued sends, up to batch at
// a time, and writes each batch in one pipelined round trip.
func (s *Store) write() {
	defer close(s.done)
	batch := make([]item, 0, s.batch)
	for {
		var it item
		stopping := false
		select {
		case it = <-s.q:
		case <-s.stop:
			stopping = true
		}
		batch = batch[:0]
		if !stopping {
			batch = append(batch, it)
		}
		// Take what else is queued, up to a batch; when stopping, all of
		// it, a batch at a time.
		for {
			select {
			case it = <-s.q:
				batch = append(batch, it)
				if len(batch) < s.batch {
					continue
				}
			default:
			}
			if !stopping || len(batch) < s.batch {
				break
			}
			s.flush(batch)
			batch = batch[:0]
		}
		s.flush(batch)
		if stopping {
			return
		}
	}
}

// flush writes the sends of batch and releases its flush markers.
func (s *Store) flush(batch []item) {
	n := 0
	for i := range batch {
		if batch[i].flushed == nil {
			n++
		}
	}
	if n > 0 {
		err := s.pipeline(batch)
		if err != nil && strings.Contains(err.Error(), "NOSCRIPT") {
			err = s.pipeline(batch) // loaded by the first try's fallback
		}
		if err != nil {
			s.failed.Add(uint64(n))
			if s.log != nil {
				s.log.Warn("redisdlr: writing sends failed", "sends", n, "error", err.Error())
			}
		} else {
			s.recorded.Add(uint64(n))
		}
	}
	for i := range batch {
		if batch[i].flushed != nil {
			close(batch[i].flushed)
		}
	}
}

func (s *Store) pipeline(batch []item) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	p := s.c.Pipeline()
	for i := range batch {
		o := &batch[i].s
		if batch[i].flushed != nil {
			continue
		}
		recordScript.EvalSha(ctx, p, []string{s.key(o.ClientMessageID), s.dueKey},
			o.ClientMessageID, o.SubAccountID, b01(o.Chat), o.MaxCopies(), b01(o.State == outcome.Accepted), b01(o.Ambiguous),
			o.At.UnixMilli(), o.UMID, ms(s.ttl), ms(s.linger))
	}
	cmds, err := p.Exec(ctx)
	if err != nil && strings.Contains(err.Error(), "NOSCRIPT") {
		if lerr := recordScript.Load(ctx, s.c).Err(); lerr != nil {
			return lerr
		}
		return err
	}
	if err != nil {
		return err
	}
	for _, c := range cmds {
		if c.Err() != nil && c.Err() != redis.Nil {
			return c.Err()
		}
	}
	return nil
}

// Flush waits until every send queued before it has been written (or
// failed), or ctx ends.
func (s *Store) Flush(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	ch := make(chan struct{})
	select {
	case s.q <- item{flushed: ch}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes the queued sends (bounded by ctx) and stops the writer;
// the store's methods then return ErrClosed. It does not close the Redis
// client.
func (s *Store) Close(ctx context.Context) error {
	s.once.Do(func() {
		s.closed.Store(true)
		close(s.stop)
	})
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

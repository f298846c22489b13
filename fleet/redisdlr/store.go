package redisdlr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/dlr"
	"github.com/octosend/octosend/outcome"
)

// Defaults of Config.
const (
	DefaultPrefix    = "octosend:dlr:"
	DefaultQueueSize = 10_000
	DefaultTimeout   = time.Second
	DefaultBatch     = 256
)

// ErrNoClient is returned by New when Config.Client is nil.
var ErrNoClient = errors.New("redisdlr: Config.Client is nil")

// ErrClosed is returned by the methods of a closed Store.
var ErrClosed = errors.New("redisdlr: store closed")

// Config configures a Store. Zero fields mean the documented defaults,
// except Client, which is required.
type Config struct {
	// Client is the Redis connection. Required; the store does not close
	// it. The scripts name keys they are not given (the entries a due
	// scan finds), so with Redis Cluster put a hash tag in Prefix (e.g.
	// "octosend:dlr:{a}:"): every key then lives on one node.
	Client redis.UniversalClient
	// Prefix starts every key: Prefix+"e:"+clientMessageId per entry (a
	// hash) and Prefix+"due" (a sorted set of the unresolved ones by due
	// time). Zero means DefaultPrefix.
	Prefix string
	// TTL, Linger and OnlyAmbiguous mean what they mean for
	// dlr.MemoryConfig: a send is due TTL (48 h) after it was sent, an
	// entry is kept Linger (1 h) after its resolution and after TTL.
	TTL, Linger   time.Duration
	OnlyAmbiguous bool
	// QueueSize bounds the sends waiting to be written (RecordSend never
	// waits on Redis: a background goroutine writes them, up to Batch
	// per round trip). A send that finds the queue full is dropped and
	// counted (Stats.Dropped). Zero means DefaultQueueSize.
	QueueSize int
	// Batch is how many queued sends go in one pipelined round trip. Zero
	// means DefaultBatch.
	Batch int
	// Timeout bounds each round trip of the background writer (the other
	// methods use their context). Zero means DefaultTimeout.
	Timeout time.Duration
	// Logger receives a Warn record when a write of queued sends fails.
	// Nil means silent.
	Logger *slog.Logger
}

// Stats counts what a Store did with the sends it was given.
type Stats struct {
	Recorded uint64 // written to Redis
	Skipped  uint64 // left out (MaxCopies 0, or OnlyAmbiguous)
	Dropped  uint64 // the queue was full
	Failed   uint64 // their write failed (Redis down)
	Queued   int    // waiting to be written now
}

// Store is a dlr.Store in Redis, shared by every instance of a fleet: a
// send recorded by one instance's client is found by the Reconciler of the
// instance 8x8's webhook call lands on, due sends are leased so that one
// instance sweeps each, and Resolve's compare-and-set lets exactly one
// report. Each method is one script call (one round trip), except
// RecordSend, which queues. It is safe for concurrent use; Close it to
// write what is queued.
type Store struct {
	c       redis.UniversalClient
	prefix  string
	dueKey  string
	ttl     time.Duration
	linger  time.Duration
	onlyAmb bool
	batch   int
	timeout time.Duration
	log     *slog.Logger

	q      chan item
	stop   chan struct{}
	done   chan struct{}
	closed atomic.Bool
	once   sync.Once

	recorded, skipped, dropped, failed atomic.Uint64
}

// item is a queued send, or a flush marker (flushed set).
type item struct {
	s       outcome.Send
	flushed chan struct{}
}

var _ dlr.Store = (*Store)(nil)

// New returns a Store on c.Client and starts its writer; stop it with
// Close. It returns ErrNoClient without a client and a *dlr.ConfigError
// for a negative field.
func New(c Config) (*Store, error) {
	if c.Client == nil {
		return nil, ErrNoClient
	}
	for _, f := range []struct {
		name string
		neg  bool
	}{{"TTL", c.TTL < 0}, {"Linger", c.Linger < 0}, {"QueueSize", c.QueueSize < 0}, {"Batch", c.Batch < 0}, {"Timeout", c.Timeout < 0}} {
		if f.neg {
			return nil, &dlr.ConfigError{Field: f.name, Msg: "negative"}
		}
	}
	s := &Store{c: c.Client, prefix: c.Prefix, ttl: c.TTL, linger: c.Linger, onlyAmb: c.OnlyAmbiguous,
		batch: c.Batch, timeout: c.Timeout, log: c.Logger, stop: make(chan struct{}), done: make(chan struct{})}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.ttl == 0 {
		s.ttl = dlr.DefaultStoreTTL
	}
	if s.linger == 0 {
		s.linger = dlr.DefaultLinger
	}
	if s.batch == 0 {
		s.batch = DefaultBatch
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	if c.QueueSize == 0 {
		c.QueueSize = DefaultQueueSize
	}
	s.dueKey = s.prefix + "due"
	s.q = make(chan item, c.QueueSize)
	go s.write()
	return s, nil
}

func (s *Store) key(cmid string) string { return s.prefix + "e:" + cmid }

func ms(d time.Duration) int64 { return d.Milliseconds() }

// TTL implements dlr.Store.
func (s *Store) TTL() time.Duration { return s.ttl }

// RecordSend implements dlr.Store (and client.OutcomeRecorder): it queues
// the send for the writer and returns at once.
func (s *Store) RecordSend(o outcome.Send) {
	if o.ClientMessageID == "" || o.MaxCopies() == 0 || (s.onlyAmb && !o.Ambiguous) {
		s.skipped.Add(1)
		return
	}
	if s.closed.Load() {
		s.dropped.Add(1)
		return
	}
	select {
	case s.q <- item{s: o}:
	default:
		s.dropped.Add(1)
	}
}

// AddReceipt implements dlr.Store.
func (s *Store) AddReceipt(ctx context.Context, u dlr.Update) (dlr.Entry, bool, error) {
	if s.closed.Load() {
		return dlr.Entry{}, false, ErrClosed
	}
	rank, del, fail, ts, rest := copyArgs(&u.Copy)
	v, err := receiptScript.Run(ctx, s.c, []string{s.key(u.ClientMessageID), s.dueKey},
		u.ClientMessageID, u.SubAccountID, b01(u.Chat), u.Copy.UMID, rank, del, fail, ts, rest,
		u.At.UnixMilli(), u.OrphanDue.UnixMilli(), ms(s.ttl), ms(s.linger)).Slice()
	if err != nil {
		return dlr.Entry{}, false, fmt.Errorf("redisdlr: receipt: %w", err)
	}
	if len(v) != 3 {
		return dlr.Entry{}, false, fmt.Errorf("redisdlr: receipt: %d values", len(v))
	}
	h, _ := v[2].([]any)
	e, err := parseEntry(u.ClientMessageID, h, v[1])
	changed, _ := v[0].(int64)
	return e, changed == 1, err
}

// Due implements dlr.Store.
func (s *Store) Due(ctx context.Context, now time.Time, lease time.Duration, max int) ([]dlr.Entry, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	t := now.UnixMilli()
	v, err := dueScript.Run(ctx, s.c, []string{s.dueKey}, t, max64(ms(lease), 1), max, s.prefix+"e:", t-ms(s.ttl+s.linger)).Slice()
	if err != nil {
		return nil, fmt.Errorf("redisdlr: due: %w", err)
	}
	out := make([]dlr.Entry, 0, len(v)/3)
	for i := 0; i+2 < len(v); i += 3 {
		cmid, _ := v[i].(string)
		h, _ := v[i+2].([]any)
		e, err := parseEntry(cmid, h, v[i+1])
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Schedule implements dlr.Store.
func (s *Store) Schedule(ctx context.Context, cmid string, at time.Time) error {
	if s.closed.Load() {
		return ErrClosed
	}
	err := s.c.ZAddXX(ctx, s.dueKey, redis.Z{Score: float64(at.UnixMilli()), Member: cmid}).Err()
	if err != nil {
		return fmt.Errorf("redisdlr: schedule: %w", err)
	}
	return nil
}

// Resolve implements dlr.Store.
func (s *Store) Resolve(ctx context.Context, cmid string, prev, v dlr.Verdict, _ time.Time) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	if v == dlr.VerdictNone {
		return false, nil
	}
	n, err := resolveScript.Run(ctx, s.c, []string{s.key(cmid), s.dueKey}, cmid, int(prev), int(v), max64(ms(s.linger), 1)).Int()
	if err != nil {
		return false, fmt.Errorf("redisdlr: resolve: %w", err)
	}
	return n == 1, nil
}

// Forget implements dlr.Store.
func (s *Store) Forget(ctx context.Context, cmid string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	_, err := s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.key(cmid))
		p.ZRem(ctx, s.dueKey, cmid)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisdlr: forget: %w", err)
	}
	return nil
}

// Stats returns the store's counters.
func (s *Store) Stats() Stats {
	return Stats{Recorded: s.recorded.Load(), Skipped: s.skipped.Load(), Dropped: s.dropped.Load(),
		Failed: s.failed.Load(), Queued: len(s.q)}
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

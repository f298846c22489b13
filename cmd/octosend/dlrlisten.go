package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/octosend/octosend/dlr"
)

// dlrOptions are the delivery-receipt flags of bulk (and, fixed, of demo).
type dlrOptions struct {
	listen string        // --dlr-listen: where the webhook listens; "" = no receipts
	auth   string        // --dlr-auth / OCTOSEND_DLR_AUTH: the Authorization the webhook wants; never printed
	wait   time.Duration // --dlr-wait: how long to wait for receipts after the last send
	settle time.Duration // --dlr-settle: how long a send with fewer copies than attempts waits for another
}

// Defaults of the --dlr-* flags.
const (
	defaultDLRWait   = 30 * time.Second
	defaultDLRSettle = 5 * time.Second
)

func (o *dlrOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.listen, "dlr-listen", "", "")
	fs.StringVar(&o.auth, "dlr-auth", "", "")
	fs.DurationVar(&o.wait, "dlr-wait", defaultDLRWait, "")
	fs.DurationVar(&o.settle, "dlr-settle", defaultDLRSettle, "")
}

// resolve reads OCTOSEND_DLR_AUTH and checks the flags.
func (o *dlrOptions) resolve(getenv func(string) string) error {
	if o.auth == "" {
		o.auth = getenv("OCTOSEND_DLR_AUTH")
	}
	switch {
	case o.wait < 0:
		return fmt.Errorf("--dlr-wait %s: want 0 or more", o.wait)
	case o.settle < 0:
		return fmt.Errorf("--dlr-settle %s: want 0 or more", o.settle)
	case strings.ContainsAny(o.auth, "\r\n"):
		return errors.New("--dlr-auth: contains a line break")
	case o.listen == "":
		return nil
	}
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return fmt.Errorf("--dlr-listen %q: want HOST:PORT (%v)", o.listen, err)
	}
	if o.auth == "" && !loopbackHost(host) {
		return fmt.Errorf("--dlr-listen %q is not a loopback address: set --dlr-auth (or OCTOSEND_DLR_AUTH) to the webhook's Authorization header", o.listen)
	}
	return nil
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dlrResult is what the receipts said about one message: the "dlr" field
// of its results line.
type dlrResult struct {
	// Verdict is delivered, duplicate, failed, no-receipt (the dlr
	// package's verdicts) or pending (not resolved when the wait ended).
	Verdict string `json:"verdict"`
	// State is the final state that stands for the message: the delivered
	// copy's, the failed copy's, or (pending) the best one seen so far.
	State string `json:"state,omitempty"`
	// ErrorCode is the receipt's DLR error code (failed); Reason 8x8's
	// meaning of it.
	ErrorCode int    `json:"errorCode,omitempty"`
	Reason    string `json:"reason,omitempty"`
	// Copies is the number of umids 8x8 revealed for the clientMessageId
	// (2 or more: it was accepted more than once); Delivered how many of
	// them were delivered.
	Copies    int      `json:"copies"`
	Delivered int      `json:"delivered"`
	UMIDs     []string `json:"umids,omitempty"`
}

// dlrSession is the webhook of one run: a dlr.Receiver on its own
// listener, feeding a Reconciler over a MemoryStore that the client
// records its sends in (client.Config.Outcomes).
type dlrSession struct {
	store *dlr.MemoryStore
	rec   *dlr.Reconciler
	rv    *dlr.Receiver
	srv   *http.Server
	ln    net.Listener
	stop  context.CancelFunc
	done  chan struct{} // closed when the server and the sweeper ended
	// waited is how long the run waited for receipts after its sends.
	waited time.Duration

	mu       sync.Mutex
	resolved map[string]dlr.Resolution // by clientMessageId, the latest
	seen     map[string][]dlr.Copy     // receipts of sends not resolved yet, by clientMessageId
}

// maxDLRSends bounds the sends a run tracks for receipts (about 300 bytes
// each, plus the receipts kept for the results).
const maxDLRSends = 1_000_000

// startDLR listens on o.listen and starts receiving.
func startDLR(o *dlrOptions) (*dlrSession, error) {
	store, err := dlr.NewMemoryStore(dlr.MemoryConfig{MaxEntries: maxDLRSends})
	if err != nil {
		return nil, err
	}
	s := &dlrSession{store: store, done: make(chan struct{}),
		resolved: make(map[string]dlr.Resolution), seen: make(map[string][]dlr.Copy)}
	settle := o.settle
	if settle == 0 {
		settle = time.Nanosecond // the dlr default (0) would be 10 minutes
	}
	s.rec, err = dlr.NewReconciler(dlr.ReconcilerConfig{Store: store, Settle: settle,
		Interval: min(time.Second, max(settle/4, 10*time.Millisecond)), OnResolve: s.onResolve})
	if err != nil {
		return nil, err
	}
	cfg := dlr.Config{OnReceipt: s.onReceipt}
	if o.auth != "" {
		cfg.Authorization = []string{o.auth}
	} else {
		cfg.AllowUnauthenticated = true // loopback only (dlrOptions.resolve)
	}
	if s.rv, err = dlr.New(cfg); err != nil {
		return nil, err
	}
	if s.ln, err = net.Listen("tcp", o.listen); err != nil {
		return nil, fmt.Errorf("--dlr-listen: %w", err)
	}
	s.srv = &http.Server{Handler: s.rv, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	var wg sync.WaitGroup
	wg.Go(func() { _ = s.srv.Serve(s.ln) })
	wg.Go(func() { _ = s.rec.Run(ctx) })
	go func() { wg.Wait(); close(s.done) }()
	return s, nil
}

// URL is the webhook's address, http://HOST:PORT/ (any path is served).
func (s *dlrSession) URL() string { return "http://" + s.ln.Addr().String() + "/" }

func (s *dlrSession) onReceipt(r dlr.Receipt) {
	s.mu.Lock()
	if _, done := s.resolved[r.ClientMessageID]; !done && r.ClientMessageID != "" && len(s.seen) < 1_000_000 {
		cs := s.seen[r.ClientMessageID]
		i := 0
		for i < len(cs) && cs[i].UMID != r.UMID {
			i++
		}
		c := dlr.Copy{UMID: r.UMID, State: r.State, Detail: r.Detail, Timestamp: r.Timestamp, ErrorCode: r.ErrorCode}
		if i == len(cs) {
			s.seen[r.ClientMessageID] = append(cs, c)
		} else if m, ok := cs[i].Merge(c); ok {
			cs[i] = m
		}
	}
	s.mu.Unlock()
	s.rec.OnReceipt(r)
}

func (s *dlrSession) onResolve(r dlr.Resolution) {
	r.Copies = append([]dlr.Copy(nil), r.Copies...)
	s.mu.Lock()
	s.resolved[r.ClientMessageID] = r
	delete(s.seen, r.ClientMessageID)
	s.mu.Unlock()
}

// open is the number of recorded sends not resolved yet.
func (s *dlrSession) open() int { return s.store.Stats().Open }

// waitResolved waits until every recorded send is resolved, d passes,
// stop closes, or drained (when not nil) reports true for the settle
// time: nothing more can come.
func (s *dlrSession) waitResolved(d time.Duration, stop <-chan struct{}, drained func() bool, settle time.Duration) {
	deadline := time.Now().Add(d)
	var quietSince time.Time
	for s.open() > 0 && time.Now().Before(deadline) {
		if drained != nil {
			if !drained() {
				quietSince = time.Time{}
			} else if quietSince.IsZero() {
				quietSince = time.Now()
			} else if time.Since(quietSince) > settle+time.Second {
				return
			}
		}
		select {
		case <-stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// close stops the listener, hands over the receipts queued and stops the
// sweeper.
func (s *dlrSession) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	_ = s.rv.Shutdown(ctx)
	s.stop()
	<-s.done
}

// result is what the receipts said about cmid, or nil when the message
// was not tracked (tracked false: a plain failure, which 8x8 never took).
func (s *dlrSession) result(cmid string, tracked bool) *dlrResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.resolved[cmid]; ok {
		out := &dlrResult{Verdict: r.Verdict.String(), Copies: len(r.Copies), Delivered: r.Delivered,
			ErrorCode: int(r.ErrorCode), Reason: r.Reason}
		out.State, out.UMIDs = standing(r.Copies, r.Verdict)
		return out
	}
	cs, ok := s.seen[cmid]
	if !tracked && !ok {
		return nil
	}
	out := &dlrResult{Verdict: "pending", Copies: len(cs)}
	out.State, out.UMIDs = standing(cs, dlr.VerdictNone)
	for i := range cs {
		if cs[i].Delivered() {
			out.Delivered++
		}
	}
	return out
}

// standing picks the state that stands for the copies and lists their
// umids.
func standing(cs []dlr.Copy, v dlr.Verdict) (string, []string) {
	state, rank := "", -1
	umids := make([]string, 0, len(cs))
	for i := range cs {
		c := &cs[i]
		umids = append(umids, c.UMID)
		r := c.Rank()
		switch {
		case (v == dlr.VerdictDelivered || v == dlr.VerdictDuplicate) && c.Delivered():
			r += 10 // a delivered copy stands for a delivered message
		case v == dlr.VerdictFailed && c.Failed():
			r += 10
		}
		if r > rank {
			state, rank = string(c.State), r
		}
	}
	return state, umids
}

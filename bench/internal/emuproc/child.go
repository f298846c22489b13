package emuproc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octosend/octosend/emulator"
)

// MaybeServe turns the process into the emulator child when ChildEnv is
// set, and never returns then; otherwise it returns at once. Call it first
// thing in main (or TestMain) of any program that uses Start.
func MaybeServe() {
	if os.Getenv(ChildEnv) == "" {
		return
	}
	if err := serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "emuproc:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// serve runs the child until stdin reaches EOF (the parent closed it, or
// died).
func serve(stdin io.Reader, stdout io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	c := &child{}
	if err := c.setup(Setup{}); err != nil {
		return err
	}
	hs := &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	if _, err := fmt.Fprintln(stdout, "http://"+ln.Addr().String()); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, stdin)
	_ = hs.Close()
	return nil
}

// child is the emulator child's handler: control routes, and the current
// emulator behind a counter of requests per clientMessageId.
type child struct {
	mu   sync.Mutex // serialises setups
	emu  atomic.Pointer[emulator.Server]
	reqs atomic.Pointer[counts]
}

func (c *child) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_bench/setup":
		c.serveSetup(w, r)
		return
	case "/_bench/report":
		c.serveReport(w)
		return
	}
	emu, reqs := c.emu.Load(), c.reqs.Load()
	if r.Body == nil || r.Method != http.MethodPost {
		emu.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		// The client went away mid-body: the emulator would not have
		// answered either.
		panic(http.ErrAbortHandler)
	}
	id := clientMessageID(body)
	reqs.add(id)
	r.Body = io.NopCloser(bytes.NewReader(body))
	sw := &statusWriter{ResponseWriter: w}
	emu.ServeHTTP(sw, r)
	if sw.status == http.StatusBadRequest {
		// The only 400s of the benchmark's workload are refused numbers
		// (1002): every later request for the id is wasted.
		reqs.refused(id)
	}
}

// statusWriter remembers the status written through it. It passes
// Hijack through, which the emulator's connection resets need.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("emuproc: response writer cannot hijack")
	}
	return hj.Hijack()
}

func (c *child) serveSetup(w http.ResponseWriter, r *http.Request) {
	var s Setup
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := c.setup(s); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// setup replaces the emulator and the counters.
func (c *child) setup(s Setup) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cfg := s.config(time.Now())
	emu, err := emulator.New(cfg)
	if err != nil {
		return err
	}
	c.reqs.Store(newCounts())
	if old := c.emu.Swap(emu); old != nil {
		old.Close()
	}
	return nil
}

func (c *child) serveReport(w http.ResponseWriter) {
	emu, reqs := c.emu.Load(), c.reqs.Load()
	rep := Report{Stats: emu.Stats(), Ledger: make(map[string]int), Anonymous: reqs.anon.Load()}
	for _, e := range emu.Ledger().Entries() {
		rep.Ledger[e.ClientMessageID] += e.Count
	}
	rep.Requests, rep.Wasted = reqs.snapshot()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(&rep)
}

var idKey = []byte(`"clientMessageId":"`)

// clientMessageID returns the first clientMessageId of a JSON request body,
// or "" when there is none. Every driver's encoder (octosend's and
// encoding/json) writes the key without spaces; ids in the benchmark hold
// no escapes.
func clientMessageID(body []byte) string {
	i := bytes.Index(body, idKey)
	if i < 0 {
		return ""
	}
	rest := body[i+len(idKey):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

// counts is a sharded map from clientMessageId to the requests seen.
type counts struct {
	seed   maphash.Seed
	anon   atomic.Int64
	shards [32]struct {
		mu sync.Mutex
		m  map[string]*idCount
	}
}

type idCount struct {
	requests int  // requests that carried the id
	wasted   int  // requests that came after the id was refused (400)
	refused  bool // the id got a 400
}

func newCounts() *counts {
	c := &counts{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*idCount)
	}
	return c
}

func (c *counts) shard(id string) *struct {
	mu sync.Mutex
	m  map[string]*idCount
} {
	return &c.shards[maphash.String(c.seed, id)%uint64(len(c.shards))]
}

// add counts one request for id.
func (c *counts) add(id string) {
	if id == "" {
		c.anon.Add(1)
		return
	}
	sh := c.shard(id)
	sh.mu.Lock()
	e := sh.m[id]
	if e == nil {
		e = &idCount{}
		sh.m[id] = e
	}
	e.requests++
	if e.refused {
		e.wasted++
	}
	sh.mu.Unlock()
}

// refused records that id got a permanent refusal.
func (c *counts) refused(id string) {
	if id == "" {
		return
	}
	sh := c.shard(id)
	sh.mu.Lock()
	if e := sh.m[id]; e != nil {
		e.refused = true
	}
	sh.mu.Unlock()
}

// snapshot returns the requests per id and the wasted requests per id
// (only ids with some).
func (c *counts) snapshot() (requests, wasted map[string]int) {
	requests, wasted = make(map[string]int), make(map[string]int)
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			requests[k] = e.requests
			if e.wasted > 0 {
				wasted[k] = e.wasted
			}
		}
		sh.mu.Unlock()
	}
	return requests, wasted
}

// errNoURL is returned by Start when the child printed no URL.
var errNoURL = errors.New("emuproc: the child printed no URL")

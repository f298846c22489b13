package emuproc

import (
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
	if r.Body != nil && r.Method == http.MethodPost {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			// The client went away mid-body: the emulator would not
			// have answered either.
			panic(http.ErrAbortHandler)
		}
		reqs.add(clientMessageID(body))
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	emu.ServeHTTP(w, r)
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
	rep.Requests = reqs.snapshot()
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

// counts is a sharded map from clientMessageId to requests seen.
type counts struct {
	seed   maphash.Seed
	anon   atomic.Int64
	shards [32]struct {
		mu sync.Mutex
		m  map[string]int
	}
}

func newCounts() *counts {
	c := &counts{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string]int)
	}
	return c
}

func (c *counts) add(id string) {
	if id == "" {
		c.anon.Add(1)
		return
	}
	sh := &c.shards[maphash.String(c.seed, id)%uint64(len(c.shards))]
	sh.mu.Lock()
	sh.m[id]++
	sh.mu.Unlock()
}

func (c *counts) snapshot() map[string]int {
	out := make(map[string]int)
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for k, v := range sh.m {
			out[k] = v
		}
		sh.mu.Unlock()
	}
	return out
}

// errNoURL is returned by Start when the child printed no URL.
var errNoURL = errors.New("emuproc: the child printed no URL")

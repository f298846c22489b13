package emulator

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server is an 8x8 API look-alike: an http.Handler serving the SMS and
// chat-apps send endpoints, with auth, validation, per-sub-account rate
// limits, fault injection and a Ledger. It is safe for concurrent use.
//
// A Server made by New only handles requests; Listen (and emulatortest.Start) also put it
// on a loopback socket.
type Server struct {
	cfg     Config
	now     func() time.Time
	apiKey  []byte
	maxBody int64
	tpl     map[string]bool

	tenants *tenants
	ledger  *Ledger
	inj     *injector
	dests   *destLimiter // nil unless Config.DestLimit is on
	dlr     *dlrSender   // nil unless Config.DLR is on
	stats   counters

	closed    chan struct{} // closed by Close: ends latency waits
	closeOnce sync.Once
	hs        *http.Server // set by Listen
	url       string
}

// New returns a Server for cfg, or a *ConfigError when cfg is invalid. The
// Server does not listen: use it as an http.Handler, or use Start / Listen.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, now: cfg.Now, closed: make(chan struct{})}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.APIKey != "" {
		s.apiKey = []byte("Bearer " + cfg.APIKey)
	}
	s.maxBody = cfg.MaxBodyBytes
	if s.maxBody == 0 {
		s.maxBody = defaultMaxBodyBytes
	}
	s.tpl = make(map[string]bool, len(cfg.Templates))
	for _, n := range cfg.Templates {
		s.tpl[n] = true
	}
	s.tenants = &tenants{cfg: &s.cfg}
	s.ledger = newLedger(s.tenants)
	s.inj = newInjector(&cfg)
	s.dests = newDestLimiter(cfg.DestLimit, cfg.Seed)
	if cfg.DLR.on() {
		s.dlr = newDLRSender(cfg.DLR, cfg.Seed)
	}
	return s, nil
}

// Listen starts a Server for cfg on addr (e.g. "127.0.0.1:8088"; port 0
// picks a free one) and serves until Close. It returns a *ConfigError when
// cfg is invalid, or the listen error.
func Listen(addr string, cfg Config) (*Server, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go func() { _ = s.hs.Serve(ln) }()
	return s, nil
}

// URL returns the base URL ("http://127.0.0.1:port"), the same for SMS and
// chat apps; "" for a Server that is not listening.
func (s *Server) URL() string { return s.url }

// Close stops the listener, drops every connection, ends pending latency
// waits and stops posting receipts (those still pending are dropped). It
// is safe to call more than once. A Server made by New with Config.DLR on
// needs it too: the receipts are posted by goroutines of their own.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		if s.hs != nil {
			_ = s.hs.Close()
		}
		if s.dlr != nil {
			s.dlr.close()
		}
	})
}

// Ledger returns the ledger of accepted messages and arrivals.
func (s *Server) Ledger() *Ledger { return s.ledger }

// Stats returns a snapshot of the server's counters.
func (s *Server) Stats() Stats {
	st := s.stats.snapshot(s.ledger.accepted.Load())
	if s.dlr != nil {
		st.DLR = s.dlr.stats()
	}
	return st
}

// DLRRecords returns, for every accepted copy of a message that has
// receipts (Config.DLR), what became of them, in order of acceptance. The
// slice is a copy; it is empty when Config.DLR is off.
func (s *Server) DLRRecords() []DLRRecord {
	if s.dlr == nil {
		return nil
	}
	return s.dlr.recordsCopy()
}

// receipts schedules the receipts of an accepted copy, when Config.DLR is
// on.
func (s *Server) receipts(a *accepted) {
	if s.dlr != nil {
		s.dlr.accept(a)
	}
}

// SetFaults replaces the random fault mix. It returns a *ConfigError, and
// changes nothing, when f is invalid. The PRNG carries on from where it was.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.inj.setFaults(f)
	return nil
}

// SetScript replaces the fault script with a fresh one (nothing consumed).
func (s *Server) SetScript(script []Fault) error {
	for i, f := range script {
		if err := f.validate("Script[" + itoa(i) + "]"); err != nil {
			return err
		}
	}
	s.inj.setScript(script)
	return nil
}

// SetOutage replaces the outage windows.
func (s *Server) SetOutage(ws []Window) error {
	for i, w := range ws {
		if err := w.validate("Outage[" + itoa(i) + "]"); err != nil {
			return err
		}
	}
	s.inj.setOutage(ws)
	return nil
}

// Reset forgets the ledger, the arrivals and the stats (not the faults,
// the script position, the token buckets, or the receipts of Config.DLR
// and their counters). Call it while no request is
// in flight; one that is may be half counted.
func (s *Server) Reset() {
	s.ledger.reset()
	s.stats.reset()
}

const apiPrefix = "/api/v1/subaccounts/"

// route splits "/api/v1/subaccounts/{sub}/messages[/batch]".
func route(path string) (sub string, isBatch, ok bool) {
	rest, found := strings.CutPrefix(path, apiPrefix)
	if !found {
		return "", false, false
	}
	sub, tail, found := strings.Cut(rest, "/")
	if !found || sub == "" {
		return "", false, false
	}
	switch tail {
	case "messages":
		return sub, false, true
	case "messages/batch":
		return sub, true, true
	}
	return "", false, false
}

// ServeHTTP serves one request. The steps, in order: arrival record,
// latency, outage window, auth (401), sub-account checks (400 / 403),
// token bucket (429), scripted or random fault, body (413 / 400), validation
// and ledger, response.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == LedgerPath {
		s.serveLedger(w, r) // ledgerexport.go; not an API request
		return
	}
	s.stats.requests.Add(1)
	sub, isBatch, ok := route(r.URL.Path)
	if !ok {
		s.writeError(w, http.StatusNotFound, apiError{codeNotFound, "Not found"})
		return
	}
	var t *tenant
	if validSubAccount(sub) {
		t = s.tenants.get(sub)
		t.arrive(s.now())
	}
	if r.Method != http.MethodPost {
		w.Header()["Allow"] = []string{http.MethodPost}
		s.writeError(w, http.StatusMethodNotAllowed, apiError{codeInvalidParameter, "Method not allowed"})
		return
	}
	if s.cfg.Latency > 0 && !s.wait(r.Context(), s.cfg.Latency) {
		abort()
	}
	if win, ok := s.inj.inOutage(s.now()); ok {
		s.outage(w, r, win)
		return
	}
	if s.apiKey != nil && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), s.apiKey) != 1 {
		s.writeError(w, http.StatusUnauthorized, apiError{codeUnauthorized, "Request was not authenticated properly"})
		return
	}
	if t == nil {
		s.writeError(w, http.StatusBadRequest, apiError{codeIllegalSubAccount, "Illegal SubAccountId"})
		return
	}
	if t.disabled {
		s.writeError(w, http.StatusForbidden, apiError{codeAccessForbidden, "Access forbidden"})
		return
	}
	if ok, wait := t.take(s.now()); !ok {
		s.stats.throttled.Add(1)
		if s.cfg.RetryAfter > 0 {
			wait = s.cfg.RetryAfter
		}
		s.write429(w, wait)
		return
	}
	f := s.inj.decide(sub)
	if f.Kind != FaultNone {
		s.stats.faults[f.Kind].Add(1)
	}
	if f.Latency > 0 && !s.wait(r.Context(), f.Latency) {
		abort()
	}
	switch f.Kind {
	case Fault500:
		s.writeError(w, http.StatusInternalServerError, apiError{codeInternalError, "Internal server error"})
		return
	case Fault503:
		s.write503(w, f.RetryAfter)
		return
	case Fault429:
		ra := f.RetryAfter
		if ra == 0 {
			ra = s.cfg.RetryAfter
		}
		s.write429(w, ra)
		return
	case FaultResetBeforeBody:
		s.reset(w)
		return
	}

	buf := getBuffer()
	defer putBuffer(buf)
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, s.maxBody+1)); err != nil {
		abort() // the client went away mid-body: nobody to answer
	}
	if int64(buf.Len()) > s.maxBody {
		s.tooLarge(w, r)
		return
	}
	if f.Kind == FaultResetAfterBody {
		s.reset(w)
		return
	}
	if s.dests != nil && !isBatch {
		if ok, ra := s.dests.check(buf.Bytes(), s.now()); !ok {
			s.stats.destThrottled.Add(1)
			s.write429(w, ra)
			return
		}
	}

	status, body := s.process(sub, isBatch, buf.Bytes())
	switch f.Kind {
	case FaultAcceptedThen500:
		s.writeError(w, http.StatusInternalServerError, apiError{codeInternalError, "Internal server error"})
	case FaultAcceptedThenReset:
		s.reset(w)
	case FaultGarbage:
		s.writeBody(w, http.StatusOK, garbage)
	case FaultTruncated:
		s.writeTruncated(w, body)
	default:
		s.writeBody(w, status, body)
	}
}

// process decodes, validates and records a send request, returning the
// status and body of the normal answer.
func (s *Server) process(sub string, isBatch bool, body []byte) (int, []byte) {
	if isBatch {
		var b batch
		if err := json.Unmarshal(body, &b); err != nil {
			return 400, s.errorJSON(jsonError(err))
		}
		if b.isChat() {
			return s.sendChatBatch(sub, &b)
		}
		return s.sendSMSBatch(sub, &b)
	}
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		return 400, s.errorJSON(jsonError(err))
	}
	if m.User != nil {
		return s.sendChat(sub, &m)
	}
	return s.sendSMS(sub, &m)
}

func jsonError(err error) apiError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return apiError{codeInvalidParameter, "Invalid parameter: " + te.Field + " has the wrong type"}
	}
	return apiError{codeInvalidParameter, "Malformed JSON body"}
}

// outage answers a request inside an outage window.
func (s *Server) outage(w http.ResponseWriter, r *http.Request, win Window) {
	k := win.kind()
	s.stats.faults[k].Add(1)
	left := win.End.Sub(s.now())
	switch k {
	case Fault500:
		s.writeError(w, http.StatusInternalServerError, apiError{codeInternalError, "Internal server error"})
	case Fault429:
		s.write429(w, left)
	case FaultResetBeforeBody:
		s.reset(w)
	case FaultResetAfterBody:
		buf := getBuffer()
		_, _ = buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.maxBody))
		putBuffer(buf)
		s.reset(w)
	default: // Fault503
		if win.NoRetryAfter {
			s.write503(w, 0)
			return
		}
		s.write503(w, max(left, time.Second))
	}
}

// write503 answers 503 with body code 2000, and Retry-After when ra > 0.
func (s *Server) write503(w http.ResponseWriter, ra time.Duration) {
	if ra > 0 {
		w.Header()["Retry-After"] = []string{itoa(int(retryAfterSeconds(ra)))}
	}
	s.writeError(w, http.StatusServiceUnavailable, apiError{codeInternalError, "Service unavailable"})
}

// wait sleeps for d, unless the request or the server ends first; it
// reports whether the full wait happened.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closed:
		return false
	}
}

// abort ends the handler without a response; net/http closes the
// connection quietly.
func abort() { panic(http.ErrAbortHandler) }

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return // let big batch buffers go
	}
	b.Reset()
	bufPool.Put(b)
}

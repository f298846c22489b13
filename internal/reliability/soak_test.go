package reliability

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

// soakFor turns the short CI soak into a long one:
//
//	go test ./internal/reliability -run TestFaultSoak -soak=2m -v
var soakFor = flag.Duration("soak", 0, "run the fault soak for this long (e.g. 2m) instead of the short CI run")

const (
	soakShortMessages    = 3000 // messages in the CI run
	soakWorkersPerTenant = 2
	soakTenantsEach      = 12 // tenants per delivery semantics
	soakSeed             = 20261125
	soakBatchSize        = 5 // one of each batch's messages is invalid
)

// soakFaults is the random fault mix: every kind the emulator has, about
// 15% of requests in all.
var soakFaults = emulator.Faults{
	P500: 0.02, P503: 0.02, PResetBefore: 0.01, PResetAfter: 0.01, PAcceptedThen500: 0.02,
	P429: 0.003, PLatency: 0.03, PGarbage: 0.005, PTruncated: 0.005, PAcceptedThenReset: 0.01,
	LatencyMax: 20 * time.Millisecond,
}

type jobKind uint8

const (
	jobSMS             jobKind = iota // a valid single SMS
	jobSMSBadMSISDN                   // a single SMS the API refuses with 1002
	jobChat                           // a valid chat-apps text
	jobChatBadTemplate                // a chat-apps template the API refuses with 3038
	jobBatch                          // an SMS batch: soakBatchSize-1 valid messages and one bad number
	jobChatBatch                      // a chat-apps batch: soakBatchSize-1 texts and one unknown template
)

func (k jobKind) String() string {
	return [...]string{"sms", "sms-1002", "chat", "chat-3038", "batch", "chat-batch"}[k]
}

type job struct {
	kind   jobKind
	tenant string
	id     int
}

// state is a message's terminal outcome.
type state uint8

const (
	stAccepted state = iota + 1
	stRejected       // refused by the API: a 4xx envelope or a REJECTED batch item
	stFailed         // no acceptance reported
)

// outcome is what the client reported for one message.
type outcome struct {
	tenant, cmid string
	kind         jobKind
	state        state
	ambiguous    bool // Result.Ambiguous, MessageResult.Ambiguous or the error's Ambiguous
	umid         string
	attempts     int // of the request that carried it
	code         envelope.Code
	err          error
}

// trace is what the hooks saw of one single-message send.
type trace struct {
	attempts  int
	last      int   // highest attempt number seen
	permanent []int // attempts answered 1002 or 3038
	ambiguous []int // attempts whose failure may have been accepted
	giveUps   int
}

// soak runs the fault soak and holds its accounting.
type soak struct {
	t        *testing.T
	obs      *observer
	srv      *emulator.Server
	wire     *wire
	c        *client.Client
	mu       sync.Mutex
	outcomes map[string]*outcome // by tenant + "/" + cmid
	dupOut   int                 // messages reported twice
	traces   map[string]*trace   // by cmid (single sends only)
	alo, amo []string
	given    atomic.Int64 // messages handed to the client

	breakerOpened  atomic.Int64 // breaker transitions to open
	breakerRefused atomic.Int64 // sends refused by an open breaker
}

// soakOutages returns the outage windows of a soak starting at start: 300ms
// of 500s (no Retry-After) 600ms in, then every 15s of a long soak. They
// trip the region's breaker, so the soak also proves that sends refused by
// an open breaker are reported, never lost.
func soakOutages(start time.Time) []emulator.Window {
	var ws []emulator.Window
	for at := 600 * time.Millisecond; at <= max(*soakFor, time.Second); at += 15 * time.Second {
		ws = append(ws, emulator.Window{Start: start.Add(at), End: start.Add(at + 300*time.Millisecond), Kind: emulator.Fault500})
	}
	return ws
}

func soakPolicy(t testing.TB, alo, amo []string) *policy.Policy {
	amoSem := policy.AtMostOnce
	tenants := make(map[string]policy.Tenant)
	for _, n := range amo {
		tenants[n] = policy.Tenant{Semantics: &amoSem}
	}
	for _, n := range alo {
		tenants[n] = policy.Tenant{} // at-least-once, the global default
	}
	return mustPolicy(t, policy.Config{
		Semantics: policy.AtLeastOnce,
		Retry: policy.Retry{
			MaxAttempts: 6, BaseDelay: 2 * time.Millisecond, MaxDelay: 50 * time.Millisecond,
			AttemptTimeout: 2 * time.Second, Deadline: 30 * time.Second,
		},
		Budget:  policy.BudgetConfig{Ratio: 0.5, MinPerSecond: 200},
		Tenants: tenants,
	})
}

func TestFaultSoak(t *testing.T) {
	s := &soak{t: t, outcomes: make(map[string]*outcome), traces: make(map[string]*trace)}
	for i := range soakTenantsEach {
		s.alo = append(s.alo, fmt.Sprintf("soak-alo-%02d", i))
		s.amo = append(s.amo, fmt.Sprintf("soak-amo-%02d", i))
	}
	outages := soakOutages(time.Now())
	var err error
	s.srv, err = emulator.New(emulator.Config{
		APIKey: canaryKey, Seed: soakSeed, Templates: []string{"order_shipped"}, Faults: soakFaults,
		Outage: outages,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.wire = &wire{h: s.srv, by: make(map[string][]int), outages: outages}
	ts := httptest.NewUnstartedServer(s.wire)
	ts.Config.ErrorLog = discardLog()
	ts.Start()
	t.Cleanup(func() { s.srv.Close(); ts.CloseClientConnections(); ts.Close() })
	s.obs = newObserver(t)
	s.obs.onAttempt = s.attempt
	s.obs.onGiveUp = s.giveUp
	s.obs.onBreaker = func(ev client.BreakerEvent) {
		if ev.To == breaker.Open {
			s.breakerOpened.Add(1)
		}
	}
	s.c = s.obs.newClient(client.Config{
		BaseURL: ts.URL, Policy: soakPolicy(t, s.alo, s.amo),
		// Short enough that an outage trips the region's breaker and the
		// soak goes on after it.
		Breaker: breaker.Config{Window: 500 * time.Millisecond, MinRequests: 20, FailureRatio: 0.5, Consecutive: 25, OpenFor: 250 * time.Millisecond},
	})

	start := time.Now()
	s.run()
	elapsed := time.Since(start)
	s.c.Close()
	s.check(elapsed)
}

// run sends soakShortMessages messages, or as many as fit in -soak. Each
// tenant has its own senders, as a multi-tenant sender would: a tenant
// paused by a 429 holds up only its own.
func (s *soak) run() {
	tenants := append(slices.Clone(s.alo), s.amo...)
	var (
		wg   sync.WaitGroup
		msgs atomic.Int64
	)
	deadline := time.Now().Add(*soakFor)
	workers := len(tenants) * soakWorkersPerTenant
	for ti, tenant := range tenants {
		for w := range soakWorkersPerTenant {
			g := ti*soakWorkersPerTenant + w
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(soakSeed, uint64(g)))
				for k := 0; ; k++ {
					if *soakFor > 0 && time.Now().After(deadline) {
						return
					}
					j := job{tenant: tenant, id: k*workers + g, kind: pickKind(rng)}
					n := int64(1)
					if j.kind == jobBatch || j.kind == jobChatBatch {
						n = soakBatchSize
					}
					if *soakFor == 0 && msgs.Add(n) > soakShortMessages+soakBatchSize {
						return
					}
					s.do(j)
				}
			})
		}
	}
	wg.Wait()
}

// pickKind draws a job kind: mostly valid single SMS, some permanent
// failures, chat apps and batches.
func pickKind(rng *rand.Rand) jobKind {
	switch p := rng.IntN(100); {
	case p < 78:
		return jobSMS
	case p < 83:
		return jobSMSBadMSISDN
	case p < 90:
		return jobChat
	case p < 93:
		return jobChatBadTemplate
	case p < 97:
		return jobBatch
	}
	return jobChatBatch
}

func cmidOf(tenant string, id int) string { return fmt.Sprintf("%s-%07d", tenant, id) }

// do sends one job and records the outcome of each of its messages.
func (s *soak) do(j job) {
	if j.kind == jobBatch || j.kind == jobChatBatch {
		s.given.Add(soakBatchSize)
	} else {
		s.given.Add(1)
	}
	ctx := context.Background()
	cmid := cmidOf(j.tenant, j.id)
	var (
		res client.Result
		err error
	)
	switch j.kind {
	case jobSMS, jobSMSBadMSISDN:
		m := sms(j.id, cmid)
		if j.kind == jobSMSBadMSISDN {
			m.Destination = "+0" + phone(j.id)[1:] // a leading 0 is not E.164
		}
		res, err = s.obs.sendSMS(s.c, ctx, j.tenant, m)
	case jobChat, jobChatBadTemplate:
		m := client.Chat{User: client.ChatUser{MSISDN: phone(j.id)}, ClientMessageID: cmid, Content: client.ChatContent{Text: canaryText}}
		if j.kind == jobChatBadTemplate {
			m.Type = "template"
			m.Content = client.ChatContent{Template: &client.ChatTemplate{Name: "no_such_template", Language: "en"}}
		}
		s.obs.guard("SendChat", func() { res, err = s.c.SendChat(ctx, j.tenant, m) })
		s.obs.err("SendChat", err)
	case jobBatch, jobChatBatch:
		s.doBatch(ctx, j)
		return
	}
	if errors.Is(err, client.ErrBreakerOpen) {
		s.breakerRefused.Add(1)
		// A sane sender waits for the breaker's next probe rather than
		// burning through its queue with instant refusals.
		if oe, ok := errors.AsType[*breaker.OpenError](err); ok {
			defer time.Sleep(min(oe.RetryIn, time.Second))
		}
	}
	o := &outcome{tenant: j.tenant, cmid: cmid, kind: j.kind, umid: res.UMID, attempts: res.Attempts, err: err}
	switch {
	case err == nil:
		o.state, o.ambiguous = stAccepted, res.Ambiguous
	case !typedErr(err):
		s.t.Errorf("%s: untyped error %T: %v", cmid, err, err)
		o.state = stFailed
	default:
		o.state, o.ambiguous = stFailed, ambiguousErr(err) || res.Ambiguous
		if ae, ok := errors.AsType[*client.APIError](err); ok {
			o.attempts, o.code = ae.Attempts, ae.Code
			if ae.Action == policy.ActionFail && ae.Status >= 400 && ae.Status < 500 {
				o.state = stRejected
			}
		} else if se, ok := errors.AsType[*client.SendError](err); ok {
			o.attempts = se.Attempts
		} else if re, ok := errors.AsType[*client.ResponseError](err); ok {
			o.attempts = re.Attempts
		}
	}
	s.record(o)
}

func (s *soak) doBatch(ctx context.Context, j job) {
	var (
		br  client.BatchResult
		err error
	)
	if j.kind == jobChatBatch {
		var b client.ChatBatch
		for k := range soakBatchSize {
			m := client.Chat{User: client.ChatUser{MSISDN: phone(j.id*10 + k)}, ClientMessageID: fmt.Sprintf("%s-%07d-%d", j.tenant, j.id, k),
				Content: client.ChatContent{Text: canaryText}}
			if k == soakBatchSize-1 { // rejected inside the 200 with errorCode 3038
				m.Type, m.Content = "template", client.ChatContent{Template: &client.ChatTemplate{Name: "no_such_template", Language: "en"}}
			}
			b.Messages = append(b.Messages, m)
		}
		s.obs.guard("SendChatBatch", func() { br, err = s.c.SendChatBatch(ctx, j.tenant, b) })
	} else {
		b := client.Batch{Template: client.SMSTemplate{Text: canaryText}}
		for k := range soakBatchSize {
			m := client.SMS{Destination: phone(j.id*10 + k), ClientMessageID: fmt.Sprintf("%s-%07d-%d", j.tenant, j.id, k)}
			if k == soakBatchSize-1 {
				m.Destination = "12" // too short: REJECTED inside the 200
			}
			b.Messages = append(b.Messages, m)
		}
		s.obs.guard("SendBatch", func() { br, err = s.c.SendBatch(ctx, j.tenant, b) })
	}
	s.obs.err("SendBatch", err)
	if err != nil && !typedErr(err) {
		s.t.Errorf("batch %d: untyped error %T: %v", j.id, err, err)
	}
	if len(br.Messages) != soakBatchSize {
		s.t.Errorf("batch %d: %d message results for %d messages", j.id, len(br.Messages), soakBatchSize)
	}
	for _, m := range br.Messages {
		o := &outcome{tenant: j.tenant, cmid: m.ClientMessageID, kind: j.kind, umid: m.UMID,
			attempts: br.Attempts, ambiguous: m.Ambiguous, err: m.Err, code: m.Code}
		switch m.State {
		case client.StateAccepted:
			o.state = stAccepted
		case client.StateRejected:
			o.state = stRejected
		default:
			o.state = stFailed
		}
		s.obs.err("batch message", m.Err)
		s.record(o)
	}
}

func (s *soak) record(o *outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := o.tenant + "/" + o.cmid
	if _, dup := s.outcomes[k]; dup {
		s.dupOut++
		return
	}
	s.outcomes[k] = o
}

func (s *soak) tr(cmid string) *trace {
	t := s.traces[cmid]
	if t == nil {
		t = &trace{}
		s.traces[cmid] = t
	}
	return t
}

func (s *soak) attempt(ev client.Event) {
	if ev.ClientMessageID == "" {
		return // a batch request
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tr(ev.ClientMessageID)
	t.attempts++
	t.last = max(t.last, ev.Attempt)
	if c := envelope.Code(ev.Code); c == envelope.CodeInvalidMSISDN || c == envelope.CodeTemplateNotFound {
		t.permanent = append(t.permanent, ev.Attempt)
	}
	if ev.Ambiguous {
		t.ambiguous = append(t.ambiguous, ev.Attempt)
	}
}

func (s *soak) giveUp(ev client.Event) {
	if ev.ClientMessageID == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tr(ev.ClientMessageID).giveUps++
}

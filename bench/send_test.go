package bench

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
)

// BenchmarkSend/<impl> sends one SMS per operation to the same loopback
// server and checks the answer, with:
//
//   - octosend: client.SendSMS (limiter, breaker, policy, retry loop, typed
//     result). The tenant's rate limit is lifted (Rate +Inf, no process
//     limit) so the benchmark measures the client, not the 1,700/s quota.
//   - nethttp: a bare http.Client POST on the same tuned transport.
//   - nethttp-timeout: the same with http.Client.Timeout set to the
//     policy's default attempt timeout, which octosend applies per attempt.
//   - retryablehttp: a plain go-retryablehttp Client (logger off) on the
//     same transport.
//
// Every implementation encodes the request with envelope's encoder, reads
// the whole answer and decodes it with envelope's decoder, so the
// difference is the HTTP and retry layer. The server answers a fixed 200
// as fast as it can. BenchmarkSendParallel/<impl> does the same from
// GOMAXPROCS goroutines.
//
//	go test -run='^$' -bench='BenchmarkSend' -benchtime=200ms -count=6 ./bench/ > /tmp/send.txt
//	benchstat -col /impl /tmp/send.txt
func BenchmarkSend(b *testing.B) {
	for _, impl := range sendImpls {
		b.Run(impl.name, func(b *testing.B) {
			srv := newSendServer(b)
			send := impl.make(b, srv.URL)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := send(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSendParallel(b *testing.B) {
	for _, impl := range sendImpls {
		b.Run(impl.name, func(b *testing.B) {
			srv := newSendServer(b)
			send := impl.make(b, srv.URL)
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := send(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// TestSendImplsAgree runs each implementation once against the server, so
// a broken one fails as a test rather than as a fast benchmark.
func TestSendImplsAgree(t *testing.T) {
	srv := newSendServer(t)
	for _, impl := range sendImpls {
		if err := impl.make(t, srv.URL)(context.Background()); err != nil {
			t.Errorf("%s: %v", impl.name, err)
		}
	}
}

const (
	sendTenant = "acme_hq"
	sendKey    = "bench-key"
	sendAnswer = `{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":"otp-7f3c2a9e-0001",` +
		`"destination":"6591234567","encoding":"GSM7",` +
		`"status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}}`
)

var sendMsg = envelope.SMSRequest{
	Destination: "+6591234567", Text: "Your one-time code is 482913.", ClientMessageID: "otp-7f3c2a9e-0001",
}

func newSendServer(tb testing.TB) *httptest.Server {
	answer := []byte(sendAnswer)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// sendTransport is the tuned transport every implementation shares the
// settings of (keep-alive pool sized for parallel senders).
func sendTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 1024, 256
	return t
}

type sendImpl struct {
	name string
	make func(tb testing.TB, base string) func(context.Context) error
}

var sendImpls = []sendImpl{
	{"octosend", makeOctosendSend},
	{"nethttp", makeNetHTTPSend},
	{"nethttp-timeout", makeNetHTTPTimeoutSend},
	{"retryablehttp", makeRetryableSend},
}

func makeOctosendSend(tb testing.TB, base string) func(context.Context) error {
	c, err := client.New(client.Config{
		APIKey:     sendKey,
		BaseURL:    base,
		HTTPClient: &http.Client{Transport: sendTransport()},
		RateLimit:  ratelimit.Config{Rate: math.Inf(1), ProcessRate: -1},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	msg := client.SMS{Destination: sendMsg.Destination, Text: sendMsg.Text, ClientMessageID: sendMsg.ClientMessageID}
	return func(ctx context.Context) error {
		res, err := c.SendSMS(ctx, sendTenant, msg)
		if err == nil && res.Status != "QUEUED" {
			return errStatus
		}
		return err
	}
}

var errStatus = &client.ValidationError{Field: "answer", Msg: "not QUEUED"}

// sendState is one goroutine's reusable buffers for the peers.
type sendState struct {
	req  []byte
	resp bytes.Buffer
	dec  envelope.Decoder
	out  envelope.SMSResponse
}

func (s *sendState) finish(resp *http.Response) error {
	s.resp.Reset()
	_, err := s.resp.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errStatus
	}
	if err := s.dec.DecodeSMS(s.resp.Bytes(), &s.out); err != nil {
		return err
	}
	if s.out.Status.Code != "QUEUED" {
		return errStatus
	}
	return nil
}

var sendHeader = http.Header{
	"Authorization": {"Bearer " + sendKey},
	"Content-Type":  {"application/json"},
	"Accept":        {"application/json"},
}

func sendURL(base string) string { return base + "/api/v1/subaccounts/" + sendTenant + "/messages" }

func makeNetHTTPSend(tb testing.TB, base string) func(context.Context) error {
	return makeNetHTTP(tb, base, &http.Client{Transport: sendTransport()})
}

func makeNetHTTPTimeoutSend(tb testing.TB, base string) func(context.Context) error {
	return makeNetHTTP(tb, base, &http.Client{Transport: sendTransport(), Timeout: policy.DefaultAttemptTimeout})
}

func makeNetHTTP(tb testing.TB, base string, hc *http.Client) func(context.Context) error {
	tb.Cleanup(hc.CloseIdleConnections)
	url := sendURL(base)
	pool := newStatePool()
	return func(ctx context.Context) error {
		s := pool.get()
		defer pool.put(s)
		s.req = envelope.AppendSMSRequest(s.req[:0], &sendMsg)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(s.req))
		if err != nil {
			return err
		}
		req.Header = sendHeader
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		return s.finish(resp)
	}
}

func makeRetryableSend(tb testing.TB, base string) func(context.Context) error {
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.HTTPClient = &http.Client{Transport: sendTransport()}
	tb.Cleanup(rc.HTTPClient.CloseIdleConnections)
	url := sendURL(base)
	pool := newStatePool()
	return func(ctx context.Context) error {
		s := pool.get()
		defer pool.put(s)
		s.req = envelope.AppendSMSRequest(s.req[:0], &sendMsg)
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, url, s.req)
		if err != nil {
			return err
		}
		req.Header = sendHeader
		resp, err := rc.Do(req)
		if err != nil {
			return err
		}
		return s.finish(resp)
	}
}

// statePool hands each goroutine its own sendState.
type statePool struct{ ch chan *sendState }

func newStatePool() *statePool { return &statePool{ch: make(chan *sendState, 256)} }

func (p *statePool) get() *sendState {
	select {
	case s := <-p.ch:
		return s
	default:
		return new(sendState)
	}
}

func (p *statePool) put(s *sendState) {
	select {
	case p.ch <- s:
	default:
	}
}

// BenchmarkSendSideBySide measures octosend's sequential send against the
// bare net/http POST in one loop: blocks of sendBlock sends of each, in
// alternating order, each to its own loopback server, so that both see
// the same machine at the same moments (a separate-process comparison on
// a shared 2-core VM drifts by ±15% from run to run). It reports each
// one's time per send and their ratio (octosend/nethttp, the goal is
// ≤ 1.05); ns/op is the time of one send of each.
//
//	go test -run='^$' -bench='BenchmarkSendSideBySide' -benchtime=40000x -count=6 ./bench/
func BenchmarkSendSideBySide(b *testing.B) {
	octo := makeOctosendSend(b, newSendServer(b).URL)
	bare := makeNetHTTPSend(b, newSendServer(b).URL)
	ctx := context.Background()
	var tOcto, tBare time.Duration
	block := func(send func(context.Context) error, n int) time.Duration {
		t0 := time.Now()
		for range n {
			if err := send(ctx); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(t0)
	}
	n, round := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		if n++; n < sendBlock {
			continue
		}
		if round%2 == 0 {
			tOcto += block(octo, n)
			tBare += block(bare, n)
		} else {
			tBare += block(bare, n)
			tOcto += block(octo, n)
		}
		n, round = 0, round+1
	}
	sends := float64(b.N - n)
	if sends == 0 {
		return
	}
	b.ReportMetric(float64(tOcto.Nanoseconds())/sends, "octosend-ns/send")
	b.ReportMetric(float64(tBare.Nanoseconds())/sends, "nethttp-ns/send")
	b.ReportMetric(float64(tOcto)/float64(tBare), "ratio")
}

// sendBlock is how many sends of one implementation BenchmarkSendSideBySide
// times at a stretch.
const sendBlock = 200

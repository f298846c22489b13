package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/octosend/octosend/policy"
)

// newDefaultTransport is the transport used when Config.HTTPClient is nil:
// pooled keep-alive connections sized for many concurrent senders to one
// host, TLS 1.2 minimum with 1.3 preferred (never capped), HTTP/2 when the
// server offers it.
func newDefaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.ForceAttemptHTTP2 = true
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 256
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ExpectContinueTimeout = 0
	t.MaxResponseHeaderBytes = MaxResponseHeaderBytes
	return t
}

// MaxResponseHeaderBytes bounds the response headers (1xx responses
// included: net/http counts them against the same limit) on the transport
// the client builds. 8x8 answers with a few hundred bytes of headers; a
// hostile server's header or "102 Processing" flood then costs 64 KiB, not
// tens of MiB. Set http.Transport.MaxResponseHeaderBytes yourself on a
// Config.HTTPClient you supply (net/http's default is 10 MiB).
const MaxResponseHeaderBytes = 64 << 10

// isHeaderFlood reports net/http's errors for response headers (or 1xx
// responses) over the limit: the server is broken or hostile. The request
// was written, so it stays ambiguous, but it is not retried: the next
// attempt would meet the same server.
func isHeaderFlood(err error) bool {
	s := err.Error()
	return strings.Contains(s, "server response headers exceeded") || strings.Contains(s, "too many 1xx informational responses")
}

// isBuildError reports an error net/http returns before sending anything
// because the request itself is invalid (a header value it refuses): no
// attempt can succeed, so it is neither retried nor a breaker failure.
func isBuildError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "net/http: invalid header field") || strings.Contains(s, "net/http: invalid method") || strings.Contains(s, "unsupported protocol scheme")
}

// checkTLS refuses a transport whose TLS settings allow less than TLS 1.2
// or cap the version below 1.3.
func checkTLS(rt http.RoundTripper) error {
	t, ok := rt.(*http.Transport)
	if !ok || t.TLSClientConfig == nil {
		return nil
	}
	cfg := t.TLSClientConfig
	if cfg.MinVersion != 0 && cfg.MinVersion < tls.VersionTLS12 {
		return errors.New("client: HTTPClient allows TLS below 1.2")
	}
	if cfg.MaxVersion != 0 && cfg.MaxVersion < tls.VersionTLS13 {
		return errors.New("client: HTTPClient caps TLS below 1.3")
	}
	return nil
}

// transport wraps the real RoundTripper. It applies the policy's
// per-attempt timeout, and it deliberately has no CloseIdleConnections
// method: go-retryablehttp calls http.Client.CloseIdleConnections whenever
// a request finally fails, which would tear down the whole shared pool
// during a 429 storm or an outage. Client.Close closes idle connections
// of the base transport itself.
type transport struct {
	base http.RoundTripper // what requests go through (Config.WrapTransport's)
	idle http.RoundTripper // the transport that holds the connections
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	st, _ := req.Context().Value(callKey{}).(*call)
	if st == nil {
		return t.base.RoundTrip(req)
	}
	req = st.x.wireRequest(req, st.attempts)
	// The attempt ends at its timeout or at the send's deadline (the
	// policy's or the caller's), whichever comes first. The caller's own
	// deadline needs no timer of ours: its context ends the attempt.
	now := st.attemptStart // the wall clock as the guards let the attempt go, moments ago
	dl, ok := st.Deadline()
	if st.attemptTimeout > 0 {
		if at := now.Add(st.attemptTimeout); !ok || at.Before(dl) {
			dl, ok = at, true
		}
	}
	if !ok {
		return t.base.RoundTrip(req)
	}
	if cdl, cok := st.Context.Deadline(); cok && !cdl.After(dl) {
		return t.base.RoundTrip(req) // the caller's deadline comes first anyway
	}
	// The attempt's deadline also bounds reading the body: CheckRetry
	// stops the timer once the body is read. The request's context is the
	// kit's (see reqCtx), which the timer cancels.
	st.x.arm(dl, dl.Sub(now))
	return t.base.RoundTrip(req)
}

func (t *transport) closeIdle() {
	if ci, ok := t.idle.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// checkRedirect follows no redirect: the 3xx itself is the attempt's
// outcome (see ErrRedirect). Following one would turn a POST into a GET
// without a body (301-303), and a 200 to that GET would look accepted.
func checkRedirect(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}

// classify sorts a transport error (no HTTP response) into the policy's
// classes. wrote reports whether the whole request reached the wire
// (httptrace WroteRequest without error): a failure before that means
// 8x8 surely did not get the message.
func classify(ctx context.Context, err error, wrote bool) policy.Transport {
	if ctx.Err() != nil {
		return policy.TransportCanceled
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return policy.TransportDNS
	}
	if !wrote && isTLSError(err) {
		// A handshake failure. The same errors after the request went out
		// (an alert, a closed TLS conn) may follow its acceptance: those
		// are resets below.
		return policy.TransportTLS
	}
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return policy.TransportConnect
	}
	if !wrote {
		// The request did not get out whole: the server cannot have acted
		// on a half-written body.
		return policy.TransportConnect
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return policy.TransportTimeout
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return policy.TransportTimeout
	}
	return policy.TransportReset
}

func isTLSError(err error) bool {
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "remote error" {
		return true // crypto/tls reports an alert the server sent this way
	}
	// crypto/tls has no exported type for most handshake failures (version
	// mismatch, bad record): its messages start with "tls: ".
	inner := err
	for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
		inner = u
	}
	if strings.HasPrefix(inner.Error(), "tls: ") {
		return true
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return true
	}
	if _, ok := errors.AsType[tls.AlertError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		return true
	}
	return false
}

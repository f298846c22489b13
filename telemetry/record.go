package telemetry

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

// server is a base URL's server.address and server.port.
type server struct {
	addr string
	port int
}

func (ms *meters) server(base string) server {
	return ms.servers.get(base, func(base string) server {
		u, err := url.Parse(base)
		if err != nil || u.Host == "" {
			return server{}
		}
		s := server{addr: u.Hostname()}
		if p, err := strconv.Atoi(u.Port()); err == nil {
			s.port = p
		} else if u.Scheme == "https" {
			s.port = 443
		} else {
			s.port = 80
		}
		return s
	})
}

func (s server) attrs(kv []attribute.KeyValue) []attribute.KeyValue {
	if s.addr == "" {
		return kv
	}
	return append(kv, AttrServerAddr.String(s.addr), AttrServerPort.Int(s.port))
}

// attemptKey identifies an attempt's series. Every field is bounded: the
// tenant by Options.MaxTenants, the code to the known codes (others are
// codeOther), the status to what net/http accepts (three digits).
type attemptKey struct {
	tenant    string
	srv       server
	status    int
	code      envelope.Code
	action    policy.Action
	transport policy.Transport
}

// codeOther stands for every code envelope does not know.
const codeOther envelope.Code = -1

type attemptOpts struct {
	count    *cell                 // octosend.attempts
	duration []metric.RecordOption // http.client.request.duration (semantic conventions only)
}

func (ms *meters) attemptOptions(ev *client.Event, tenant string) attemptOpts {
	k := attemptKey{tenant: tenant, srv: ms.server(ev.BaseURL), status: ev.Status, code: ev.Code, action: ev.Action, transport: ev.Transport}
	if k.code != 0 && !k.code.Known() {
		k.code = codeOther
	}
	if k.status != 0 {
		k.transport = policy.TransportNone
	}
	return ms.attemptC.get(k, buildAttempt)
}

func buildAttempt(k attemptKey) attemptOpts {
	kv := []attribute.KeyValue{AttrAction.String(k.action.String())}
	sem := []attribute.KeyValue{AttrHTTPMethod.String("POST")}
	if k.status != 0 {
		kv = append(kv, AttrHTTPStatus.Int(k.status))
		sem = append(sem, AttrHTTPStatus.Int(k.status))
		if k.status >= 400 {
			sem = append(sem, AttrErrorType.String(strconv.Itoa(k.status)))
		}
	} else {
		kv = append(kv, AttrTransport.String(k.transport.String()))
		sem = append(sem, AttrErrorType.String(k.transport.String()))
	}
	switch {
	case k.code == codeOther:
		kv = append(kv, AttrAPICode.String("_other"))
	case k.code != 0:
		kv = append(kv, AttrAPICode.String(strconv.Itoa(int(k.code))))
	}
	return attemptOpts{
		count:    newCell(k.srv.attrs(withTenant(kv, k.tenant))...),
		duration: recOpt(k.srv.attrs(sem)...),
	}
}

// doneKey identifies a finished request's series.
type doneKey struct {
	tenant    string
	accepted  bool
	ambiguous bool
	errType   string
}

type doneOpts struct {
	sends, messages *cell
	duration        []metric.RecordOption
}

func (ms *meters) doneOptions(k doneKey) doneOpts {
	return ms.doneC.get(k, func(k doneKey) doneOpts {
		outcome := "accepted"
		if !k.accepted {
			outcome = "failed"
		}
		kv := []attribute.KeyValue{AttrOutcome.String(outcome), AttrAmbiguous.Bool(k.ambiguous)}
		if k.errType != "" {
			kv = append(kv, AttrErrorType.String(k.errType))
		}
		all := withTenant(kv, k.tenant)
		return doneOpts{sends: newCell(all...), messages: newCell(all...), duration: recOpt(kv...)}
	})
}

// errorType names a send's error for error.type: a fixed, small set.
func errorType(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, client.ErrBreakerOpen):
		return "breaker_open"
	case errors.Is(err, client.ErrTenantHalted):
		return "tenant_halted"
	case errors.Is(err, client.ErrBudgetExhausted):
		return "budget_exhausted"
	case errors.Is(err, client.ErrRetryAfterBeyondDeadline):
		return "retry_after_beyond_deadline"
	case errors.Is(err, client.ErrRejected):
		return "rejected"
	case errors.Is(err, client.ErrClosed):
		return "closed"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	if _, ok := errors.AsType[*client.APIError](err); ok {
		return "api_error"
	}
	if _, ok := errors.AsType[*client.ResponseError](err); ok {
		return "unusable_response"
	}
	if e, ok := errors.AsType[*client.SendError](err); ok && e.Transport != policy.TransportNone {
		return e.Transport.String()
	}
	return "_OTHER"
}

func ctxOf(ev *client.Event) context.Context {
	if ev.Context != nil {
		return ev.Context
	}
	return context.Background()
}

func (t *Telemetry) onAttempt(ev client.Event) {
	ms, ctx := t.m, ctxOf(&ev)
	tenant := t.tenants.value(ev.Tenant)
	o := ms.attemptOptions(&ev, tenant)
	o.count.n.Add(1)
	ms.reqDur.Record(ctx, ev.Latency.Seconds(), o.duration...)
	if ev.LimiterWait > 0 {
		ms.limWait.Record(ctx, ev.LimiterWait.Seconds(), ms.tenantOptions(tenant)...)
	}
	if ev.Action == policy.ActionHalt {
		ms.event(cPauses, tenant, "halt")
	}
	t.spanAttempt(&ev)
}

func (t *Telemetry) onRetry(ev client.Event) {
	ms := t.m
	tenant := t.tenants.value(ev.Tenant)
	ms.event(cRetries, tenant, ev.Action.String())
	if ev.BudgetRefused {
		ms.event(cBudget, tenant, "held")
	}
}

func (t *Telemetry) onThrottled(ev client.Event) {
	ms := t.m
	tenant := t.tenants.value(ev.Tenant)
	ms.event(cThrottles, tenant, ev.Scope.String())
	switch ev.Scope {
	case client.ScopeTenant:
		ms.event(cPauses, tenant, "throttle_tenant")
	case client.ScopeProcess:
		ms.event(cPauses, tenant, "throttle_process")
	}
}

func (t *Telemetry) onDone(ev client.Event) {
	ms, ctx := t.m, ctxOf(&ev)
	tenant := t.tenants.value(ev.Tenant)
	o := ms.doneOptions(doneKey{tenant: tenant, accepted: ev.Err == nil, ambiguous: ev.Ambiguous, errType: errorType(ev.Err)})
	o.sends.n.Add(1)
	o.messages.n.Add(int64(ev.Messages))
	ms.sendDur.Record(ctx, ev.Latency.Seconds(), o.duration...)
	if ev.BudgetRefused {
		ms.event(cBudget, tenant, "failed")
	}
	t.endSpan(&ev)
}

func (t *Telemetry) onBreaker(ev client.BreakerEvent) {
	t.gauges.breakerChanged(ev, t.m)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/telemetry"
)

// errNoAPIKey is returned when neither --api-key nor OCTOSEND_API_KEY is set.
var errNoAPIKey = errors.New("no API key: set OCTOSEND_API_KEY or pass --api-key")

// clientCounters are what the client's hooks count for progress and
// reports.
type clientCounters struct {
	stats        *bulkStats // Throttled goes here; may be nil
	breakerTrips func()     // called when a breaker opens; may be nil
	// outcomes records every send (client.Config.Outcomes) for the
	// receipts' reconciliation; may be nil.
	outcomes client.OutcomeRecorder
	tel      *telemetry.Telemetry // --metrics-addr's instrumentation; may be nil
}

// newClient builds the client the common flags describe.
func newClient(f *commonFlags, pol *policy.Policy, cnt clientCounters) (*client.Client, error) {
	if f.apiKey == "" {
		return nil, errNoAPIKey
	}
	region, ok := client.ParseRegion(f.region)
	if !ok {
		return nil, fmt.Errorf("unknown --region %q (want apac, us, eu or id)", f.region)
	}
	if pol == nil && f.config != "" {
		p, err := policy.Load(f.config)
		if err != nil {
			return nil, err
		}
		pol = p
	}
	cfg := client.Config{
		APIKey:    f.apiKey,
		Region:    region,
		BaseURL:   f.baseURL,
		Policy:    pol,
		UserAgent: "octosend-cli",
		Outcomes:  cnt.outcomes,
	}
	if s := cnt.stats; s != nil {
		cfg.Hooks.OnThrottled = func(client.Event) { s.Throttled.Add(1) }
	}
	if trip := cnt.breakerTrips; trip != nil {
		cfg.Hooks.OnBreakerStateChange = func(e client.BreakerEvent) {
			if e.To == breaker.Open {
				trip()
			}
		}
	}
	if cnt.tel != nil {
		cnt.tel.Instrument(&cfg)
	}
	cl, err := client.New(cfg)
	if err == nil && cnt.tel != nil {
		cnt.tel.ObserveRates(cl)
	}
	return cl, err
}

// newBulkSender builds the client of a bulk run and the sendFunc on it.
func (c *cli) newBulkSender(f *commonFlags, stats *bulkStats, outcomes client.OutcomeRecorder, tel *telemetry.Telemetry) (sendFunc, func(), error) {
	cl, err := newClient(f, nil, clientCounters{stats: stats, outcomes: outcomes, tel: tel})
	if err != nil {
		return nil, nil, err
	}
	return clientSend(cl), func() { cl.Close() }, nil
}

// clientSend returns a sendFunc that sends each message with SendSMS.
func clientSend(cl *client.Client) sendFunc {
	return func(ctx context.Context, m *message) record {
		res, err := cl.SendSMS(ctx, m.SubAccount, client.SMS{
			Destination:     m.Destination,
			Text:            m.Text,
			Source:          m.Source,
			ClientMessageID: m.ClientMessageID,
		})
		return toRecord(m, res, err)
	}
}

// toRecord turns the outcome of a send into its results record.
func toRecord(m *message, res client.Result, err error) record {
	r := record{Line: m.Line, ClientMessageID: m.ClientMessageID, SubAccount: m.SubAccount}
	if err == nil {
		r.Status = statusAccepted
		r.UMID, r.Attempts, r.Ambiguous, r.HTTPStatus = res.UMID, res.Attempts, res.Ambiguous, res.HTTPStatus
		if res.ClientMessageID != "" {
			r.ClientMessageID = res.ClientMessageID
		}
		return r
	}
	r.Status = statusFailed
	r.Error = err.Error()
	var (
		apiErr  *client.APIError
		sendErr *client.SendError
		respErr *client.ResponseError
		valErr  *client.ValidationError
	)
	switch {
	case errors.As(err, &apiErr):
		r.Code, r.HTTPStatus, r.Attempts, r.Ambiguous = int(apiErr.Code), apiErr.Status, apiErr.Attempts, apiErr.Ambiguous
		r.reason = strconv.Itoa(apiErr.Status)
		if r.ClientMessageID == "" {
			r.ClientMessageID = apiErr.ClientMessageID
		}
		if apiErr.Code != 0 {
			r.reason += "/" + strconv.Itoa(int(apiErr.Code)) + " " + apiErr.Code.String()
		}
		if extra := causeReason(apiErr.Err); extra != "" {
			r.reason += " (" + extra + ")"
		}
	case errors.As(err, &sendErr):
		r.Attempts, r.Ambiguous = sendErr.Attempts, sendErr.Ambiguous
		if r.ClientMessageID == "" {
			r.ClientMessageID = sendErr.ClientMessageID
		}
		if sendErr.Transport != policy.TransportNone {
			r.reason = "transport " + sendErr.Transport.String()
		}
		if extra := causeReason(sendErr.Err); extra != "" {
			if r.reason != "" {
				r.reason += " (" + extra + ")"
			} else {
				r.reason = extra
			}
		}
	case errors.As(err, &respErr):
		r.HTTPStatus, r.Attempts, r.Ambiguous = respErr.Status, respErr.Attempts, respErr.Ambiguous
		r.reason = "unusable " + strconv.Itoa(respErr.Status) + " response"
	case errors.As(err, &valErr):
		r.reason = "invalid " + valErr.Field
		r.invalid = true
	}
	if errors.Is(err, context.Canceled) {
		// Stopped by Ctrl-C while in flight. The record keeps whether the
		// message may have been delivered: --resume sends it again only
		// when it surely was not. An attempt cut by the cancellation may
		// have reached the API whatever the client could tell, so it counts
		// as ambiguous.
		r.Error, r.reason = errCanceled, errCanceled
		if sendErr != nil && sendErr.Attempts > 0 && sendErr.Transport == policy.TransportCanceled {
			r.Ambiguous = true
		}
	}
	if r.reason == "" {
		r.reason = "other"
	}
	return r
}

// causeReason names why the client stopped retrying, for reports.
func causeReason(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return errCanceled
	case errors.Is(err, client.ErrBreakerOpen):
		return "breaker open"
	case errors.Is(err, client.ErrTenantHalted):
		return "tenant halted"
	case errors.Is(err, client.ErrBudgetExhausted):
		return "retry budget exhausted"
	case errors.Is(err, client.ErrRetryAfterBeyondDeadline):
		return "retry-after beyond deadline"
	case errors.Is(err, client.ErrRejected):
		return "rejected"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline"
	case errors.Is(err, client.ErrClosed):
		return "client closed"
	}
	return ""
}

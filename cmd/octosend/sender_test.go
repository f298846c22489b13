package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

func TestToRecord(t *testing.T) {
	m := &message{Line: 7, ClientMessageID: "c7", SubAccount: "acme"}
	tests := []struct {
		name string
		res  client.Result
		err  error
		want record
	}{
		{
			name: "accepted",
			res:  client.Result{UMID: "u", ClientMessageID: "c7", Attempts: 2, Ambiguous: true, HTTPStatus: 200},
			want: record{Status: statusAccepted, UMID: "u", Attempts: 2, Ambiguous: true, HTTPStatus: 200},
		},
		{
			name: "api error",
			err:  &client.APIError{Status: 400, Code: envelope.CodeInvalidMSISDN, Attempts: 1, Message: "bad number"},
			want: record{Status: statusFailed, Code: 1002, HTTPStatus: 400, Attempts: 1, reason: "400/1002 InvalidMSISDN"},
		},
		{
			name: "api error wrapped, with a give-up cause",
			err: fmt.Errorf("wrapped: %w", &client.APIError{Status: 503, Code: envelope.CodeInternalError, Attempts: 5,
				Ambiguous: true, Err: client.ErrBudgetExhausted}),
			want: record{Status: statusFailed, Code: 2000, HTTPStatus: 503, Attempts: 5, Ambiguous: true, reason: "503/2000 InternalError (retry budget exhausted)"},
		},
		{
			name: "transport failure",
			err:  &client.SendError{Attempts: 5, Transport: policy.TransportReset, Ambiguous: true, Err: errors.New("reset")},
			want: record{Status: statusFailed, Attempts: 5, Ambiguous: true, reason: "transport reset"},
		},
		{
			name: "breaker open before any attempt",
			err:  &client.SendError{Err: client.ErrBreakerOpen},
			want: record{Status: statusFailed, reason: "breaker open"},
		},
		{
			name: "canceled before any attempt: resendable",
			err:  &client.SendError{Err: context.Canceled},
			want: record{Status: statusFailed, Error: errCanceled, reason: errCanceled},
		},
		{
			name: "canceled during an attempt: may have been delivered",
			err:  &client.SendError{Attempts: 1, Transport: policy.TransportCanceled, Err: context.Canceled},
			want: record{Status: statusFailed, Attempts: 1, Ambiguous: true, Error: errCanceled, reason: errCanceled},
		},
		{
			name: "canceled during the backoff after a 503",
			err:  &client.APIError{Status: 503, Attempts: 1, Err: context.Canceled},
			want: record{Status: statusFailed, HTTPStatus: 503, Attempts: 1, Error: errCanceled, reason: errCanceled},
		},
		{
			name: "unusable body",
			err:  &client.ResponseError{Status: 200, Attempts: 1, Ambiguous: true, Err: errors.New("truncated")},
			want: record{Status: statusFailed, HTTPStatus: 200, Attempts: 1, Ambiguous: true, reason: "unusable 200 response"},
		},
		{
			name: "invalid input",
			err:  &client.ValidationError{Field: "Destination", Msg: "empty"},
			want: record{Status: statusFailed, reason: "invalid Destination", invalid: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := toRecord(m, tt.res, tt.err)
			want := tt.want
			want.Line, want.ClientMessageID, want.SubAccount = 7, "c7", "acme"
			if tt.err != nil && want.Error == "" {
				want.Error = tt.err.Error()
			}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if got.resendable() != (want.Error == errCanceled && !want.Ambiguous) {
				t.Errorf("resendable = %v", got.resendable())
			}
		})
	}
}

package spectest

import (
	"net/http"
	"testing"
)

// The documents have teeth: answers that depart from them, among them the
// emulator's chat-apps shape before issue 14 item 9 (nulls), fail.
func TestDeparturesFail(t *testing.T) {
	json := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	withRetry := http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Retry-After": {"1"}}
	const (
		umid = `"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f"`
		errB = `"errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f","timestamp":"2026-08-01T02:14:07.42Z"`
		chS  = `"status":{"state":"queued","timestamp":"2026-08-01T02:14:07.42Z"}`
	)
	for _, tc := range []struct {
		name, doc, path string
		a               answer
	}{
		{"chat clientMessageId null", "chat", smsPath, answer{200, json,
			[]byte(`{` + umid + `,"user":{"msisdn":"+6598765432"},"clientMessageId":null,` + chS + `}`)}},
		{"chat batch nulls", "chat", batchPath, answer{200, json,
			[]byte(`{"batchId":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientBatchId":null,"acceptedCount":1,"rejectedCount":0,"messages":null}`)}},
		{"chat without user", "chat", smsPath, answer{200, json, []byte(`{` + umid + `,` + chS + `}`)}},
		{"sms without umid", "sms", smsPath, answer{200, json,
			[]byte(`{"clientMessageId":null,"destination":"6591234567","encoding":"GSM7","status":{"code":"QUEUED","description":"ok"}}`)}},
		{"sms unknown status code", "sms", smsPath, answer{200, json,
			[]byte(`{` + umid + `,"destination":"6591234567","encoding":"GSM7","status":{"code":"SENT","description":"ok"}}`)}},
		{"sms batch id not a guid", "sms", batchPath, answer{200, json,
			[]byte(`{"batchId":"b-1","acceptedCount":1,"rejectedCount":0}`)}},
		{"garbage 200", "sms", smsPath, answer{200, json, []byte(`{"umid": "3a9c`)}},
		{"error without errorId", "sms", smsPath, answer{400, json,
			[]byte(`{"code":1002,"message":"x","timestamp":"2026-08-01T02:14:07.42Z"}`)}},
		{"error with a bad timestamp", "chat", batchPath, answer{500, json,
			[]byte(`{"code":2000,"message":"x","errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f","timestamp":"01/08/2026"}`)}},
		{"429 without Retry-After", "sms", smsPath, answer{429, json, []byte(`{"code":429,"message":"x",` + errB + `}`)}},
		{"429 with another code", "chat", smsPath, answer{429, withRetry, []byte(`{"code":1000,"message":"x",` + errB + `}`)}},
		{"error as text", "sms", smsPath, answer{413, http.Header{"Content-Type": {"text/plain"}}, []byte("too large")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := check(t, tc.doc, tc.path, tc.a); err == nil {
				t.Errorf("%s.yaml accepted %d %s", tc.doc, tc.a.status, tc.a.body)
			}
		})
	}
}

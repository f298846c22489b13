package emulator

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServe feeds arbitrary bodies to both endpoints. The server must never
// panic, must answer 200 or 400 with valid JSON, and its ledger must agree
// with what the response says was accepted.
func FuzzServe(f *testing.F) {
	for _, seed := range []string{
		okSMS, orderShipped, ``, `{`, `null`, `[]`, `{"user":null}`, `{"user":{}}`,
		`{"destination":"+6591234567","text":"€","encoding":"gsm7"}`,
		`{"template":{"text":"x"},"destinations":["+6581110001","x"]}`,
		`{"messages":[{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"x"}},{}],"includeMessagesInResponse":true}`,
		`{"messages":[{"destination":"+6591234567","text":"a"}],"template":{"type":"text"}}`,
		`{"clientBatchId":1}`, `{"text":"\ud800"}`,
		// The typed chat features (issue 14 item 10).
		tplMsg(`{"type":"button","subType":"QuickReply","index":"1","parameters":[{"type":"payload","payload":"p"}]}`),
		tplMsg(`{"type":"header","parameters":[{"type":"location","location":{"latitude":"1.2","longitude":1e400}}]}`),
		tplMsg(`{"type":"button","subType":"Flow","parameters":[{"type":"action","flowActionData":{"data":{"a":1}}}]}`),
		tplMsg(`{"type":"carousel","cards":[{"cardIndex":0,"components":[{"type":"button","subType":"Url","index":1,"parameters":[{"type":"text","text":"x"}]}]},{"cardIndex":0}]}`),
		`{"user":{"msisdn":"+6598765432"},"type":"location","content":{"location":{"latitude":1,"longitude":null}}}`,
		`{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"x"},"context":{"umid":"0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b"}}`,
		`{"user":{"msisdn":"+6598765432"},"type":"interactive","content":{"interactive":{"type":"list","body":{"text":"b"},"action":{"button":"Go","sections":[{"rows":[{"id":"r","title":"R"}]}]}}}}`,
		`{"user":{"msisdn":"+6598765432"},"type":"interactive","content":{"interactive":{"type":"button","header":{"type":"image","image":null},"action":{"buttons":[{"type":"reply","reply":null}]}}}}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, isBatch bool) {
		s, err := New(Config{Templates: []string{"order_shipped", "promo"}, Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		path := smsPath("acme_hq")
		if isBatch {
			path = batchPath("acme_hq")
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("POST", path, strings.NewReader(string(body))))
		out := rec.Body.Bytes()
		if !json.Valid(out) {
			t.Fatalf("invalid JSON answer %q", out)
		}
		accepted := s.Ledger().Accepted()
		switch rec.Code {
		case 400:
			var e errorBody
			if err := json.Unmarshal(out, &e); err != nil || e.Code == 0 || e.Message == "" {
				t.Fatalf("bad error envelope %q (%v)", out, err)
			}
			if accepted != 0 {
				t.Fatalf("400 but %d accepted", accepted)
			}
		case 200:
			var r struct {
				AcceptedCount *int `json:"acceptedCount"`
			}
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatal(err)
			}
			want := 1
			if isBatch {
				if r.AcceptedCount == nil {
					t.Fatalf("batch answer without acceptedCount: %q", out)
				}
				want = *r.AcceptedCount
			}
			if accepted != want {
				t.Fatalf("ledger accepted %d, response says %d: %q", accepted, want, out)
			}
		default:
			t.Fatalf("status %d: %q", rec.Code, out)
		}
	})
}

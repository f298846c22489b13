package bench

import (
	"strconv"
	"strings"
)

// The response bodies the decode benchmarks use: compact JSON, as 8x8's
// servers send it, with the shapes and value forms of the API's examples
// (7-digit fractions, +00:00 offsets, SQL Server GUIDs, null fields).

const (
	errorBody = `{"code":1002,"message":"Invalid MSISDN format (not E.164 international number)",` +
		`"errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f","timestamp":"2026-08-01T02:14:07.42Z"}`

	errorEscapedBody = `{"code":1000,"message":"Invalid parameter \"destination\": \u00abCaf\u00e9\u00bb ` +
		`\\ path\/to\tx\nline2 \ud83d\ude00 \u4f60\u597d","errorId":"bda3d56d-1424-e711-813c-06ed3428fe67",` +
		`"timestamp":"2018-08-04T09:25:40.9235752+00:00"}`

	smsBody = `{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":"otp-7f3c2a9e-0001",` +
		`"destination":"6591234567","encoding":"GSM7",` +
		`"status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}}`

	chatBody = `{"umid":"9f3b5a7c-4d6e-4f80-8b12-c3d4e5f6a7b8","user":{"msisdn":"+6591110000"},` +
		`"clientMessageId":"n-2","status":{"state":"rejected","timestamp":"2026-08-01T02:25:00.1234567+00:00",` +
		`"errorCode":3038,"errorMessage":"Template not found for provided name and language"}}`
)

// batchBody returns an SMS batch response with n items, every third one
// rejected.
func batchBody(n int) string {
	var b strings.Builder
	b.WriteString(`{"batchId":"c41e08b2-7a3d-ef11-8300-0a1b2c3d4e5f","clientBatchId":"promo-2026-08-01","acceptedCount":`)
	b.WriteString(strconv.Itoa(n - n/3))
	b.WriteString(`,"rejectedCount":`)
	b.WriteString(strconv.Itoa(n / 3))
	b.WriteString(`,"messages":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := strconv.Itoa(1000 + i)
		b.WriteString(`{"umid":"c51e08b2-7a3d-ef11-8300-0a1b2c3d` + id + `ef","clientMessageId":"promo-` + id +
			`","destination":"4477009` + id + `","encoding":"GSM7",`)
		if i%3 == 2 {
			b.WriteString(`"status":{"code":"REJECTED","description":"Invalid MSISDN format (not E.164 international number)"}}`)
		} else {
			b.WriteString(`"status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}}`)
		}
	}
	b.WriteString(`]}`)
	return b.String()
}

// chatBatchBody returns a chat-apps batch response with n items, every third
// one rejected.
func chatBatchBody(n int) string {
	var b strings.Builder
	b.WriteString(`{"batchId":"7d1f3e5a-2b4c-4d6e-8f90-a1b2c3d4e5f6","clientBatchId":null,"acceptedCount":`)
	b.WriteString(strconv.Itoa(n - n/3))
	b.WriteString(`,"rejectedCount":`)
	b.WriteString(strconv.Itoa(n / 3))
	b.WriteString(`,"messages":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := strconv.Itoa(1000 + i)
		b.WriteString(`{"umid":"8e2a4f6b-3c5d-4e7f-9a01-b2c3d4e5` + id + `a7","user":{"msisdn":"+659876` + id +
			`"},"clientMessageId":"n-` + id + `",`)
		if i%3 == 2 {
			b.WriteString(`"status":{"state":"rejected","timestamp":"2026-08-01T02:25:00.1234567+00:00","errorCode":3038,` +
				`"errorMessage":"Template not found for provided name and language"}}`)
		} else {
			b.WriteString(`"status":{"state":"queued","timestamp":"2026-08-01T02:25:00.12Z"}}`)
		}
	}
	b.WriteString(`]}`)
	return b.String()
}

package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
	"unsafe"

	"github.com/buger/jsonparser"
	"github.com/bytedance/sonic"
	goccy "github.com/goccy/go-json"
	"github.com/google/uuid"
	"github.com/octosend/octosend/envelope"
	"github.com/valyala/fastjson"
)

// decoder is one implementation of the decode task: fill in the envelope
// result types from a response body, parsing UUIDs and timestamps. Strings
// may borrow the body or the implementation's buffers (as envelope's do), so
// that no implementation pays for copies the others skip.
type decoder interface {
	Error(body []byte, e *envelope.Error) error
	SMS(body []byte, r *envelope.SMSResponse) error
	Batch(body []byte, r *envelope.BatchResponse) error
	Chat(body []byte, r *envelope.ChatResponse) error
	ChatBatch(body []byte, r *envelope.ChatBatchResponse) error
}

// octosend is envelope.Decoder itself.
type octosend struct{ d envelope.Decoder }

func (o *octosend) Error(b []byte, e *envelope.Error) error         { return o.d.DecodeError(b, e) }
func (o *octosend) SMS(b []byte, r *envelope.SMSResponse) error     { return o.d.DecodeSMS(b, r) }
func (o *octosend) Batch(b []byte, r *envelope.BatchResponse) error { return o.d.DecodeBatch(b, r) }
func (o *octosend) Chat(b []byte, r *envelope.ChatResponse) error   { return o.d.DecodeChat(b, r) }
func (o *octosend) ChatBatch(b []byte, r *envelope.ChatBatchResponse) error {
	return o.d.DecodeChatBatch(b, r)
}

// Tagged mirrors of the envelope types, for the reflection-based decoders
// (encoding/json, goccy, sonic): exact tags keep them on their fast paths,
// uuid.UUID and time.Time fields make them parse ids and timestamps.
type (
	jError struct {
		Code      int       `json:"code"`
		Message   string    `json:"message"`
		ErrorID   uuid.UUID `json:"errorId"`
		Timestamp time.Time `json:"timestamp"`
	}
	jSMSStatus struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	}
	jSMS struct {
		UMID            string     `json:"umid"`
		ClientMessageID string     `json:"clientMessageId"`
		Destination     string     `json:"destination"`
		Encoding        string     `json:"encoding"`
		Status          jSMSStatus `json:"status"`
	}
	jBatch struct {
		BatchID       string `json:"batchId"`
		ClientBatchID string `json:"clientBatchId"`
		AcceptedCount int    `json:"acceptedCount"`
		RejectedCount int    `json:"rejectedCount"`
		Messages      []jSMS `json:"messages"`
	}
	jChatUser struct {
		MSISDN        string `json:"msisdn"`
		Country       string `json:"country"`
		LineUserID    string `json:"lineUserId"`
		ChannelUserID string `json:"channelUserId"`
	}
	jChatStatus struct {
		State        string    `json:"state"`
		Detail       string    `json:"detail"`
		Timestamp    time.Time `json:"timestamp"`
		ErrorCode    int       `json:"errorCode"`
		ErrorMessage string    `json:"errorMessage"`
	}
	jChat struct {
		UMID            string      `json:"umid"`
		ClientMessageID string      `json:"clientMessageId"`
		User            jChatUser   `json:"user"`
		Status          jChatStatus `json:"status"`
	}
	jChatBatch struct {
		BatchID       string  `json:"batchId"`
		ClientBatchID string  `json:"clientBatchId"`
		AcceptedCount int     `json:"acceptedCount"`
		RejectedCount int     `json:"rejectedCount"`
		Messages      []jChat `json:"messages"`
	}
)

func (j *jSMS) to(r *envelope.SMSResponse) {
	*r = envelope.SMSResponse{UMID: j.UMID, ClientMessageID: j.ClientMessageID, Destination: j.Destination,
		Encoding: j.Encoding, Status: envelope.SMSStatus(j.Status)}
}

func (j *jChat) to(r *envelope.ChatResponse) {
	*r = envelope.ChatResponse{UMID: j.UMID, ClientMessageID: j.ClientMessageID, User: envelope.ChatUser(j.User),
		Status: envelope.ChatStatus{State: j.Status.State, Detail: j.Status.Detail, Timestamp: j.Status.Timestamp,
			ErrorCode: envelope.Code(j.Status.ErrorCode), ErrorMessage: j.Status.ErrorMessage}}
}

// reflectDecoder adapts an Unmarshal function; it keeps its mirrors between
// calls so that slices are reused, as envelope reuses them.
type reflectDecoder struct {
	unmarshal func([]byte, any) error
	e         jError
	s         jSMS
	b         jBatch
	c         jChat
	cb        jChatBatch
}

func (d *reflectDecoder) Error(body []byte, e *envelope.Error) error {
	d.e = jError{}
	if err := d.unmarshal(body, &d.e); err != nil {
		return err
	}
	*e = envelope.Error{Code: envelope.Code(d.e.Code), Message: d.e.Message, ErrorID: d.e.ErrorID, Timestamp: d.e.Timestamp}
	return nil
}

func (d *reflectDecoder) SMS(body []byte, r *envelope.SMSResponse) error {
	d.s = jSMS{}
	if err := d.unmarshal(body, &d.s); err != nil {
		return err
	}
	d.s.to(r)
	return nil
}

func (d *reflectDecoder) Batch(body []byte, r *envelope.BatchResponse) error {
	d.b = jBatch{Messages: d.b.Messages[:0]}
	if err := d.unmarshal(body, &d.b); err != nil {
		return err
	}
	*r = envelope.BatchResponse{BatchID: d.b.BatchID, ClientBatchID: d.b.ClientBatchID,
		AcceptedCount: d.b.AcceptedCount, RejectedCount: d.b.RejectedCount, Messages: r.Messages[:0]}
	for i := range d.b.Messages {
		r.Messages = append(r.Messages, envelope.SMSResponse{})
		d.b.Messages[i].to(&r.Messages[i])
	}
	return nil
}

func (d *reflectDecoder) Chat(body []byte, r *envelope.ChatResponse) error {
	d.c = jChat{}
	if err := d.unmarshal(body, &d.c); err != nil {
		return err
	}
	d.c.to(r)
	return nil
}

func (d *reflectDecoder) ChatBatch(body []byte, r *envelope.ChatBatchResponse) error {
	d.cb = jChatBatch{Messages: d.cb.Messages[:0]}
	if err := d.unmarshal(body, &d.cb); err != nil {
		return err
	}
	*r = envelope.ChatBatchResponse{BatchID: d.cb.BatchID, ClientBatchID: d.cb.ClientBatchID,
		AcceptedCount: d.cb.AcceptedCount, RejectedCount: d.cb.RejectedCount, Messages: r.Messages[:0]}
	for i := range d.cb.Messages {
		r.Messages = append(r.Messages, envelope.ChatResponse{})
		d.cb.Messages[i].to(&r.Messages[i])
	}
	return nil
}

func newEncodingJSON() decoder { return &reflectDecoder{unmarshal: json.Unmarshal} }
func newGoccy() decoder        { return &reflectDecoder{unmarshal: goccy.Unmarshal} }
func newSonic() decoder        { return &reflectDecoder{unmarshal: sonic.Unmarshal} }

// b2s borrows b as a string, as envelope borrows the body.
func b2s(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parseTime parses an RFC 3339 timestamp as encoding/json does.
func parseTime(b []byte) (time.Time, error) {
	var t time.Time
	err := t.UnmarshalText(b)
	return t, err
}

// fastjsonDecoder uses a reused fastjson.Parser and its Get accessors.
type fastjsonDecoder struct{ p fastjson.Parser }

func (d *fastjsonDecoder) Error(body []byte, e *envelope.Error) error {
	v, err := d.p.ParseBytes(body)
	if err != nil {
		return err
	}
	*e = envelope.Error{Code: envelope.Code(v.GetInt("code")), Message: b2s(v.GetStringBytes("message"))}
	if e.ErrorID, err = uuid.ParseBytes(v.GetStringBytes("errorId")); err != nil {
		return err
	}
	e.Timestamp, err = parseTime(v.GetStringBytes("timestamp"))
	return err
}

func fastjsonSMS(v *fastjson.Value, r *envelope.SMSResponse) {
	st := v.Get("status")
	*r = envelope.SMSResponse{
		UMID: b2s(v.GetStringBytes("umid")), ClientMessageID: b2s(v.GetStringBytes("clientMessageId")),
		Destination: b2s(v.GetStringBytes("destination")), Encoding: b2s(v.GetStringBytes("encoding")),
		Status: envelope.SMSStatus{Code: b2s(st.GetStringBytes("code")), Description: b2s(st.GetStringBytes("description"))},
	}
}

func (d *fastjsonDecoder) SMS(body []byte, r *envelope.SMSResponse) error {
	v, err := d.p.ParseBytes(body)
	if err != nil {
		return err
	}
	fastjsonSMS(v, r)
	return nil
}

func (d *fastjsonDecoder) Batch(body []byte, r *envelope.BatchResponse) error {
	v, err := d.p.ParseBytes(body)
	if err != nil {
		return err
	}
	*r = envelope.BatchResponse{BatchID: b2s(v.GetStringBytes("batchId")), ClientBatchID: b2s(v.GetStringBytes("clientBatchId")),
		AcceptedCount: v.GetInt("acceptedCount"), RejectedCount: v.GetInt("rejectedCount"), Messages: r.Messages[:0]}
	for _, m := range v.GetArray("messages") {
		r.Messages = append(r.Messages, envelope.SMSResponse{})
		fastjsonSMS(m, &r.Messages[len(r.Messages)-1])
	}
	return nil
}

func fastjsonChat(v *fastjson.Value, r *envelope.ChatResponse) error {
	u, st := v.Get("user"), v.Get("status")
	*r = envelope.ChatResponse{
		UMID: b2s(v.GetStringBytes("umid")), ClientMessageID: b2s(v.GetStringBytes("clientMessageId")),
		User: envelope.ChatUser{MSISDN: b2s(u.GetStringBytes("msisdn")), Country: b2s(u.GetStringBytes("country")),
			LineUserID: b2s(u.GetStringBytes("lineUserId")), ChannelUserID: b2s(u.GetStringBytes("channelUserId"))},
		Status: envelope.ChatStatus{State: b2s(st.GetStringBytes("state")), Detail: b2s(st.GetStringBytes("detail")),
			ErrorCode: envelope.Code(st.GetInt("errorCode")), ErrorMessage: b2s(st.GetStringBytes("errorMessage"))},
	}
	var err error
	r.Status.Timestamp, err = parseTime(st.GetStringBytes("timestamp"))
	return err
}

func (d *fastjsonDecoder) Chat(body []byte, r *envelope.ChatResponse) error {
	v, err := d.p.ParseBytes(body)
	if err != nil {
		return err
	}
	return fastjsonChat(v, r)
}

func (d *fastjsonDecoder) ChatBatch(body []byte, r *envelope.ChatBatchResponse) error {
	v, err := d.p.ParseBytes(body)
	if err != nil {
		return err
	}
	*r = envelope.ChatBatchResponse{BatchID: b2s(v.GetStringBytes("batchId")), ClientBatchID: b2s(v.GetStringBytes("clientBatchId")),
		AcceptedCount: v.GetInt("acceptedCount"), RejectedCount: v.GetInt("rejectedCount"), Messages: r.Messages[:0]}
	for _, m := range v.GetArray("messages") {
		r.Messages = append(r.Messages, envelope.ChatResponse{})
		if err := fastjsonChat(m, &r.Messages[len(r.Messages)-1]); err != nil {
			return err
		}
	}
	return nil
}

// jsonparserDecoder uses jsonparser.EachKey (one pass over an object for a
// set of paths) and ArrayEach, unescaping into a reused buffer.
type jsonparserDecoder struct {
	buf []byte
	err error
}

// str returns the string value v (raw, without quotes), unescaped if needed.
func (d *jsonparserDecoder) str(v []byte, vt jsonparser.ValueType) string {
	if vt != jsonparser.String {
		return ""
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return b2s(v)
	}
	free := d.buf[len(d.buf):cap(d.buf)]
	out, err := jsonparser.Unescape(v, free)
	if err != nil {
		d.err = err
		return ""
	}
	if len(out) > 0 && len(free) >= len(out) && &out[0] == &free[0] {
		d.buf = d.buf[:len(d.buf)+len(out)]
	}
	return b2s(out)
}

func (d *jsonparserDecoder) int(v []byte) int {
	n, err := jsonparser.ParseInt(v)
	if err != nil {
		d.err = err
	}
	return int(n)
}

var errorPaths = [][]string{{"code"}, {"message"}, {"errorId"}, {"timestamp"}}

func (d *jsonparserDecoder) Error(body []byte, e *envelope.Error) error {
	d.buf, d.err = d.buf[:0], nil
	*e = envelope.Error{}
	jsonparser.EachKey(body, func(i int, v []byte, vt jsonparser.ValueType, err error) {
		if err != nil {
			d.err = err
			return
		}
		switch i {
		case 0:
			e.Code = envelope.Code(d.int(v))
		case 1:
			e.Message = d.str(v, vt)
		case 2:
			if e.ErrorID, err = uuid.ParseBytes(v); err != nil {
				d.err = err
			}
		case 3:
			if e.Timestamp, err = parseTime(v); err != nil {
				d.err = err
			}
		}
	}, errorPaths...)
	return d.err
}

var smsPaths = [][]string{{"umid"}, {"clientMessageId"}, {"destination"}, {"encoding"}, {"status", "code"}, {"status", "description"}}

func (d *jsonparserDecoder) sms(body []byte, r *envelope.SMSResponse) {
	*r = envelope.SMSResponse{}
	jsonparser.EachKey(body, func(i int, v []byte, vt jsonparser.ValueType, err error) {
		if err != nil {
			d.err = err
			return
		}
		switch i {
		case 0:
			r.UMID = d.str(v, vt)
		case 1:
			r.ClientMessageID = d.str(v, vt)
		case 2:
			r.Destination = d.str(v, vt)
		case 3:
			r.Encoding = d.str(v, vt)
		case 4:
			r.Status.Code = d.str(v, vt)
		case 5:
			r.Status.Description = d.str(v, vt)
		}
	}, smsPaths...)
}

func (d *jsonparserDecoder) SMS(body []byte, r *envelope.SMSResponse) error {
	d.buf, d.err = d.buf[:0], nil
	d.sms(body, r)
	return d.err
}

var batchPaths = [][]string{{"batchId"}, {"clientBatchId"}, {"acceptedCount"}, {"rejectedCount"}, {"messages"}}

func (d *jsonparserDecoder) Batch(body []byte, r *envelope.BatchResponse) error {
	d.buf, d.err = d.buf[:0], nil
	*r = envelope.BatchResponse{Messages: r.Messages[:0]}
	jsonparser.EachKey(body, func(i int, v []byte, vt jsonparser.ValueType, err error) {
		if err != nil {
			d.err = err
			return
		}
		switch i {
		case 0:
			r.BatchID = d.str(v, vt)
		case 1:
			r.ClientBatchID = d.str(v, vt)
		case 2:
			r.AcceptedCount = d.int(v)
		case 3:
			r.RejectedCount = d.int(v)
		case 4:
			if vt != jsonparser.Array {
				return
			}
			if _, err := jsonparser.ArrayEach(v, func(item []byte, _ jsonparser.ValueType, _ int, err error) {
				r.Messages = append(r.Messages, envelope.SMSResponse{})
				d.sms(item, &r.Messages[len(r.Messages)-1])
			}); err != nil {
				d.err = err
			}
		}
	}, batchPaths...)
	return d.err
}

var chatPaths = [][]string{{"umid"}, {"clientMessageId"}, {"user", "msisdn"}, {"user", "country"}, {"user", "lineUserId"},
	{"user", "channelUserId"}, {"status", "state"}, {"status", "detail"}, {"status", "timestamp"}, {"status", "errorCode"},
	{"status", "errorMessage"}}

func (d *jsonparserDecoder) chat(body []byte, r *envelope.ChatResponse) {
	*r = envelope.ChatResponse{}
	jsonparser.EachKey(body, func(i int, v []byte, vt jsonparser.ValueType, err error) {
		if err != nil {
			d.err = err
			return
		}
		switch i {
		case 0:
			r.UMID = d.str(v, vt)
		case 1:
			r.ClientMessageID = d.str(v, vt)
		case 2:
			r.User.MSISDN = d.str(v, vt)
		case 3:
			r.User.Country = d.str(v, vt)
		case 4:
			r.User.LineUserID = d.str(v, vt)
		case 5:
			r.User.ChannelUserID = d.str(v, vt)
		case 6:
			r.Status.State = d.str(v, vt)
		case 7:
			r.Status.Detail = d.str(v, vt)
		case 8:
			if r.Status.Timestamp, err = parseTime(v); err != nil {
				d.err = err
			}
		case 9:
			r.Status.ErrorCode = envelope.Code(d.int(v))
		case 10:
			r.Status.ErrorMessage = d.str(v, vt)
		}
	}, chatPaths...)
}

func (d *jsonparserDecoder) Chat(body []byte, r *envelope.ChatResponse) error {
	d.buf, d.err = d.buf[:0], nil
	d.chat(body, r)
	return d.err
}

func (d *jsonparserDecoder) ChatBatch(body []byte, r *envelope.ChatBatchResponse) error {
	d.buf, d.err = d.buf[:0], nil
	*r = envelope.ChatBatchResponse{Messages: r.Messages[:0]}
	jsonparser.EachKey(body, func(i int, v []byte, vt jsonparser.ValueType, err error) {
		if err != nil {
			d.err = err
			return
		}
		switch i {
		case 0:
			r.BatchID = d.str(v, vt)
		case 1:
			r.ClientBatchID = d.str(v, vt)
		case 2:
			r.AcceptedCount = d.int(v)
		case 3:
			r.RejectedCount = d.int(v)
		case 4:
			if vt != jsonparser.Array {
				return
			}
			if _, err := jsonparser.ArrayEach(v, func(item []byte, _ jsonparser.ValueType, _ int, err error) {
				r.Messages = append(r.Messages, envelope.ChatResponse{})
				d.chat(item, &r.Messages[len(r.Messages)-1])
			}); err != nil {
				d.err = err
			}
		}
	}, batchPaths...)
	return d.err
}

func newJSONParser() decoder { return &jsonparserDecoder{buf: make([]byte, 0, 1<<16)} }

// impls lists the implementations in the order the benchmarks run them.
var impls = []struct {
	name string
	new  func() decoder
}{
	{"octosend", func() decoder { return &octosend{} }},
	{"encoding-json", newEncodingJSON},
	{"fastjson", func() decoder { return &fastjsonDecoder{} }},
	{"goccy", newGoccy},
	{"jsonparser", newJSONParser},
	{"sonic", newSonic},
}

var errMismatch = errors.New("bench: result differs from envelope's")

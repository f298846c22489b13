package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Differential fuzzing against encoding/json.
//
// Each Decode method is compared with json.Unmarshal into a reference struct
// that has the same JSON field names, with UUIDs and timestamps kept as
// strings (then parsed by uuid.Parse and time.Time.UnmarshalText). For any
// input, the two must agree in this sense:
//
//  1. Syntax. Decode returns a *SyntaxError exactly when json.Valid reports
//     the body invalid, except that a body nested deeper than MaxDepth is
//     rejected with ErrTooDeep although encoding/json (limit 10000) may take
//     it. Invalid UTF-8 inside strings is valid for both: encoding/json and
//     Decode replace each bad byte with U+FFFD.
//  2. Content. When encoding/json returns an error for a valid body (a wrong
//     type, a non-integer or out-of-range number), Decode returns a
//     *FieldError. Decode may reject more than encoding/json, but only where
//     documented: a top-level null, and a UUID or timestamp string (at the
//     FieldError's Offset) that the reference checks below also reject (they
//     are stricter than uuid.Parse and time.Parse: braces must be braces,
//     timestamps have 0-9 fractional digits and Z or ±hh:mm).
//  3. Values. When both accept, every field is equal: strings byte for byte,
//     counts and codes, UUIDs equal to uuid.Parse's, timestamps the same
//     instant as time.Parse's (and in UTC), the same number of batch items
//     and each item equal. Keys fold case like encoding/json, null leaves a
//     field alone, the last duplicate wins and repeated objects or
//     "messages" arrays merge, exactly as encoding/json merges them.

type refError struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	ErrorID   string `json:"errorId"`
	Timestamp string `json:"timestamp"`
}

type refSMS struct {
	UMID            string `json:"umid"`
	ClientMessageID string `json:"clientMessageId"`
	Destination     string `json:"destination"`
	Encoding        string `json:"encoding"`
	Status          struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"status"`
}

type refBatch struct {
	BatchID       string   `json:"batchId"`
	ClientBatchID string   `json:"clientBatchId"`
	AcceptedCount int      `json:"acceptedCount"`
	RejectedCount int      `json:"rejectedCount"`
	Messages      []refSMS `json:"messages"`
}

type refChat struct {
	UMID            string `json:"umid"`
	ClientMessageID string `json:"clientMessageId"`
	User            struct {
		MSISDN        string `json:"msisdn"`
		Country       string `json:"country"`
		LineUserID    string `json:"lineUserId"`
		ChannelUserID string `json:"channelUserId"`
	} `json:"user"`
	Status struct {
		State        string `json:"state"`
		Detail       string `json:"detail"`
		Timestamp    string `json:"timestamp"`
		ErrorCode    int    `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"status"`
}

type refChatBatch struct {
	BatchID       string    `json:"batchId"`
	ClientBatchID string    `json:"clientBatchId"`
	AcceptedCount int       `json:"acceptedCount"`
	RejectedCount int       `json:"rejectedCount"`
	Messages      []refChat `json:"messages"`
}

var refTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$`)

// refTimeOK is the reference for the timestamps Decode accepts.
func refTimeOK(s string) bool {
	if !refTimeRE.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// refUUIDOK is the reference for the UUIDs Decode accepts.
func refUUIDOK(s string) bool {
	if _, err := uuid.Parse(s); err != nil {
		return false
	}
	return len(s) != 38 || (s[0] == '{' && s[37] == '}')
}

// nestingOver reports whether body (valid or not) nests arrays and objects
// deeper than max, counting outside strings only.
func nestingOver(body []byte, max int) bool {
	depth, inStr, esc := 0, false, false
	for _, c := range body {
		switch {
		case inStr && esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case inStr && c == '"':
			inStr = false
		case inStr:
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

// checkErrors applies rules 1 and 2; it reports whether both accepted, so
// that the caller compares values.
func checkErrors(t *testing.T, body []byte, err, refErr error) bool {
	t.Helper()
	if errors.Is(err, ErrTooDeep) {
		if !nestingOver(body, MaxDepth) {
			t.Fatalf("ErrTooDeep for a body within MaxDepth: %q", body)
		}
		return false
	}
	var se *SyntaxError
	var fe *FieldError
	valid := json.Valid(body)
	switch {
	case !valid:
		if !errors.As(err, &se) {
			t.Fatalf("invalid JSON %q: got %v, want *SyntaxError", body, err)
		}
		if se.Offset < 0 || se.Offset > int64(len(body)) {
			t.Fatalf("offset %d out of range for %q", se.Offset, body)
		}
		return false
	case errors.As(err, &se):
		t.Fatalf("valid JSON %q: got syntax error %v (encoding/json: %v)", body, err, refErr)
	case refErr != nil:
		if !errors.As(err, &fe) {
			t.Fatalf("%q: encoding/json says %v, Decode says %v, want *FieldError", body, refErr, err)
		}
		return false
	case err == nil:
		return true
	case !errors.As(err, &fe):
		t.Fatalf("%q: unexpected error type %T: %v", body, err, err)
	}
	// Decode rejected what encoding/json accepted: it must be a documented
	// strictness.
	if fe.Field == "" && string(bytes.TrimSpace(body)) == "null" {
		return false
	}
	if fe.Offset < 0 || fe.Offset >= int64(len(body)) {
		t.Fatalf("%q: field error offset %d out of range: %v", body, fe.Offset, err)
	}
	var s string
	if jerr := json.NewDecoder(bytes.NewReader(body[fe.Offset:])).Decode(&s); jerr != nil {
		t.Fatalf("%q: Decode says %v but encoding/json accepts the body and the value at the offset is not a string (%v)", body, err, jerr)
	}
	switch {
	case strings.HasSuffix(fe.Field, "errorId"):
		if refUUIDOK(s) {
			t.Fatalf("%q: Decode rejects UUID %q that the reference accepts: %v", body, s, err)
		}
	case strings.HasSuffix(fe.Field, "timestamp"):
		if refTimeOK(s) {
			t.Fatalf("%q: Decode rejects timestamp %q that the reference accepts: %v", body, s, err)
		}
	default:
		t.Fatalf("%q: Decode says %v, encoding/json accepts it", body, err)
	}
	return false
}

func checkUUID(t *testing.T, name string, got uuid.UUID, ref string) {
	t.Helper()
	if ref == "" {
		if got != (uuid.UUID{}) {
			t.Fatalf("%s = %v, reference has none", name, got)
		}
		return
	}
	want, err := uuid.Parse(ref)
	if err != nil || got != want {
		t.Fatalf("%s = %v, uuid.Parse(%q) = %v, %v", name, got, ref, want, err)
	}
}

func checkTime(t *testing.T, name string, got time.Time, ref string) {
	t.Helper()
	if ref == "" {
		if !got.IsZero() {
			t.Fatalf("%s = %v, reference has none", name, got)
		}
		return
	}
	var want time.Time
	if err := want.UnmarshalText([]byte(ref)); err != nil || !want.Equal(got) || got.Location() != time.UTC {
		t.Fatalf("%s = %v, time.Parse(%q) = %v, %v", name, got, ref, want, err)
	}
}

func checkSMS(t *testing.T, got *SMSResponse, ref *refSMS) {
	t.Helper()
	want := SMSResponse{UMID: ref.UMID, ClientMessageID: ref.ClientMessageID, Destination: ref.Destination,
		Encoding: ref.Encoding, Status: SMSStatus{Code: ref.Status.Code, Description: ref.Status.Description}}
	if *got != want {
		t.Fatalf("got  %+q\nwant %+q", *got, want)
	}
}

func checkChat(t *testing.T, got *ChatResponse, ref *refChat) {
	t.Helper()
	if got.UMID != ref.UMID || got.ClientMessageID != ref.ClientMessageID ||
		got.User != ChatUser(ref.User) || got.Status.State != ref.Status.State ||
		got.Status.Detail != ref.Status.Detail || got.Status.ErrorCode != Code(ref.Status.ErrorCode) ||
		got.Status.ErrorMessage != ref.Status.ErrorMessage {
		t.Fatalf("got  %#v\nwant %#v", *got, *ref)
	}
	checkTime(t, "status.timestamp", got.Status.Timestamp, ref.Status.Timestamp)
}

// seedBodies adds every testdata body, and some hand-made edge cases, to f.
func seedBodies(f *testing.F, prefix string) {
	files, _ := filepath.Glob(filepath.Join("testdata", prefix+"*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `null`, `{}`, `[]`, `{"a":1}`, `{"code":1e400}`, `{"messages":[null,{}],"messages":[{"umid":"x"}]}`,
		`{"UMID":"k","\u212aey":1}`, "{\"message\":\"\xff\\ud800\"}", `{"x":[[[[[[[[[[]]]]]]]]]]}`,
		`{"timestamp":"2026-08-01T02:14:07.42+24:00"}`, `{"errorId":"{bda3d56d-1424-e711-813c-06ed3428fe67}"}`,
		`{"messages":[{"umid":"a","status":{"code":"Q"}},{"umid":"b"}],"messages":[],"messages":[{"Status":{"Description":"d"}}]}`,
		`{"messages":[{"user":{"msisdn":"1"},"status":{"state":"s","errorCode":3038}}],"Messages":null,"messages":[{}, null]}`,
		`{"\u0063ode":1,"c\u006fde":2,"ACCEPTEDCOUNT":-0,"rejectedCount":-9223372036854775808}`,
		` { "user" : { "MSISDN" : "+1" } , "status" : { "timestamp" : "2016-01-01T00:00:00Z" } } `,
	} {
		f.Add([]byte(s))
	}
}

// fuzzAgainstJSON fuzzes decode against encoding/json decoding the same
// body into R: both must accept or refuse it alike (checkErrors), and check
// compares what they decoded. The decoder and got are reused from input to
// input, as a caller reuses them; every body ends at an unreadable page.
func fuzzAgainstJSON[G, R any](f *testing.F, seeds string, decode func(*Decoder, []byte, *G) error, check func(*testing.T, *G, *R)) {
	seedBodies(f, seeds)
	var d Decoder
	var got G
	place := guarded(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		body = place(body)
		err := decode(&d, body, &got)
		var ref R
		if checkErrors(t, body, err, json.Unmarshal(body, &ref)) {
			check(t, &got, &ref)
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	fuzzAgainstJSON(f, "error", (*Decoder).DecodeError, func(t *testing.T, got *Error, ref *refError) {
		if got.Code != Code(ref.Code) || got.Message != ref.Message {
			t.Fatalf("got %#v, want %#v", *got, *ref)
		}
		checkUUID(t, "errorId", got.ErrorID, ref.ErrorID)
		checkTime(t, "timestamp", got.Timestamp, ref.Timestamp)
	})
}

func FuzzDecodeSMS(f *testing.F) {
	fuzzAgainstJSON(f, "sms", (*Decoder).DecodeSMS, checkSMS)
}

func FuzzDecodeBatch(f *testing.F) {
	fuzzAgainstJSON(f, "batch", (*Decoder).DecodeBatch, func(t *testing.T, got *BatchResponse, ref *refBatch) {
		checkBatchFields(t, got.BatchID, got.ClientBatchID, got.AcceptedCount, got.RejectedCount, len(got.Messages),
			ref.BatchID, ref.ClientBatchID, ref.AcceptedCount, ref.RejectedCount, len(ref.Messages))
		for i := range got.Messages {
			checkSMS(t, &got.Messages[i], &ref.Messages[i])
		}
	})
}

func FuzzDecodeChat(f *testing.F) {
	fuzzAgainstJSON(f, "chat", (*Decoder).DecodeChat, checkChat)
}

func FuzzDecodeChatBatch(f *testing.F) {
	fuzzAgainstJSON(f, "chat_batch", (*Decoder).DecodeChatBatch, func(t *testing.T, got *ChatBatchResponse, ref *refChatBatch) {
		checkBatchFields(t, got.BatchID, got.ClientBatchID, got.AcceptedCount, got.RejectedCount, len(got.Messages),
			ref.BatchID, ref.ClientBatchID, ref.AcceptedCount, ref.RejectedCount, len(ref.Messages))
		for i := range got.Messages {
			checkChat(t, &got.Messages[i], &ref.Messages[i])
		}
	})
}

// checkBatchFields compares the fields a batch response has besides its
// messages, and the number of messages.
func checkBatchFields(t *testing.T, id, cid string, acc, rej, n int, refID, refCID string, refAcc, refRej, refN int) {
	t.Helper()
	if id != refID || cid != refCID || acc != refAcc || rej != refRej || n != refN {
		t.Fatalf("got batchId %q, clientBatchId %q, counts %d/%d, %d messages; want %q, %q, %d/%d, %d",
			id, cid, acc, rej, n, refID, refCID, refAcc, refRej, refN)
	}
}

package emulator

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// API body codes the emulator answers with (see docs/error-codes.md).
const (
	codeTooManyRequests      = 429
	codeInvalidParameter     = 1000
	codeIllegalSubAccount    = 1001
	codeInvalidMSISDN        = 1002
	codeInvalidEncoding      = 1003
	codeInvalidText          = 1004
	codeInvalidSource        = 1005
	codeInvalidExpiry        = 1006
	codeInvalidCountry       = 1009
	codeParameterOutOfRange  = 1010
	codeInvalidSchedule      = 1011
	codeInvalidIP            = 1012
	codeUnauthorized         = 1200
	codeAccessForbidden      = 1201
	codeNotFound             = 1300
	codeInternalError        = 2000
	codeMissedUser           = 3001
	codeInvalidChatMSISDN    = 3003
	codeMissedContent        = 3004
	codeMissedText           = 3005
	codeTooLongText          = 3006
	codeMissedMediaURL       = 3007
	codeInvalidMediaURL      = 3008
	codeTooLongClientMsgID   = 3009
	codeInvalidContentType   = 3010
	codeTooLongSMSSource     = 3011
	codeMissedMessages       = 3012
	codeTooManyMessages      = 3013
	codeTooLongBatchID       = 3014
	codeMissedUserID         = 3015
	codeTooLongFallback      = 3017
	codeInvalidChatCountry   = 3018
	codeInvalidDRCallback    = 3020
	codeInvalidLocation      = 3021
	codeInvalidFbChannel     = 3022
	codeInvalidFbDelay       = 3023
	codeInvalidFbStatus      = 3024
	codeMissedUMID           = 3029
	codeEmptyTemplate        = 3030
	codeTemplateNameLength   = 3031
	codeInvalidCombination   = 3034
	codeEmptyTemplateLang    = 3036
	codeTemplateNotFound     = 3038
	codeInvalidComponentType = 3039
	codeEmptyTemplateParams  = 3040
	codeInvalidTemplateParam = 3041
	codeInvalidParamType     = 3042
	codeLocationParamEmpty   = 3044
	codeParamNotAllowed      = 3045
	codeInvalidParamURL      = 3046
	codeInvalidButtonParam   = 3049
	codeInvalidSubType       = 3052
	codeInvalidIndex         = 3053
)

// apiError is a validation failure: the body code and message of the error
// envelope (or of a rejected batch item).
type apiError struct {
	code int
	msg  string
}

// errorBody is the error envelope of every response with status >= 400.
type errorBody struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	ErrorID   string `json:"errorId"`
	Timestamp string `json:"timestamp"`
}

// timestampLayout is the API's documented yyyy-MM-ddTHH:mm:ss.ffZ.
const timestampLayout = "2006-01-02T15:04:05.00Z07:00"

func formatTimestamp(t time.Time) string { return t.UTC().Format(timestampLayout) }

// newUUID returns a random version-4 UUID string. It uses the runtime's
// per-thread generator, so it never takes a lock.
func newUUID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexdig = "0123456789abcdef"
	var s [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hexdig[c>>4], hexdig[c&0xf]
		j += 2
	}
	return string(s[:])
}

func itoa(n int) string { return strconv.Itoa(n) }

// writeBody sends a JSON body with its status.
func (s *Server) writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	s.stats.response(status)
}

// marshal encodes a response value. The values are plain structs of
// strings and numbers, so encoding cannot fail.
func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("emulator: encoding a response: " + err.Error())
	}
	return b
}

func (s *Server) errorJSON(e apiError) []byte {
	return marshal(errorBody{Code: e.code, Message: e.msg, ErrorID: newUUID(), Timestamp: formatTimestamp(s.now())})
}

// writeError sends the error envelope.
func (s *Server) writeError(w http.ResponseWriter, status int, e apiError) {
	s.writeBody(w, status, s.errorJSON(e))
}

// write429 sends a throttling answer: Retry-After in whole seconds and the
// body code 429 with the API's message.
func (s *Server) write429(w http.ResponseWriter, retryAfter time.Duration) {
	n := retryAfterSeconds(retryAfter)
	w.Header()["Retry-After"] = []string{strconv.FormatInt(n, 10)}
	s.writeError(w, http.StatusTooManyRequests, apiError{codeTooManyRequests,
		"Quota exceeded. Please try again in " + strconv.FormatInt(n, 10) + " second(s)."})
}

// Bounds on how much of an over-large body tooLarge reads and drops: up
// to drainCap before it answers; past that, up to lingerCap more, for at
// most lingerTimeout, after the answer and a half-close.
const (
	drainCap      = 1 << 20
	lingerCap     = 64 << 20
	lingerTimeout = 2 * time.Second
)

// tooLarge answers a body over MaxBodyBytes with 413 / 1000 and
// Connection: close, so that a client over a real socket reads the whole
// envelope rather than a reset. It reads and drops up to drainCap more of
// the body first; when even more is left, it hijacks the connection, sends
// the answer, half-closes and keeps dropping what the client still sends
// (bounded by lingerCap and lingerTimeout) until the client closes, so the
// close sends no reset that could destroy the answer in flight.
func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request) {
	_, err := io.CopyN(io.Discard, r.Body, drainCap)
	if err != nil && !errors.Is(err, io.EOF) {
		abort() // the client went away mid-body: nobody to answer
	}
	w.Header()["Connection"] = []string{"close"}
	s.writeError(w, http.StatusRequestEntityTooLarge, apiError{codeInvalidParameter, "Request body is too large"})
	if err != nil {
		return // the whole body is read: net/http flushes and closes
	}
	hj, ok := w.(http.Hijacker)
	if !ok || http.NewResponseController(w).Flush() != nil {
		return // HTTP/2 or a recorder: net/http ends the stream
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	_ = conn.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.CopyN(io.Discard, rw, lingerCap)
}

// reset drops the connection without a response. It hijacks the
// connection and closes it with SO_LINGER 0, so the peer gets a TCP RST.
// Where hijacking is impossible (HTTP/2, a recorder) it aborts the handler,
// which net/http turns into a closed connection or a reset stream.
func (s *Server) reset(w http.ResponseWriter) {
	s.stats.resets.Add(1)
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// writeTruncated sends a 200 whose body stops half way short of its
// Content-Length, then closes the connection.
func (s *Server) writeTruncated(w http.ResponseWriter, body []byte) {
	s.stats.resets.Add(1)
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	_, _ = rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ")
	_, _ = rw.WriteString(strconv.Itoa(len(body)))
	_, _ = rw.WriteString("\r\nConnection: close\r\n\r\n")
	_, _ = rw.Write(body[:len(body)/2])
	_ = rw.Flush()
}

// garbage is what FaultGarbage answers with: JSON that breaks off inside a
// string, then junk.
var garbage = []byte(`{"umid": "3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f", "status": {"code": "QUE` + "\x00\xff<html>oops")

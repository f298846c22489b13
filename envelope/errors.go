package envelope

import (
	"errors"
	"strconv"
)

// MaxDepth is the deepest nesting of objects and arrays the decoders accept.
// The top-level object counts as depth 1. The API's bodies nest at most
// four levels deep; anything past MaxDepth is rejected with a *SyntaxError
// that wraps ErrTooDeep, so that a hostile body cannot make the decoder
// recurse without bound.
const MaxDepth = 64

// ErrTooDeep is wrapped by the *SyntaxError a decoder returns for a body
// nested deeper than MaxDepth. Test for it with errors.Is.
var ErrTooDeep = errors.New("envelope: nesting deeper than MaxDepth")

// SyntaxError reports a body that is not valid JSON (or is nested deeper
// than MaxDepth): truncated input, a bad escape, a stray byte, trailing
// garbage, an empty body.
type SyntaxError struct {
	// Offset is the byte offset in the body of the first byte that does
	// not fit the grammar (len(body) when the body ends too early).
	Offset int64
	// Msg describes the problem.
	Msg string

	err error // ErrTooDeep or nil
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return "envelope: syntax error at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

// Unwrap returns ErrTooDeep for a body nested too deeply, nil otherwise.
func (e *SyntaxError) Unwrap() error { return e.err }

// FieldError reports a syntactically valid body whose content does not fit
// the response shape: a value of the wrong JSON type, a number out of range
// or not an integer, a malformed UUID or timestamp, a body that is not an
// object.
//
// A decoder returns a *FieldError only when the whole body is valid JSON:
// syntax errors anywhere in the body take precedence, as with
// encoding/json. When several fields are wrong, the first one is reported.
type FieldError struct {
	// Field is the JSON path of the offending value, e.g. "acceptedCount"
	// or "messages[3].status.code"; "" for the body itself.
	Field string
	// Offset is the byte offset in the body where the value starts.
	Offset int64
	// Msg describes the problem.
	Msg string
}

// Error implements error.
func (e *FieldError) Error() string {
	f := e.Field
	if f == "" {
		f = "body"
	}
	return "envelope: " + f + " at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

package policy

import (
	"errors"
	"strconv"
	"strings"
)

// ConfigError is a problem with a policy configuration: a file that does
// not parse, an unknown key, a value out of range. Load, Parse and New
// return it (wrapped or not; use errors.As). Its message names the file,
// the line and the key:
//
//	policy: examples/bad.yaml:12: rules[3].action: unknown action "retyr" (want one of ok, retry, backoff, fail, trip, halt)
type ConfigError struct {
	// File is the name given to Parse or Load; "" for New.
	File string
	// Line is the 1-based line of the offending key or value; 0 if unknown.
	Line int
	// Key is the path of the key, e.g. "tenants.acme.rules[0].code"
	// (list indexes are 0-based); "" for errors about the whole file.
	Key string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying cause when there is one (ErrTooLarge); nil
	// otherwise.
	Err error
}

// Error returns "policy: FILE:LINE: KEY: MSG", leaving out the parts that
// are unknown.
func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("policy: ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrTooLarge is returned (wrapped in a *ConfigError) for a config file
// over MaxConfigSize.
var ErrTooLarge = errors.New("policy: config file too large")

// Unwrap returns the underlying cause, if any.
func (e *ConfigError) Unwrap() error { return e.Err }

// MaxConfigSize is the largest config file Parse and Load accept.
const MaxConfigSize = 1 << 20

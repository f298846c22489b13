package envelope

import (
	"strconv"
	"strings"
)

type codeInfo struct {
	code Code
	name string
	desc string
}

// lookup returns c's entry in codeTable, or nil.
func (c Code) lookup() *codeInfo {
	lo, hi := 0, len(codeTable)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if codeTable[m].code < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(codeTable) && codeTable[lo].code == c {
		return &codeTable[lo]
	}
	return nil
}

// String returns the constant's name without the "Code" prefix, e.g.
// "InvalidMSISDN" for 1002, or "Code(1234)" for a code that is not known.
// ParseCode accepts both forms.
func (c Code) String() string {
	if e := c.lookup(); e != nil {
		return e.name
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// Description returns 8x8's description of the code (docs/error-codes.md),
// e.g. "Invalid MSISDN" for 1002, or "" for a code that is not known.
func (c Code) Description() string {
	if e := c.lookup(); e != nil {
		return e.desc
	}
	return ""
}

// Known reports whether c is one of the named codes.
func (c Code) Known() bool { return c.lookup() != nil }

// ParseCode parses a code written as its name ("InvalidMSISDN", with or
// without the "Code" prefix, any case), as its String form for an unknown
// code ("Code(1234)"), or as a decimal number ("1002"). A number need not be
// a known code (8x8 may add codes; use Known to tell), but it must be
// non-negative and fit in 32 bits. The boolean reports success.
func ParseCode(s string) (Code, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if n, ok := parseCodeNumber(s); ok {
		return n, true
	}
	if len(s) > len("Code()") && strings.EqualFold(s[:5], "Code(") && s[len(s)-1] == ')' {
		return parseCodeNumber(s[5 : len(s)-1])
	}
	name := s
	if len(name) > 4 && strings.EqualFold(name[:4], "Code") {
		// "CodeNotFound" and "NotFound" both name 1300; no code's own name
		// starts with "Code", so the prefix is never part of the name.
		name = name[4:]
	}
	for i := range codeTable {
		if strings.EqualFold(codeTable[i].name, name) {
			return codeTable[i].code, true
		}
	}
	return 0, false
}

func parseCodeNumber(s string) (Code, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if n > 1<<31-1 {
		return 0, false
	}
	return Code(n), true
}

// Codes returns every named code in ascending order. The slice is a fresh
// copy the caller may keep and modify.
func Codes() []Code {
	out := make([]Code, len(codeTable))
	for i := range codeTable {
		out[i] = codeTable[i].code
	}
	return out
}

// statuses lists the HTTP statuses the API documents, ascending.
var statuses = [...]int{200, 201, 202, 204, 400, 401, 403, 404, 409, 410, 413, 422, 426, 429, 500, 502, 503, 504}

// Statuses returns the HTTP statuses the API uses (200, 201, 202, 204, 400,
// 401, 403, 404, 409, 410, 413, 422, 426, 429, 500, 502, 503, 504) in
// ascending order, as a fresh copy.
func Statuses() []int {
	out := make([]int, len(statuses))
	copy(out, statuses[:])
	return out
}

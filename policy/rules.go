package policy

import (
	"strconv"

	"github.com/octosend/octosend/envelope"
)

// Entry is one row of a policy table: a match, its action and why. Table
// returns the effective entries of a tenant; `octosend policy explain`
// prints them.
type Entry struct {
	// Status is the exact HTTP status matched, or 0.
	Status int
	// StatusClass is the status class matched ("5xx"), or "".
	StatusClass string
	// Code is the API body code matched, or 0.
	Code envelope.Code
	// Transport is the transport failure class matched; TransportNone for
	// entries about responses.
	Transport Transport
	// Action is what the policy does on a match.
	Action Action
	// Reason is the human-readable text a Decision carries.
	Reason string
	// Source says where the entry comes from: "default" (the built-in
	// table), "config" (Config.Rules) or "tenant:NAME" (Tenant.Rules).
	Source string
}

// Match renders the entry's match the way reasons and tables show it:
// "503", "5xx", "1002 InvalidMSISDN", "500/2000 InternalError",
// "transport timeout".
func (e *Entry) Match() string {
	switch {
	case e.Status == 0 && e.StatusClass == "" && e.Code == 0:
		return "transport " + e.Transport.String()
	case e.Code == 0 && e.StatusClass != "":
		return e.StatusClass
	case e.Code == 0:
		s := strconv.Itoa(e.Status)
		if name := statusName(e.Status); name != "" {
			s += " " + name
		}
		return s
	case e.Status != 0:
		return strconv.Itoa(e.Status) + "/" + codeLabel(e.Code)
	case e.StatusClass != "":
		return e.StatusClass + "/" + codeLabel(e.Code)
	}
	return codeLabel(e.Code)
}

// codeLabel is "1002 InvalidMSISDN", or just the number for an unknown code.
func codeLabel(c envelope.Code) string {
	s := strconv.Itoa(int(c))
	if c.Known() {
		s += " " + c.String()
	}
	return s
}

func statusName(status int) string {
	for _, d := range defaultStatuses {
		if d.status == status {
			return d.name
		}
	}
	return ""
}

// ruleSet is one level of the resolution order (a tenant's rules, the
// config rules, or the built-in table), indexed for allocation-free
// lookup. Values are indexes into entries.
type ruleSet struct {
	statusCode map[uint64]int32 // key: statusCodeKey
	code       map[envelope.Code]int32
	status     map[int]int32
	class      [6]int32 // index+1 by status class; 0 = none
	entries    []Entry
}

// statusCodeKey packs a status (or a class, as 1..5) and a code.
func statusCodeKey(status int, code envelope.Code) uint64 {
	return uint64(uint32(status))<<32 | uint64(uint32(code))
}

func newRuleSet(rules []Rule, source string) *ruleSet {
	rs := &ruleSet{entries: make([]Entry, 0, len(rules))}
	for _, r := range rules {
		e := Entry{Status: r.Status, StatusClass: r.StatusClass, Code: r.Code, Action: r.Action, Source: source}
		text := r.Reason
		if text == "" {
			text = "set by " + source
		}
		e.Reason = e.Match() + ": " + text
		rs.add(e)
	}
	return rs
}

// add indexes e. A later entry with the same match as an earlier one is
// ignored (validate rejects such configs; first match wins regardless).
func (rs *ruleSet) add(e Entry) {
	idx := int32(len(rs.entries))
	cls := classIndex(e.StatusClass)
	switch {
	case e.Code != 0 && (e.Status != 0 || cls != 0):
		if rs.statusCode == nil {
			rs.statusCode = make(map[uint64]int32)
		}
		k := statusCodeKey(e.Status, e.Code)
		if cls != 0 {
			k = statusCodeKey(cls, e.Code)
		}
		if _, dup := rs.statusCode[k]; dup {
			return
		}
		rs.statusCode[k] = idx
	case e.Code != 0:
		if rs.code == nil {
			rs.code = make(map[envelope.Code]int32)
		}
		if _, dup := rs.code[e.Code]; dup {
			return
		}
		rs.code[e.Code] = idx
	case e.Status != 0:
		if rs.status == nil {
			rs.status = make(map[int]int32)
		}
		if _, dup := rs.status[e.Status]; dup {
			return
		}
		rs.status[e.Status] = idx
	case cls != 0:
		if rs.class[cls] != 0 {
			return
		}
		rs.class[cls] = idx + 1
	default:
		return
	}
	rs.entries = append(rs.entries, e)
}

// builtin holds the package's fixed tables, built once.
var builtin = buildBuiltin()

type builtinTables struct {
	defaults   *ruleSet
	classes    [6]Entry
	transports [len(transportDefaults)]Entry
	badTrans   Entry // for Transport values past TransportCanceled
}

func buildBuiltin() *builtinTables {
	b := &builtinTables{defaults: &ruleSet{}}
	for _, d := range defaultStatuses {
		e := Entry{Status: d.status, Action: d.action, Source: "default"}
		e.Reason = e.Match() + ": " + d.text
		b.defaults.add(e)
	}
	for _, d := range defaultCodes {
		e := Entry{Code: envelope.Code(d.code), Action: d.action, Source: "default"}
		e.Reason = e.Match() + ": " + d.text
		if provesRefusal(e.Code) {
			e.Reason += refusedNote
		}
		b.defaults.add(e)
	}
	for _, d := range defaultPairs {
		e := Entry{Status: d.status, Code: envelope.Code(d.code), Action: d.action, Source: "default"}
		e.Reason = e.Match() + ": " + d.text
		b.defaults.add(e)
	}
	for i, d := range classDefaults {
		e := Entry{Action: d.action, Source: "default"}
		if i > 0 {
			e.StatusClass = string(rune('0'+i)) + "xx"
			e.Reason = e.StatusClass + ": " + d.text
		} else {
			e.Reason = "unknown status: " + d.text
		}
		b.classes[i] = e
	}
	for i, d := range transportDefaults {
		e := Entry{Transport: Transport(i), Action: d.action, Source: "default"}
		e.Reason = e.Match() + ": " + d.text
		b.transports[i] = e
	}
	b.badTrans = Entry{Transport: 255, Action: ActionFail, Source: "default",
		Reason: "transport unknown: the client reported an unknown transport class"}
	return b
}

package policy

import "github.com/octosend/octosend/envelope"

// A resolver is the resolution order of one tenant (or of the global
// settings) flattened into arrays at build time, so Decide resolves a
// status and code with two array reads instead of a dozen map lookups.
//
// The levels are searched in order (tenant rules, config rules, built-in
// table, class defaults). For an outcome (s, c) the winner is the first
// level holding a status+code rule for (s, c), a code rule for c, or a
// status (or class) rule for s, in that order within a level. So with
// Ls the first level with a status rule for s and Lc the first level with
// a code rule for c: the code rule wins when Lc <= Ls, else the status
// rule; a status+code rule at a level <= min(Lc, Ls) beats both. status
// and code hold (level, index) pairs packed by ref.
type resolver struct {
	levels []*ruleSet // last is the class-default level
	status [600]ref   // by exact status 0..599
	code   []ref      // by code id (codeIndex.id); noRef = no rule
	paired []bool     // by code id: some level has a status+code rule for it
}

// ref packs a level (high byte) and an entry index in that level.
type ref uint32

const noRef ref = 0xFFFFFFFF

func mkref(level, idx int) ref         { return ref(level)<<24 | ref(idx) }
func (r ref) level() int               { return int(r >> 24) }
func (r ref) index() int               { return int(r & 0xFFFFFF) }
func (r *resolver) entry(x ref) *Entry { return &r.levels[x.level()].entries[x.index()] }

// classLevel is the pseudo rule set of class defaults: entries[cls].
var classLevel = func() *ruleSet {
	rs := &ruleSet{entries: builtin.classes[:]}
	return rs
}()

// codeIndex maps the body codes named by any rule of a Policy to dense
// ids for the resolvers' slices.
type codeIndex struct {
	dense  [denseCodes]uint16 // id by code, for 0 < code < denseCodes; 0 = none
	sparse map[envelope.Code]uint16
	codes  []envelope.Code // by id-1
}

// denseCodes covers every code 8x8 documents (the largest is 7001).
const denseCodes = 8192

func (ci *codeIndex) add(c envelope.Code) {
	if c == 0 || ci.id(c) != 0 {
		return
	}
	ci.codes = append(ci.codes, c)
	id := uint16(len(ci.codes))
	if c > 0 && c < denseCodes {
		ci.dense[c] = id
		return
	}
	if ci.sparse == nil {
		ci.sparse = map[envelope.Code]uint16{}
	}
	ci.sparse[c] = id
}

// id returns c's id, or 0 when no rule names c.
func (ci *codeIndex) id(c envelope.Code) uint16 {
	if c > 0 && c < denseCodes {
		return ci.dense[c]
	}
	if ci.sparse == nil {
		return 0
	}
	return ci.sparse[c]
}

// newResolver flattens levels (tenant/config/built-in, in order; the class
// level is appended) for the codes of ci.
func newResolver(ci *codeIndex, levels ...*ruleSet) *resolver {
	r := &resolver{levels: append(levels[:len(levels):len(levels)], classLevel)}
	last := len(r.levels) - 1
	for s := range r.status {
		cls := 0
		if s >= 100 {
			cls = s / 100
		}
		r.status[s] = mkref(last, cls)
		for l, rs := range levels {
			if i, ok := rs.status[s]; ok {
				r.status[s] = mkref(l, int(i))
				break
			}
			if i := rs.class[cls]; cls != 0 && i != 0 {
				r.status[s] = mkref(l, int(i-1))
				break
			}
		}
	}
	r.code = make([]ref, len(ci.codes)+1)
	r.code[0] = noRef
	for id, c := range ci.codes {
		r.code[id+1] = noRef
		for l, rs := range levels {
			if i, ok := rs.code[c]; ok {
				r.code[id+1] = mkref(l, int(i))
				break
			}
		}
	}
	r.paired = make([]bool, len(ci.codes)+1)
	for _, rs := range levels {
		for k := range rs.statusCode {
			r.paired[ci.id(envelope.Code(int32(uint32(k))))] = true
		}
	}
	r.paired[0] = false // codes without an id have no rules at all
	return r
}

// resolveOver resolves like a resolver whose levels were own followed by
// r's, without building one: a tenant's rules are an overlay on the
// global resolver, so a tenant costs its own rules and nothing per status
// or per code of the Policy. Level numbers below count own as level 0 and
// r's level l as l+1. own's codes need no id in ci: a code rule of own is
// found in own.code, and a code only tenants name has id 0 in ci, whose
// slots in r say "no rule".
func (r *resolver) resolveOver(own *ruleSet, ci *codeIndex, status int, code envelope.Code) *Entry {
	cls := 0
	inRange := status >= 0 && status < len(r.status)
	if inRange && status >= 100 {
		cls = status / 100
	}
	var st *Entry
	stLevel := 0
	if i, ok := own.status[status]; ok && inRange {
		st = &own.entries[i]
	} else if cls != 0 && own.class[cls] != 0 {
		st = &own.entries[own.class[cls]-1]
	} else {
		x := mkref(len(r.levels)-1, 0)
		if inRange {
			x = r.status[status]
		}
		st, stLevel = r.entry(x), x.level()+1
	}
	if code == 0 {
		return st
	}
	if len(own.statusCode) > 0 { // own is level 0: its pairs beat everything
		if i, ok := own.statusCode[statusCodeKey(status, code)]; ok {
			return &own.entries[i]
		}
		if cls != 0 {
			if i, ok := own.statusCode[statusCodeKey(cls, code)]; ok {
				return &own.entries[i]
			}
		}
	}
	if i, ok := own.code[code]; ok { // level 0 <= stLevel
		return &own.entries[i]
	}
	win, winLevel := st, stLevel
	id := ci.id(code)
	if cr := r.code[id]; cr != noRef && cr.level()+1 <= stLevel {
		win, winLevel = r.entry(cr), cr.level()+1
	}
	if r.paired[id] {
		for l := 0; l+1 <= winLevel && l < len(r.levels)-1; l++ {
			rs := r.levels[l]
			if len(rs.statusCode) == 0 {
				continue
			}
			if i, ok := rs.statusCode[statusCodeKey(status, code)]; ok {
				return &rs.entries[i]
			}
			if cls != 0 {
				if i, ok := rs.statusCode[statusCodeKey(cls, code)]; ok {
					return &rs.entries[i]
				}
			}
		}
	}
	return win
}

// resolve returns the winning entry for a status (>= 1) and a code (0 =
// none; the caller drops codes below 400).
func (r *resolver) resolve(ci *codeIndex, status int, code envelope.Code) *Entry {
	var st ref
	cls := 0
	if status >= 0 && status < len(r.status) {
		st = r.status[status]
		if status >= 100 {
			cls = status / 100
		}
	} else {
		st = mkref(len(r.levels)-1, 0)
	}
	if code == 0 {
		return r.entry(st)
	}
	win := st
	id := ci.id(code)
	if cr := r.code[id]; cr != noRef && cr.level() <= st.level() {
		win = cr
	}
	if r.paired[id] {
		for l := 0; l <= win.level() && l < len(r.levels)-1; l++ {
			rs := r.levels[l]
			if len(rs.statusCode) == 0 {
				continue
			}
			if i, ok := rs.statusCode[statusCodeKey(status, code)]; ok {
				return &rs.entries[i]
			}
			if cls != 0 {
				if i, ok := rs.statusCode[statusCodeKey(cls, code)]; ok {
					return &rs.entries[i]
				}
			}
		}
	}
	return r.entry(win)
}

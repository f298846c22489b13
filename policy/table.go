package policy

import (
	"cmp"
	"slices"
)

// Table returns tenant's effective table ("" = the global one), for
// `octosend policy explain`: every match that the tenant's rules, the
// config rules or the built-in table name, each listed once with what
// Decide does for it — which may be a rule of another match that takes
// precedence (a config "5xx" rule shows on the built-in 500 row) — then
// the class defaults and the transport classes. Where a code's own row and
// a status's row would disagree about their combination, a status/code row
// says what Decide does for it. Read it most specific first: status/code,
// class/code, code (for statuses >= 400), status, class; the test
// TestTableIsDecide checks this reading against Decide for every status and
// code. Entries are sorted: exact statuses, status classes, status+code
// pairs, codes, transports. The slice is fresh; callers may keep it.
func (p *Policy) Table(tenant string) []Entry {
	t := p.tenant(tenant)
	type key struct {
		status int
		class  string
		code   int
	}
	seen := map[key]bool{}
	var cand []Entry
	add := func(es []Entry) {
		for _, e := range es {
			k := key{e.Status, e.StatusClass, int(e.Code)}
			if !seen[k] {
				seen[k] = true
				cand = append(cand, e)
			}
		}
	}
	if t.rules != nil {
		add(t.rules.entries)
	}
	add(p.rules.entries)
	add(p.defaults.defaults.entries)
	add(p.defaults.classes[1:])

	exact := map[int]bool{}
	for _, e := range cand {
		if e.Status != 0 {
			exact[e.Status] = true
		}
	}
	// rep is the status Decide sees for a row: its own, or for a class one
	// of its statuses that no row names exactly.
	rep := func(e *Entry) int {
		if e.Status != 0 || e.StatusClass == "" {
			return e.Status
		}
		c := int(e.StatusClass[0]-'0') * 100
		for s := c; s < c+100; s++ {
			if !exact[s] {
				return s
			}
		}
		return c
	}
	out := make([]Entry, 0, len(cand))
	var codes, statuses []Entry
	for i := range cand {
		e := &cand[i]
		row := *e
		if st := rep(e); st != 0 {
			w := p.resolve(t, st, e.Code, TransportNone)
			row.Action, row.Reason, row.Source = w.Action, w.Reason, w.Source
		}
		out = append(out, row)
		switch {
		case e.Status == 0 && e.StatusClass == "":
			codes = append(codes, row)
		case e.Code == 0:
			statuses = append(statuses, row)
		}
	}
	for _, c := range codes {
		for _, s := range statuses {
			st := rep(&s)
			if st < 400 || seen[key{s.Status, s.StatusClass, int(c.Code)}] {
				continue
			}
			w := p.resolve(t, st, c.Code, TransportNone)
			if w.Action == c.Action && w.Reason == c.Reason && w.Source == c.Source {
				continue
			}
			seen[key{s.Status, s.StatusClass, int(c.Code)}] = true
			out = append(out, Entry{Status: s.Status, StatusClass: s.StatusClass, Code: c.Code,
				Action: w.Action, Reason: w.Reason, Source: w.Source})
		}
	}
	out = append(out, p.defaults.transports[1:]...)
	slices.SortStableFunc(out, func(a, b Entry) int {
		return cmp.Or(
			cmp.Compare(entryGroup(&a), entryGroup(&b)),
			cmp.Compare(a.Status, b.Status),
			cmp.Compare(a.StatusClass, b.StatusClass),
			cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Transport, b.Transport),
		)
	})
	return out
}

// entryGroup orders the kinds of match in Table.
func entryGroup(e *Entry) int {
	switch {
	case e.Status == 0 && e.StatusClass == "" && e.Code == 0:
		return 4 // transport
	case e.Code == 0 && e.Status != 0:
		return 0
	case e.Code == 0:
		return 1
	case e.Status != 0 || e.StatusClass != "":
		return 2
	}
	return 3
}

package policy

import (
	"cmp"
	"slices"
	"strings"
)

// Table returns tenant's effective table ("" = the global one), for
// `octosend policy explain`: the tenant's rules, the config rules and the
// built-in entries, each match listed once with the entry that wins it,
// then the class defaults and the transport classes. Entries are sorted:
// exact statuses, status classes, status+code pairs, codes, transports.
// Different matches can still overlap (a tenant's 500 rule and the
// built-in 2000 rule both fit "500 with 2000"); Decide resolves them in
// the order the package doc gives. The slice is fresh; callers may keep
// it.
func (p *Policy) Table(tenant string) []Entry {
	t := p.tenant(tenant)
	type key struct {
		status int
		class  string
		code   int
	}
	seen := map[key]bool{}
	var out []Entry
	add := func(es []Entry) {
		for _, e := range es {
			k := key{e.Status, e.StatusClass, int(e.Code)}
			if !seen[k] {
				seen[k] = true
				out = append(out, e)
			}
		}
	}
	if t.rules != nil {
		add(t.rules.entries)
	}
	add(p.rules.entries)
	add(p.defaults.defaults.entries)
	add(p.defaults.classes[1:])
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

// MarkdownTable renders Table(tenant) as a Markdown table with the
// columns Match, Action, Source and Reason. It is generated from the
// code, so documentation that includes it (policy/README.md; a test
// checks it is current) cannot drift from what Decide does.
func (p *Policy) MarkdownTable(tenant string) string {
	var b strings.Builder
	b.WriteString("| Match | Action | Source | Reason |\n|---|---|---|---|\n")
	for _, e := range p.Table(tenant) {
		m := e.Match()
		reason := strings.TrimPrefix(e.Reason, m+": ")
		for _, cell := range [...]string{m, e.Action.String(), e.Source, reason} {
			b.WriteString("| ")
			b.WriteString(strings.ReplaceAll(cell, "|", `\|`))
			b.WriteByte(' ')
		}
		b.WriteString("|\n")
	}
	return b.String()
}
